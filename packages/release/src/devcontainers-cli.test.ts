import { describe, expect, it } from 'vitest';
import { jsonResult } from './devcontainers-cli.ts';

describe('jsonResult', () => {
  it('reads a result the CLI prints over several lines (features info manifest)', () => {
    const stdout = `${JSON.stringify({ manifest: { schemaVersion: 2, layers: [] } }, null, 4)}\n`;
    expect(jsonResult(stdout, 'features info')).toEqual({ manifest: { schemaVersion: 2, layers: [] } });
  });

  it('reads the last line when log lines come first (features publish)', () => {
    const stdout = `[1 ms] @devcontainers/cli 0.x\nPublishing...\n${JSON.stringify({ installer: { version: '1.0.0' } })}\n`;
    expect(jsonResult(stdout, 'features publish')).toEqual({ installer: { version: '1.0.0' } });
  });

  it('says which command printed no JSON', () => {
    expect(() => jsonResult('no json here', 'devcontainer features publish')).toThrow(
      'devcontainer features publish printed no JSON result: no json here',
    );
  });
});

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/cpython-prebuilt.js', import.meta.url));

function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: '1' } }, (error, _stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
    );
  });
}

describe('cpython-prebuilt bench-wheelhouse', () => {
  it('refuses --find-links without --requirements before loading anything', async () => {
    const result = await cli(['bench-wheelhouse', '--artifact', 'no-such.tgz', '--find-links', '/tmp']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('error [INVALID_INPUT]: --find-links without --requirements');
  });
});

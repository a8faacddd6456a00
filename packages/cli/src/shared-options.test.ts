import { join } from 'node:path';
import { layout } from '@cpython-prebuilt/core';
import { describe, expect, it } from 'vitest';
import { parseCpythonVersion, resultsOutput } from './shared-options.ts';

describe('options every command shares', () => {
  it('writes a results document under .cache/results unless --write-docs or --output says where', () => {
    const committed = layout.results.benchmarks;
    expect(resultsOutput({}, committed)).toBe(join(layout.cacheDir, 'results', 'docs', 'benchmarks.md'));
    expect(resultsOutput({ writeDocs: false }, committed).startsWith(`${layout.cacheDir}/`)).toBe(true);
    expect(resultsOutput({ writeDocs: true }, committed)).toBe(committed);
    expect(resultsOutput({ output: '/tmp/mine.md' }, committed)).toBe('/tmp/mine.md');
  });

  it('reads --version 3.13 as the newest pinned 3.13 patch', () => {
    expect(parseCpythonVersion('3.13.5')).toBe('3.13.5');
    expect(parseCpythonVersion('3.13')).toMatch(/^3\.13\.\d+$/);
    expect(() => parseCpythonVersion('3.99')).toThrow(/no 3\.99\.x is pinned/);
  });
});

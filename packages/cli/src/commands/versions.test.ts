import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findRelease, formatVersionsData, type PinnedRelease, versionsManifest } from '@cpython-prebuilt/core';
import { startLocalPythonOrg } from '@cpython-prebuilt/pipelines';
import { describe, expect, it, onTestFinished } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/cpython-prebuilt.js', import.meta.url));

function run(args: string[], cache: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { ...process.env, NO_COLOR: '1', CPYTHON_PREBUILT_CACHE: cache } },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('cpython-prebuilt versions', () => {
  it('check exits non-zero while python.org has a release the data lacks, and zero after update', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'versions-cli-'));
    onTestFinished(() => rm(directory, { recursive: true, force: true }));
    const data = join(directory, 'versions.data.json');
    const pinned = findRelease('3.14.7') as PinnedRelease;
    await writeFile(
      data,
      formatVersionsData({ lines: versionsManifest.lines.filter((line) => line.line === '3.14'), releases: [pinned] }),
    );
    const server = await startLocalPythonOrg({
      releases: [{ version: '3.14.8', releaseDate: '2026-09-01', tarball: randomBytes(1024) }],
      cycle: { '3.14': { status: 'bugfix', end_of_life: '2030-10' } },
    });
    onTestFinished(() => server.close());
    const feeds = ['--python-org-url', server.url, '--release-cycle-url', server.releaseCycleUrl, '--data', data];

    const due = await run(['versions', 'check', ...feeds], join(directory, 'cache'));
    expect(due.code).toBe(1);
    expect(due.stdout).toContain('new release 3.14.8 (2026-09-01)');
    expect(due.stderr).toContain('error [UPDATE_DUE]');

    // Debian's record is the pipelines' tests' (a loopback archive): here python.org's alone.
    const dryRun = await run(['versions', 'update', '--dry-run', '--no-debian-record', ...feeds], join(directory, 'cache'));
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toContain('+      "version": "3.14.8",');

    const update = await run(['versions', 'update', '--no-debian-record', ...feeds], join(directory, 'cache'));
    expect(update.code).toBe(0);
    expect(await readFile(data, 'utf8')).toContain('"version": "3.14.8"');

    const upToDate = await run(['versions', 'check', ...feeds, '--json'], join(directory, 'cache'));
    expect(upToDate.code).toBe(0);
    expect(JSON.parse(upToDate.stdout)).toEqual({
      source: 'python.org',
      newReleases: [],
      notServed: [],
      lineChanges: [],
      due: false,
    });
  });
});

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
  it("check exits non-zero while python.org has a release the data lacks, zero after update, and non-zero while the feature's default is behind the new pin", async () => {
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
      feature: { published: null, pinned: null, behind: false },
    });

    // A feature still publishing 3.14.7 as its default: the pins are current, a release is due.
    const artifacts = join(directory, 'manifest.json');
    const artifact = 'cpython-3.14.7-debian11-x86_64-build1.tgz';
    const entry = { version: '3.14.7', build: 1, base: 'debian11', arch: 'x86_64', glibcMinimum: '2.31', file: artifact };
    await writeFile(
      artifacts,
      JSON.stringify({
        artifacts: [
          { ...entry, sha256: 'a'.repeat(64), url: artifact, sizeBytes: 1, location: 'vendored', publishedAt: '2026-09-01' },
        ],
      }),
    );
    const behind = await run(['versions', 'check', ...feeds, '--artifacts-manifest', artifacts], join(directory, 'cache'));
    expect(behind.code).toBe(1);
    expect(behind.stdout).toContain('the versions manifest is up to date with python.org');
    expect(behind.stderr).toContain(
      "error [UPDATE_DUE]: the feature's default CPython 3.14.7 is behind the newest pinned 3.14 patch, 3.14.8",
    );
    expect(behind.stderr).toContain('fix: release 3.14.8');
    // Six CLI processes (tsx start-up each): over the unit project's 30 s on a busy 2-core machine.
  }, 120_000);
});

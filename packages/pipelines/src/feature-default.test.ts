import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRelease, formatVersionsData, type PinnedRelease, versionsManifest } from '@cpython-prebuilt/core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { defaultBehindError, describeDefaultStatus, featureDefaultStatus } from './feature-default.ts';

async function folder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'feature-default-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** An artifacts manifest publishing these versions (one x86_64 artifact each). */
async function published(dir: string, versions: string[]): Promise<string> {
  const path = join(dir, 'manifest.json');
  const artifacts = versions.map((version) => ({
    version,
    build: 1,
    base: 'debian11',
    arch: 'x86_64',
    glibcMinimum: '2.31',
    file: `cpython-${version}-debian11-x86_64-build1.tgz`,
    sha256: 'a'.repeat(64),
    url: `https://example.invalid/cpython-${version}-debian11-x86_64-build1.tgz`,
    sizeBytes: 1,
    location: 'test',
    publishedAt: '2026-12-01',
  }));
  await writeFile(path, `${JSON.stringify({ artifacts }, null, 2)}\n`);
  return path;
}

/** A versions data file pinning these releases of the 3.14 line. */
async function pinning(dir: string, versions: string[]): Promise<string> {
  const path = join(dir, 'versions.data.json');
  const releases = versions.map((version) => findRelease(version) as PinnedRelease);
  await writeFile(path, formatVersionsData({ lines: versionsManifest.lines.filter((line) => line.line === '3.14'), releases }));
  return path;
}

describe("the feature's default against its line", () => {
  it('is behind when the versions data pins a newer patch of the published default line', async () => {
    const dir = await folder();
    const [older, newer] = versionsManifest.releases
      .map((release) => release.version)
      .filter((version) => version.startsWith('3.14.'))
      .slice(-2);
    if (!older || !newer) throw new Error('the versions data pins fewer than two 3.14 patches');
    const artifactsManifestPath = await published(dir, [older, '3.13.5']);
    const status = await featureDefaultStatus({ artifactsManifestPath, dataPath: await pinning(dir, [older, newer]) });
    expect(status).toEqual({ published: older, pinned: newer, behind: true });
    expect(describeDefaultStatus(status)).toBe(
      `the feature's default CPython ${older} is behind the newest pinned 3.14 patch, ${newer}`,
    );
    const error = defaultBehindError(status);
    expect(error.code).toBe('UPDATE_DUE');
    expect(error.fix).toContain(`release ${newer} (the release workflow with versions ["${newer}"]`);

    // Current once the newest pin is published; nothing to hold before anything is.
    expect(await featureDefaultStatus({ artifactsManifestPath, dataPath: await pinning(dir, [older]) })).toEqual({
      published: older,
      pinned: older,
      behind: false,
    });
    const current = await featureDefaultStatus({
      artifactsManifestPath: await published(dir, [newer]),
      dataPath: await pinning(dir, [older, newer]),
    });
    expect(describeDefaultStatus(current)).toBe(`the feature's default CPython ${newer} is the newest pinned 3.14 patch`);
    const unpinnedLine = await featureDefaultStatus({
      artifactsManifestPath: await published(dir, ['3.13.5']),
      dataPath: await pinning(dir, [older, newer]),
    });
    expect(unpinnedLine).toEqual({ published: '3.13.5', pinned: null, behind: false });
    expect(describeDefaultStatus(unpinnedLine)).toBe(
      "the feature's default CPython 3.13.5: the versions data pins no 3.13 release",
    );
    const none = await featureDefaultStatus({
      artifactsManifestPath: join(dir, 'absent.json'),
      dataPath: await pinning(dir, [older, newer]),
    });
    expect(none.behind).toBe(false);
    expect(describeDefaultStatus(none)).toBe("no artifact is published yet: the feature's default has no release to be held to");
  });
});

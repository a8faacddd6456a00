import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CpythonPrebuiltError,
  createLogger,
  findRelease,
  formatVersionsData,
  layout,
  type PinnedRelease,
  readVersionsManifest,
  type VersionsManifest,
} from '@cpython-prebuilt/core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { type LocalRelease, startLocalPythonOrg } from './local-python-org.ts';
import type { ReleaseCycle } from './python-releases.ts';
import { repositoryFiles } from './repository-files.ts';
import { checkVersions, planVersionsUpdate, updateVersions } from './versions-update.ts';

const logger = createLogger('test');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const cycle: ReleaseCycle = {
  '3.15': { branch: 'main', pep: 790, status: 'prerelease', first_release: '2026-10-01', end_of_life: '2031-10' },
  '3.14': { branch: '3.14', pep: 745, status: 'bugfix', first_release: '2025-10-07', end_of_life: '2030-10' },
  '3.13': { branch: '3.13', pep: 719, status: 'bugfix', first_release: '2024-10-07', end_of_life: '2029-10' },
  '3.9': { branch: '3.9', pep: 596, status: 'end-of-life', first_release: '2020-10-05', end_of_life: '2025-10' },
  '3.8': { branch: '3.8', pep: 569, status: 'end-of-life', first_release: '2019-10-14', end_of_life: '2024-10' },
};

function pin(version: string): PinnedRelease {
  const release = findRelease(version, readVersionsManifest());
  if (!release) throw new Error(`${version} is not pinned`);
  return release as PinnedRelease;
}

/** A versions data file in a temp dir, with 3.9 still marked maintained: one line and one release behind. */
async function startingData(): Promise<{ dataPath: string; cacheDir: string }> {
  const directory = await mkdtemp(join(tmpdir(), 'versions-update-'));
  onTestFinished(() => rm(directory, { recursive: true, force: true }));
  const manifest: VersionsManifest = {
    lines: [
      { line: '3.9', status: 'maintained', endOfLife: '2025-10' },
      { line: '3.13', status: 'maintained', endOfLife: '2029-10' },
      { line: '3.14', status: 'maintained', endOfLife: '2030-10' },
    ],
    releases: [pin('3.9.25'), pin('3.13.5'), pin('3.14.7')],
  };
  const dataPath = join(directory, 'versions.data.json');
  await writeFile(dataPath, formatVersionsData(manifest));
  return { dataPath, cacheDir: join(directory, 'cache') };
}

async function pythonOrg(releases: LocalRelease[]) {
  const server = await startLocalPythonOrg({ releases, cycle });
  onTestFinished(() => server.close());
  return { pythonOrgUrl: server.url, releaseCycleUrl: server.releaseCycleUrl, server };
}

const upstream = (extra: LocalRelease[] = []): LocalRelease[] => [
  { version: '3.13.5', releaseDate: '2025-06-11', tarball: randomBytes(64) },
  { version: '3.14.7', releaseDate: '2026-08-05', tarball: randomBytes(64) },
  { version: '3.15.0b1', releaseDate: '2026-09-02', tarball: randomBytes(64) },
  { version: '2.7.18', releaseDate: '2020-04-20', tarball: randomBytes(64), major: 2 },
  { version: '3.14.9', releaseDate: '2026-10-01', tarball: randomBytes(64), isPublished: false },
  ...extra,
];

describe('versions check', () => {
  it('finds a new patch release of a maintained line and a line that reached end of life, and fails', async () => {
    const { dataPath } = await startingData();
    const tarball = randomBytes(4096);
    const { server, ...feeds } = await pythonOrg(upstream([{ version: '3.14.8', releaseDate: '2026-09-01', tarball }]));
    const before = await readFile(dataPath, 'utf8');

    const plan = await planVersionsUpdate({ ...feeds, dataPath, logger });
    expect(plan.newReleases).toEqual([
      expect.objectContaining({
        version: '3.14.8',
        released: '2026-09-01',
        sha256: sha256(tarball),
        sigstoreBundle: expect.stringMatching(/\.sigstore$/),
      }),
    ]);
    expect(plan.lineChanges.map((change) => [change.line, change.after.status])).toEqual([['3.9', 'end-of-life']]);

    const error = await checkVersions({ ...feeds, dataPath, logger }).catch((caught: CpythonPrebuiltError) => caught);
    expect(error).toMatchObject({ code: 'UPDATE_DUE' });
    expect((error as Error).message).toMatch(/3\.14\.8.*line 3\.9 is now end-of-life/);
    // The check reads the API only: no tarball download, nothing written.
    expect(server.requests.some((path) => path.includes('/ftp/'))).toBe(false);
    expect(await readFile(dataPath, 'utf8')).toBe(before);
  });

  it('passes when the manifest pins the newest final release of every line it follows', async () => {
    const { dataPath } = await startingData();
    const { server: _server, ...feeds } = await pythonOrg(upstream());
    await updateVersions({
      ...feeds,
      dataPath,
      logger,
      dryRun: false,
      cacheDir: join(dataPath, '..', 'cache'),
      regenerate: false,
    });
    const plan = await checkVersions({ ...feeds, dataPath, logger });
    expect(plan).toEqual({ newReleases: [], lineChanges: [], due: false });
  });
});

describe('versions update', () => {
  it('pins a new release with the digest it verified on the downloaded bytes, and records the end of life', async () => {
    const { dataPath, cacheDir } = await startingData();
    const tarball = randomBytes(4096);
    const { server: _server, ...feeds } = await pythonOrg(upstream([{ version: '3.14.8', releaseDate: '2026-09-01', tarball }]));

    const result = await updateVersions({ ...feeds, dataPath, logger, dryRun: false, cacheDir, regenerate: false });
    expect(result.written).toHaveLength(1);
    const manifest = readVersionsManifest(dataPath);
    const added = findRelease('3.14.8', manifest) as PinnedRelease;
    expect(added).toMatchObject({
      sha256: sha256(tarball),
      released: '2026-09-01',
      url: `${feeds.pythonOrgUrl}/ftp/python/3.14.8/Python-3.14.8.tar.xz`,
      sigstoreBundle: `${feeds.pythonOrgUrl}/ftp/python/3.14.8/Python-3.14.8.tar.xz.sigstore`,
    });
    expect(added.digestSources.map((source) => source.url)).toEqual([
      `${feeds.pythonOrgUrl}/api/v2/downloads/release_file/${1005 * 10 + 1}/`,
      added.url,
    ]);
    expect(manifest.lines.find((line) => line.line === '3.9')?.status).toBe('end-of-life');
    // The pre-release, the Python 2 release and the unpublished 3.14.9 were left alone.
    expect(manifest.releases.map((release) => release.version)).toEqual(['3.9.25', '3.13.5', '3.14.7', '3.14.8']);
    // The written file is in the stable format, so a second update changes nothing.
    expect(await readFile(dataPath, 'utf8')).toBe(formatVersionsData(manifest));
    expect((await updateVersions({ ...feeds, dataPath, logger, dryRun: false, cacheDir, regenerate: false })).written).toEqual(
      [],
    );
  });

  it('refuses a release whose tarball does not match the published digest, and writes nothing', async () => {
    const { dataPath, cacheDir } = await startingData();
    const { server: _server, ...feeds } = await pythonOrg(
      upstream([
        { version: '3.14.8', releaseDate: '2026-09-01', tarball: randomBytes(4096) },
        { version: '3.13.16', releaseDate: '2026-09-01', tarball: randomBytes(4096), publishedSha256: sha256(randomBytes(16)) },
      ]),
    );
    const before = await readFile(dataPath, 'utf8');

    const error = await updateVersions({ ...feeds, dataPath, logger, dryRun: false, cacheDir, regenerate: false }).catch(
      (caught: CpythonPrebuiltError) => caught,
    );
    expect(error).toMatchObject({ code: 'CHECKSUM_MISMATCH' });
    expect((error as Error).message).toMatch(/3\.13\.16 was not pinned and nothing was written/);
    // Not even the good 3.14.8: an update is all or nothing.
    expect(await readFile(dataPath, 'utf8')).toBe(before);
    expect((await readdir(join(cacheDir, 'downloads'))).filter((name) => name.includes('3.13.16'))).toEqual([]);
  });

  it('prints the diff with --dry-run and changes nothing', async () => {
    const { dataPath, cacheDir } = await startingData();
    const { server: _server, ...feeds } = await pythonOrg(
      upstream([{ version: '3.14.8', releaseDate: '2026-09-01', tarball: randomBytes(4096) }]),
    );
    const before = await readFile(dataPath, 'utf8');

    const result = await updateVersions({ ...feeds, dataPath, logger, dryRun: true, cacheDir, regenerate: false });
    expect(result.written).toEqual([]);
    expect(result.diff).toContain('+      "version": "3.14.8",');
    expect(result.diff).toContain('-      "status": "maintained",');
    expect(await readFile(dataPath, 'utf8')).toBe(before);
  });

  it('refuses a feed of another shape with a typed error', async () => {
    const { dataPath } = await startingData();
    const { server: _server, ...feeds } = await pythonOrg(upstream());
    const error = await planVersionsUpdate({
      ...feeds,
      releaseCycleUrl: `${feeds.pythonOrgUrl}/api/v2/downloads/release/`,
      dataPath,
      logger,
    }).catch((caught: CpythonPrebuiltError) => caught);
    expect(error).toMatchObject({ code: 'FEED_INVALID' });
  });
});

describe('generated files after an update', () => {
  it('writes versions.json from the manifest it is given', async () => {
    const manifest = readVersionsManifest();
    const extra = {
      ...pin('3.14.7'),
      version: '3.14.99',
      url: 'https://www.python.org/ftp/python/3.14.99/Python-3.14.99.tar.xz',
    };
    const files = await repositoryFiles(layout.manifest, { ...manifest, releases: [...manifest.releases, extra] });
    expect(files[join(layout.cpythonDir, 'versions.json')]).toContain('"version": "3.14.99"');
  });
});

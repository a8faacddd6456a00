import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
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
  relativeToRoot,
  type VersionsManifest,
} from '@cpython-prebuilt/core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startLocalDebianArchive } from './local-debian-archive.ts';
import { type LocalRelease, startLocalPythonOrg } from './local-python-org.ts';
import type { ReleaseCycle } from './python-releases.ts';
import { repositoryFiles } from './repository-files.ts';
import {
  checkVersions,
  describePlan,
  endOfLifeWarnings,
  planVersionsUpdate,
  updateVersions,
  type VersionsUpdateResult,
} from './versions-update.ts';

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
        sigstoreBundle: undefined,
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
    expect(plan).toEqual({ source: 'python.org', newReleases: [], notServed: [], lineChanges: [], due: false });
  });
});

describe('end-of-life lines', () => {
  it('are named with their newest pin and the maintained lines; the repository pins 3.9 and 3.10 as end of life', () => {
    const manifest: VersionsManifest = {
      lines: [
        { line: '3.9', status: 'end-of-life', endOfLife: '2025-10' },
        { line: '3.13', status: 'maintained', endOfLife: '2029-10' },
        { line: '3.14', status: 'end-of-life', endOfLife: '2030-10' },
      ],
      releases: [pin('3.9.25'), pin('3.13.5'), pin('3.13.15')],
    };
    // 3.14 has no pin: nobody installs it from this manifest, so there is nothing to warn about.
    expect(endOfLifeWarnings(manifest)).toEqual([
      'CPython 3.9 reached its end of life upstream in 2025-10: 3.9.25 stays pinned and buildable, the feature installs it with a warning, and no fix will come; maintained lines: 3.13',
    ]);
    expect(endOfLifeWarnings(readVersionsManifest()).map((warning) => warning.split(':')[0])).toEqual([
      'CPython 3.9 reached its end of life upstream in 2025-10',
      'CPython 3.10 reached its end of life upstream in 2026-10',
    ]);
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
    });
    expect(added.sigstoreBundle).toBeUndefined();
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

  describe("python.org's Sigstore bundles", () => {
    /**
     * Versions data that does not pin 3.13 yet, so python.org's real 3.13.5 (tarball and bundle) is
     * new, and `update`: versions update against a python.org serving `releases`, its outcome a
     * result or the error it refused with.
     */
    async function without313() {
      const { dataPath, cacheDir } = await startingData();
      const manifest = readVersionsManifest(dataPath);
      await writeFile(
        dataPath,
        formatVersionsData({ ...manifest, releases: manifest.releases.filter((release) => release.version !== '3.13.5') }),
      );
      const sigstoreBundlesDir = join(dataPath, '..', 'sigstore');
      const update = async (releases: LocalRelease[]) => {
        const { server: _server, ...feeds } = await pythonOrg(releases);
        const outcome = await updateVersions({
          ...feeds,
          dataPath,
          logger,
          dryRun: false,
          cacheDir,
          regenerate: false,
          sigstoreBundlesDir,
        }).catch((caught: CpythonPrebuiltError) => caught);
        return { feeds, outcome };
      };
      return { dataPath, sigstoreBundlesDir, update };
    }
    const real = async (bundleFile: string): Promise<LocalRelease> => ({
      version: '3.13.5',
      releaseDate: '2025-06-11',
      tarball: await readFile(join(layout.sourcesDir, 'python3.13_3.13.5.orig.tar.xz')),
      sigstoreBundle: await readFile(join(layout.sigstoreBundlesDir, bundleFile), 'utf8'),
    });

    it('verifies the bundle against the downloaded bytes and the line’s release manager, and records it with the pin', async () => {
      const { dataPath, sigstoreBundlesDir, update } = await without313();
      const { feeds, outcome } = await update([await real('Python-3.13.5.tar.xz.sigstore')]);
      expect(findRelease('3.13.5', readVersionsManifest(dataPath))).toMatchObject({
        sha256: '93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640',
        sigstoreBundle: `${feeds.pythonOrgUrl}/ftp/python/3.13.5/Python-3.13.5.tar.xz.sigstore`,
      });
      expect((outcome as VersionsUpdateResult).written).toHaveLength(2);
      expect(await readFile(join(sigstoreBundlesDir, 'Python-3.13.5.tar.xz.sigstore'), 'utf8')).toBe(
        await readFile(join(layout.sigstoreBundlesDir, 'Python-3.13.5.tar.xz.sigstore'), 'utf8'),
      );
    });

    it('refuses a bundle that signs other bytes (or is missing while listed), and writes nothing', async () => {
      const { dataPath, sigstoreBundlesDir, update } = await without313();
      const before = await readFile(dataPath, 'utf8');
      // python.org's real bundle of 3.11.2: valid, by another signer, over other bytes.
      const { outcome: error } = await update([await real('Python-3.11.2.tgz.sigstore')]);
      expect(error).toMatchObject({ code: 'SIGNATURE_INVALID' });
      expect((error as Error).message).toMatch(
        /does not verify Python-3\.13\.5\.tar\.xz \(CPython 3\.13\.5, so nothing was written\): it signs sha256 2411c74b/,
      );
      expect(await readFile(dataPath, 'utf8')).toBe(before);
      expect(await readdir(sigstoreBundlesDir).catch(() => [])).toEqual([]);

      const { outcome: missing } = await update([{ ...(await real('Python-3.13.5.tar.xz.sigstore')), sigstoreBundle: null }]);
      expect(missing).toMatchObject({ code: 'SIGNATURE_MISSING' });
      expect((missing as Error).message).toMatch(
        /python\.org lists \S+Python-3\.13\.5\.tar\.xz\.sigstore for Python-3\.13\.5\.tar\.xz, and it could not be downloaded/,
      );
      expect(await readFile(dataPath, 'utf8')).toBe(before);
    });
  });

  it('refuses a record that points the tarball at another host, before downloading anything', async () => {
    const { dataPath, cacheDir } = await startingData();
    const elsewhere = 'https://downloads.example.invalid/Python-3.14.8.tar.xz';
    const { server, ...feeds } = await pythonOrg(
      upstream([{ version: '3.14.8', releaseDate: '2026-09-01', tarball: randomBytes(64), listedUrl: elsewhere }]),
    );
    const before = await readFile(dataPath, 'utf8');
    const error = await updateVersions({ ...feeds, dataPath, logger, dryRun: false, cacheDir, regenerate: false }).catch(
      (caught: CpythonPrebuiltError) => caught,
    );
    expect(error).toMatchObject({ code: 'FEED_INVALID' });
    expect((error as Error).message).toBe(
      `python.org's record of Python 3.14.8 points its tarball at ${elsewhere}, not at ${feeds.pythonOrgUrl}/ftp/python/3.14.8/Python-3.14.8.tar.xz`,
    );
    expect(server.requests.some((path) => path.includes('/ftp/'))).toBe(false);
    expect(await readFile(dataPath, 'utf8')).toBe(before);
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

/** A Sources stanza of python3.X with its pristine orig tarball. */
const stanza = (version: string, digest: string) => {
  const pkg = `python${version.split('.').slice(0, 2).join('.')}`;
  return `Package: ${pkg}\nVersion: ${version}-1\nDirectory: pool/main/p/${pkg}\nChecksums-Sha256:\n ${digest} 4096 ${pkg}_${version}.orig.tar.xz\n`;
};

/** A real .tar.xz whose newest file is dated `day`, as upstream's tarballs are. */
async function tarballDated(version: string, day: string): Promise<Buffer> {
  const directory = await mkdtemp(join(tmpdir(), 'tarball-'));
  onTestFinished(() => rm(directory, { recursive: true, force: true }));
  await mkdir(join(directory, `Python-${version}`));
  await writeFile(join(directory, `Python-${version}`, 'README.rst'), randomBytes(512));
  return execFileSync('tar', ['-cJ', '--mtime', `${day} 12:00:00`, '-C', directory, `Python-${version}`]);
}

async function debianArchive() {
  const archive = await startLocalDebianArchive();
  onTestFinished(() => archive.close());
  return archive;
}

describe("Debian's source archive as the second record, and as the feed when python.org is out of reach", () => {
  it('pins a python.org release that Debian lists with the same sha256, naming both records', async () => {
    const { dataPath, cacheDir } = await startingData();
    const tarball = randomBytes(4096);
    const { server: _server, ...feeds } = await pythonOrg(upstream([{ version: '3.14.8', releaseDate: '2026-09-01', tarball }]));
    const archive = await debianArchive();
    archive.publish('sid', stanza('3.14.8', sha256(tarball)));
    const debian = { mirror: archive.mirror, suites: ['sid'], keyring: archive.keyring, workDir: join(cacheDir, 'debian') };

    await updateVersions({ ...feeds, debian, dataPath, logger, dryRun: false, cacheDir, regenerate: false });
    const added = findRelease('3.14.8', readVersionsManifest(dataPath)) as PinnedRelease;
    expect(added.sha256).toBe(sha256(tarball));
    expect(added.digestSources.map((source) => source.name)).toEqual([
      'python.org release API: sha256_sum of Python-3.14.8.tar.xz',
      "Debian source package python3.14 3.14.8: the archive's signed Sources index lists python3.14_3.14.8.orig.tar.xz, the pristine upstream file, with this sha256",
      'sha256 of Python-3.14.8.tar.xz as downloaded and hashed by versions update',
    ]);
    // The record names Debian's package, never the mirror this machine read it from.
    expect(JSON.stringify(added)).not.toContain(archive.mirror);
  });

  it("refuses a release whose python.org digest Debian's record contradicts, with both values, and writes nothing", async () => {
    const { dataPath, cacheDir } = await startingData();
    const tarball = randomBytes(4096);
    const { server: _server, ...feeds } = await pythonOrg(upstream([{ version: '3.14.8', releaseDate: '2026-09-01', tarball }]));
    const archive = await debianArchive();
    const other = sha256(randomBytes(16));
    archive.publish('sid', stanza('3.14.8', other));
    const before = await readFile(dataPath, 'utf8');

    const error = await updateVersions({
      ...feeds,
      debian: { mirror: archive.mirror, suites: ['sid'], keyring: archive.keyring, workDir: join(cacheDir, 'debian') },
      dataPath,
      logger,
      dryRun: false,
      cacheDir,
      regenerate: false,
    }).catch((caught: CpythonPrebuiltError) => caught);
    expect(error).toMatchObject({
      code: 'CHECKSUM_MISMATCH',
      message: `CPython 3.14.8: python.org publishes sha256 ${sha256(tarball)} for ${feeds.pythonOrgUrl}/ftp/python/3.14.8/Python-3.14.8.tar.xz, Debian's signed index gives ${other} for python3.14_3.14.8.orig.tar.xz; nothing was written`,
    });
    expect(await readFile(dataPath, 'utf8')).toBe(before);
  });

  it('--source debian: pins what the mirror serves, from the tarball it hashed, adds a new line by PEP 602, and names what it could not get', async () => {
    const { dataPath, cacheDir } = await startingData();
    const tarball = await tarballDated('3.14.8', '2026-09-30');
    const archive = await debianArchive();
    archive.publish('sid', [stanza('3.14.8', sha256(tarball)), stanza('3.15.2', sha256(randomBytes(16)))].join('\n'));
    archive.serve('pool/main/p/python3.14/python3.14_3.14.8.orig.tar.xz', tarball);
    // python.org and the devguide are out of reach: nothing may be asked of them.
    const unreachable = 'http://127.0.0.1:9';

    const result = await updateVersions({
      pythonOrgUrl: unreachable,
      releaseCycleUrl: `${unreachable}/release-cycle.json`,
      source: 'debian',
      debian: { mirror: archive.mirror, suites: ['sid'], keyring: archive.keyring, workDir: join(cacheDir, 'debian') },
      dataPath,
      logger,
      dryRun: false,
      cacheDir,
      regenerate: false,
    });
    const manifest = readVersionsManifest(dataPath);
    expect(findRelease('3.14.8', manifest)).toMatchObject({
      sha256: sha256(tarball),
      released: '2026-09-30',
      url: `${unreachable}/ftp/python/3.14.8/Python-3.14.8.tar.xz`,
      mirrors: [{ description: 'Debian source package python3.14', url: 'apt-get source --download-only python3.14' }],
    });
    expect(manifest.lines.find((line) => line.line === '3.15')).toEqual({
      line: '3.15',
      status: 'maintained',
      endOfLife: '2031-10',
    });
    expect(manifest.lines.find((line) => line.line === '3.9')?.status).toBe('end-of-life');
    expect(findRelease('3.15.2', manifest)).toBeUndefined();
    expect(result.plan.notServed.map((release) => release.version)).toEqual(['3.15.2']);
    expect(describePlan(result.plan)).toContain(
      'listed by Debian but not served by its mirror, so not pinned here: 3.15.2 (pin them where python.org is reachable: make versions-update)',
    );
  });

  it('--source debian: refuses a served tarball whose bytes are not the ones the signed index records', async () => {
    const { dataPath, cacheDir } = await startingData();
    const archive = await debianArchive();
    const recorded = sha256(randomBytes(16));
    archive.publish('sid', stanza('3.14.8', recorded));
    archive.serve('pool/main/p/python3.14/python3.14_3.14.8.orig.tar.xz', await tarballDated('3.14.8', '2026-09-30'));
    const before = await readFile(dataPath, 'utf8');
    const error = await updateVersions({
      pythonOrgUrl: 'http://127.0.0.1:9',
      releaseCycleUrl: 'http://127.0.0.1:9/release-cycle.json',
      source: 'debian',
      debian: { mirror: archive.mirror, suites: ['sid'], keyring: archive.keyring, workDir: join(cacheDir, 'debian') },
      dataPath,
      logger,
      dryRun: false,
      cacheDir,
      regenerate: false,
    }).catch((caught: CpythonPrebuiltError) => caught);
    expect(error).toMatchObject({ code: 'CHECKSUM_MISMATCH' });
    expect((error as Error).message).toContain(
      `Debian's signed index gives ${recorded} for it, so CPython 3.14.8 was not pinned`,
    );
    expect(await readFile(dataPath, 'utf8')).toBe(before);
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

  it("are all in the scheduled update's pull request: every file a new pin or line change rewrites, and the bundles", async () => {
    const manifest = readVersionsManifest();
    const extra = {
      ...pin('3.14.7'),
      version: '3.14.99',
      url: 'https://www.python.org/ftp/python/3.14.99/Python-3.14.99.tar.xz',
    };
    const changed = {
      lines: manifest.lines.map((line) => (line.line === '3.11' ? { ...line, status: 'end-of-life' as const } : line)),
      releases: [...manifest.releases, extra],
    };
    const before = await repositoryFiles(layout.manifest, manifest);
    const after = await repositoryFiles(layout.manifest, changed);
    const rewritten = Object.keys(after)
      .filter((path) => Buffer.compare(Buffer.from(after[path] ?? ''), Buffer.from(before[path] ?? '')) !== 0)
      .map((path) => relativeToRoot(path));
    // The data file itself, and where versions update records the verified bundles.
    rewritten.push(
      relativeToRoot(layout.versionsData),
      `${relativeToRoot(layout.sigstoreBundlesDir)}/Python-3.14.99.tar.xz.sigstore`,
    );
    expect(rewritten).toEqual(expect.arrayContaining(['infrastructure/cpython/versions.json', 'README.md']));

    const workflow = parseYaml(await readFile(join(layout.workflowsDir, 'update.yml'), 'utf8'));
    const step = workflow.jobs.versions.steps.find((candidate: { uses?: string }) =>
      candidate.uses?.startsWith('peter-evans/create-pull-request'),
    );
    const addPaths: string[] = step.with['add-paths'].trim().split('\n');
    const uncovered = rewritten.filter((path) => !addPaths.some((added) => path === added || path.startsWith(`${added}/`)));
    expect(uncovered, 'files versions update rewrites that its pull request would leave out').toEqual([]);
  });
});

import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SIGSTORE_SIGNERS, verifyPythonOrgBundle } from '@cpython-prebuilt/builder';
import {
  CpythonPrebuiltError,
  compareVersions,
  downloadFile,
  formatVersionsData,
  type Logger,
  layout,
  lineOf,
  type PinnedRelease,
  type ReleaseLine,
  readVersionsManifest,
  relativeToRoot,
  run,
  type VersionsManifest,
  verifySha256,
} from '@cpython-prebuilt/core';
import { createTwoFilesPatch } from 'diff';
import { type DebianCpythonRelease, debianCpythonReleases } from './debian-index.ts';
import {
  DEFAULT_PYTHON_ORG_URL,
  fetchPublishedReleases,
  fetchReleaseCycle,
  fetchReleaseFiles,
  finalVersion,
  type PythonOrgRelease,
  type ReleaseCycle,
  type ReleaseFeeds,
} from './python-releases.ts';
import { generateRepositoryFiles } from './repository-files.ts';

/** A patch release upstream published that the manifest does not pin yet. */
export interface NewRelease {
  version: string;
  /** Upstream's release day (python.org's record; read from the tarball with --source debian, after the download). */
  released: string;
  /** python.org's .tar.xz and the digest published for it. */
  url: string;
  sha256: string;
  /** The release file's API record: where the digest was read (python.org only). */
  fileRecord?: string;
  /** python.org's Sigstore bundle for the tarball, as its record lists it. */
  sigstoreBundle?: string;
  /** Where the bundle was downloaded and verified (verifyDownload), to be recorded with the pin. */
  verifiedBundle?: string;
  /** Debian's signed record of the same file, when its index lists the version: it agreed. */
  debian?: DebianCpythonRelease;
  /** Where the bytes are downloaded from: python.org's URL, or Debian's pool with --source debian. */
  download: string;
}

/** Debian's source archive, as the machine's apt sources name it: a second record, or the feed itself. */
export interface DebianRecordInput {
  mirror: string;
  suites: string[];
  /** Where InRelease and Sources.xz are downloaded to. */
  workDir: string;
  keyring?: string;
}

/** A line that appeared, reached end of life, or whose end of life moved. */
export interface LineChange {
  line: string;
  before?: ReleaseLine;
  after: ReleaseLine;
}

export interface VersionsPlan {
  /** Where the releases were read. */
  source: 'python.org' | 'debian';
  newReleases: NewRelease[];
  /** Releases Debian's index lists whose tarball its mirror does not serve (--source debian): not pinned. */
  notServed: DebianCpythonRelease[];
  lineChanges: LineChange[];
  /** True when the manifest is behind upstream. */
  due: boolean;
}

export interface VersionsCheckInput extends ReleaseFeeds {
  /** The versions data file; layout.versionsData by default. */
  dataPath?: string;
  logger: Logger;
  /** Where upstream's releases are read: python.org (default), or Debian's source archive when python.org is out of reach. */
  source?: 'python.org' | 'debian';
  /**
   * Debian's signed source index: with python.org as the source, the second record each new
   * release's digest must agree with wherever Debian lists the version; with source 'debian', the
   * feed itself.
   */
  debian?: DebianRecordInput;
}

export interface VersionsUpdateInput extends VersionsCheckInput {
  /** Verify everything, change nothing, return the diff. */
  dryRun: boolean;
  /** Downloads land in <cacheDir>/downloads. */
  cacheDir: string;
  /** Rewrite the generated files (versions.json...) after the data; on for the repository's own data. */
  regenerate: boolean;
  /** Where verified Sigstore bundles are recorded (layout.sigstoreBundlesDir by default). */
  sigstoreBundlesDir?: string;
}

export interface VersionsUpdateResult {
  plan: VersionsPlan;
  /** Unified diff of the data file ('' when nothing changes). */
  diff: string;
  /** Files written, relative to the root (none for a dry run). */
  written: string[];
}

const STATUS: Record<ReleaseCycle[string]['status'], ReleaseLine['status'] | undefined> = {
  feature: undefined,
  prerelease: undefined,
  bugfix: 'maintained',
  security: 'maintained',
  'end-of-life': 'end-of-life',
};

/** Lines we follow: the manifest's, plus any maintained line from the oldest we pin onwards (3.15 once it is final). */
function lineChanges(manifest: VersionsManifest, cycle: ReleaseCycle): LineChange[] {
  const oldest = manifest.lines.map((line) => line.line).sort(compareVersions)[0] ?? '3.9';
  const changes: LineChange[] = [];
  for (const [line, entry] of Object.entries(cycle)) {
    const status = STATUS[entry.status];
    if (!/^3\.\d+$/.test(line) || status === undefined || compareVersions(line, oldest) < 0) continue;
    const before = manifest.lines.find((known) => known.line === line);
    if (!before && status === 'end-of-life') continue;
    const after: ReleaseLine = { line, status, endOfLife: entry.end_of_life };
    if (!before || before.status !== after.status || before.endOfLife !== after.endOfLife) changes.push({ line, before, after });
  }
  return changes.sort((a, b) => compareVersions(a.line, b.line));
}

/** The newest patch of `line` the versions manifest pins. */
export function newestPinnedOf(manifest: VersionsManifest, line: string): string | undefined {
  return manifest.releases
    .map((release) => release.version)
    .filter((version) => lineOf(version) === line)
    .sort(compareVersions)
    .at(-1);
}

/**
 * For each followed line, the newest of `candidates` when it is newer than the manifest's newest
 * pin of that line (lines in order), logged as `<feed> ... <version>`: what both feeds plan from.
 */
function newerThanPinned<T>(
  manifest: VersionsManifest,
  followed: ReadonlySet<string>,
  candidates: { version: string; item: T }[],
  log: (version: string, pinned: string | undefined, line: string) => void,
): { version: string; item: T }[] {
  const newest = new Map<string, { version: string; item: T }>();
  for (const candidate of candidates) {
    const line = lineOf(candidate.version);
    const known = newest.get(line);
    if (followed.has(line) && (!known || compareVersions(candidate.version, known.version) > 0)) newest.set(line, candidate);
  }
  return [...newest]
    .sort(([a], [b]) => compareVersions(a, b))
    .filter(([line, { version }]) => {
      const pinned = newestPinnedOf(manifest, line);
      if (pinned && compareVersions(version, pinned) <= 0) return false;
      log(version, pinned, line);
      return true;
    })
    .map(([, candidate]) => candidate);
}

/** The plan both feeds return: due when a release or a line changed. */
function planOf(source: VersionsPlan['source'], newReleases: NewRelease[], lineChanges: LineChange[]): VersionsPlan {
  return { source, newReleases, notServed: [], lineChanges, due: newReleases.length > 0 || lineChanges.length > 0 };
}

async function newRelease(feeds: ReleaseFeeds, release: PythonOrgRelease, version: string): Promise<NewRelease> {
  const files = await fetchReleaseFiles(feeds, release);
  const tarball = files.find((file) => file.is_source && file.url.endsWith(`/Python-${version}.tar.xz`));
  if (!tarball) {
    throw new CpythonPrebuiltError(
      'FEED_INVALID',
      `python.org lists no Python-${version}.tar.xz among the files of ${release.name}`,
      {
        fix: 'python.org may still be uploading the release; run the update again later',
      },
    );
  }
  // The API names the download; only python.org's own address for the release is taken (an API
  // answer pointing elsewhere would pin bytes from a host nobody chose).
  const expected = pythonOrgTarballUrl(version, feeds.pythonOrgUrl);
  const bundle = tarball.sigstore_bundle_file?.trim() || undefined;
  for (const [what, listed, own] of [
    ['tarball', tarball.url, expected],
    ['Sigstore bundle', bundle, `${expected}.sigstore`],
  ] as const) {
    if (listed !== undefined && listed !== own) {
      throw new CpythonPrebuiltError(
        'FEED_INVALID',
        `python.org's record of ${release.name} points its ${what} at ${listed}, not at ${own}`,
        {
          fix: `nothing was pinned: only python.org's own ${feeds.pythonOrgUrl}/ftp/python/ is downloaded from; check the feed (--python-org-url) and run the update again`,
        },
      );
    }
  }
  const sha256 = tarball.sha256_sum?.trim().toLowerCase() ?? '';
  if (!/^[0-9a-f]{64}$/.test(sha256)) {
    throw new CpythonPrebuiltError('FEED_INVALID', `python.org publishes no sha256 for ${tarball.url} ("${sha256}")`, {
      fix: 'pin this release by hand in packages/core/src/schemas/versions.data.json with two independent sources for its digest',
    });
  }
  const released = /^\d{4}-\d{2}-\d{2}/.exec(release.release_date ?? '')?.[0];
  if (!released) {
    throw new CpythonPrebuiltError('FEED_INVALID', `${release.name} has no release_date ("${release.release_date}")`, {
      fix: 'python.org may still be publishing the release; run the update again later',
    });
  }
  return {
    version,
    released,
    url: tarball.url,
    sha256,
    fileRecord: tarball.resource_uri,
    sigstoreBundle: bundle,
    download: tarball.url,
  };
}

/** python.org's address of a release's tarball, by its documented convention. */
export function pythonOrgTarballUrl(version: string, pythonOrgUrl: string = DEFAULT_PYTHON_ORG_URL): string {
  return `${pythonOrgUrl}/ftp/python/${version}/Python-${version}.tar.xz`;
}

/**
 * A line's end of life by PEP 602's annual cycle: 3.N.0 ships in October of 2011 + N and is
 * supported for five years (3.9: 2025-10, 3.15: 2031-10). What `--source debian` records for a
 * line the devguide cannot be asked about; python.org's run corrects it if upstream ever differs.
 */
export function pep602EndOfLife(line: string): string {
  const minor = Number(line.split('.')[1]);
  return `${2016 + minor}-10`;
}

/** Lines by PEP 602 (no devguide): a line Debian releases that the manifest lacks, and lines whose end of life has passed. */
function lineChangesByRule(manifest: VersionsManifest, debianLines: string[], today: string): LineChange[] {
  const oldest = manifest.lines.map((line) => line.line).sort(compareVersions)[0] ?? '3.9';
  const changes: LineChange[] = [];
  const month = today.slice(0, 7);
  for (const line of new Set([...manifest.lines.map((known) => known.line), ...debianLines])) {
    if (compareVersions(line, oldest) < 0) continue;
    const before = manifest.lines.find((known) => known.line === line);
    const endOfLife = before?.endOfLife ?? pep602EndOfLife(line);
    const status = endOfLife.slice(0, 7) < month ? 'end-of-life' : 'maintained';
    if (!before && status === 'end-of-life') continue;
    if (!before || before.status !== status) changes.push({ line, before, after: { line, status, endOfLife } });
  }
  return changes.sort((a, b) => compareVersions(a.line, b.line));
}

/** Debian's records of python3.X pristine tarballs in the suites read, one per version (the first suite that lists it). */
async function readDebian(record: DebianRecordInput, logger: Logger): Promise<DebianCpythonRelease[]> {
  const byVersion = new Map<string, DebianCpythonRelease>();
  for (const suite of record.suites) {
    logger.info(`reading ${record.mirror}/dists/${suite} (InRelease verified with the Debian archive keyring)`);
    for (const release of await debianCpythonReleases({ ...record, suite, logger })) {
      // Only the pristine .tar.xz is python.org's Python-<version>.tar.xz (a .orig.tar.gz is the .tgz).
      if (release.origFile.endsWith('.orig.tar.xz') && !byVersion.has(release.version)) byVersion.set(release.version, release);
    }
  }
  return [...byVersion.values()];
}

/** Checks python.org's digest of each new release against Debian's record of the same file; a disagreement names both. */
function withDebianRecord(releases: NewRelease[], debian: DebianCpythonRelease[]): NewRelease[] {
  return releases.map((release) => {
    const record = debian.find((entry) => entry.version === release.version);
    if (!record) return release;
    if (record.sha256 !== release.sha256) {
      throw new CpythonPrebuiltError(
        'CHECKSUM_MISMATCH',
        `CPython ${release.version}: python.org publishes sha256 ${release.sha256} for ${release.url}, Debian's signed index gives ${record.sha256} for ${record.origFile}; nothing was written`,
        {
          fix: 'two independent records of the same upstream file disagree: pin nothing, and find out which one changed (a re-release upstream, a repack in Debian, or a tampered feed) before trying again',
        },
      );
    }
    return { ...release, debian: record };
  });
}

/** The plan with Debian's source archive as the feed: python.org is out of reach. */
async function planFromDebian(input: VersionsCheckInput, manifest: VersionsManifest): Promise<VersionsPlan> {
  if (!input.debian) {
    throw new CpythonPrebuiltError('INVALID_INPUT', '--source debian needs the Debian archive the machine uses', {
      fix: 'name a Debian mirror in /etc/apt/sources.list(.d) or SETUP_MIRROR=, or use --source python.org',
    });
  }
  const debian = await readDebian(input.debian, input.logger);
  const changes = lineChangesByRule(
    manifest,
    debian.map((release) => lineOf(release.version)),
    new Date().toISOString().slice(0, 10),
  );
  const followed = new Set([...manifest.lines.map((line) => line.line), ...changes.map((change) => change.line)]);
  const newReleases = newerThanPinned(
    manifest,
    followed,
    debian.map((release) => ({ version: release.version, item: release })),
    (version, pinned, line) =>
      input.logger.info(`Debian's index lists CPython ${version}; the manifest pins ${pinned ?? 'nothing'} of ${line}`),
  ).map(
    ({ version, item: release }): NewRelease => ({
      version,
      released: '',
      url: pythonOrgTarballUrl(version, input.pythonOrgUrl),
      sha256: release.sha256,
      debian: release,
      download: release.url,
    }),
  );
  return planOf('debian', newReleases, changes);
}

/**
 * Compares the manifest with python.org and the devguide (and Debian's record of each new release,
 * when given), or with Debian's source archive alone (`source: 'debian'`); downloads no tarball.
 */
export async function planVersionsUpdate(input: VersionsCheckInput): Promise<VersionsPlan> {
  const manifest = readVersionsManifest(input.dataPath ?? layout.versionsData);
  if (input.source === 'debian') return planFromDebian(input, manifest);
  const [cycle, releases] = await Promise.all([fetchReleaseCycle(input), fetchPublishedReleases(input)]);
  const changes = lineChanges(manifest, cycle);
  const followed = new Set([...manifest.lines.map((line) => line.line), ...changes.map((change) => change.line)]);
  const published = releases.flatMap((release) => {
    const version = finalVersion(release);
    return version ? [{ version, item: release }] : [];
  });
  let newReleases: NewRelease[] = [];
  for (const { version, item } of newerThanPinned(manifest, followed, published, (version, pinned, line) =>
    input.logger.info(`python.org published CPython ${version}; the manifest pins ${pinned ?? 'nothing'} of ${line}`),
  )) {
    newReleases.push(await newRelease(input, item, version));
  }
  if (input.debian && newReleases.length > 0)
    newReleases = withDebianRecord(newReleases, await readDebian(input.debian, input.logger));
  for (const change of changes) {
    input.logger.info(
      `line ${change.line}: ${change.before ? `${change.before.status} (end of life ${change.before.endOfLife})` : 'not followed'} -> ${change.after.status} (end of life ${change.after.endOfLife})`,
    );
  }
  return planOf('python.org', newReleases, changes);
}

/**
 * What `versions check` warns about each line upstream no longer fixes: its pins stay (existing
 * users keep building and installing them) but nothing new comes.
 */
export function endOfLifeWarnings(manifest: VersionsManifest): string[] {
  const maintained = manifest.lines.filter((line) => line.status === 'maintained').map((line) => line.line);
  return manifest.lines
    .filter((line) => line.status === 'end-of-life')
    .sort((a, b) => compareVersions(a.line, b.line))
    .flatMap((line) => {
      const pinned = newestPinnedOf(manifest, line.line);
      if (!pinned) return [];
      return [
        `CPython ${line.line} reached its end of life upstream in ${line.endOfLife}: ${pinned} stays pinned and buildable, the feature installs it with a warning, and no fix will come; maintained lines: ${maintained.join(', ')}`,
      ];
    });
}

/** `versions check`: the plan, and an UPDATE_DUE error when the manifest is behind. */
export async function checkVersions(input: VersionsCheckInput): Promise<VersionsPlan> {
  const plan = await planVersionsUpdate(input);
  if (plan.due) throw updateDueError(plan);
  return plan;
}

/** The error `versions check` ends with when an update is due (its exit status for CI and schedules). */
export function updateDueError(plan: VersionsPlan): CpythonPrebuiltError {
  return new CpythonPrebuiltError('UPDATE_DUE', describePlan(plan), {
    fix: 'run `make versions-update` (cpython-prebuilt versions update) and commit the result',
  });
}

export function describePlan(plan: VersionsPlan): string {
  const feed = plan.source === 'debian' ? "Debian's source archive" : 'python.org';
  const notServed =
    plan.notServed.length > 0
      ? `${plan.due ? '; ' : ''}listed by Debian but not served by its mirror, so not pinned here: ${plan.notServed.map((release) => release.version).join(', ')} (pin them where python.org is reachable: make versions-update)`
      : '';
  if (!plan.due) return `the versions manifest is up to date with ${feed}${notServed}`;
  const parts = [
    ...plan.newReleases.map((release) => `new release ${release.version}${release.released ? ` (${release.released})` : ''}`),
    ...plan.lineChanges.map((change) => `line ${change.line} ${change.before ? 'is now' : 'appeared,'} ${change.after.status}`),
  ];
  return `the versions manifest is behind ${feed}: ${parts.join('; ')}${notServed}`;
}

function isNotFound(error: unknown): boolean {
  return error instanceof CpythonPrebuiltError && error.code === 'DOWNLOAD_FAILED' && / HTTP 404$/.test(error.message);
}

/** The newest file time in a tarball (UTC day): upstream's release day when no feed gives it. */
async function newestEntryDay(path: string): Promise<string> {
  const listing = await run('tar', ['--list', '--verbose', '--full-time', '--file', path]);
  const days = [...listing.stdout.matchAll(/\s(\d{4}-\d{2}-\d{2}) \d{2}:\d{2}/g)].map((match) => match[1] ?? '');
  const newest = days.sort().at(-1);
  if (!newest) {
    throw new CpythonPrebuiltError('FEED_INVALID', `${path} lists no file times`, {
      fix: 'the download is not a tarball: delete it and run the update again',
    });
  }
  return newest;
}

/**
 * Downloads the tarball and checks it against the digest its record publishes; a mismatch deletes
 * it and throws. Returns the release with its day filled in (read from the tarball for Debian's feed).
 */
async function verifyDownload(release: NewRelease, cacheDir: string, logger: Logger): Promise<NewRelease> {
  const directory = join(cacheDir, 'downloads');
  await mkdir(directory, { recursive: true });
  const path = join(directory, `${release.sha256.slice(0, 12)}-Python-${release.version}.tar.xz`);
  await downloadFile(release.download, path, { logger });
  const publisher = release.fileRecord ? 'python.org publishes' : "Debian's signed index gives";
  try {
    await verifySha256(path, release.sha256, release.download);
  } catch (error) {
    await rm(path, { force: true });
    if (error instanceof CpythonPrebuiltError && error.code === 'CHECKSUM_MISMATCH') {
      throw new CpythonPrebuiltError(
        'CHECKSUM_MISMATCH',
        `${error.message}; ${publisher} ${release.sha256} for it, so CPython ${release.version} was not pinned and nothing was written`,
        {
          fix: 'download it again later (a mirror may be stale or tampered with); never pin a digest the bytes do not match',
          cause: error,
        },
      );
    }
    throw error;
  }
  logger.info(`verified ${release.download}: ${publisher} ${release.sha256}`);
  const verifiedBundle = await verifyReleaseBundle(release, path, logger);
  const dated = release.released ? release : { ...release, released: await newestEntryDay(path) };
  return verifiedBundle ? { ...dated, verifiedBundle } : dated;
}

/**
 * python.org's Sigstore bundle of a release, downloaded beside the tarball and verified against it
 * and the line's release manager (the check the builder repeats before every build). A release
 * whose record lists no bundle is pinned by its digest records alone, with a warning; a bundle that
 * cannot be fetched or does not verify refuses the whole update.
 */
async function verifyReleaseBundle(release: NewRelease, tarballPath: string, logger: Logger): Promise<string | undefined> {
  const file = release.url.split('/').at(-1);
  if (!release.sigstoreBundle) {
    if (release.fileRecord) logger.warn(`python.org lists no Sigstore bundle for ${file}: pinned by its digest records only`);
    return undefined;
  }
  const line = lineOf(release.version);
  const signer = SIGSTORE_SIGNERS[line];
  if (!signer) {
    throw new CpythonPrebuiltError(
      'SIGNATURE_MISSING',
      `no Sigstore signer is known for CPython ${line}, so ${release.sigstoreBundle} cannot be checked: CPython ${release.version} was not pinned and nothing was written`,
      {
        fix: `add the line's release manager and identity provider, as python.org's Sigstore page lists them, to SIGSTORE_SIGNERS in packages/builder/src/upstream-sigstore.ts`,
      },
    );
  }
  const bundlePath = `${tarballPath}.sigstore`;
  try {
    await downloadFile(release.sigstoreBundle, bundlePath, { logger });
  } catch (error) {
    throw new CpythonPrebuiltError(
      'SIGNATURE_MISSING',
      `python.org lists ${release.sigstoreBundle} for ${file}, and it could not be downloaded (${(error as Error).message}): CPython ${release.version} was not pinned and nothing was written`,
      {
        fix: 'run the update again later; a release whose bundle is listed is never pinned without checking it',
        cause: error,
      },
    );
  }
  const verified = await verifyPythonOrgBundle({
    data: await readFile(tarballPath),
    bundleText: await readFile(bundlePath, 'utf8'),
    what: `${file} (CPython ${release.version}, so nothing was written)`,
    bundlePath: release.sigstoreBundle,
    signer,
  }).catch(async (error: unknown) => {
    await rm(bundlePath, { force: true });
    throw error;
  });
  logger.info(
    `verified ${release.sigstoreBundle}: signed by ${verified.identity} (${verified.issuer}), transparency log entry ${verified.logIndex}`,
  );
  return bundlePath;
}

/** Debian's record as the manifest names it: the package's page, not the mirror this machine read it from. */
function debianDigestSource(record: DebianCpythonRelease): { name: string; url: string } {
  return {
    name: `Debian source package ${record.package} ${record.version}: the archive's signed Sources index lists ${record.origFile}, the pristine upstream file, with this sha256`,
    url: `https://tracker.debian.org/pkg/${record.package}`,
  };
}

function pinned(release: NewRelease): PinnedRelease {
  const file = release.url.split('/').at(-1);
  const fromDebian = release.download !== release.url;
  const sources = [
    ...(release.fileRecord ? [{ name: `python.org release API: sha256_sum of ${file}`, url: release.fileRecord }] : []),
    ...(release.debian ? [debianDigestSource(release.debian)] : []),
    {
      name: fromDebian
        ? `sha256 of ${release.debian?.origFile} as downloaded from the machine's Debian mirror and hashed by versions update (python.org's ${file})`
        : `sha256 of ${file} as downloaded and hashed by versions update`,
      url: release.url,
    },
  ];
  return {
    version: release.version,
    url: release.url,
    sha256: release.sha256,
    released: release.released,
    mirrors:
      fromDebian && release.debian
        ? [
            {
              description: `Debian source package ${release.debian.package}`,
              url: `apt-get source --download-only ${release.debian.package}`,
            },
          ]
        : [],
    digestSources: sources,
    ...(release.sigstoreBundle ? { sigstoreBundle: release.sigstoreBundle } : {}),
  };
}

function applyPlan(manifest: VersionsManifest, plan: VersionsPlan): VersionsManifest {
  const lines = new Map(manifest.lines.map((line) => [line.line, line]));
  for (const change of plan.lineChanges) lines.set(change.line, change.after);
  return { ...manifest, lines: [...lines.values()], releases: [...manifest.releases, ...plan.newReleases.map(pinned)] };
}

/**
 * `versions update`: plan, download and verify every new tarball, then rewrite the data file
 * (and the generated files) in one go. Any failure before the write leaves every file as it was.
 */
export async function updateVersions(input: VersionsUpdateInput): Promise<VersionsUpdateResult> {
  const dataPath = input.dataPath ?? layout.versionsData;
  const before = await readFile(dataPath, 'utf8');
  const planned = await planVersionsUpdate(input);
  const verified: NewRelease[] = [];
  const notServed = [...planned.notServed];
  for (const release of planned.newReleases) {
    const outcome = await verifyDownload(release, input.cacheDir, input.logger).catch((error: unknown) => {
      // Debian's index lists files its mirrors may not carry (environment: 3.14, 3.15): not pinned here.
      if (release.debian && release.download === release.debian.url && isNotFound(error)) return undefined;
      throw error;
    });
    if (outcome) verified.push(outcome);
    else if (release.debian) {
      input.logger.warn(`${release.debian.url} is not served by the mirror: CPython ${release.version} is not pinned`);
      notServed.push(release.debian);
    }
  }
  const plan: VersionsPlan = {
    ...planned,
    newReleases: verified,
    notServed,
    due: verified.length > 0 || planned.lineChanges.length > 0,
  };
  const updated = applyPlan(readVersionsManifest(dataPath), plan);
  const after = formatVersionsData(updated);
  const name = relativeToRoot(dataPath);
  const diff =
    before === after ? '' : createTwoFilesPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, { context: 3 });
  if (input.dryRun || before === after) return { plan, diff, written: [] };
  // The verified bundles first: a bundle without its pin is harmless, a pin the builder cannot check is not.
  const bundlesDir = input.sigstoreBundlesDir ?? layout.sigstoreBundlesDir;
  const written: string[] = [];
  for (const release of verified) {
    if (!release.verifiedBundle) continue;
    const target = join(bundlesDir, `${release.url.split('/').at(-1)}.sigstore`);
    await mkdir(bundlesDir, { recursive: true });
    await copyFile(release.verifiedBundle, target);
    written.push(relativeToRoot(target));
  }
  const temporary = `${dataPath}.tmp`;
  await writeFile(temporary, after);
  await rename(temporary, dataPath);
  written.push(name);
  if (input.regenerate) written.push(...(await generateRepositoryFiles({ check: false, versions: updated })));
  return { plan, diff, written };
}

import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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
  type VersionsManifest,
  verifySha256,
} from '@cpython-prebuilt/core';
import { createTwoFilesPatch } from 'diff';
import {
  fetchPublishedReleases,
  fetchReleaseCycle,
  fetchReleaseFiles,
  finalVersion,
  type PythonOrgRelease,
  type ReleaseCycle,
  type ReleaseFeeds,
} from './python-releases.ts';
import { generateRepositoryFiles } from './repository-files.ts';

/** A patch release python.org published that the manifest does not pin yet. */
export interface NewRelease {
  version: string;
  released: string;
  /** The .tar.xz and the digest python.org publishes for it. */
  url: string;
  sha256: string;
  /** The release file's API record: where the digest was read. */
  fileRecord: string;
  sigstoreBundle?: string;
}

/** A line that appeared, reached end of life, or whose end of life moved. */
export interface LineChange {
  line: string;
  before?: ReleaseLine;
  after: ReleaseLine;
}

export interface VersionsPlan {
  newReleases: NewRelease[];
  lineChanges: LineChange[];
  /** True when the manifest is behind upstream. */
  due: boolean;
}

export interface VersionsCheckInput extends ReleaseFeeds {
  /** The versions data file; layout.versionsData by default. */
  dataPath?: string;
  logger: Logger;
}

export interface VersionsUpdateInput extends VersionsCheckInput {
  /** Verify everything, change nothing, return the diff. */
  dryRun: boolean;
  /** Downloads land in <cacheDir>/downloads. */
  cacheDir: string;
  /** Rewrite the generated files (versions.json...) after the data; on for the repository's own data. */
  regenerate: boolean;
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

function newestPinnedOf(manifest: VersionsManifest, line: string): string | undefined {
  return manifest.releases
    .map((release) => release.version)
    .filter((version) => lineOf(version) === line)
    .sort(compareVersions)
    .at(-1);
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
    sigstoreBundle: tarball.sigstore_bundle_file?.trim() || undefined,
  };
}

/** Compares the manifest with python.org and the devguide; reads and downloads nothing else. */
export async function planVersionsUpdate(input: VersionsCheckInput): Promise<VersionsPlan> {
  const manifest = readVersionsManifest(input.dataPath ?? layout.versionsData);
  const [cycle, releases] = await Promise.all([fetchReleaseCycle(input), fetchPublishedReleases(input)]);
  const changes = lineChanges(manifest, cycle);
  const followed = new Set([...manifest.lines.map((line) => line.line), ...changes.map((change) => change.line)]);
  const newest = new Map<string, { version: string; release: PythonOrgRelease }>();
  for (const release of releases) {
    const version = finalVersion(release);
    if (!version || !followed.has(lineOf(version))) continue;
    const current = newest.get(lineOf(version));
    if (!current || compareVersions(version, current.version) > 0) newest.set(lineOf(version), { version, release });
  }
  const newReleases: NewRelease[] = [];
  for (const [line, { version, release }] of [...newest].sort(([a], [b]) => compareVersions(a, b))) {
    const pinned = newestPinnedOf(manifest, line);
    if (pinned && compareVersions(version, pinned) <= 0) continue;
    input.logger.info(`python.org published CPython ${version}; the manifest pins ${pinned ?? 'nothing'} of ${line}`);
    newReleases.push(await newRelease(input, release, version));
  }
  for (const change of changes) {
    input.logger.info(
      `line ${change.line}: ${change.before ? `${change.before.status} (end of life ${change.before.endOfLife})` : 'not followed'} -> ${change.after.status} (end of life ${change.after.endOfLife})`,
    );
  }
  return { newReleases, lineChanges: changes, due: newReleases.length > 0 || changes.length > 0 };
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
  if (!plan.due) return 'the versions manifest is up to date';
  const parts = [
    ...plan.newReleases.map((release) => `new release ${release.version} (${release.released})`),
    ...plan.lineChanges.map((change) => `line ${change.line} ${change.before ? 'is now' : 'appeared,'} ${change.after.status}`),
  ];
  return `the versions manifest is behind python.org: ${parts.join('; ')}`;
}

/** Downloads the tarball and checks it against the digest python.org publishes; a mismatch deletes it and throws. */
async function verifyDownload(release: NewRelease, cacheDir: string, logger: Logger): Promise<void> {
  const directory = join(cacheDir, 'downloads');
  await mkdir(directory, { recursive: true });
  const path = join(directory, `${release.sha256.slice(0, 12)}-Python-${release.version}.tar.xz`);
  await downloadFile(release.url, path, { logger });
  try {
    await verifySha256(path, release.sha256, release.url);
  } catch (error) {
    await rm(path, { force: true });
    if (error instanceof CpythonPrebuiltError && error.code === 'CHECKSUM_MISMATCH') {
      throw new CpythonPrebuiltError(
        'CHECKSUM_MISMATCH',
        `${error.message}; python.org publishes ${release.sha256} for it, so CPython ${release.version} was not pinned and nothing was written`,
        {
          fix: 'download it again later (a mirror may be stale or tampered with); never pin a digest the bytes do not match',
          cause: error,
        },
      );
    }
    throw error;
  }
  logger.info(`verified ${release.url} against python.org's sha256 ${release.sha256}`);
}

function pinned(release: NewRelease): PinnedRelease {
  const file = release.url.split('/').at(-1);
  return {
    version: release.version,
    url: release.url,
    sha256: release.sha256,
    released: release.released,
    mirrors: [],
    digestSources: [
      { name: `python.org release API: sha256_sum of ${file}`, url: release.fileRecord },
      { name: `sha256 of ${file} as downloaded and hashed by versions update`, url: release.url },
    ],
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
  const plan = await planVersionsUpdate(input);
  for (const release of plan.newReleases) await verifyDownload(release, input.cacheDir, input.logger);
  const updated = applyPlan(readVersionsManifest(dataPath), plan);
  const after = formatVersionsData(updated);
  const name = relativeToRoot(dataPath);
  const diff =
    before === after ? '' : createTwoFilesPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, { context: 3 });
  if (input.dryRun || before === after) return { plan, diff, written: [] };
  const temporary = `${dataPath}.tmp`;
  await writeFile(temporary, after);
  await rename(temporary, dataPath);
  const written = [name];
  if (input.regenerate) written.push(...(await generateRepositoryFiles({ check: false, versions: updated })));
  return { plan, diff, written };
}

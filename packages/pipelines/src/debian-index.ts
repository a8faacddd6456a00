import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CpythonPrebuiltError,
  compareVersions,
  DEBIAN_ARCHIVE_KEYRING,
  downloadFile,
  type Logger,
  lineOf,
  type PinnedLibrary,
  run,
  sha256File,
  type VersionsManifest,
} from '@cpython-prebuilt/core';

/**
 * Debian's source archive as an independent record of upstream CPython releases: the suite's
 * `InRelease` is verified with the Debian archive keyring (gpgv), the `Sources.xz` index is checked
 * against the sha256 and size that signed file gives it, and each python3.X source package's
 * pristine upstream tarball (`python3.X_<version>.orig.tar.xz`, byte-identical to python.org's
 * Python-<version>.tar.xz) is read with its sha256. Works offline from python.org and behind a
 * mirror: the archive is the one the machine's apt sources name (debianMirror).
 */
export interface DebianCpythonRelease {
  /** python3.13 */
  package: string;
  /** The upstream version, 3.13.18 (Debian's revision and repack suffixes removed). */
  version: string;
  /** The orig tarball's name in the pool, and its sha256 as the signed index gives it. */
  origFile: string;
  sha256: string;
  /** Where the mirror serves it (it may not: the index lists files the mirror lacks). */
  url: string;
}

/** The suites read by default: sid has upstream's newest releases, trixie and bookworm the stable updates. */
export const DEFAULT_DEBIAN_SUITES: readonly string[] = ['sid', 'trixie', 'bookworm'];

export interface DebianIndexInput {
  mirror: string;
  /** sid: the newest upstream releases. */
  suite?: string;
  keyring?: string;
  /** Where InRelease and Sources.xz are downloaded to. */
  workDir: string;
  logger?: Logger;
}

/** The files the SHA256 section of a Release file lists: name -> {sha256, size}. */
export function releaseDigests(release: string): Map<string, { sha256: string; size: number }> {
  const digests = new Map<string, { sha256: string; size: number }>();
  const section = /^SHA256:\n((?:[ \t].*\n?)*)/m.exec(release)?.[1] ?? '';
  for (const line of section.split('\n')) {
    const match = /^\s+([0-9a-f]{64})\s+(\d+)\s+(\S+)$/.exec(line);
    if (match?.[1] && match[2] && match[3]) digests.set(match[3], { sha256: match[1], size: Number(match[2]) });
  }
  return digests;
}

/** Every CPython interpreter source package (python3.X) of a Sources index, with its orig tarball. */
export function cpythonReleasesIn(sources: string, mirror: string): DebianCpythonRelease[] {
  const releases: DebianCpythonRelease[] = [];
  for (const stanza of sources.split(/\n\s*\n/)) {
    const pkg = /^Package:\s*(python3\.\d+)\s*$/m.exec(stanza)?.[1];
    const directory = /^Directory:\s*(\S+)\s*$/m.exec(stanza)?.[1];
    if (!pkg || !directory) continue;
    const checksums = /^Checksums-Sha256:\n((?:[ \t].*\n?)*)/m.exec(stanza)?.[1] ?? '';
    for (const line of checksums.split('\n')) {
      const match = /^\s+([0-9a-f]{64})\s+\d+\s+(python3\.\d+_(\d+\.\d+\.\d+)\.orig\.tar\.(?:xz|gz))$/.exec(line);
      if (!match?.[1] || !match[2] || !match[3]) continue;
      releases.push({
        package: pkg,
        version: match[3],
        origFile: match[2],
        sha256: match[1],
        url: `${mirror}/${directory}/${match[2]}`,
      });
    }
  }
  return releases.sort((a, b) => compareVersions(a.version, b.version));
}

/** Verifies `inRelease` with gpgv against `keyring`; returns the signed text. */
async function verifiedRelease(inRelease: string, keyring: string, url: string): Promise<string> {
  const signed = `${inRelease}.verified`;
  await rm(signed, { force: true });
  const result = await run('gpgv', ['--status-fd', '1', '--keyring', keyring, '--output', signed, inRelease], {
    allowExitCodes: [1, 2],
  });
  if (result.exitCode !== 0 || !/^\[GNUPG:\] VALIDSIG /m.test(result.stdout)) {
    const status = result.stdout.split('\n').find((line) => /(BADSIG|ERRSIG|NO_PUBKEY|EXPKEYSIG|REVKEYSIG|NODATA)/.test(line));
    throw new CpythonPrebuiltError(
      'SIGNATURE_INVALID',
      `${url} does not carry a valid signature by a key of ${keyring}${status ? ` (${status.replace('[GNUPG:] ', '')})` : ''}`,
      {
        fix: 'the mirror or something between serves a file the Debian archive did not sign: use another mirror (SETUP_MIRROR=), or check the proxy',
      },
    );
  }
  return readFile(signed, 'utf8');
}

/**
 * A signed Release past its Valid-Until: apt refuses it, because a mirror that stopped updating (or
 * is held back on purpose) keeps serving old, validly signed indexes. Its digests are still the
 * archive's, so it stays a record of what it lists; what it cannot show is a release after its date,
 * which the warning says. Returns the warning (empty when current or without Valid-Until).
 */
export function warnIfExpired(release: string, url: string, logger?: Logger, now: Date = new Date()): string {
  const field = (name: string) => new RegExp(`^${name}: (.+)$`, 'm').exec(release)?.[1]?.trim();
  const validUntil = field('Valid-Until');
  const until = validUntil ? new Date(validUntil) : undefined;
  if (!until || Number.isNaN(until.getTime()) || until >= now) return '';
  const date = field('Date');
  const warning = `${url} expired on ${until.toISOString()} (its Valid-Until; made ${date ? new Date(date).toISOString() : 'at an unknown date'}): the mirror serves an index the archive no longer vouches for as current, so a release after that date may be missing from it; the digests it lists are still the archive's (signature and hashes checked). Use an up-to-date mirror (SETUP_MIRROR=)`;
  logger?.warn(warning);
  return warning;
}

/**
 * A suite's source index as the archive signed it: InRelease (gpgv, Debian archive keyring) ->
 * Sources.xz (sha256 and size from InRelease), decompressed.
 */
export async function debianSourceIndex(input: DebianIndexInput): Promise<string> {
  const suite = input.suite ?? 'sid';
  const keyring = input.keyring ?? DEBIAN_ARCHIVE_KEYRING;
  const base = `${input.mirror}/dists/${suite}`;
  await mkdir(input.workDir, { recursive: true });
  const inRelease = join(input.workDir, `${suite}-InRelease`);
  await rm(inRelease, { force: true });
  await downloadFile(`${base}/InRelease`, inRelease, { logger: input.logger, attempts: 3 });
  const release = await verifiedRelease(inRelease, keyring, `${base}/InRelease`);
  warnIfExpired(release, `${base}/InRelease`, input.logger);
  const entry = releaseDigests(release).get('main/source/Sources.xz');
  if (!entry) {
    throw new CpythonPrebuiltError('FEED_INVALID', `${base}/InRelease lists no main/source/Sources.xz`, {
      fix: 'the suite has no source index here: check the suite name and the mirror',
    });
  }
  const sourcesXz = join(input.workDir, `${suite}-Sources.xz`);
  await rm(sourcesXz, { force: true });
  await downloadFile(`${base}/main/source/Sources.xz`, sourcesXz, { logger: input.logger, attempts: 3 });
  const [actual, size] = [await sha256File(sourcesXz), (await stat(sourcesXz)).size];
  if (actual !== entry.sha256 || size !== entry.size) {
    throw new CpythonPrebuiltError(
      'CHECKSUM_MISMATCH',
      `${base}/main/source/Sources.xz has sha256 ${actual} (${size} bytes); the signed InRelease says ${entry.sha256} (${entry.size} bytes)`,
      {
        fix: 'the mirror serves an index from another moment than its InRelease (it is being updated): try again in a few minutes',
      },
    );
  }
  return (await run('xz', ['--decompress', '--stdout', sourcesXz])).stdout;
}

/**
 * The newest CPython releases Debian's `suite` lists, each orig tarball with the sha256 the
 * archive's signed index chain vouches for (debianSourceIndex).
 */
export async function debianCpythonReleases(input: DebianIndexInput): Promise<DebianCpythonRelease[]> {
  return cpythonReleasesIn(await debianSourceIndex(input), input.mirror);
}

/** A release of a pinned library's source package as Debian's index records it. */
export interface DebianLibraryRelease {
  /** The pin's name (openssl). */
  library: string;
  /** The upstream version (a repack's +dfsg/+ds suffix removed). */
  version: string;
  origFile: string;
  sha256: string;
  url: string;
  /** The Debian source package and version that list it (openssl 3.5.9-1), and the suite read. */
  source: { package: string; version: string; suite: string };
}

/** Every orig tarball of each pinned library's Debian source package in `suite`'s Sources index. */
export function libraryReleasesIn(
  sources: string,
  mirror: string,
  pins: readonly PinnedLibrary[],
  suite = 'sid',
): DebianLibraryRelease[] {
  const releases: DebianLibraryRelease[] = [];
  for (const stanza of sources.split(/\n\s*\n/)) {
    const pkg = /^Package:\s*(\S+)\s*$/m.exec(stanza)?.[1];
    const packageVersion = /^Version:\s*(\S+)\s*$/m.exec(stanza)?.[1] ?? 'unknown';
    const directory = /^Directory:\s*(\S+)\s*$/m.exec(stanza)?.[1];
    const pin = pins.find((candidate) => candidate.debian.directory.split('/').at(-1) === pkg);
    if (!pin || !pkg || !directory) continue;
    const checksums = /^Checksums-Sha256:\n((?:[ \t].*\n?)*)/m.exec(stanza)?.[1] ?? '';
    for (const line of checksums.split('\n')) {
      const match = /^\s+([0-9a-f]{64})\s+\d+\s+(\S+_([^_]+)\.orig\.tar\.(?:gz|xz|bz2))$/.exec(line);
      if (!match?.[1] || !match[2] || !match[3]) continue;
      releases.push({
        library: pin.name,
        version: match[3].replace(/\+(dfsg|ds)\d*$/, ''),
        origFile: match[2],
        sha256: match[1],
        url: `${mirror}/${directory}/${match[2]}`,
        source: { package: pkg, version: packageVersion, suite },
      });
    }
  }
  return releases;
}

/** A pinned library against Debian's newest release of the same upstream line (3.5 for 3.5.7). */
export interface LibraryComparison {
  library: string;
  pinned: string;
  /** Debian's newest release of the pin's line; absent when Debian records none. */
  debian?: DebianLibraryRelease;
  /** behind: a newer patch release exists - every artifact built with the pin needs a rebuild. */
  state: 'current' | 'behind' | 'ahead' | 'unknown';
  digest: 'agrees' | 'differs' | 'not recorded';
}

/**
 * Each pin against Debian's record of its line. A record of the pinned version whose sha256 differs
 * from the pin is refused at once with both values: two records of one upstream file disagree.
 */
export function compareLibrariesWithDebian(pins: readonly PinnedLibrary[], debian: DebianLibraryRelease[]): LibraryComparison[] {
  return pins.map((pin) => {
    const line = pin.version.split('.').slice(0, 2).join('.');
    const records = debian.filter((release) => release.library === pin.name);
    const same = records.find((release) => release.origFile === pin.debian.file);
    if (same && same.sha256 !== pin.sha256) {
      throw new CpythonPrebuiltError(
        'CHECKSUM_MISMATCH',
        `${pin.name} ${pin.version}: the pin is sha256 ${pin.sha256}, Debian's signed index gives ${same.sha256} for ${same.origFile}`,
        {
          fix: "two records of the same upstream file disagree: do not build with it; check upstream's release and signature before changing the pin",
        },
      );
    }
    const newest = records
      .filter((release) => release.version.split('.').slice(0, 2).join('.') === line)
      .sort((a, b) => compareVersions(a.version, b.version))
      .at(-1);
    const order = newest ? compareVersions(pin.version, newest.version) : undefined;
    return {
      library: pin.name,
      pinned: pin.version,
      ...(newest ? { debian: newest } : {}),
      state: order === undefined ? 'unknown' : order === 0 ? 'current' : order < 0 ? 'behind' : 'ahead',
      digest: same ? 'agrees' : 'not recorded',
    };
  });
}

/** "openssl: pinned 3.5.7, Debian sid 3.5.9 - behind (rebuild every artifact)". */
export function describeLibraryComparison(comparisons: LibraryComparison[], suite: string): string {
  return comparisons
    .map(
      (entry) =>
        `${entry.library}: pinned ${entry.pinned}, Debian ${suite} ${entry.debian?.version ?? 'records none of its line'} - ${entry.state}${entry.state === 'behind' ? ' (every artifact carrying it needs a rebuild)' : ''}${entry.digest === 'agrees' ? ', sha256 agrees' : ''}`,
    )
    .join('\n');
}

/** One line of the versions manifest against Debian's record of it. */
export interface DebianComparison {
  line: string;
  /** The newest release the manifest pins for the line (none: a line Debian has and the manifest lacks). */
  pinned?: string;
  debian: DebianCpythonRelease;
  state: 'current' | 'behind' | 'ahead';
  /** The manifest pins Debian's version too: do the two records give the same sha256? */
  digest: 'agrees' | 'differs' | 'not pinned';
}

/**
 * Compares the manifest's newest pin of each line with Debian's newest python3.X. A pin of the
 * same version whose sha256 differs from Debian's record is the one answer that stops everything:
 * two independent records disagree about the same upstream file.
 */
export function compareWithDebian(manifest: VersionsManifest, debian: DebianCpythonRelease[]): DebianComparison[] {
  // The newest release of each line Debian records (across the suites read).
  const newest = new Map<string, DebianCpythonRelease>();
  for (const release of debian) {
    const known = newest.get(lineOf(release.version));
    if (!known || compareVersions(release.version, known.version) > 0) newest.set(lineOf(release.version), release);
  }
  return [...newest.values()].map((release) => {
    const line = lineOf(release.version);
    const pins = manifest.releases.filter((pin) => lineOf(pin.version) === line).map((pin) => pin.version);
    const pinned = pins.sort(compareVersions).at(-1);
    const same = manifest.releases.find((pin) => pin.version === release.version);
    const order = pinned ? compareVersions(pinned, release.version) : -1;
    return {
      line,
      ...(pinned ? { pinned } : {}),
      debian: release,
      state: order === 0 ? 'current' : order < 0 ? 'behind' : 'ahead',
      digest: same ? (same.sha256 === release.sha256 ? 'agrees' : 'differs') : 'not pinned',
    };
  });
}

/**
 * Refuses when a pin and Debian's record of the same version disagree about its sha256, naming
 * both digests; returns the versions both records give, each agreeing.
 */
export function requireAgreement(manifest: VersionsManifest, debian: DebianCpythonRelease[]): string[] {
  const agreed = new Set<string>();
  for (const release of debian) {
    const pin = manifest.releases.find((pinned) => pinned.version === release.version);
    if (!pin) continue;
    if (pin.sha256 !== release.sha256) {
      throw new CpythonPrebuiltError(
        'CHECKSUM_MISMATCH',
        `CPython ${release.version}: the manifest pins sha256 ${pin.sha256}, Debian's signed index gives ${release.sha256} for ${release.origFile}`,
        {
          fix: 'two records of the same upstream file disagree: do not build it; check python.org and the Debian package (a repack would be named +dfsg) before changing either',
        },
      );
    }
    agreed.add(release.version);
  }
  return [...agreed];
}

/** One line per line of Python: "3.13: pinned 3.13.15, Debian sid 3.13.18 - behind (digest: not pinned)". */
export function describeDebianComparison(comparisons: DebianComparison[], suite: string): string {
  return comparisons
    .map(
      (entry) =>
        `${entry.line}: pinned ${entry.pinned ?? 'nothing'}, Debian ${suite} ${entry.debian.version} - ${entry.state}${entry.digest === 'not pinned' ? '' : `, sha256 ${entry.digest}`}`,
    )
    .join('\n');
}

export interface DebianCheckInput {
  mirror: string;
  suites: string[];
  manifest: VersionsManifest;
  libraries: readonly PinnedLibrary[];
  workDir: string;
  keyring?: string;
  logger?: Logger;
}

export interface DebianCheck {
  mirror: string;
  suites: string[];
  /** CPython versions whose pinned sha256 Debian's record confirms. */
  agreed: string[];
  comparisons: DebianComparison[];
  libraries: LibraryComparison[];
}

/**
 * `versions check --source debian`: the CPython pins and the pinned libraries against the signed
 * source indexes of `suites`, each read once. Refuses (CHECKSUM_MISMATCH) when a record disagrees
 * with a pin about the same file.
 */
export async function checkAgainstDebian(input: DebianCheckInput): Promise<DebianCheck> {
  const cpython: DebianCpythonRelease[] = [];
  const libraries: DebianLibraryRelease[] = [];
  for (const suite of input.suites) {
    input.logger?.info(`reading ${input.mirror}/dists/${suite} (InRelease verified with the Debian archive keyring)`);
    const index = await debianSourceIndex({ ...input, suite });
    cpython.push(...cpythonReleasesIn(index, input.mirror));
    libraries.push(...libraryReleasesIn(index, input.mirror, input.libraries, suite));
  }
  return {
    mirror: input.mirror,
    suites: input.suites,
    agreed: requireAgreement(input.manifest, cpython),
    comparisons: compareWithDebian(input.manifest, cpython),
    libraries: compareLibrariesWithDebian(input.libraries, libraries),
  };
}

/** What `versions check --source debian` prints. */
export function describeDebianCheck(check: DebianCheck): string {
  const suites = check.suites.join('/');
  return [
    describeDebianComparison(check.comparisons, suites),
    `sha256 agrees with Debian's record: ${check.agreed.join(', ') || 'none pinned'}`,
    describeLibraryComparison(check.libraries, suites),
  ].join('\n');
}

/** The UPDATE_DUE error when a CPython line or a bundled library is behind Debian's record. */
export function debianUpdateDue(check: DebianCheck): CpythonPrebuiltError | undefined {
  const behind = check.comparisons.filter((entry) => entry.state === 'behind');
  const rebuild = check.libraries.filter((entry) => entry.state === 'behind');
  if (behind.length === 0 && rebuild.length === 0) return undefined;
  const parts = [
    ...(behind.length > 0
      ? [
          `newer CPython releases than the manifest pins: ${behind.map((entry) => `${entry.debian.version} (pinned ${entry.pinned ?? 'nothing'} for ${entry.line})`).join(', ')}`,
        ]
      : []),
    ...(rebuild.length > 0
      ? [
          `security rebuilds due, bundled libraries behind their line: ${rebuild.map((entry) => `${entry.library} ${entry.debian?.version} (pinned ${entry.pinned})`).join(', ')}`,
        ]
      : []),
  ];
  return new CpythonPrebuiltError('UPDATE_DUE', `Debian records ${parts.join('; ')}`, {
    fix: [
      ...(behind.length > 0
        ? [
            "pin the CPython releases with make versions-update where python.org is reachable (the release and weekly workflows); Debian's record then has to agree with python.org's before a pin is written",
          ]
        : []),
      ...(rebuild.length > 0
        ? [
            'bump the library pin in packages/core/src/schemas/libraries.ts (version, sha256 from both records, Debian file) and rebuild every artifact with the next build number',
          ]
        : []),
    ].join('; '),
  });
}

import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { obtainLibrarySources } from '@cpython-prebuilt/builder';
import {
  type ArtifactManifest,
  CpythonPrebuiltError,
  formatLibrariesData,
  type Logger,
  layout,
  type PinnedLibrary,
  pathExists,
  readPinnedLibraries,
} from '@cpython-prebuilt/core';
import { readManifest } from '@cpython-prebuilt/release';
import {
  compareLibrariesWithDebian,
  type DebianLibraryRelease,
  debianSourceIndex,
  type LibraryComparison,
  libraryReleasesIn,
} from './debian-index.ts';

export interface LibrariesUpdateInput {
  /** The Debian archive the machine's apt sources name (debianMirror). */
  mirror: string;
  /** The suites whose signed source indexes are read (sid first: the newest upstream releases). */
  suites: string[];
  /** The Debian archive keyring (default: the system's). */
  keyring?: string;
  /** The pins to compare and rewrite: layout.librariesData. */
  dataPath?: string;
  /** Where the new tarballs are kept, for the next build: layout.sourcesDir. */
  sourcesDir?: string;
  /** Upstream's signing keys: layout.upstreamKeysDir. */
  keysDir?: string;
  /** The published artifacts, to name the ones a new pin makes stale: layout.manifest. */
  manifestPath?: string;
  workDir: string;
  dryRun: boolean;
  logger: Logger;
}

export interface LibraryBump {
  library: string;
  from: string;
  to: string;
  pin: PinnedLibrary;
}

export interface LibrariesUpdateResult {
  comparisons: LibraryComparison[];
  bumps: LibraryBump[];
  /** Published artifacts that bundle a library version the update replaced: each needs a rebuild. */
  stale: { file: string; version: string; nextBuild: number }[];
  written: boolean;
}

/**
 * The pin of `release`, the newer patch of `pin`'s line Debian's signed index records: the same
 * library, key and licence, the new version, tarball and digest, and the two records that vouch
 * for it (Debian's index, upstream's signature, both checked by obtainLibrarySources).
 */
function bumpedPin(pin: PinnedLibrary, release: DebianLibraryRelease): PinnedLibrary {
  const url = pin.url.replaceAll(pin.version, release.version);
  if (url === pin.url) {
    throw new CpythonPrebuiltError(
      'INVALID_INPUT',
      `${pin.name}: its upstream URL ${pin.url} does not name its version ${pin.version}`,
      {
        fix: `pin ${pin.name} ${release.version} by hand in ${layout.librariesData}`,
      },
    );
  }
  const [tracker] = pin.digestSources;
  return {
    ...pin,
    version: release.version,
    sha256: release.sha256,
    url,
    debian: { ...pin.debian, file: release.origFile },
    digestSources: [
      {
        name: `Debian source package ${release.source.package} ${release.source.version}: Checksums-Sha256 of ${release.origFile} in the signed index (dists/${release.source.suite}/InRelease -> main/source/Sources.xz)`,
        url: tracker?.url ?? `https://tracker.debian.org/pkg/${release.source.package}`,
      },
      {
        name: `${pin.name}'s upstream OpenPGP signature of the tarball (${release.origFile}.asc, key ${pin.signingKey.fingerprint})`,
        url: `${url}.asc`,
      },
    ],
  };
}

/**
 * The published artifacts a new library pin makes stale: every one of the newest build of each
 * version (all carry the pinned libraries; older builds are superseded already), each with the
 * build number its rebuild takes.
 */
function staleArtifacts(manifest: ArtifactManifest): LibrariesUpdateResult['stale'] {
  const newest = new Map<string, number>();
  for (const artifact of manifest.artifacts) {
    newest.set(artifact.version, Math.max(newest.get(artifact.version) ?? 0, artifact.build));
  }
  return manifest.artifacts
    .filter((artifact) => artifact.build === newest.get(artifact.version))
    .map((artifact) => ({ file: artifact.file, version: artifact.version, nextBuild: artifact.build + 1 }));
}

/**
 * `libraries update`: each pinned library against the newest patch release of its line that
 * Debian's signed source indexes record. A newer one is pinned only after its tarball, fetched from
 * the Debian archive, has the sha256 the signed index gives and upstream's OpenPGP signature of it
 * verifies with the pinned key: two independent records. Any failure refuses the whole update with
 * nothing written. Names the published artifacts that bundle the replaced version (each needs a
 * rebuild with the next build number).
 */
export async function updateLibraries(input: LibrariesUpdateInput): Promise<LibrariesUpdateResult> {
  const { logger } = input;
  const dataPath = input.dataPath ?? layout.librariesData;
  const pins = readPinnedLibraries(dataPath);
  const releases: DebianLibraryRelease[] = [];
  for (const suite of input.suites) {
    logger.info(`reading ${input.mirror}/dists/${suite} (InRelease verified with the Debian archive keyring)`);
    const index = await debianSourceIndex({
      mirror: input.mirror,
      suite,
      keyring: input.keyring,
      workDir: input.workDir,
      logger,
    });
    releases.push(...libraryReleasesIn(index, input.mirror, pins, suite));
  }
  const comparisons = compareLibrariesWithDebian(pins, releases);
  const bumps: LibraryBump[] = [];
  for (const comparison of comparisons) {
    const pin = pins.find((candidate) => candidate.name === comparison.library);
    if (comparison.state !== 'behind' || !comparison.debian || !pin) continue;
    const bumped = bumpedPin(pin, comparison.debian);
    const fetched = [bumped.debian.file, `${bumped.debian.file}.asc`].map((file) =>
      join(input.sourcesDir ?? layout.sourcesDir, file),
    );
    const kept = await Promise.all(fetched.map((path) => pathExists(path)));
    try {
      await obtainLibrarySources({
        sourcesDir: input.sourcesDir,
        mirror: input.mirror,
        keysDir: input.keysDir,
        libraries: [bumped],
        logger,
      });
    } catch (error) {
      // What this run fetched for a pin it did not make is not kept: nothing half done.
      await Promise.all(fetched.map((path, index) => (kept[index] ? undefined : rm(path, { force: true }))));
      const cause = error as Error;
      throw new CpythonPrebuiltError(
        (error as CpythonPrebuiltError).code ?? 'DOWNLOAD_FAILED',
        `${pin.name} ${bumped.version} (${bumped.debian.file}, listed in Debian's signed index) was not pinned, and nothing was written: ${cause.message}`,
        {
          fix: 'a pin needs both records: run the update again once the mirror serves the tarball and its .asc, or put both in .cache/sources by hand (they are checked the same way)',
          cause: error,
        },
      );
    }
    logger.info(
      `${pin.name}: ${pin.version} -> ${bumped.version} (sha256 ${bumped.sha256}, from Debian's index and upstream's signature)`,
    );
    bumps.push({ library: pin.name, from: pin.version, to: bumped.version, pin: bumped });
  }
  const manifest = bumps.length > 0 ? await readManifest(input.manifestPath ?? layout.manifest) : undefined;
  const stale = manifest ? staleArtifacts(manifest) : [];
  if (bumps.length === 0 || input.dryRun) return { comparisons, bumps, stale, written: false };
  const updated = pins.map((pin) => bumps.find((bump) => bump.library === pin.name)?.pin ?? pin);
  await writeFile(dataPath, formatLibrariesData(updated));
  return { comparisons, bumps, stale, written: true };
}

/** What `libraries update` prints: each pin's state, the bumps, and the rebuilds they make due. */
export function describeLibrariesUpdate(result: LibrariesUpdateResult, dataPath: string = layout.librariesData): string {
  const lines = result.comparisons.map(
    (entry) =>
      `${entry.library}: pinned ${entry.pinned}, Debian ${entry.debian ? `${entry.debian.version} (${entry.debian.source.package} ${entry.debian.source.version} in ${entry.debian.source.suite})` : 'records none of its line'} - ${entry.state}`,
  );
  for (const bump of result.bumps) {
    lines.push(`${result.written ? 'pinned' : 'would pin'} ${bump.library} ${bump.to} (was ${bump.from}) in ${dataPath}`);
  }
  if (result.bumps.length > 0) {
    lines.push(
      result.stale.length === 0
        ? 'no artifact is published yet: the next builds bundle the new version'
        : `security rebuilds due (release each again with the next build number): ${result.stale.map((entry) => `${entry.file} -> build${entry.nextBuild}`).join(', ')}`,
    );
  }
  return lines.join('\n');
}

/** The pull request's description (update.yml, `--summary`): what was pinned from which records, and the rebuilds due. */
export function librariesPullRequestBody(result: LibrariesUpdateResult, dataPath: string = layout.librariesData): string {
  return [
    "Pinned by `make libraries-update`: each new tarball came from the Debian archive with the sha256 its signed source index gives, and upstream's OpenPGP signature of it verified with the pinned key.",
    '',
    '```',
    describeLibrariesUpdate(result, dataPath),
    '```',
    '',
    result.stale.length > 0
      ? 'After merging, run the release workflow for each artifact named above with the build number given (docs/updates.md): install.sh prefers the highest build of a version, so the feature moves to the rebuilds once `release-feature` records them.'
      : 'After merging, the next builds bundle the new versions.',
    '',
  ].join('\n');
}

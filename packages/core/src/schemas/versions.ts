import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CpythonPrebuiltError } from '../errors.ts';
import { layout } from '../layout.ts';
import { compareVersions, PythonVersion, Sha256 } from './common.ts';

/** The official source of one CPython release, pinned by digest before anything uses it. */
export const SourceRelease = z.object({
  version: PythonVersion,
  url: z.url(),
  sha256: Sha256,
  /** Upstream release day; its midnight UTC is the default SOURCE_DATE_EPOCH of builds. */
  released: z.iso.date().optional(),
  /** Where these bytes can be had when python.org is out of reach (same digest). */
  mirrors: z.array(z.object({ description: z.string(), url: z.string() })).default([]),
});
export type SourceRelease = z.infer<typeof SourceRelease>;

/** A public record of a digest: who published it and where to read it. */
export const DigestSource = z.object({ name: z.string().min(1), url: z.url() });
export type DigestSource = z.infer<typeof DigestSource>;

/**
 * A release in the versions manifest: its digest was read from at least two independent sources
 * that agree (or, for `versions update`, published by python.org and recomputed from the bytes).
 */
export const PinnedRelease = SourceRelease.extend({
  released: z.iso.date(),
  digestSources: z
    .array(DigestSource)
    .min(2, 'a pinned digest needs at least two independent sources that agree')
    .refine((sources) => new Set(sources.map((source) => source.url)).size === sources.length, {
      message: 'digest sources must be distinct',
    }),
  /** python.org's Sigstore bundle for the tarball, when the release has one. */
  sigstoreBundle: z.url().optional(),
});
export type PinnedRelease = z.infer<typeof PinnedRelease>;

/** A CPython release line (3.13) and where it stands in upstream's release cycle. */
export const ReleaseLine = z.object({
  line: z.string().regex(/^3\.\d+$/, 'a release line such as 3.13'),
  status: z.enum(['maintained', 'end-of-life']),
  /** Upstream's end of life, as the devguide gives it (2029-10 or 2029-10-31). */
  endOfLife: z.string().regex(/^\d{4}-\d{2}(-\d{2})?$/),
});
export type ReleaseLine = z.infer<typeof ReleaseLine>;

export const VersionsManifest = z
  .object({
    $schema: z.string().optional(),
    lines: z.array(ReleaseLine),
    releases: z.array(PinnedRelease).min(1),
  })
  .superRefine((manifest, context) => {
    const versions = manifest.releases.map((release) => release.version);
    if (new Set(versions).size !== versions.length) context.addIssue({ code: 'custom', message: 'a version is pinned twice' });
    const lines = new Set(manifest.lines.map((line) => line.line));
    for (const version of versions) {
      if (!lines.has(lineOf(version))) {
        context.addIssue({ code: 'custom', message: `${version} belongs to no line in lines (add ${lineOf(version)})` });
      }
    }
  });
export type VersionsManifest = z.infer<typeof VersionsManifest>;

/** The release line of a full version: 3.13.5 -> 3.13. */
export function lineOf(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

/**
 * The manifest's data lives in versions.data.json beside this module, so that `versions update`
 * rewrites plain JSON instead of TypeScript; this module is still the one place that reads it,
 * validates it and gives it a type. Every digest there names the sources it was checked against.
 */
export function readVersionsManifest(path: string = layout.versionsData): VersionsManifest {
  return VersionsManifest.parse(JSON.parse(readFileSync(path, 'utf8')));
}

/** The manifest as versions.data.json holds it: sorted, in the schema's key order, two-space JSON. */
export function formatVersionsData(manifest: VersionsManifest): string {
  const { $schema: _schema, ...data } = VersionsManifest.parse(manifest);
  const sorted = {
    lines: [...data.lines].sort((a, b) => compareVersions(a.line, b.line)),
    releases: [...data.releases].sort((a, b) => compareVersions(a.version, b.version)),
  };
  return `${JSON.stringify(sorted, null, 2)}\n`;
}

export const versionsManifest: VersionsManifest = readVersionsManifest();

/**
 * What builds, `--version` and the feature use when nobody names a version. It stays 3.13.5 even
 * though newer releases are pinned: 3.13.5 is the one release whose source these machines can
 * get without python.org (Debian's pristine tarball), so the main job (`make phase3`) and the
 * test fixtures build offline. Move it deliberately, together with the sources setup fetches.
 */
export const defaultVersion = '3.13.5';

export function findRelease(version: string, manifest: VersionsManifest = versionsManifest): SourceRelease | undefined {
  return manifest.releases.find((release) => release.version === version);
}

/**
 * The release for `version`; a version the manifest does not pin needs an explicit digest,
 * and gets the python.org URL by convention.
 */
export function resolveRelease(version: string, explicitSha256?: string): SourceRelease {
  if (!PythonVersion.safeParse(version).success) {
    throw new CpythonPrebuiltError('INVALID_INPUT', `"${version}" is not a full CPython version`, {
      fix: 'pass a version such as 3.13.5',
    });
  }
  const pinned = findRelease(version);
  if (explicitSha256 !== undefined && !Sha256.safeParse(explicitSha256.toLowerCase()).success) {
    throw new CpythonPrebuiltError('INVALID_INPUT', `"${explicitSha256}" is not a sha256 digest`, {
      fix: 'pass the 64 hex characters printed by `sha256sum <tarball>`',
    });
  }
  if (pinned) {
    if (explicitSha256 && explicitSha256.toLowerCase() !== pinned.sha256) {
      throw new CpythonPrebuiltError(
        'CHECKSUM_MISMATCH',
        `the sha256 given for ${version} (${explicitSha256.toLowerCase()}) differs from the pinned one (${pinned.sha256})`,
        { fix: 'drop --sha256 to use the pinned digest, or fix the versions manifest if upstream re-released' },
      );
    }
    return pinned;
  }
  if (!explicitSha256) {
    const known = versionsManifest.releases.map((release) => release.version).join(', ');
    throw new CpythonPrebuiltError(
      'UNKNOWN_VERSION',
      `CPython ${version} is not pinned in the versions manifest (pinned: ${known})`,
      {
        fix: `pass --sha256 (SHA256= for make) with the digest of Python-${version}.tar.xz from python.org, or pin it with \`make versions-update\` once python.org publishes it`,
      },
    );
  }
  return SourceRelease.parse({
    version,
    url: `https://www.python.org/ftp/python/${version}/Python-${version}.tar.xz`,
    sha256: explicitSha256.toLowerCase(),
  });
}

export function newestVersion(manifest: VersionsManifest = versionsManifest): string {
  const sorted = manifest.releases.map((release) => release.version).sort(compareVersions);
  const newest = sorted.at(-1);
  if (!newest) throw new Error('versions manifest is empty');
  return newest;
}

/**
 * What the release matrix builds: the newest pinned release of every maintained line, oldest line
 * first. A merged `versions update` changes this list, and the release workflow builds what is new.
 */
export function releaseMatrix(manifest: VersionsManifest = versionsManifest): string[] {
  return manifest.lines
    .filter((line) => line.status === 'maintained')
    .map((line) => line.line)
    .sort(compareVersions)
    .flatMap((line) => {
      const newest = manifest.releases
        .map((release) => release.version)
        .filter((version) => lineOf(version) === line)
        .sort(compareVersions)
        .at(-1);
      return newest ? [newest] : [];
    });
}

/**
 * What people type for a version, as the full version it means: 3.13.5 stays, a line (3.13) is the
 * newest patch the manifest pins in it. Undefined for anything else, or a line nothing pins.
 */
export function versionFromRequest(request: string, manifest: VersionsManifest = versionsManifest): string | undefined {
  if (PythonVersion.safeParse(request).success) return request;
  if (!/^3\.\d{1,2}$/.test(request)) return undefined;
  return manifest.releases
    .map((release) => release.version)
    .filter((version) => lineOf(version) === request)
    .sort(compareVersions)
    .at(-1);
}

/** SOURCE_DATE_EPOCH for a build: the environment's, else the release day, else 2000-01-01. */
export function sourceDateEpoch(release: SourceRelease, environment: string | undefined = process.env.SOURCE_DATE_EPOCH): number {
  if (environment !== undefined && environment !== '') {
    if (!/^\d+$/.test(environment)) {
      throw new CpythonPrebuiltError('INVALID_INPUT', `SOURCE_DATE_EPOCH="${environment}" is not a number of seconds`, {
        fix: 'unset it, or set it to a Unix timestamp such as 1749600000',
      });
    }
    return Number(environment);
  }
  return Date.parse(`${release.released ?? '2000-01-01'}T00:00:00Z`) / 1000;
}

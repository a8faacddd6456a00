import { z } from 'zod';
import { CpythonPrebuiltError } from '../errors.ts';
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

export const VersionsManifest = z.object({
  $schema: z.string().optional(),
  releases: z.array(SourceRelease).min(1),
});
export type VersionsManifest = z.infer<typeof VersionsManifest>;

/**
 * Digests of the upstream tarballs. Each was checked against the Debian source package that carries
 * the pristine upstream file (`*.orig.tar.*`); 3.13.5 also against upstream's GPG signature.
 */
export const versionsManifest: VersionsManifest = VersionsManifest.parse({
  releases: [
    {
      version: '3.13.5',
      url: 'https://www.python.org/ftp/python/3.13.5/Python-3.13.5.tar.xz',
      sha256: '93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640',
      released: '2025-06-11',
      mirrors: [{ description: 'Debian source package python3.13 (trixie)', url: 'apt-get source --download-only python3.13' }],
    },
    {
      version: '3.11.2',
      url: 'https://www.python.org/ftp/python/3.11.2/Python-3.11.2.tgz',
      sha256: '2411c74bda5bbcfcddaf4531f66d1adc73f247f529aee981b029513aefdbf849',
      released: '2023-02-08',
      mirrors: [{ description: 'Debian source package python3.11 (bookworm)', url: 'apt-get source --download-only python3.11' }],
    },
  ],
});

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
        fix: `pass --sha256 (SHA256= for make) with the digest of Python-${version}.tar.xz from python.org, or add it to packages/core/src/schemas/versions.ts`,
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

import { CpythonPrebuiltError, fetchJson } from '@cpython-prebuilt/core';
import { z } from 'zod';

/**
 * What python.org and the devguide publish about CPython releases, in their documented shapes:
 * - python.org's REST API v2 (python/pythondotorg, apps/downloads/serializers.py; plain JSON
 *   lists, no pagination): `/api/v2/downloads/release/?is_published=true` lists releases and
 *   `/api/v2/downloads/release_file/?release=<id>` a release's files, with `sha256_sum` and
 *   `sigstore_bundle_file`. `release` and `os` are hyperlinks; `resource_uri` ends in `/<id>/`.
 * - python/devguide `include/release-cycle.json`: one entry per line, keyed "3.13", with a
 *   `status` of feature, prerelease, bugfix, security or end-of-life.
 * Unknown fields are ignored, so an additive change upstream does not break the update.
 */

export const DEFAULT_PYTHON_ORG_URL = 'https://www.python.org';
export const DEFAULT_RELEASE_CYCLE_URL = 'https://raw.githubusercontent.com/python/devguide/main/include/release-cycle.json';

export const PythonOrgRelease = z.object({
  /** "Python 3.13.5"; pre-releases read "Python 3.14.0rc1". */
  name: z.string(),
  slug: z.string(),
  /** The major version: 3 (an integer choice in pythondotorg's model). */
  version: z.number().int(),
  is_published: z.boolean(),
  is_latest: z.boolean().optional(),
  /** An ISO date-time, e.g. 2025-06-11T17:00:00Z. */
  release_date: z.string().nullable(),
  pre_release: z.boolean(),
  release_page: z.string().nullable().optional(),
  release_notes_url: z.string().optional(),
  show_on_download_page: z.boolean().optional(),
  resource_uri: z.url(),
});
export type PythonOrgRelease = z.infer<typeof PythonOrgRelease>;

export const PythonOrgReleaseFile = z.object({
  /** "XZ compressed source tarball". */
  name: z.string(),
  slug: z.string(),
  os: z.string(),
  release: z.string(),
  description: z.string().optional(),
  is_source: z.boolean(),
  url: z.url(),
  gpg_signature_file: z.string().optional(),
  md5_sum: z.string().optional(),
  /** Empty for files published before python.org recorded SHA-256 sums. */
  sha256_sum: z.string().optional(),
  filesize: z.number().int().optional(),
  download_button: z.boolean().optional(),
  resource_uri: z.url(),
  sigstore_signature_file: z.string().optional(),
  sigstore_cert_file: z.string().optional(),
  /** Empty when the release has no Sigstore bundle. */
  sigstore_bundle_file: z.string().optional(),
  sbom_spdx2_file: z.string().optional(),
});
export type PythonOrgReleaseFile = z.infer<typeof PythonOrgReleaseFile>;

export const ReleaseCycle = z.record(
  z.string(),
  z.object({
    branch: z.string().optional(),
    pep: z.number().optional(),
    status: z.enum(['feature', 'prerelease', 'bugfix', 'security', 'end-of-life']),
    first_release: z.string().optional(),
    end_of_life: z.string(),
    release_manager: z.string().optional(),
  }),
);
export type ReleaseCycle = z.infer<typeof ReleaseCycle>;

export interface ReleaseFeeds {
  /** python.org, or a mirror or test server with the same API under /api/v2/. */
  pythonOrgUrl: string;
  /** release-cycle.json's URL. */
  releaseCycleUrl: string;
}

const PYTHON_ORG_FIX =
  'check the network or proxy, or point --python-org-url (CPYTHON_PREBUILT_PYTHON_ORG_URL) at a mirror that serves /api/v2/downloads/';

const apiUrl = (base: string, path: string) => `${base.replace(/\/+$/, '')}/api/v2/downloads/${path}`;

export async function fetchPublishedReleases(feeds: ReleaseFeeds): Promise<PythonOrgRelease[]> {
  return fetchJson(apiUrl(feeds.pythonOrgUrl, 'release/?is_published=true'), z.array(PythonOrgRelease), {
    what: "python.org's release list",
    fix: PYTHON_ORG_FIX,
  });
}

export async function fetchReleaseFiles(feeds: ReleaseFeeds, release: PythonOrgRelease): Promise<PythonOrgReleaseFile[]> {
  return fetchJson(apiUrl(feeds.pythonOrgUrl, `release_file/?release=${releaseId(release)}`), z.array(PythonOrgReleaseFile), {
    what: `the files of ${release.name}`,
    fix: PYTHON_ORG_FIX,
  });
}

export async function fetchReleaseCycle(feeds: ReleaseFeeds): Promise<ReleaseCycle> {
  return fetchJson(feeds.releaseCycleUrl, ReleaseCycle, {
    what: 'the devguide release cycle',
    fix: 'check the network or proxy, or point --release-cycle-url (CPYTHON_PREBUILT_RELEASE_CYCLE_URL) at a copy of include/release-cycle.json',
  });
}

/** The numeric id at the end of a release's resource_uri (…/api/v2/downloads/release/1040/). */
export function releaseId(release: PythonOrgRelease): string {
  const id = /\/release\/(\d+)\/?$/.exec(release.resource_uri)?.[1];
  if (!id) {
    throw new CpythonPrebuiltError(
      'FEED_INVALID',
      `release ${release.name} has no id in its resource_uri ${release.resource_uri}`,
      {
        fix: 'the API changed its format; check /api/v2/downloads/release/',
      },
    );
  }
  return id;
}

/** The full version of a final CPython 3 release ("Python 3.13.5" -> 3.13.5), else undefined. */
export function finalVersion(release: PythonOrgRelease): string | undefined {
  if (release.version !== 3 || release.pre_release || !release.is_published) return undefined;
  return /^Python (3\.\d+\.\d+)$/.exec(release.name.trim())?.[1];
}

import { CpythonPrebuiltError, compareVersions, layout, lineOf, readVersionsManifest } from '@cpython-prebuilt/core';
import { featureDefaultVersion } from '@cpython-prebuilt/feature';
import { readManifest } from '@cpython-prebuilt/release';
import { newestPinnedOf } from './versions-update.ts';

/** The feature's default CPython against the newest patch pinned for its line. */
export interface DefaultStatus {
  /** What the feature installs with default options: the newest version it publishes (none yet: null). */
  published: string | null;
  /** The newest patch of the same line in the versions manifest. */
  pinned: string | null;
  /** A newer patch of the default's line is pinned than the feature publishes. */
  behind: boolean;
}

export interface DefaultStatusInput {
  /** The artifacts manifest the feature is generated from; layout.manifest by default. */
  artifactsManifestPath?: string;
  /** The versions data file; layout.versionsData by default. */
  dataPath?: string;
}

/**
 * Whether the feature's default falls behind its line: users with default options get a patch
 * release older than one the project pins (and could build), so its fixes never reach them.
 */
export async function featureDefaultStatus(input: DefaultStatusInput = {}): Promise<DefaultStatus> {
  const artifacts = await readManifest(input.artifactsManifestPath ?? layout.manifest);
  if (artifacts.artifacts.length === 0) return { published: null, pinned: null, behind: false };
  const published = featureDefaultVersion(artifacts);
  const pinned = newestPinnedOf(readVersionsManifest(input.dataPath), lineOf(published));
  return { published, pinned: pinned ?? null, behind: pinned !== undefined && compareVersions(pinned, published) > 0 };
}

export function describeDefaultStatus(status: DefaultStatus): string {
  if (!status.published) return "no artifact is published yet: the feature's default has no release to be held to";
  const line = lineOf(status.published);
  if (!status.pinned) return `the feature's default CPython ${status.published}: the versions data pins no ${line} release`;
  if (!status.behind) return `the feature's default CPython ${status.published} is the newest pinned ${line} patch`;
  return `the feature's default CPython ${status.published} is behind the newest pinned ${line} patch, ${status.pinned}`;
}

/** The error `versions check` ends with when the default falls behind (a release is due, not a pin). */
export function defaultBehindError(status: DefaultStatus): CpythonPrebuiltError {
  return new CpythonPrebuiltError('UPDATE_DUE', describeDefaultStatus(status), {
    fix: `release ${status.pinned} (the release workflow with versions ["${status.pinned}"], which builds, releases, records it with make release-feature and publishes the feature whose default it becomes)`,
  });
}

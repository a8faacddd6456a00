import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  CpythonPrebuiltError,
  downloadFile,
  type Logger,
  layout,
  pathExists,
  resolveRelease,
  type SourceRelease,
  sha256File,
  verifySha256,
} from '@cpython-prebuilt/core';

export interface SourceRequest {
  version: string;
  /** A local tarball the user already has (verified against the same pin). */
  sourcePath?: string;
  /** Another URL with the same bytes (a mirror); the pin still applies. */
  sourceUrl?: string;
  sha256?: string;
  cacheDir: string;
  /** Where setup put Debian's pristine tarballs; layout.sourcesDir when omitted. */
  sourcesDir?: string;
  logger: Logger;
}

export interface ObtainedSource {
  path: string;
  release: SourceRelease;
  sha256: string;
}

/**
 * Debian's source archive carries python.org's tarball unchanged as python<X.Y>_<version>.orig.tar.*;
 * setup fetches them into <cache>/sources. Used only when its bytes match the pin.
 */
async function debianPristineTarball(release: SourceRelease, sourcesDir: string): Promise<string | undefined> {
  const short = release.version.split('.').slice(0, 2).join('.');
  for (const extension of ['xz', 'gz']) {
    const candidate = join(sourcesDir, `python${short}_${release.version}.orig.tar.${extension}`);
    if ((await pathExists(candidate)) && (await sha256File(candidate)) === release.sha256) return candidate;
  }
  return undefined;
}

/**
 * The official source tarball, verified against its pinned sha256 before anything reads it.
 * A user's file is never deleted; a download of ours that fails verification is removed.
 */
export async function obtainSource(request: SourceRequest): Promise<ObtainedSource> {
  const release = resolveRelease(request.version, request.sha256);
  if (request.sourcePath) {
    const path = resolve(request.sourcePath);
    if (!(await pathExists(path))) {
      throw new CpythonPrebuiltError('SOURCE_NOT_FOUND', `source tarball ${path} does not exist`, {
        fix: 'pass the path of Python-<version>.tar.xz (or the Debian *.orig.tar.* file) with --source / SOURCE=',
      });
    }
    request.logger.info(`verifying ${path} against the pinned sha256 ${release.sha256}`);
    const sha256 = await verifySha256(path, release.sha256, path);
    return { path, release, sha256 };
  }
  if (!request.sourceUrl) {
    const pristine = await debianPristineTarball(release, request.sourcesDir ?? layout.sourcesDir);
    if (pristine) {
      request.logger.info(`using Debian's pristine tarball ${pristine} (sha256 verified, the same bytes as python.org's)`);
      return { path: pristine, release, sha256: release.sha256 };
    }
  }
  const url = request.sourceUrl ?? release.url;
  const fileName = url.split('/').at(-1) || `Python-${release.version}.tar.xz`;
  const cached = join(request.cacheDir, 'downloads', `${release.sha256.slice(0, 12)}-${fileName}`);
  await mkdir(join(request.cacheDir, 'downloads'), { recursive: true });
  if ((await pathExists(cached)) && (await sha256File(cached)) === release.sha256) {
    request.logger.info(`using cached ${cached} (sha256 verified)`);
    return { path: cached, release, sha256: release.sha256 };
  }
  // Downloaded under a name of its own, verified, then renamed: two builds of the same version
  // fetching at once never read each other's half-written file.
  const staged = `${cached}.${process.pid}-${randomUUID().slice(0, 8)}.download`;
  await downloadFile(url, staged, { logger: request.logger });
  try {
    const sha256 = await verifySha256(staged, release.sha256, url);
    await rename(staged, cached);
    return { path: cached, release, sha256 };
  } catch (error) {
    await rm(staged, { force: true });
    throw error;
  }
}

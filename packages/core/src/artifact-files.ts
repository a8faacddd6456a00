import { access, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { readSha256For, verifySha256 } from './checksum.ts';
import { CpythonPrebuiltError } from './errors.ts';
import { metadataFileName, sha256FileName } from './naming.ts';
import type { PublishedArtifact } from './schemas/artifacts.ts';
import { ArtifactMetadata } from './schemas/metadata.ts';

/** An artifact with its .sha256 and metadata beside it, all three checked against each other. */
export interface LoadedArtifact {
  path: string;
  name: string;
  sha256: string;
  sha256Path: string;
  metadataPath: string;
  metadata: ArtifactMetadata;
}

/** What differs between loading an artifact and a wheelhouse: its schema, extra files, and words. */
interface BuildFilesKind<Metadata> {
  schema: { parse(value: unknown): Metadata };
  /** "artifact" or "wheelhouse", in the checksum message. */
  noun: string;
  /** Files beside the .tgz besides its .sha256 and .json, each required. */
  extraPaths: string[];
  missingFix: string;
  mismatchFix: string;
}

/**
 * A build output (.tgz) with its .sha256 and metadata (and any extra files) beside it: every file
 * present, the bytes matching the .sha256, and the metadata recording the same digest.
 */
export async function loadBuildFiles<Metadata extends { sha256: string }>(
  path: string,
  kind: BuildFilesKind<Metadata>,
): Promise<{ path: string; name: string; sha256: string; sha256Path: string; metadataPath: string; metadata: Metadata }> {
  const name = basename(path);
  const metadataPath = join(dirname(path), metadataFileName(name));
  const sha256Path = join(dirname(path), sha256FileName(name));
  for (const required of [path, sha256Path, metadataPath, ...kind.extraPaths]) {
    await access(required).catch(() => {
      throw new CpythonPrebuiltError('ARTIFACT_INVALID', `${required} is missing`, { fix: kind.missingFix });
    });
  }
  const metadata = kind.schema.parse(JSON.parse(await readFile(metadataPath, 'utf8')));
  const sha256 = await readSha256For(sha256Path, name);
  await verifySha256(path, sha256, name);
  if (metadata.sha256 !== sha256) {
    throw new CpythonPrebuiltError(
      'CHECKSUM_MISMATCH',
      `${metadataPath} records sha256 ${metadata.sha256}, the ${kind.noun} has ${sha256}`,
      { fix: kind.mismatchFix },
    );
  }
  return { path, name, sha256, sha256Path, metadataPath, metadata };
}

export async function loadArtifact(artifactPath: string): Promise<LoadedArtifact> {
  return loadBuildFiles(resolve(artifactPath), {
    schema: ArtifactMetadata,
    noun: 'artifact',
    extraPaths: [],
    missingFix: 'use an artifact made by cpython-prebuilt build: the .tgz, its .sha256 and its .json metadata side by side',
    mismatchFix: 'the metadata belongs to another build: rebuild, or take the files of one build together',
  });
}

/** The artifact-manifest entry for a loaded artifact published at `url`. */
export function manifestEntryFor(
  artifact: LoadedArtifact,
  where: { url: string; location: string; publishedAt?: string },
): PublishedArtifact {
  const { metadata } = artifact;
  return {
    version: metadata.version,
    build: metadata.build,
    base: metadata.base,
    arch: metadata.arch,
    glibcMinimum: metadata.glibcMinimum,
    file: artifact.name,
    sha256: artifact.sha256,
    url: where.url,
    sizeBytes: metadata.sizes.compressedBytes,
    location: where.location,
    publishedAt: where.publishedAt ?? new Date().toISOString().slice(0, 10),
  };
}

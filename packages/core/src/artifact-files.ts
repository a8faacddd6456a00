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

export async function loadArtifact(artifactPath: string): Promise<LoadedArtifact> {
  const path = resolve(artifactPath);
  const name = basename(path);
  const metadataPath = join(dirname(path), metadataFileName(name));
  const sha256Path = join(dirname(path), sha256FileName(name));
  for (const required of [path, sha256Path, metadataPath]) {
    await access(required).catch(() => {
      throw new CpythonPrebuiltError('ARTIFACT_INVALID', `${required} is missing`, {
        fix: 'use an artifact made by cpython-prebuilt build: the .tgz, its .sha256 and its .json metadata side by side',
      });
    });
  }
  const metadata = ArtifactMetadata.parse(JSON.parse(await readFile(metadataPath, 'utf8')));
  const sha256 = await readSha256For(sha256Path, name);
  await verifySha256(path, sha256, name);
  if (metadata.sha256 !== sha256) {
    throw new CpythonPrebuiltError(
      'CHECKSUM_MISMATCH',
      `${metadataPath} records sha256 ${metadata.sha256}, the artifact has ${sha256}`,
      {
        fix: 'the metadata belongs to another build: rebuild, or take the files of one build together',
      },
    );
  }
  return { path, name, sha256, sha256Path, metadataPath, metadata };
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

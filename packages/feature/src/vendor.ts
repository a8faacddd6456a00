import { access, chmod, copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import {
  ArtifactMetadata,
  CpythonPrebuiltError,
  metadataFileName,
  type PublishedArtifact,
  readSha256For,
  sha256FileName,
  verifySha256,
} from '@cpython-prebuilt/core';
import { renderFeature } from './render.ts';

export interface VendorInput {
  /** One or more artifacts (several versions install side by side); each with .sha256 and .json. */
  artifactPaths: string[];
  /** The feature folder to create, e.g. .devcontainer/installer (its name is the feature id). */
  outputDir: string;
  featureReference?: string;
  /** Replace an existing output folder. */
  force: boolean;
}

/**
 * A copy of the feature with the artifact inside its folder and a manifest naming it by a
 * relative path: it installs with no network, and publishes to a registry as one unit.
 */
interface CheckedArtifact {
  path: string;
  name: string;
  sha256Path: string;
  metadataPath: string;
  metadata: ArtifactMetadata;
}

async function checkArtifact(artifactPath: string): Promise<CheckedArtifact> {
  const path = resolve(artifactPath);
  const name = basename(path);
  const directory = dirname(path);
  const metadataPath = join(directory, metadataFileName(name));
  const sha256Path = join(directory, sha256FileName(name));
  for (const required of [path, sha256Path, metadataPath]) {
    await access(required).catch(() => {
      throw new CpythonPrebuiltError('ARTIFACT_INVALID', `${required} is missing`, {
        fix: 'vendor an artifact made by cpython-prebuilt build: the .tgz, its .sha256 and its .json metadata side by side',
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
  return { path, name, sha256Path, metadataPath, metadata };
}

function manifestEntry(artifact: CheckedArtifact): PublishedArtifact {
  const { metadata } = artifact;
  return {
    version: metadata.version,
    build: metadata.build,
    base: metadata.base,
    arch: metadata.arch,
    glibcMinimum: metadata.glibcMinimum,
    file: artifact.name,
    sha256: metadata.sha256,
    url: artifact.name,
    sizeBytes: metadata.sizes.compressedBytes,
    location: 'vendored',
    publishedAt: new Date(metadata.sourceDateEpoch * 1000).toISOString().slice(0, 10),
  };
}

/**
 * A copy of the feature with the artifacts inside its folder and a manifest naming them by
 * relative paths: it installs with no network, and publishes to a registry as one unit.
 */
export async function vendorFeature(input: VendorInput): Promise<string> {
  if (input.artifactPaths.length === 0) {
    throw new CpythonPrebuiltError('INVALID_INPUT', 'no artifact to vendor', { fix: 'pass --artifact <file.tgz> (repeatable)' });
  }
  const artifacts: CheckedArtifact[] = [];
  for (const path of input.artifactPaths) artifacts.push(await checkArtifact(path));
  const outputDir = resolve(input.outputDir);
  const exists = await access(outputDir).then(
    () => true,
    () => false,
  );
  if (exists && !input.force) {
    throw new CpythonPrebuiltError('INVALID_INPUT', `${outputDir} already exists`, {
      fix: 'remove it, or pass --force to replace it',
    });
  }
  const described = artifacts.map(
    ({ metadata }) => `${metadata.version} (${metadata.base}, ${metadata.arch}, build ${metadata.build})`,
  );
  const feature = renderFeature({
    manifest: { artifacts: artifacts.map(manifestEntry) },
    featureReference: input.featureReference ?? `./${basename(outputDir)}`,
    description: `CPython ${described.join(', ')} vendored inside the feature: installs with no network.`,
  });
  // Staged beside the destination and renamed in one step: never a half-written feature folder.
  const staging = `${outputDir}.staging-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    for (const [file, content] of Object.entries(feature.files)) await writeFile(join(staging, file), content);
    await chmod(join(staging, 'install.sh'), 0o755);
    for (const artifact of artifacts) {
      await copyFile(artifact.path, join(staging, artifact.name));
      await copyFile(artifact.sha256Path, join(staging, basename(artifact.sha256Path)));
      await copyFile(artifact.metadataPath, join(staging, basename(artifact.metadataPath)));
    }
    if (exists) await rm(outputDir, { recursive: true, force: true });
    await rename(staging, outputDir);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return outputDir;
}

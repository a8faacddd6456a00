import { join, resolve } from 'node:path';
import {
  type ArtifactManifest,
  ArtifactMetadata,
  binaryKeyring,
  CpythonPrebuiltError,
  type Logger,
  layout,
  metadataFileName,
  type PublishedArtifact,
  parseArtifactFileName,
  parseSha256Text,
  readArmoredKeys,
  sha256Buffer,
  statementDescribes,
  statementName,
  verifyDetached,
} from '@cpython-prebuilt/core';
import {
  type BumpLevel,
  bumpFeatureVersion,
  DEFAULT_FEATURE_REFERENCE,
  FEATURE_ID,
  type FeatureCoverage,
  readFeatureVersion,
  renderFeature,
  requireDefaultArtifacts,
  writeFeatureFiles,
} from '@cpython-prebuilt/feature';
import {
  type GitHubClient,
  RELEASE_WORKFLOW_FILE,
  readManifest,
  verifyProvenanceAttestation,
  withArtifact,
  writeManifest,
} from '@cpython-prebuilt/release';
import { writeQuotingFiles } from './quoted-figures.ts';

const SUMS = 'SHA256SUMS';

/**
 * The manifest entries of every artifact in the GitHub release `tag`, each checked before it is
 * trusted: the asset is downloaded and hashed, and that sha256 must be its metadata's and the
 * release's SHA256SUMS line (the size too); its `.asc` must be a valid signature of those bytes by
 * one of `trustedKeys` (the committed keys); every provenance attestation GitHub stores for those
 * bytes must verify as made by this repository's release workflow (a release made outside the
 * workflow has none: that is logged). Nothing the release says about itself is taken on its word.
 * `previous` keeps the publication date of entries already recorded with the same bytes.
 */
export async function releasedArtifacts(
  client: GitHubClient,
  tag: string,
  previous: ArtifactManifest,
  trustedKeys: string[],
  logger: Logger,
): Promise<PublishedArtifact[]> {
  const release = await client.getReleaseByTag(tag);
  if (!release) {
    throw new CpythonPrebuiltError('RELEASE_MISSING', `the GitHub release ${tag} does not exist`, {
      fix: 'run the release workflow (or make release-cpython) for this version and build first, or pass the build number it used',
    });
  }
  const assets = await client.listAssets(release.id);
  const byName = new Map(assets.map((asset) => [asset.name, asset]));
  const sumsAsset = byName.get(SUMS);
  if (!sumsAsset) {
    throw new CpythonPrebuiltError('ARTIFACT_INVALID', `release ${tag} has no ${SUMS}`, {
      fix: 'the release was cut short: run make release-cpython again for its artifacts (it adds what is missing)',
    });
  }
  const sums = new Map(
    parseSha256Text((await client.downloadAsset(sumsAsset.id)).toString('utf8'), `${tag}/${SUMS}`).map((entry) => [
      entry.fileName,
      entry.digest,
    ]),
  );
  const entries: PublishedArtifact[] = [];
  for (const asset of assets.filter((candidate) => candidate.name.endsWith('.tgz'))) {
    parseArtifactFileName(asset.name);
    const metadataAsset = byName.get(metadataFileName(asset.name));
    if (!metadataAsset) {
      throw new CpythonPrebuiltError('ARTIFACT_INVALID', `release ${tag} has ${asset.name} without its metadata`, {
        fix: 'run make release-cpython again for this artifact: it uploads the missing files',
      });
    }
    const metadata = ArtifactMetadata.parse(JSON.parse((await client.downloadAsset(metadataAsset.id)).toString('utf8')));
    const listed = sums.get(asset.name);
    if (metadata.artifact !== asset.name || listed !== metadata.sha256 || asset.size !== metadata.sizes.compressedBytes) {
      throw new CpythonPrebuiltError(
        'ARTIFACT_INVALID',
        `release ${tag}: ${asset.name} does not agree with its metadata (sha256 ${metadata.sha256}, ${metadata.sizes.compressedBytes} bytes), ${SUMS} (${listed ?? 'not listed'}) and its size (${asset.size} bytes)`,
        { fix: 'do not record it: inspect the release, delete the wrong asset and release the artifact again' },
      );
    }
    const bytes = await client.downloadAsset(asset.id);
    const actual = sha256Buffer(bytes);
    if (actual !== metadata.sha256) {
      throw new CpythonPrebuiltError(
        'CHECKSUM_MISMATCH',
        `release ${tag}: ${asset.name} downloads with sha256 ${actual}, its metadata and ${SUMS} say ${metadata.sha256}`,
        { fix: 'do not record it: the asset was replaced or corrupted; delete it and release the artifact again' },
      );
    }
    const signatureAsset = byName.get(`${asset.name}.asc`);
    if (!signatureAsset) {
      throw new CpythonPrebuiltError('SIGNATURE_MISSING', `release ${tag}: ${asset.name} has no ${asset.name}.asc`, {
        fix: 'release it again with the team key (make release-cpython with CPYTHON_PREBUILT_SIGNING_KEY): features refuse unsigned artifacts',
      });
    }
    await verifyDetached(
      bytes,
      (await client.downloadAsset(signatureAsset.id)).toString('utf8'),
      trustedKeys,
      `${tag}/${asset.name}`,
    );
    // The signed statement binds this name to these bytes: install.sh relies on it (rollback).
    const statement = statementName(asset.name);
    const statementAsset = byName.get(statement);
    const statementSignature = byName.get(`${statement}.asc`);
    if (!statementAsset || !statementSignature) {
      throw new CpythonPrebuiltError(
        'SIGNATURE_MISSING',
        `release ${tag}: ${asset.name} has no signed statement (${statement} and its .asc)`,
        {
          fix: 'release it again with the team key (make release-cpython): it adds the statement beside the artifact',
        },
      );
    }
    const statementBytes = await client.downloadAsset(statementAsset.id);
    await verifyDetached(
      statementBytes,
      (await client.downloadAsset(statementSignature.id)).toString('utf8'),
      trustedKeys,
      `${tag}/${statement}`,
    );
    const stated = { name: asset.name, sha256: metadata.sha256, version: metadata.version, build: metadata.build };
    if (!statementDescribes(statementBytes.toString('utf8'), stated)) {
      throw new CpythonPrebuiltError(
        'CHECKSUM_MISMATCH',
        `release ${tag}: ${statement} does not describe ${asset.name} (sha256 ${metadata.sha256}, ${metadata.version} build ${metadata.build})`,
        { fix: 'do not record it: delete the statement and its .asc from the release and release the artifact again' },
      );
    }
    // Provenance from GitHub's attestation store (not from the release): each one must be ours.
    const attestations = await client.listAttestations(metadata.sha256);
    if (attestations.length === 0) {
      logger.info(
        `${tag}/${asset.name}: no provenance attestation on GitHub (a release made outside ${RELEASE_WORKFLOW_FILE} has none)`,
      );
    }
    for (const attestation of attestations) {
      const verified = await verifyProvenanceAttestation({
        ...attestation,
        artifact: { name: asset.name, sha256: metadata.sha256 },
        workflow: { repository: client.repository, file: RELEASE_WORKFLOW_FILE },
      });
      logger.info(
        `${tag}/${asset.name}: provenance attested by ${verified.workflowRef}, transparency log entry ${verified.logIndex}`,
      );
    }
    const known = previous.artifacts.find((entry) => entry.file === asset.name && entry.sha256 === metadata.sha256);
    entries.push({
      version: metadata.version,
      build: metadata.build,
      base: metadata.base,
      arch: metadata.arch,
      glibcMinimum: metadata.glibcMinimum,
      file: asset.name,
      sha256: metadata.sha256,
      url: asset.browser_download_url,
      sizeBytes: asset.size,
      location: `GitHub Release ${tag}`,
      publishedAt: known?.publishedAt ?? new Date().toISOString().slice(0, 10),
    });
  }
  return entries;
}

export interface FeatureReleaseInput {
  client: GitHubClient;
  /** Releases to record, e.g. cpython-3.13.5-build1. */
  tags: string[];
  /** The artifact manifest (ARTIFACTS.md is written beside it). */
  manifestPath: string;
  /** features/feature-version.json */
  featureVersionPath: string;
  /** The collection's src/ folder; the feature is written to <srcDir>/installer. */
  srcDir: string;
  /** How far to move the feature's version when its manifest changed. */
  level: BumpLevel;
  logger: Logger;
  /**
   * The armored public keys artifacts must be signed by, and the only keys the regenerated feature
   * trusts. Default: the committed keys (infrastructure/keys); never the environment's extra keys.
   */
  trustedKeys?: string[];
}

export interface FeatureReleaseResult {
  recorded: PublishedArtifact[];
  /** The feature version before and after; equal when the manifest did not change. */
  version: { from: string; to: string };
  featureDir: string;
  coverage: FeatureCoverage[];
}

/**
 * The release workflow's last job, up to the commit: records every artifact of the given releases
 * in the manifest (and ARTIFACTS.md), bumps the feature's version when that changed what the
 * feature embeds, and regenerates the feature (the same files `pnpm generate` writes). Refuses,
 * before anything is committed, a result that has no default artifact on a claimed architecture.
 */
export async function releaseFeature(input: FeatureReleaseInput): Promise<FeatureReleaseResult> {
  const { logger } = input;
  const before = await readManifest(input.manifestPath);
  let manifest = before;
  const recorded: PublishedArtifact[] = [];
  const trustedKeys = input.trustedKeys ?? (await readArmoredKeys(layout.keysDir));
  for (const tag of input.tags) {
    const entries = await releasedArtifacts(input.client, tag, before, trustedKeys, logger);
    if (entries.length === 0) {
      throw new CpythonPrebuiltError('RELEASE_MISSING', `the GitHub release ${tag} holds no artifact`, {
        fix: 'the build jobs did not upload: rerun them, then this job',
      });
    }
    for (const entry of entries) manifest = withArtifact(manifest, entry);
    recorded.push(...entries);
    logger.info(`${tag}: ${entries.map((entry) => entry.file).join(', ')}`);
  }
  const changed = JSON.stringify(manifest.artifacts) !== JSON.stringify(before.artifacts);
  await writeManifest(input.manifestPath, manifest);
  const current = await readFeatureVersion(input.featureVersionPath);
  const version = changed ? await bumpFeatureVersion(input.featureVersionPath, input.level) : { from: current, to: current };
  logger.info(
    changed
      ? `manifest ${input.manifestPath} changed: feature version ${version.from} -> ${version.to}`
      : `manifest ${input.manifestPath} already records these artifacts: feature version stays ${current}`,
  );
  // The keys the feature checks signatures with: exactly the trusted ones (adding a key is a reviewed commit).
  const keyring = await binaryKeyring(trustedKeys);
  const feature = renderFeature({ manifest, featureReference: DEFAULT_FEATURE_REFERENCE, version: version.to, keyring });
  const featureDir = await writeFeatureFiles(join(input.srcDir, FEATURE_ID), feature.files, feature.keyring);
  // The README's table of what is published reads the repository's manifest: kept fresh with it.
  if (resolve(input.manifestPath) === layout.manifest) await writeQuotingFiles({ manifestPath: layout.manifest });
  const coverage = await requireDefaultArtifacts(input.srcDir);
  return { recorded, version, featureDir, coverage };
}

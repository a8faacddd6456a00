import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  CpythonPrebuiltError,
  type LoadedArtifact,
  type Logger,
  loadArtifact,
  manifestEntryFor,
  type PublishedArtifact,
  type Signer,
} from '@cpython-prebuilt/core';
import { GitHubApiError, type GitHubAsset, type GitHubClient, type GitHubRelease } from './github.ts';
import { readManifest, withArtifact, writeManifest } from './manifest.ts';
import { releaseNotes, releaseTag, releaseTitle } from './notes.ts';
import { artifactSignature, publishSumsSignature, signatureName } from './signing.ts';

export interface ReleaseInput {
  artifactPath: string;
  client: GitHubClient;
  manifestPath: string;
  artifactsMdPath: string;
  logger: Logger;
  dryRun: boolean;
  /** Signs the artifact and SHA256SUMS (detached .asc assets); unsigned when omitted. */
  signer?: Signer;
}

export interface ReleaseResult {
  tag: string;
  url: string;
  uploaded: string[];
  verified: string[];
  entry: PublishedArtifact;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const SUMS = 'SHA256SUMS';

/** Placeholder for --dry-run, where no release comes back from the API. */
const DRY_RUN_RELEASE: GitHubRelease = {
  id: 0,
  tag_name: '<tag>',
  name: null,
  prerelease: true,
  html_url: '<html_url of the new release>',
  upload_url: 'https://uploads.github.com/repos/<owner>/<repo>/releases/<id>/assets{?name,label}',
  assets: [],
};

async function findOrCreateRelease(input: ReleaseInput, artifact: LoadedArtifact, tag: string): Promise<GitHubRelease> {
  const existing = await input.client.getReleaseByTag(tag);
  if (existing) {
    input.logger.info(`release ${tag} exists: ${existing.html_url}`);
    return existing;
  }
  const { version, build } = artifact.metadata;
  const downloadUrl = `<release>/${artifact.name}`;
  try {
    const created = await input.client.createRelease({
      tag,
      name: releaseTitle(version, build),
      body: releaseNotes(artifact, downloadUrl),
      // The first build of a version is a pre-release until a pilot has used it.
      prerelease: build === 1,
    });
    if (created) input.logger.info(`created release ${tag}${created.prerelease ? ' (pre-release)' : ''}: ${created.html_url}`);
    return created ?? DRY_RUN_RELEASE;
  } catch (error) {
    // Another run created it between our GET and POST.
    if (error instanceof GitHubApiError && error.isAlreadyExists()) {
      const raced = await input.client.getReleaseByTag(tag);
      if (raced) return raced;
    }
    throw error;
  }
}

/**
 * Publishes an artifact to the GitHub release `cpython-<version>-build<N>`: uploads what is
 * missing, never replaces a different asset, keeps SHA256SUMS covering every asset, then
 * downloads every asset back and compares digests before recording it in the manifest.
 */
export async function releaseArtifact(input: ReleaseInput): Promise<ReleaseResult> {
  const artifact = await loadArtifact(input.artifactPath);
  const tag = releaseTag(artifact.metadata.version, artifact.metadata.build);
  const release = await findOrCreateRelease(input, artifact, tag);
  const present = input.dryRun ? [] : await input.client.listAssets(release.id);
  const byName = new Map(present.map((asset) => [asset.name, asset]));

  const ours = new Map<string, Buffer>();
  for (const path of [artifact.path, artifact.sha256Path, artifact.metadataPath]) ours.set(basename(path), await readFile(path));
  if (input.signer) ours.set(...(await artifactSignature(input.signer, artifact, input.logger)));

  // Digests of every asset the release will hold, known or downloaded.
  const expected = new Map<string, string>();
  const uploaded: string[] = [];
  for (const [name, bytes] of ours) {
    expected.set(name, sha256(bytes));
    const asset = byName.get(name);
    if (asset) {
      const remote = sha256(await input.client.downloadAsset(asset.id));
      if (remote !== expected.get(name)) {
        throw new CpythonPrebuiltError(
          'ARTIFACT_INVALID',
          `release ${tag} already has a different ${name} (sha256 ${remote}); refusing to replace it`,
          {
            fix: 'published bytes never change: rebuild with the next BUILD number and release that',
          },
        );
      }
      input.logger.info(`${name} is already published with the same sha256`);
      continue;
    }
    input.logger.info(`uploading ${name} (${(bytes.length / 1024 ** 2).toFixed(1)} MiB)`);
    const created = await input.client.uploadAsset(release, name, bytes);
    if (created) byName.set(name, created);
    uploaded.push(name);
  }
  for (const asset of present) {
    if (asset.name === SUMS || asset.name === signatureName(SUMS) || expected.has(asset.name)) continue;
    expected.set(asset.name, sha256(await input.client.downloadAsset(asset.id)));
  }

  // SHA256SUMS is derived from the other assets: the one asset replaced when another base joins.
  const sums = Buffer.from(
    [...expected.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, digest]) => `${digest}  ${name}\n`)
      .join(''),
  );
  const currentSums = byName.get(SUMS);
  const currentSumsBytes = currentSums ? await input.client.downloadAsset(currentSums.id) : undefined;
  if (!currentSumsBytes?.equals(sums)) {
    if (currentSums) await input.client.deleteAsset(currentSums.id);
    const created = await input.client.uploadAsset(release, SUMS, sums);
    if (created) byName.set(SUMS, created);
    uploaded.push(SUMS);
  }
  expected.set(SUMS, sha256(sums));
  if (input.signer) {
    const sumsReplaced = uploaded.includes(SUMS);
    const signed = await publishSumsSignature({
      ...input,
      signer: input.signer,
      release,
      byName,
      sumsName: SUMS,
      sums,
      sumsReplaced,
    });
    expected.set(signed.name, sha256(signed.bytes));
    if (signed.uploaded) uploaded.push(signed.name);
  }

  // Read everything back: what users download must be what we built.
  const verified: string[] = [];
  if (!input.dryRun) {
    for (const [name, digest] of expected) {
      const asset = byName.get(name) as GitHubAsset;
      const actual = sha256(await input.client.downloadAsset(asset.id));
      if (actual !== digest) {
        throw new CpythonPrebuiltError(
          'ARTIFACT_INVALID',
          `downloaded ${name} from release ${tag} has sha256 ${actual}, expected ${digest}`,
          {
            fix: 'the upload was corrupted: delete the asset in the GitHub UI and run release again; the manifest was not changed',
          },
        );
      }
      verified.push(name);
    }
  }
  const artifactAsset = byName.get(artifact.name);
  const entry = manifestEntryFor(artifact, {
    url: artifactAsset?.browser_download_url ?? `<browser_download_url of ${artifact.name}>`,
    location: `GitHub Release ${tag}`,
  });
  if (!input.dryRun) {
    await writeManifest(input.manifestPath, input.artifactsMdPath, withArtifact(await readManifest(input.manifestPath), entry));
    input.logger.info(`recorded in ${input.manifestPath} and ${input.artifactsMdPath}`);
  }
  return { tag, url: release.html_url, uploaded, verified, entry };
}

import { createHash, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CpythonPrebuiltError,
  type LoadedArtifact,
  type Logger,
  loadArtifact,
  manifestEntryFor,
  type PublishedArtifact,
  type Signer,
  verifyDetached,
} from '@cpython-prebuilt/core';
import { GitHubApiError, type GitHubAsset, type GitHubClient, type GitHubRelease } from './github.ts';
import { readManifest, withArtifact, writeManifest } from './manifest.ts';
import { releaseNotes, releaseTag, releaseTitle } from './notes.ts';
import { signatureName, signedArtifactFiles } from './signing.ts';

export interface ReleaseInput {
  artifactPath: string;
  /** The same artifact already loaded (and hashed) by the caller: used instead of loading it again. */
  loaded?: LoadedArtifact;
  client: GitHubClient;
  /** The manifest to record the release in; ARTIFACTS.md is written beside it. */
  manifestPath: string;
  logger: Logger;
  dryRun: boolean;
  /** How long another run may hold the SHA256SUMS lock before it counts as crashed. Default 10 min. */
  sumsLockStaleMs?: number;
  /** Attempts to take the SHA256SUMS lock; default 60 (about 5 minutes with backoff). */
  sumsLockAttempts?: number;
  /** More files released beside the artifact, e.g. wheelhouses built with it (.tgz, .sha256, .json, lock). */
  extraPaths?: string[];
  /** Signs the artifact and SHA256SUMS (detached .asc assets); unsigned when omitted. */
  signer?: Signer;
}

export interface ReleaseResult {
  tag: string;
  url: string;
  uploaded: string[];
  verified: string[];
  entry: PublishedArtifact;
  /** With dryRun: the requests that would have been sent, one per line, for the caller to print. */
  plan: string[];
}

/** A release step failed in a way a re-run will not fix by itself. */
export class ReleaseError extends CpythonPrebuiltError {
  constructor(message: string, fix: string, cause?: unknown) {
    super('ARTIFACT_INVALID', message, { fix, cause });
    this.name = 'ReleaseError';
  }
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const SUMS = 'SHA256SUMS';
/** Held (as an asset: GitHub refuses a second asset of one name) while SHA256SUMS is rewritten. */
const SUMS_LOCK = 'SHA256SUMS.lock';
const isComplete = (asset: GitHubAsset) => asset.state === undefined || asset.state === 'uploaded';

/** The asset's bytes, or undefined when it was deleted since it was listed (another run replaced it). */
async function downloadIfPresent(client: GitHubClient, asset: GitHubAsset): Promise<Buffer | undefined> {
  try {
    return await client.downloadAsset(asset.id);
  } catch (error) {
    if (error instanceof GitHubApiError && error.status === 404) return undefined;
    throw error;
  }
}

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
    // Another run created it between our GET and POST, or our POST was retried after a 5xx
    // whose first attempt did create it.
    if (error instanceof GitHubApiError && error.isAlreadyExists()) {
      const raced = await input.client.getReleaseByTag(tag);
      if (raced) return raced;
    }
    throw error;
  }
}

/**
 * Uploads `name` so that the release ends up with a complete asset holding exactly `bytes`.
 * A half-finished asset of that name (state "starter"/"new": an upload whose connection died,
 * here or in an earlier run) is deleted and uploaded again, as GitHub's API allows; a complete
 * asset with the same bytes counts as done (a retried upload whose first attempt arrived).
 * Returns the asset and whether this call uploaded it.
 */
async function ensureAsset(
  input: ReleaseInput,
  release: GitHubRelease,
  name: string,
  bytes: Buffer,
  tag: string,
): Promise<{ asset: GitHubAsset | undefined; uploaded: boolean }> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    const present = input.dryRun ? undefined : (await input.client.listAssets(release.id)).find((asset) => asset.name === name);
    if (present && isComplete(present)) {
      const remote = sha256(await input.client.downloadAsset(present.id));
      if (remote !== sha256(bytes)) {
        throw new ReleaseError(
          `release ${tag} already has a different ${name} (sha256 ${remote}); refusing to replace it`,
          'published bytes never change: rebuild with the next BUILD number and release that',
        );
      }
      input.logger.info(`${name} is already published with the same sha256`);
      return { asset: present, uploaded: false };
    }
    if (present) {
      input.logger.warn(`${name} is a half-finished upload (state "${present.state}"): deleting it and uploading again`);
      await input.client.deleteAsset(present.id);
    }
    input.logger.info(`uploading ${name} (${(bytes.length / 1024 ** 2).toFixed(1)} MiB)`);
    try {
      return { asset: await input.client.uploadAsset(release, name, bytes), uploaded: true };
    } catch (error) {
      // The name was taken meanwhile: a retried upload whose first attempt got through (complete
      // or half-finished), or another run. Look again.
      if (!(error instanceof GitHubApiError && error.isAlreadyExists())) throw error;
    }
  }
  throw new ReleaseError(
    `could not upload ${name} to release ${tag}: the name stayed taken by an unfinished upload`,
    'another release run may be uploading the same file: wait for it, then run release again',
  );
}

const parseSums = (text: string) =>
  new Map(
    text
      .split('\n')
      .map((line) => /^([0-9a-f]{64}) [ *](.+)$/.exec(line))
      .filter((match) => match !== null)
      .map((match) => [match[2] as string, match[1] as string]),
  );
const renderSums = (digests: Map<string, string>) =>
  Buffer.from(
    [...digests.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, digest]) => `${digest}  ${name}\n`)
      .join(''),
  );

/** Whether `signature` is a valid detached signature of `sums` by the signer's key. */
async function sumsSignatureVerifies(
  input: ReleaseInput,
  sums: Buffer | undefined,
  signature: Buffer | undefined,
): Promise<boolean> {
  if (!input.signer || !sums || !signature) return false;
  return verifyDetached(sums, signature.toString('utf8'), [input.signer.publicArmored], SUMS).then(
    () => true,
    () => false,
  );
}

/**
 * Rewrites SHA256SUMS so it covers every complete asset of the release, safely when several runs
 * release different bases to one tag at once.
 *
 * Why this is safe: GitHub has no compare-and-swap for asset contents, and SHA256SUMS can only be
 * replaced by delete + upload, so two unguarded writers can each build the file from a view that
 * misses the other's assets and the later one drops the earlier one's lines. But creating an asset
 * IS atomic: a second upload of a name that exists (even half-finished) is refused with 422
 * already_exists. So the rewrite happens only while holding the asset SHA256SUMS.lock, created by
 * that upload and deleted afterwards: one writer at a time. The holder lists the assets after it
 * took the lock and writes a line for every complete asset (known digests, others downloaded).
 * Assets are never removed (only half-finished ones, which have no line), so a later holder's
 * listing includes every asset of every earlier holder: no writer can drop another's lines (this
 * relies on GitHub's read-after-write for a completed upload, which the read-back below checks for
 * this run's own assets).
 * A run that dies holding the lock leaves it behind; it is broken (deleted by the id seen, so two
 * breakers cannot delete a fresh lock) once older than `sumsLockStaleMs`, far longer than a
 * rewrite takes. Finally the published file is read back and must contain this run's lines.
 */
async function updateSums(
  input: ReleaseInput,
  release: GitHubRelease,
  tag: string,
  known: Map<string, string>,
): Promise<{ uploaded: boolean; signed: boolean; digests: Map<string, string> }> {
  if (input.dryRun) {
    await input.client.uploadAsset(release, SUMS_LOCK, Buffer.from('lock'));
    await input.client.uploadAsset(release, SUMS, renderSums(known));
    if (input.signer) await input.client.uploadAsset(release, signatureName(SUMS), Buffer.from('<signature>'));
    return { uploaded: true, signed: input.signer !== undefined, digests: known };
  }
  // Digests by asset id: an asset's bytes never change, so each is downloaded at most once.
  const cache = new Map<number, string>();
  const digestOf = async (asset: GitHubAsset) => {
    const digest = known.get(asset.name) ?? cache.get(asset.id) ?? sha256(await input.client.downloadAsset(asset.id));
    cache.set(asset.id, digest);
    return digest;
  };
  const plan = async () => {
    const assets = await input.client.listAssets(release.id);
    const digests = new Map<string, string>();
    for (const asset of assets) {
      // SHA256SUMS.asc is derived from SHA256SUMS, as SHA256SUMS is from the rest: no line of its own.
      if (asset.name === SUMS || asset.name === SUMS_LOCK || asset.name === signatureName(SUMS) || !isComplete(asset)) continue;
      digests.set(asset.name, await digestOf(asset));
    }
    const current = assets.find((asset) => asset.name === SUMS);
    const currentBytes = current && isComplete(current) ? await downloadIfPresent(input.client, current) : undefined;
    const upToDate = currentBytes?.equals(renderSums(digests)) ?? false;
    // With a signer, SHA256SUMS.asc must be a valid signature by its key of the SHA256SUMS published.
    const signature = assets.find((asset) => asset.name === signatureName(SUMS));
    const signatureValid =
      !input.signer ||
      (upToDate &&
        signature !== undefined &&
        isComplete(signature) &&
        (await sumsSignatureVerifies(input, currentBytes, await downloadIfPresent(input.client, signature))));
    return { digests, sums: renderSums(digests), current, signature, upToDate, signatureValid };
  };
  // Reading needs no lock: a file that already covers every asset is left alone (no request that writes).
  const before = await plan();
  if (before.upToDate && before.signatureValid) return { uploaded: false, signed: false, digests: before.digests };

  const staleMs = input.sumsLockStaleMs ?? 10 * 60_000;
  const attempts = input.sumsLockAttempts ?? 60;
  // Says who holds it; unique, so a retried upload whose first attempt got through knows the lock is its own.
  const lockBytes = Buffer.from(`${hostname()} pid ${process.pid} ${new Date().toISOString()} ${randomUUID()}\n`);
  let lock: GitHubAsset | undefined;
  for (let attempt = 1; !lock; attempt++) {
    try {
      lock = await input.client.uploadAsset(release, SUMS_LOCK, lockBytes);
    } catch (error) {
      if (!(error instanceof GitHubApiError && error.isAlreadyExists())) throw error;
      const held = (await input.client.listAssets(release.id)).find((asset) => asset.name === SUMS_LOCK);
      if (held && isComplete(held) && (await downloadIfPresent(input.client, held))?.equals(lockBytes)) {
        lock = held;
        break;
      }
      const age = held?.created_at ? Date.now() - Date.parse(held.created_at) : 0;
      // A lock is a few bytes: one still half-uploaded after 30 s was left by a dropped connection.
      if (held && age > (isComplete(held) ? staleMs : Math.min(staleMs, 30_000))) {
        input.logger.warn(`${SUMS_LOCK} is ${Math.round(age / 1000)} s old (a run that died): breaking it`);
        await input.client.deleteAsset(held.id);
        continue;
      }
      if (attempt >= attempts) {
        throw new ReleaseError(
          `release ${tag}: another run holds ${SUMS_LOCK}; SHA256SUMS was not updated (the other assets are published and verified)`,
          `wait for the other release run to finish and run release again; if no run is active, delete the ${SUMS_LOCK} asset of ${tag}`,
        );
      }
      if (attempt === 1) input.logger.info(`another run is updating ${SUMS}: waiting for it`);
      await sleep(Math.min(5000, 100 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random()));
    }
  }
  try {
    // Listed again under the lock: this view includes every earlier holder's assets.
    const { digests, sums, current, signature, upToDate, signatureValid } = await plan();
    if (upToDate && signatureValid) return { uploaded: false, signed: false, digests };
    if (!upToDate) {
      if (current) await input.client.deleteAsset(current.id);
      await input.client.uploadAsset(release, SUMS, sums);
    }
    // Signed again whenever SHA256SUMS changed (or its signature is missing or not the signer's).
    if (input.signer) {
      if (signature) await input.client.deleteAsset(signature.id);
      await input.client.uploadAsset(release, signatureName(SUMS), Buffer.from(await input.signer.sign(sums)));
      input.logger.info(`signed ${SUMS} with key ${input.signer.fingerprint}`);
    }
    return { uploaded: !upToDate, signed: input.signer !== undefined, digests };
  } finally {
    if (lock) await input.client.deleteAsset(lock.id);
  }
}

/**
 * Publishes an artifact to the GitHub release `cpython-<version>-build<N>`: uploads what is
 * missing (recovering half-finished uploads), never replaces a different asset, keeps SHA256SUMS
 * covering every asset, then downloads every asset back and compares digests before recording it
 * in the manifest (and ARTIFACTS.md beside it).
 */
export async function releaseArtifact(input: ReleaseInput): Promise<ReleaseResult> {
  const artifact = input.loaded ?? (await loadArtifact(input.artifactPath));
  const tag = releaseTag(artifact.metadata.version, artifact.metadata.build);
  const release = await findOrCreateRelease(input, artifact, tag);

  const ours = new Map<string, Buffer>();
  for (const path of [artifact.path, artifact.sha256Path, artifact.metadataPath, ...(input.extraPaths ?? [])])
    ours.set(basename(path), await readFile(path));
  // The artifact's signature and its signed statement (what install.sh checks against rollback).
  if (input.signer)
    for (const [name, bytes] of await signedArtifactFiles(input.signer, artifact, input.logger)) ours.set(name, bytes);

  const byName = new Map<string, GitHubAsset>();
  const expected = new Map<string, string>();
  const uploaded: string[] = [];
  for (const [name, bytes] of ours) {
    expected.set(name, sha256(bytes));
    const { asset, uploaded: sent } = await ensureAsset(input, release, name, bytes, tag);
    if (asset) byName.set(name, asset);
    if (sent) uploaded.push(name);
  }

  const sums = await updateSums(input, release, tag, expected);
  if (sums.uploaded) uploaded.push(SUMS);
  if (sums.signed) uploaded.push(signatureName(SUMS));

  // Read everything back: what users download must be what we built.
  const verified: string[] = [];
  if (!input.dryRun) {
    const assets = new Map((await input.client.listAssets(release.id)).map((asset) => [asset.name, asset]));
    for (const [name, digest] of sums.digests) {
      const asset = assets.get(name);
      const actual = asset ? sha256(await input.client.downloadAsset(asset.id)) : 'missing';
      if (actual !== digest) {
        throw new ReleaseError(
          `downloaded ${name} from release ${tag} has sha256 ${actual}, expected ${digest}`,
          'the upload was corrupted: delete the asset in the GitHub UI and run release again; the manifest was not changed',
        );
      }
      verified.push(name);
    }
    // SHA256SUMS may have grown since (another base released to this tag): it must hold our lines.
    // Another run may be replacing it right now: then list again (a few times).
    let published: Buffer | undefined;
    for (let attempt = 1; attempt <= 5 && !published; attempt++) {
      const sumsAsset = (await input.client.listAssets(release.id)).find((asset) => asset.name === SUMS && isComplete(asset));
      published = sumsAsset ? await downloadIfPresent(input.client, sumsAsset) : undefined;
      if (!published) await sleep(200 * attempt);
    }
    const lines = published ? parseSums(published.toString('utf8')) : new Map<string, string>();
    const missing = [...expected].filter(([name, digest]) => lines.get(name) !== digest).map(([name]) => name);
    if (missing.length > 0) {
      throw new ReleaseError(
        `the published ${SUMS} of release ${tag} lacks the lines of ${missing.join(', ')}`,
        'run release again: it rewrites SHA256SUMS from the assets; the manifest was not changed',
      );
    }
    verified.push(SUMS);
    if (input.signer) {
      // Another run may have signed it again since: any signature by the key over the published file will do.
      const asset = (await input.client.listAssets(release.id)).find((a) => a.name === signatureName(SUMS) && isComplete(a));
      const signature = asset ? await downloadIfPresent(input.client, asset) : undefined;
      if (!(await sumsSignatureVerifies(input, published, signature))) {
        throw new ReleaseError(
          `the published ${signatureName(SUMS)} of release ${tag} is missing or does not verify against its ${SUMS}`,
          'run release again: it signs SHA256SUMS again; the manifest was not changed',
        );
      }
      verified.push(signatureName(SUMS));
    }
  }
  const artifactAsset = byName.get(artifact.name);
  const entry = manifestEntryFor(artifact, {
    url: artifactAsset?.browser_download_url ?? `<browser_download_url of ${artifact.name}>`,
    location: `GitHub Release ${tag}`,
  });
  if (!input.dryRun) {
    await writeManifest(input.manifestPath, withArtifact(await readManifest(input.manifestPath), entry));
    input.logger.info(`recorded in ${input.manifestPath} and the ARTIFACTS.md beside it`);
  }
  return { tag, url: release.html_url, uploaded, verified, entry, plan: [...input.client.plan] };
}

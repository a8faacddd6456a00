import { readFile, writeFile } from 'node:fs/promises';
import { type LoadedArtifact, type Logger, type Signer, verifyDetached } from '@cpython-prebuilt/core';
import type { GitHubAsset, GitHubClient, GitHubRelease } from './github.ts';

/** The detached signature published beside every signed file: `<name>.asc`. */
export const signatureName = (name: string) => `${name}.asc`;

/**
 * The artifact's detached signature, kept beside it as `<artifact>.asc`: made once, then reused
 * while it verifies with the signer's key, so releasing again uploads the same bytes (OpenPGP
 * signatures differ at each signing) and `feature vendor` finds it.
 */
export async function artifactSignature(signer: Signer, artifact: LoadedArtifact, logger: Logger): Promise<[string, Buffer]> {
  const path = signatureName(artifact.path);
  const existing = await readFile(path).catch(() => undefined);
  if (existing) {
    const bytes = await readFile(artifact.path);
    const reusable = await verifyDetached(bytes, existing.toString(), [signer.publicArmored], artifact.name).then(
      () => true,
      () => false,
    );
    if (reusable) return [signatureName(artifact.name), existing];
    logger.info(`${path} was not made by key ${signer.fingerprint} for these bytes: signing again`);
  }
  const signature = Buffer.from(await signer.sign(await readFile(artifact.path)));
  await writeFile(path, signature);
  logger.info(`signed ${artifact.name} with key ${signer.fingerprint}: ${path}`);
  return [signatureName(artifact.name), signature];
}

/**
 * Publishes SHA256SUMS.asc for the SHA256SUMS the release now holds: signed again whenever the
 * sums were replaced (or the signature is missing), kept otherwise. Returns its name, its bytes
 * (for the read-back) and whether it was uploaded.
 */
export async function publishSumsSignature(input: {
  client: GitHubClient;
  release: GitHubRelease;
  byName: Map<string, GitHubAsset>;
  signer: Signer;
  sumsName: string;
  sums: Buffer;
  sumsReplaced: boolean;
}): Promise<{ name: string; bytes: Buffer; uploaded: boolean }> {
  const name = signatureName(input.sumsName);
  const current = input.byName.get(name);
  if (current && !input.sumsReplaced) return { name, bytes: await input.client.downloadAsset(current.id), uploaded: false };
  const signature = Buffer.from(await input.signer.sign(input.sums));
  if (current) await input.client.deleteAsset(current.id);
  const created = await input.client.uploadAsset(input.release, name, signature);
  if (created) input.byName.set(name, created);
  return { name, bytes: signature, uploaded: true };
}

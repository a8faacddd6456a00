import { readFile, writeFile } from 'node:fs/promises';
import { type LoadedArtifact, type Logger, type Signer, verifyDetached } from '@cpython-prebuilt/core';

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

import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  artifactStatement,
  formatStatement,
  type LoadedArtifact,
  type Logger,
  type Signer,
  statedArtifact,
  statementDescribes,
  statementName,
  verifyDetached,
} from '@cpython-prebuilt/core';

/** The detached signature published beside every signed file: `<name>.asc`. */
export const signatureName = (name: string) => `${name}.asc`;

/**
 * The detached signature of the file at `path`, kept beside it as `<path>.asc`: made once, then
 * reused while it verifies with the signer's key, so releasing again uploads the same bytes
 * (OpenPGP signatures differ at each signing).
 */
async function keptSignature(signer: Signer, path: string, name: string, logger: Logger): Promise<Buffer> {
  const existing = await readFile(signatureName(path)).catch(() => undefined);
  const bytes = await readFile(path);
  if (existing) {
    const reusable = await verifyDetached(bytes, existing.toString(), [signer.publicArmored], name).then(
      () => true,
      () => false,
    );
    if (reusable) return existing;
    logger.info(`${signatureName(path)} was not made by key ${signer.fingerprint} for these bytes: signing again`);
  }
  const signature = Buffer.from(await signer.sign(bytes));
  await writeFile(signatureName(path), signature);
  logger.info(`signed ${name} with key ${signer.fingerprint}: ${signatureName(path)}`);
  return signature;
}

/** The detached signature of another published file (a wheelhouse), kept beside it as `<path>.asc` (see keptSignature); its path. */
export async function fileSignature(signer: Signer, path: string, logger: Logger): Promise<string> {
  await keptSignature(signer, path, basename(path), logger);
  return signatureName(path);
}

/** The artifact's detached signature, `<artifact>.asc` beside it (see keptSignature); `feature vendor` finds it there. */
export async function artifactSignature(signer: Signer, artifact: LoadedArtifact, logger: Logger): Promise<[string, Buffer]> {
  return [signatureName(artifact.name), await keptSignature(signer, artifact.path, artifact.name, logger)];
}

/**
 * The artifact's signature and its signed release statement (`<artifact>.statement.json` and its
 * `.asc`), each kept beside the artifact: what a release publishes with it. A statement is kept
 * while it describes these very bytes (name, sha256, version, build); else it is written anew,
 * dated today.
 */
export async function signedArtifactFiles(signer: Signer, artifact: LoadedArtifact, logger: Logger): Promise<[string, Buffer][]> {
  const path = statementName(artifact.path);
  const existing = await readFile(path, 'utf8').catch(() => undefined);
  if (existing === undefined || !statementDescribes(existing, statedArtifact(artifact))) {
    await writeFile(path, formatStatement(artifactStatement(artifact, new Date().toISOString().slice(0, 10))));
  }
  const name = statementName(artifact.name);
  return [
    await artifactSignature(signer, artifact, logger),
    [name, await readFile(path)],
    [signatureName(name), await keptSignature(signer, path, name, logger)],
  ];
}

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CpythonPrebuiltError, createKeyPair, pathExists } from '@cpython-prebuilt/core';

export interface CreateTeamKeyInput {
  name: string;
  email: string;
  /** Days until the key expires (0: never). Rotation (docs/signing.md) starts well before. */
  expiresInDays: number;
  /** Where the private key and its revocation certificate go: never inside the repository. */
  privateDir: string;
  /** Where the public key goes: infrastructure/keys, so `pnpm generate` embeds it. */
  publicDir: string;
  /** Protects the private key when set (from the environment, never a flag). */
  passphrase?: string;
}

export interface CreatedTeamKey {
  fingerprint: string;
  privateKeyPath: string;
  revocationPath: string;
  publicKeyPath: string;
}

/**
 * A team signing key pair: the private key and revocation certificate written (mode 0600) to a
 * folder outside the repository, the public key to the trusted keys. Never overwrites a file.
 */
export async function createTeamKey(input: CreateTeamKeyInput): Promise<CreatedTeamKey> {
  const pair = await createKeyPair({
    name: input.name,
    email: input.email,
    expiresInSeconds: input.expiresInDays * 86400,
    ...(input.passphrase ? { passphrase: input.passphrase } : {}),
  });
  const id = pair.fingerprint.slice(-16);
  const privateKeyPath = join(input.privateDir, `signing-key-${id}.private.asc`);
  const revocationPath = join(input.privateDir, `signing-key-${id}.revocation.asc`);
  const publicKeyPath = join(input.publicDir, `team-${id}.asc`);
  for (const path of [privateKeyPath, revocationPath, publicKeyPath]) {
    if (await pathExists(path)) {
      throw new CpythonPrebuiltError('INVALID_INPUT', `${path} already exists`, {
        fix: 'move it away first; keys are never overwritten',
      });
    }
  }
  await mkdir(input.privateDir, { recursive: true, mode: 0o700 });
  await mkdir(input.publicDir, { recursive: true });
  await writeFile(privateKeyPath, pair.privateArmored, { mode: 0o600, flag: 'wx' });
  await writeFile(revocationPath, pair.revocationArmored, { mode: 0o600, flag: 'wx' });
  await writeFile(publicKeyPath, pair.publicArmored, { flag: 'wx' });
  return { fingerprint: pair.fingerprint, privateKeyPath, revocationPath, publicKeyPath };
}

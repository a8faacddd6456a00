import { mkdir, realpath, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { CpythonPrebuiltError, createKeyPair, layout, pathExists, SIGNING_PASSPHRASE_ENV } from '@cpython-prebuilt/core';

/**
 * The shortest life `keys create` gives a key (docs/signing.md, "Key lifecycle"): a published
 * feature version trusts the keys it embeds, and rotation takes several feature versions.
 */
export const MIN_KEY_DAYS = 365;

export interface CreateTeamKeyInput {
  name: string;
  email: string;
  /** Days until the key expires (0: never). Rotation (docs/signing.md) starts well before. */
  expiresInDays: number;
  /** Where the private key and its revocation certificate go: never inside the repository. */
  privateDir: string;
  /** Where the public key goes: infrastructure/keys, so `pnpm generate` embeds it. */
  publicDir: string;
  /** Protects the private key (from the environment, never a flag); required unless `unencrypted`. */
  passphrase?: string;
  /** Write the private key without a passphrase: an explicit choice, never the default. */
  unencrypted?: boolean;
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
  if (input.expiresInDays !== 0 && input.expiresInDays < MIN_KEY_DAYS) {
    throw new CpythonPrebuiltError('INVALID_INPUT', `a key that expires in ${input.expiresInDays} days is too short-lived`, {
      fix: `give --expires-days ${MIN_KEY_DAYS} or more (the default is 730): rotating a key takes several feature versions (docs/signing.md)`,
    });
  }
  if (!input.passphrase && !input.unencrypted) {
    throw new CpythonPrebuiltError('INVALID_INPUT', 'no passphrase for the private key', {
      fix: `export ${SIGNING_PASSPHRASE_ENV}=<passphrase> (read from the environment, never a flag), or pass --unencrypted to write it in the clear on purpose`,
    });
  }
  if (await insideRepository(input.privateDir)) {
    throw new CpythonPrebuiltError('INVALID_INPUT', `${input.privateDir} is inside the repository (${layout.root})`, {
      fix: 'give --private-dir a folder outside the repository, e.g. ~/cpython-prebuilt-keys: a private key must never be one `git add` away from a commit',
    });
  }
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

/** Whether `dir` (or the nearest folder of it that exists, symlinks followed) lies inside the repository. */
async function insideRepository(dir: string): Promise<boolean> {
  let existing = resolve(dir);
  while (!(await pathExists(existing)) && dirname(existing) !== existing) existing = dirname(existing);
  const [real, root] = await Promise.all([realpath(existing), realpath(layout.root)]);
  const path = relative(root, real);
  return path === '' || (!path.startsWith('..') && !path.startsWith('/'));
}

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { CpythonPrebuiltError } from './errors.ts';

/**
 * OpenPGP through OpenPGP.js: team key pairs, detached signatures, binary keyrings for gpgv.
 * Keys are version 4 (ed25519 "legacy" EdDSA): the gpgv of Debian 11 and 12 (GnuPG 2.2) reads
 * those, not the version 6 keys of RFC 9580.
 */

/** Environment variables that name the signing key: a path to an armored private key, and its passphrase. */
export const SIGNING_KEY_ENV = 'CPYTHON_PREBUILT_SIGNING_KEY';
export const SIGNING_PASSPHRASE_ENV = 'CPYTHON_PREBUILT_SIGNING_PASSPHRASE';

export interface KeyPair {
  privateArmored: string;
  publicArmored: string;
  /** Uppercase hex, 40 characters, as gpgv prints it. */
  fingerprint: string;
  /** Publish (or import into the keyring) to revoke the key. */
  revocationArmored: string;
}

export interface KeyPairInput {
  name: string;
  email: string;
  /** Seconds from creation until the key expires; 0 never. */
  expiresInSeconds?: number;
  passphrase?: string;
  /** Creation time (tests make already-expired keys with a date in the past). */
  date?: Date;
}

export async function createKeyPair(input: KeyPairInput): Promise<KeyPair> {
  const { privateKey, publicKey, revocationCertificate } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'ed25519Legacy',
    userIDs: [{ name: input.name, email: input.email }],
    keyExpirationTime: input.expiresInSeconds ?? 0,
    format: 'armored',
    ...(input.passphrase ? { passphrase: input.passphrase } : {}),
    ...(input.date ? { date: input.date } : {}),
  });
  const key = await openpgp.readKey({ armoredKey: publicKey });
  return {
    privateArmored: privateKey,
    publicArmored: publicKey,
    fingerprint: key.getFingerprint().toUpperCase(),
    revocationArmored: revocationCertificate,
  };
}

/** The public key with its revocation certificate applied: what to publish once a key is retired. */
export async function revokedPublicKey(publicArmored: string, revocationArmored: string): Promise<string> {
  const { publicKey } = await openpgp.revokeKey({
    key: await openpgp.readKey({ armoredKey: publicArmored }),
    revocationCertificate: revocationArmored,
    format: 'armored',
  });
  return publicKey;
}

/** Makes detached, armored signatures; holds the unlocked key in memory only. */
export interface Signer {
  fingerprint: string;
  publicArmored: string;
  sign(data: Uint8Array): Promise<string>;
}

export async function signerFromArmored(privateArmored: string, passphrase?: string, date?: Date): Promise<Signer> {
  let key: openpgp.PrivateKey;
  try {
    key = await openpgp.readPrivateKey({ armoredKey: privateArmored });
    if (!key.isDecrypted()) {
      if (!passphrase) throw new Error(`the key is protected by a passphrase and ${SIGNING_PASSPHRASE_ENV} is not set`);
      key = await openpgp.decryptKey({ privateKey: key, passphrase });
    }
  } catch (error) {
    throw new CpythonPrebuiltError('SIGNING_KEY_INVALID', `cannot use the signing key: ${(error as Error).message}`, {
      fix: `point ${SIGNING_KEY_ENV} at the armored private key made by \`cpython-prebuilt keys create\`, and set ${SIGNING_PASSPHRASE_ENV} when it has a passphrase`,
      cause: error,
    });
  }
  return {
    fingerprint: key.getFingerprint().toUpperCase(),
    publicArmored: key.toPublic().armor(),
    async sign(data) {
      const message = await openpgp.createMessage({ binary: data });
      return openpgp.sign({ message, signingKeys: key, detached: true, format: 'armored', ...(date ? { date } : {}) });
    },
  };
}

/**
 * The signer the environment names (never a flag: a key path or passphrase on a command line
 * ends up in shell history and process listings): SIGNING_KEY_ENV holds the path of an armored
 * private key, or the armored key itself (a CI secret, so the key never touches the runner's
 * disk). Undefined when the variable is unset.
 */
export async function signerFromEnvironment(env: NodeJS.ProcessEnv = process.env): Promise<Signer | undefined> {
  const path = env[SIGNING_KEY_ENV];
  if (!path) return undefined;
  if (path.trimStart().startsWith('-----BEGIN PGP PRIVATE KEY BLOCK-----')) {
    return signerFromArmored(path, env[SIGNING_PASSPHRASE_ENV] || undefined);
  }
  const armored = await readFile(path, 'utf8').catch((error: unknown) => {
    throw new CpythonPrebuiltError('SIGNING_KEY_INVALID', `cannot read the signing key ${SIGNING_KEY_ENV}=${path}`, {
      fix: `set ${SIGNING_KEY_ENV} to the path of an armored private key file, or to the armored key itself`,
      cause: error,
    });
  });
  return signerFromArmored(armored, env[SIGNING_PASSPHRASE_ENV] || undefined);
}

/** Every armored key (*.asc) directly in `dir`, sorted by file name; none when the folder is absent. */
export async function readArmoredKeys(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const keys: string[] = [];
  for (const name of names.filter((file) => file.endsWith('.asc')).sort()) keys.push(await readFile(join(dir, name), 'utf8'));
  return keys;
}

/**
 * A binary keyring (the `gpg --export` format gpgv reads with --keyring) of public keys.
 * Refuses private keys: a keyring is published inside the feature.
 */
export async function binaryKeyring(armoredKeys: string[]): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (const armored of armoredKeys) {
    for (const key of await openpgp.readKeys({ armoredKeys: armored })) {
      if (key.isPrivate()) {
        throw new CpythonPrebuiltError('SIGNING_KEY_INVALID', `key ${key.getFingerprint().toUpperCase()} is a private key`, {
          fix: 'trust public keys only: export the public part (cpython-prebuilt keys create writes it separately)',
        });
      }
      parts.push(key.write());
    }
  }
  return Buffer.concat(parts);
}

/** The fingerprints of the keys in armored key blocks (uppercase hex). */
export async function fingerprintsOf(armoredKeys: string[]): Promise<string[]> {
  const fingerprints: string[] = [];
  for (const armored of armoredKeys) {
    for (const key of await openpgp.readKeys({ armoredKeys: armored })) fingerprints.push(key.getFingerprint().toUpperCase());
  }
  return fingerprints;
}

/**
 * Refuses a signer whose key is not one of `trustedKeys` (armored public keys, from `where`):
 * a release signed by any other key would be refused by every feature, or, worse, would teach a
 * release manager to add the key. Checked before anything is uploaded.
 */
export async function requireTrustedSigner(signer: Signer, trustedKeys: string[], where: string): Promise<void> {
  const trusted = await fingerprintsOf(trustedKeys);
  if (!trusted.includes(signer.fingerprint)) {
    throw new CpythonPrebuiltError(
      'SIGNING_KEY_INVALID',
      `the signing key ${signer.fingerprint} is not one of the ${trusted.length} trusted keys in ${where}`,
      {
        fix: `sign with the team key whose public part is committed in ${where} (${SIGNING_KEY_ENV}); a new key is trusted only through a reviewed commit of its public key (docs/signing.md, "Rotation")`,
      },
    );
  }
}

/**
 * Checks a detached signature of `data` against trusted public keys. Returns the fingerprint of
 * the key that made it; throws SIGNATURE_INVALID naming the cause (unknown key, bad signature,
 * revoked or expired key).
 */
export async function verifyDetached(
  data: Uint8Array,
  armoredSignature: string,
  trustedKeys: string[],
  what: string,
): Promise<string> {
  const keys: openpgp.Key[] = [];
  for (const armored of trustedKeys) keys.push(...(await openpgp.readKeys({ armoredKeys: armored })));
  const signature = await openpgp.readSignature({ armoredSignature }).catch((error: unknown) => {
    throw new CpythonPrebuiltError('SIGNATURE_INVALID', `the signature of ${what} is not an OpenPGP signature`, { cause: error });
  });
  const signerIds = signature.getSigningKeyIDs().map((id) => id.toHex().toUpperCase());
  const signer = keys.find((key) => key.getKeys().some((sub) => signerIds.includes(sub.getKeyID().toHex().toUpperCase())));
  if (!signer) {
    throw new CpythonPrebuiltError(
      'SIGNATURE_INVALID',
      `${what} is signed by key ${signerIds.join(', ')}, which is not among the ${keys.length} trusted keys`,
      { fix: 'sign with a trusted key, or add its public key to the trusted keys (infrastructure/keys)' },
    );
  }
  const message = await openpgp.createMessage({ binary: data });
  const result = await openpgp.verify({ message, signature, verificationKeys: signer });
  try {
    await result.signatures[0]?.verified;
  } catch (error) {
    throw new CpythonPrebuiltError(
      'SIGNATURE_INVALID',
      `the signature of ${what} does not verify with key ${signer.getFingerprint().toUpperCase()}: ${(error as Error).message}`,
      {
        fix: 'the file or its signature was altered, or the key was revoked or has expired: get both again from the original source',
        cause: error,
      },
    );
  }
  return signer.getFingerprint().toUpperCase();
}

/**
 * Extra trusted public keys (a file of armored keys) for features vendored on this machine, on top
 * of the committed ones: the end-to-end suites trust the key they make at test time this way.
 * `pnpm generate` ignores it: the published feature trusts the committed keys only.
 */
export const EXTRA_TRUSTED_KEYS_ENV = 'CPYTHON_PREBUILT_EXTRA_TRUSTED_KEYS';

/** The committed keys of `dir`, plus the file EXTRA_TRUSTED_KEYS_ENV names. */
export async function trustedKeysWithExtra(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const keys = await readArmoredKeys(dir);
  const extra = env[EXTRA_TRUSTED_KEYS_ENV];
  if (extra) keys.push(await readFile(extra, 'utf8'));
  return keys;
}

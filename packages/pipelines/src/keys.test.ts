import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binaryKeyring, fingerprintsOf, signerFromArmored } from '@cpython-prebuilt/core';
import { describe, expect, it } from 'vitest';
import { createTeamKey } from './keys.ts';

describe('keys create', () => {
  it('writes the private key and revocation certificate 0600 apart from the public key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keys-'));
    const input = {
      name: 'team',
      email: 'team@example.invalid',
      expiresInDays: 30,
      privateDir: join(dir, 'private'),
      publicDir: join(dir, 'public'),
      passphrase: 'pass phrase',
    };
    const created = await createTeamKey(input);
    expect((await stat(created.privateKeyPath)).mode & 0o777).toBe(0o600);
    expect((await stat(created.revocationPath)).mode & 0o777).toBe(0o600);
    const publicArmored = await readFile(created.publicKeyPath, 'utf8');
    expect(await fingerprintsOf([publicArmored])).toEqual([created.fingerprint]);
    // The public file holds no private part: the keyring refuses private keys.
    expect((await binaryKeyring([publicArmored])).length).toBeGreaterThan(0);
    const signer = await signerFromArmored(await readFile(created.privateKeyPath, 'utf8'), 'pass phrase');
    expect(signer.fingerprint).toBe(created.fingerprint);
  });
});

import { mkdtemp, readdir, readFile, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binaryKeyring, fingerprintsOf, isCpythonPrebuiltError, layout, signerFromArmored } from '@cpython-prebuilt/core';
import { describe, expect, it } from 'vitest';
import { createTeamKey } from './keys.ts';

describe('keys create', () => {
  it('writes the private key and revocation certificate 0600 apart from the public key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keys-'));
    const input = {
      name: 'team',
      email: 'team@example.invalid',
      expiresInDays: 400,
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

  async function refusal(input: Parameters<typeof createTeamKey>[0]): Promise<Error> {
    let error: unknown;
    try {
      await createTeamKey(input);
    } catch (caught) {
      error = caught;
    }
    expect(isCpythonPrebuiltError(error) && error.code).toBe('INVALID_INPUT');
    return error as Error;
  }

  it('refuses, writing nothing, a key without a passphrase, a short-lived one, or a private folder inside the repository', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keys-'));
    const base = { name: 'team', email: 'team@example.invalid', expiresInDays: 730, publicDir: join(dir, 'public') };

    const clear = await refusal({ ...base, privateDir: join(dir, 'private') });
    expect(clear.message).toBe('no passphrase for the private key');
    const short = await refusal({ ...base, privateDir: join(dir, 'private'), passphrase: 'p', expiresInDays: 30 });
    expect(short.message).toBe('a key that expires in 30 days is too short-lived');
    // Inside the repository, directly or through a symlink from outside it.
    const inside = await refusal({ ...base, privateDir: join(layout.root, '.cache/keys-test/private'), passphrase: 'p' });
    expect(inside.message).toContain('is inside the repository');
    await symlink(layout.root, join(dir, 'repo'));
    const linked = await refusal({ ...base, privateDir: join(dir, 'repo/keys'), passphrase: 'p' });
    expect(linked.message).toContain('is inside the repository');
    expect(await readdir(dir)).toEqual(['repo']);

    // Written in the clear only when asked for.
    const unencrypted = await createTeamKey({ ...base, privateDir: join(dir, 'private'), unencrypted: true });
    const signer = await signerFromArmored(await readFile(unencrypted.privateKeyPath, 'utf8'));
    expect(signer.fingerprint).toBe(unencrypted.fingerprint);
  });
});

import { describe, expect, it } from 'vitest';
import {
  binaryKeyring,
  createKeyPair,
  fingerprintsOf,
  requireTrustedSigner,
  revokedPublicKey,
  signerFromArmored,
  signerFromEnvironment,
  verifyDetached,
} from './openpgp.ts';

describe('OpenPGP signatures', () => {
  const data = Buffer.from('an artifact\n');

  it('verifies a detached signature by a trusted key and names the key', async () => {
    const pair = await createKeyPair({ name: 'team', email: 'team@example.invalid' });
    const signature = await (await signerFromArmored(pair.privateArmored)).sign(data);
    expect(await verifyDetached(data, signature, [pair.publicArmored], 'the artifact')).toBe(pair.fingerprint);
    expect(await fingerprintsOf([pair.publicArmored])).toEqual([pair.fingerprint]);
  });

  it('refuses altered data, an untrusted key and a revoked key', async () => {
    const pair = await createKeyPair({ name: 'team', email: 'team@example.invalid' });
    const other = await createKeyPair({ name: 'other', email: 'other@example.invalid' });
    const signature = await (await signerFromArmored(pair.privateArmored)).sign(data);
    await expect(verifyDetached(Buffer.from('altered\n'), signature, [pair.publicArmored], 'x')).rejects.toThrow(
      'does not verify',
    );
    await expect(verifyDetached(data, signature, [other.publicArmored], 'x')).rejects.toThrow('not among the 1 trusted keys');
    const revoked = await revokedPublicKey(pair.publicArmored, pair.revocationArmored);
    await expect(verifyDetached(data, signature, [revoked], 'x')).rejects.toThrow('does not verify');
  });

  it('needs the passphrase of a protected key, and says which variable carries it', async () => {
    const pair = await createKeyPair({ name: 'team', email: 'team@example.invalid', passphrase: 'correct horse' });
    await expect(signerFromArmored(pair.privateArmored)).rejects.toThrow('CPYTHON_PREBUILT_SIGNING_PASSPHRASE is not set');
    expect((await signerFromArmored(pair.privateArmored, 'correct horse')).fingerprint).toBe(pair.fingerprint);
  });

  it('writes public keys into a binary keyring and refuses a private key', async () => {
    const pair = await createKeyPair({ name: 'team', email: 'team@example.invalid' });
    const keyring = await binaryKeyring([pair.publicArmored]);
    // A public-key packet first (tag 6, old or new packet format): the binary form gpgv --keyring reads.
    expect([0x98, 0x99, 0xc6]).toContain(keyring[0]);
    await expect(binaryKeyring([pair.privateArmored])).rejects.toThrow('is a private key');
  });
});

describe('requireTrustedSigner', () => {
  it('passes a committed key and refuses any other, naming its fingerprint and where the trusted keys are', async () => {
    const team = await createKeyPair({ name: 'team', email: 'team@example.invalid' });
    const other = await createKeyPair({ name: 'other', email: 'other@example.invalid' });
    await expect(
      requireTrustedSigner(await signerFromArmored(team.privateArmored), [team.publicArmored], 'keys/'),
    ).resolves.toBeUndefined();
    const error = await requireTrustedSigner(await signerFromArmored(other.privateArmored), [team.publicArmored], 'keys/').catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({
      code: 'SIGNING_KEY_INVALID',
      message: `the signing key ${other.fingerprint} is not one of the 1 trusted keys in keys/`,
    });
  });
});

describe('signerFromEnvironment', () => {
  it('takes the armored key itself as well as its path (a CI secret never written to disk)', async () => {
    const pair = await createKeyPair({ name: 'team', email: 'team@example.invalid', passphrase: 'secret words' });
    const signer = await signerFromEnvironment({
      CPYTHON_PREBUILT_SIGNING_KEY: `\n${pair.privateArmored}`,
      CPYTHON_PREBUILT_SIGNING_PASSPHRASE: 'secret words',
    });
    expect(signer?.fingerprint).toBe(pair.fingerprint);
    expect(await signerFromEnvironment({})).toBeUndefined();
    await expect(signerFromEnvironment({ CPYTHON_PREBUILT_SIGNING_KEY: '/nonexistent/key.asc' })).rejects.toMatchObject({
      code: 'SIGNING_KEY_INVALID',
    });
  });
});

import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { verifyArtifact } from './artifact-verify.ts';
import { createKeyPair, signerFromArmored } from './openpgp.ts';
import { makeTestArtifact } from './test-artifact.ts';

describe('verifyArtifact', () => {
  const options = { requireSignature: false, keysWhere: 'keys/' };

  it('passes an artifact whose bytes match its .sha256 and whose .asc a trusted key made, naming the key', async () => {
    const team = await createKeyPair({ name: 'team', email: 'team@example.invalid' });
    const artifact = await makeTestArtifact();
    await writeFile(
      `${artifact.path}.asc`,
      await (await signerFromArmored(team.privateArmored)).sign(await readFile(artifact.path)),
    );
    const verified = await verifyArtifact(artifact.path, [team.publicArmored], options);
    expect(verified.signedBy).toBe(team.fingerprint);
    expect(verified.artifact.sha256).toBe(artifact.sha256);
  });

  it('refuses a signature by a key that is not trusted, a tampered artifact, and (when asked) a missing .asc', async () => {
    const team = await createKeyPair({ name: 'team', email: 'team@example.invalid' });
    const other = await createKeyPair({ name: 'other', email: 'other@example.invalid' });
    const foreign = await makeTestArtifact();
    await writeFile(
      `${foreign.path}.asc`,
      await (await signerFromArmored(other.privateArmored)).sign(await readFile(foreign.path)),
    );
    await expect(verifyArtifact(foreign.path, [team.publicArmored], options)).rejects.toMatchObject({
      code: 'SIGNATURE_INVALID',
      message: expect.stringContaining('which is not among the 1 trusted keys'),
    });

    const tampered = await makeTestArtifact();
    await appendFile(tampered.path, 'x');
    await expect(verifyArtifact(tampered.path, [team.publicArmored], options)).rejects.toMatchObject({
      code: 'CHECKSUM_MISMATCH',
    });

    const unsigned = await makeTestArtifact();
    expect((await verifyArtifact(unsigned.path, [team.publicArmored], options)).signedBy).toBeUndefined();
    await expect(
      verifyArtifact(unsigned.path, [team.publicArmored], { ...options, requireSignature: true }),
    ).rejects.toMatchObject({
      code: 'SIGNATURE_MISSING',
    });
  });
});

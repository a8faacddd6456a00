import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyPair, createLogger, layout, resolveRelease, signerFromArmored } from '@cpython-prebuilt/core';
import { describe, expect, it } from 'vitest';
import type { ObtainedSource } from './source.ts';
import { checkUpstreamSignature } from './upstream-signature.ts';

const logger = createLogger('test');
/** Debian's pristine 3.13.5 tarball and python.org's signature of it, fetched by setup. */
const tarball = join(layout.sourcesDir, 'python3.13_3.13.5.orig.tar.xz');

async function sourceCopy(withSignature: 'upstream' | 'none' | Buffer): Promise<ObtainedSource> {
  const dir = await mkdtemp(join(tmpdir(), 'upstream-sig-'));
  const path = join(dir, 'Python-3.13.5.tar.xz');
  await copyFile(tarball, path);
  if (withSignature === 'upstream') await copyFile(`${tarball}.asc`, `${path}.asc`);
  else if (withSignature !== 'none') await writeFile(`${path}.asc`, withSignature);
  const release = resolveRelease('3.13.5');
  return { path, release, sha256: release.sha256 };
}

describe('upstream source signatures', () => {
  it("verifies python.org's OpenPGP signature and Sigstore bundle of 3.13.5 against Thomas Wouters' key and identity, and records both", async () => {
    const checks = await checkUpstreamSignature({ source: await sourceCopy('upstream'), allowUnverified: false, logger });
    expect(checks).toEqual(['sha256', 'openpgp:7169605F62C751356D054A26A821E680E5FA6305', 'sigstore:thomas@python.org']);
  });

  it('verifies a line with no OpenPGP key pinned (3.11) by its committed Sigstore bundle alone', async () => {
    const release = resolveRelease('3.11.2');
    const source = { path: join(layout.sourcesDir, 'python3.11_3.11.2.orig.tar.gz'), release, sha256: release.sha256 };
    expect(await checkUpstreamSignature({ source, allowUnverified: false, logger })).toEqual([
      'sha256',
      'sigstore:pablogsal@python.org',
    ]);
  });

  it('refuses a bundle beside the tarball that another signer made, even with --allow-unverified-source', async () => {
    const source = await sourceCopy('none');
    // python.org's real bundle of 3.11.2 (Pablo Galindo's) is a valid Sigstore bundle, of other bytes by another signer.
    await copyFile(join(layout.sigstoreBundlesDir, 'Python-3.11.2.tgz.sigstore'), `${source.path}.sigstore`);
    await expect(checkUpstreamSignature({ source, allowUnverified: true, logger })).rejects.toMatchObject({
      code: 'SIGNATURE_INVALID',
      message: expect.stringContaining(`the Sigstore bundle ${source.path}.sigstore does not verify`),
    });
  });

  it('refuses a signature that does not verify, even with --allow-unverified-source', async () => {
    const stranger = await createKeyPair({ name: 'not a release manager', email: 'x@example.invalid' });
    const forged = await (await signerFromArmored(stranger.privateArmored)).sign(await readFile(tarball));
    await expect(
      checkUpstreamSignature({ source: await sourceCopy(Buffer.from(forged)), allowUnverified: true, logger }),
    ).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
  });

  it('needs --allow-unverified-source when neither a signature nor a bundle is found, and then records the sha256 only', async () => {
    const source = await sourceCopy('none');
    const sigstoreBundlesDir = await mkdtemp(join(tmpdir(), 'no-bundles-'));
    await expect(checkUpstreamSignature({ source, allowUnverified: false, sigstoreBundlesDir, logger })).rejects.toMatchObject({
      code: 'SIGNATURE_MISSING',
      message: expect.stringContaining(
        `no ${source.path}.asc; no ${source.path}.sigstore or ${sigstoreBundlesDir}/Python-3.13.5.tar.xz.sigstore`,
      ),
    });
    expect(await checkUpstreamSignature({ source, allowUnverified: true, sigstoreBundlesDir, logger })).toEqual(['sha256']);
  });
});

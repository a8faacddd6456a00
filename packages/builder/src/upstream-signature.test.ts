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
  it("verifies python.org's signature of 3.13.5 with Thomas Wouters' pinned key and records the check", async () => {
    const checks = await checkUpstreamSignature({ source: await sourceCopy('upstream'), allowUnverified: false, logger });
    expect(checks).toEqual(['sha256', 'openpgp:7169605F62C751356D054A26A821E680E5FA6305']);
  });

  it('refuses a signature that does not verify, even with --allow-unverified-source', async () => {
    const stranger = await createKeyPair({ name: 'not a release manager', email: 'x@example.invalid' });
    const forged = await (await signerFromArmored(stranger.privateArmored)).sign(await readFile(tarball));
    await expect(
      checkUpstreamSignature({ source: await sourceCopy(Buffer.from(forged)), allowUnverified: true, logger }),
    ).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
  });

  it('needs --allow-unverified-source when the signature is missing, and then records the sha256 only', async () => {
    const source = await sourceCopy('none');
    await expect(checkUpstreamSignature({ source, allowUnverified: false, logger })).rejects.toMatchObject({
      code: 'SIGNATURE_MISSING',
    });
    expect(await checkUpstreamSignature({ source, allowUnverified: true, logger })).toEqual(['sha256']);
  });
});

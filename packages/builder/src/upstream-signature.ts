import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CpythonPrebuiltError, downloadFile, type Logger, layout, pathExists, verifyDetached } from '@cpython-prebuilt/core';
import type { ObtainedSource } from './source.ts';

/**
 * The release managers' keys (files in infrastructure/keys/upstream) per release line, as
 * python.org lists them. A line missing here has no OpenPGP check (3.14+ publish Sigstore
 * bundles instead, PEP 761; 3.10/3.11's key is not committed yet: see that folder's README).
 */
export const RELEASE_MANAGER_KEYS: Readonly<Record<string, readonly string[]>> = {
  '3.12': ['thomas-wouters-A821E680E5FA6305.asc'],
  '3.13': ['thomas-wouters-A821E680E5FA6305.asc'],
};

export interface UpstreamSignatureInput {
  source: ObtainedSource;
  /** Build without the upstream signature when it is missing or no key is pinned for the line (never when it is bad). */
  allowUnverified: boolean;
  /** Where the signature is downloaded to when it is not beside the tarball; none is downloaded without it. */
  downloadDir?: string;
  keysDir?: string;
  logger: Logger;
}

/**
 * Checks the upstream tarball's own OpenPGP signature (`<tarball>.asc` beside it, or downloaded
 * from `<url>.asc`) against the pinned release managers' keys of its line. Returns the checks that
 * passed, for the build metadata: always `sha256` (obtainSource verified the pin), plus
 * `openpgp:<fingerprint>`. A signature that does not verify throws, before anything compiles.
 */
export async function checkUpstreamSignature(input: UpstreamSignatureInput): Promise<string[]> {
  const { source, logger } = input;
  const line = source.release.version.split('.').slice(0, 2).join('.');
  const keyFiles = RELEASE_MANAGER_KEYS[line] ?? [];
  const unverified = (why: string): string[] => {
    if (!input.allowUnverified) {
      throw new CpythonPrebuiltError(
        'SIGNATURE_MISSING',
        `the CPython ${source.release.version} source is not verified by its upstream signature: ${why}`,
        {
          fix: `put the release's .asc beside the tarball (${source.path}.asc), or pass --allow-unverified-source to build with the pinned sha256 only`,
        },
      );
    }
    logger.info(
      `warning: upstream signature not checked (${why}); --allow-unverified-source: the pinned sha256 is the only check`,
    );
    return ['sha256'];
  };
  if (keyFiles.length === 0)
    return unverified(`no release manager's key is pinned for CPython ${line} (infrastructure/keys/upstream)`);
  const keysDir = input.keysDir ?? layout.upstreamKeysDir;
  const keys = await Promise.all(keyFiles.map((file) => readFile(join(keysDir, file), 'utf8')));
  let signaturePath = `${source.path}.asc`;
  if (!(await pathExists(signaturePath))) {
    if (!input.downloadDir) return unverified(`${signaturePath} does not exist`);
    signaturePath = join(input.downloadDir, `${source.release.url.split('/').at(-1)}.asc`);
    try {
      await downloadFile(`${source.release.url}.asc`, signaturePath, { logger });
    } catch (error) {
      return unverified(`${source.release.url}.asc could not be downloaded (${(error as Error).message})`);
    }
  }
  const fingerprint = await verifyDetached(
    await readFile(source.path),
    await readFile(signaturePath, 'utf8'),
    keys,
    `the CPython ${source.release.version} source ${source.path}`,
  ).catch((error: unknown) => {
    throw new CpythonPrebuiltError(
      'SIGNATURE_INVALID',
      `the upstream signature ${signaturePath} does not verify: ${(error as Error).message}`,
      {
        fix: 'the tarball or its signature is not the one python.org published: fetch both again; never build from it',
        cause: error,
      },
    );
  });
  logger.info(`upstream OpenPGP signature verified: ${signaturePath}, key ${fingerprint}`);
  return ['sha256', `openpgp:${fingerprint}`];
}

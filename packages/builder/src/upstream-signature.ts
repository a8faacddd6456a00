import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  CpythonPrebuiltError,
  downloadFile,
  type Logger,
  layout,
  lineOf,
  pathExists,
  verifyDetached,
} from '@cpython-prebuilt/core';
import type { ObtainedSource } from './source.ts';
import { SIGSTORE_SIGNERS, verifyPythonOrgBundle } from './upstream-sigstore.ts';

/**
 * The release managers' OpenPGP keys (files in infrastructure/keys/upstream) per release line, as
 * python.org lists them. Lines without one are checked by their Sigstore bundle only (3.14+ publish
 * no OpenPGP signature, PEP 761; 3.10/3.11's key is not committed: see that folder's README).
 */
export const RELEASE_MANAGER_KEYS: Readonly<Record<string, readonly string[]>> = {
  '3.12': ['thomas-wouters-A821E680E5FA6305.asc'],
  '3.13': ['thomas-wouters-A821E680E5FA6305.asc'],
};

export interface UpstreamSignatureInput {
  source: ObtainedSource;
  /** Build without an upstream signature when none can be found (never when one is bad). */
  allowUnverified: boolean;
  /** Where a signature or bundle is downloaded to when it is neither beside the tarball nor committed; none is downloaded without it. */
  downloadDir?: string;
  keysDir?: string;
  /** python.org's bundles as the repository records them (layout.sigstoreBundlesDir by default). */
  sigstoreBundlesDir?: string;
  logger: Logger;
}

/** A signature file: beside the tarball, else committed, else downloaded; why not, when none. */
async function findSignatureFile(
  candidates: (string | undefined)[],
  download: { url?: string; path?: string },
  logger: Logger,
): Promise<{ path?: string; why: string }> {
  for (const path of candidates) if (path && (await pathExists(path))) return { path, why: '' };
  const looked = candidates.filter(Boolean).join(' or ');
  if (!download.url || !download.path) return { why: `no ${looked}` };
  try {
    await downloadFile(download.url, download.path, { logger });
    return { path: download.path, why: '' };
  } catch (error) {
    return { why: `no ${looked}, and ${download.url} could not be downloaded (${(error as Error).message})` };
  }
}

/**
 * Checks the upstream tarball against what python.org signs it with: the release manager's OpenPGP
 * signature (`<tarball>.asc`, where a key is pinned for the line) and the Sigstore bundle
 * (`<tarball>.sigstore`: beside it, committed in infrastructure/cpython/sigstore, or downloaded),
 * verified offline against the release manager's identity (SIGSTORE_SIGNERS). Returns the checks
 * that passed, for the build metadata: `sha256` (obtainSource verified the pin), `openpgp:<fingerprint>`,
 * `sigstore:<identity>`. A signature or bundle that does not verify throws before anything compiles;
 * finding neither needs allowUnverified.
 */
export async function checkUpstreamSignature(input: UpstreamSignatureInput): Promise<string[]> {
  const { source, logger } = input;
  const line = lineOf(source.release.version);
  const fileName = source.release.url.split('/').at(-1) ?? basename(source.path);
  // Read once for both checks (the tarball is tens of MiB), and only when a check needs it.
  let bytes: Promise<Buffer> | undefined;
  const data = () => {
    bytes ??= readFile(source.path);
    return bytes;
  };
  const checks = ['sha256'];
  const missing: string[] = [];

  const keyFiles = RELEASE_MANAGER_KEYS[line] ?? [];
  if (keyFiles.length === 0) {
    missing.push(`no release manager's OpenPGP key is pinned for CPython ${line}`);
  } else {
    const found = await findSignatureFile(
      [`${source.path}.asc`],
      { url: `${source.release.url}.asc`, path: input.downloadDir && join(input.downloadDir, `${fileName}.asc`) },
      logger,
    );
    if (!found.path) missing.push(found.why);
    else {
      const keysDir = input.keysDir ?? layout.upstreamKeysDir;
      const keys = await Promise.all(keyFiles.map((file) => readFile(join(keysDir, file), 'utf8')));
      const signaturePath = found.path;
      const fingerprint = await verifyDetached(
        await data(),
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
      checks.push(`openpgp:${fingerprint}`);
    }
  }

  const signer = SIGSTORE_SIGNERS[line];
  if (!signer) {
    missing.push(`no Sigstore signer is known for CPython ${line} (SIGSTORE_SIGNERS)`);
  } else {
    const found = await findSignatureFile(
      [`${source.path}.sigstore`, join(input.sigstoreBundlesDir ?? layout.sigstoreBundlesDir, `${fileName}.sigstore`)],
      {
        url: `${source.release.url}.sigstore`,
        path: input.downloadDir && join(input.downloadDir, `${fileName}.sigstore`),
      },
      logger,
    );
    if (!found.path) missing.push(found.why);
    else {
      const verified = await verifyPythonOrgBundle({
        data: await data(),
        bundleText: await readFile(found.path, 'utf8'),
        what: `the CPython ${source.release.version} source ${source.path}`,
        bundlePath: found.path,
        signer,
      });
      logger.info(
        `upstream Sigstore bundle verified: ${found.path}, signed by ${verified.identity} (${verified.issuer}), transparency log entry ${verified.logIndex} of ${verified.integratedTime}`,
      );
      checks.push(`sigstore:${verified.identity}`);
    }
  }

  if (checks.length > 1) return checks;
  const why = missing.join('; ');
  if (!input.allowUnverified) {
    throw new CpythonPrebuiltError(
      'SIGNATURE_MISSING',
      `the CPython ${source.release.version} source is not verified by any upstream signature: ${why}`,
      {
        fix: `put python.org's ${fileName}.sigstore (or .asc) beside the tarball (${source.path}.sigstore), or pass --allow-unverified-source to build with the pinned sha256 only`,
      },
    );
  }
  logger.info(`warning: upstream signature not checked (${why}); --allow-unverified-source: the pinned sha256 is the only check`);
  return checks;
}

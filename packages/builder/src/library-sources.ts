import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CpythonPrebuiltError,
  debianMirror,
  downloadFile,
  type Logger,
  layout,
  type PinnedLibrary,
  pathExists,
  pinnedLibraries,
  sha256File,
  verifyDetached,
} from '@cpython-prebuilt/core';

export interface ObtainedLibrary {
  pin: PinnedLibrary;
  /** The verified tarball on the host. */
  path: string;
  /** What vouched for it: `sha256` and `openpgp:<fingerprint>`. */
  checks: string[];
}

export interface LibrarySourcesInput {
  /** Where the tarballs are kept (and looked for first): layout.sourcesDir. */
  sourcesDir?: string;
  /** The Debian archive to fetch them from when missing; default: the machine's apt sources. */
  mirror?: string;
  keysDir?: string;
  libraries?: readonly PinnedLibrary[];
  logger: Logger;
}

/** Fetches `urls` in order into `destination` until one gives bytes with `sha256`. */
async function fetchVerified(urls: string[], destination: string, sha256: string | undefined, logger: Logger): Promise<string> {
  const failures: string[] = [];
  for (const url of urls) {
    // A name of its own: builds run in parallel (the test fixtures do) fetch the same file at once,
    // and a shared staging name let one hash the other's half-written download.
    const staged = `${destination}.${process.pid}-${randomUUID().slice(0, 8)}.download`;
    try {
      await downloadFile(url, staged, { logger, attempts: 2 });
      const actual = await sha256File(staged);
      if (sha256 && actual !== sha256) {
        failures.push(`${url}: sha256 ${actual}, the pin is ${sha256}`);
        await rm(staged, { force: true });
        continue;
      }
      await rename(staged, destination);
      return url;
    } catch (error) {
      failures.push(`${url}: ${(error as Error).message}`);
      await rm(staged, { force: true });
    }
  }
  throw new CpythonPrebuiltError('DOWNLOAD_FAILED', `no source gave ${destination}: ${failures.join('; ')}`, {
    fix: `put the file there by hand (it must match the pin in packages/core/src/schemas/libraries.ts), or check the Debian mirror (SETUP_MIRROR=) and the network`,
  });
}

/**
 * The source tarball of every pinned library, verified before anything compiles: its sha256
 * against the pin and upstream's OpenPGP signature against the pinned key. Looked for in the sources
 * folder, else fetched from the Debian archive the machine's apt sources name (a mirror works the
 * same), else from upstream. A file that differs from its pin is never used, and is not kept.
 */
export async function obtainLibrarySources(input: LibrarySourcesInput): Promise<ObtainedLibrary[]> {
  const sourcesDir = input.sourcesDir ?? layout.sourcesDir;
  const keysDir = input.keysDir ?? layout.upstreamKeysDir;
  await mkdir(sourcesDir, { recursive: true });
  const obtained: ObtainedLibrary[] = [];
  for (const pin of input.libraries ?? pinnedLibraries) {
    const path = join(sourcesDir, pin.debian.file);
    const signaturePath = `${path}.asc`;
    if ((await pathExists(path)) && (await sha256File(path)) !== pin.sha256) {
      throw new CpythonPrebuiltError(
        'CHECKSUM_MISMATCH',
        `${path} has sha256 ${await sha256File(path)}; ${pin.name} ${pin.version} is pinned at ${pin.sha256}`,
        { fix: `delete ${path}: the next build fetches the pinned file again` },
      );
    }
    const mirrors = () => {
      try {
        return [`${input.mirror ?? debianMirror()}/${pin.debian.directory}/${pin.debian.file}`];
      } catch {
        return [];
      }
    };
    if (!(await pathExists(path))) {
      input.logger.info(`fetching ${pin.name} ${pin.version} (${pin.debian.file})`);
      await fetchVerified([...mirrors(), pin.url], path, pin.sha256, input.logger);
    }
    if (!(await pathExists(signaturePath))) {
      await fetchVerified([...mirrors().map((url) => `${url}.asc`), `${pin.url}.asc`], signaturePath, undefined, input.logger);
    }
    const key = await readFile(join(keysDir, pin.signingKey.file), 'utf8');
    const fingerprint = await verifyDetached(
      await readFile(path),
      await readFile(signaturePath, 'utf8'),
      [key],
      `the ${pin.name} ${pin.version} source ${path}`,
    );
    if (fingerprint !== pin.signingKey.fingerprint) {
      throw new CpythonPrebuiltError(
        'SIGNATURE_INVALID',
        `${signaturePath} was made by ${fingerprint}, not by the pinned key ${pin.signingKey.fingerprint}`,
        { fix: `the key file ${pin.signingKey.file} holds another key: restore it from the repository` },
      );
    }
    input.logger.info(`${pin.name} ${pin.version}: sha256 and upstream signature (${fingerprint}) verified`);
    obtained.push({ pin, path, checks: ['sha256', `openpgp:${fingerprint}`] });
  }
  return obtained;
}

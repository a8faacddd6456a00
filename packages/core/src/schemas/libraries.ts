import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { layout } from '../layout.ts';
import { Sha256 } from './common.ts';
import { DigestSource } from './versions.ts';

/**
 * A library the artifact carries that is built from a pinned source tarball inside the build
 * environment (same compiler, same base glibc), instead of copied from the base's packages: the
 * base's copy may be past upstream's support (OpenSSL 1.1.1 on bullseye and focal).
 */
export const PinnedLibrary = z.object({
  /** The name build_libraries.sh knows it by; also its folder under share/licenses/. */
  name: z.enum(['openssl']),
  version: z.string().regex(/^\d+\.\d+\.\d+$/),
  /** The tarball's sha256, read from two independent records that agree (digestSources). */
  sha256: Sha256,
  /** Upstream's own download of these bytes. */
  url: z.url(),
  /**
   * Debian's copy of the same bytes (`<package>_<version>.orig.tar.*` in the pool), fetched from
   * the archive the machine's apt sources name. `repack` says Debian's orig is not upstream's
   * tarball (zlib's and tcl's +dfsg): then the pin, the SBOM and the licences name the repack.
   */
  debian: z.object({
    directory: z.string().regex(/^pool\/main\/[a-z0-9]+\/[a-z0-9.+-]+$/),
    file: z.string(),
    repack: z.boolean(),
  }),
  /** Upstream's OpenPGP signature of the tarball (`<file>.asc`), checked with this key of infrastructure/keys/upstream. */
  signingKey: z.object({ file: z.string(), fingerprint: z.string().regex(/^[0-9A-F]{40}$/) }),
  /** SPDX licence expression, and the licence text's path inside the source tree. */
  license: z.string(),
  licenseFile: z.string(),
  digestSources: z.array(DigestSource).min(2),
  /** The shared libraries it installs into the artifact's lib/. */
  sonames: z.array(z.string()).min(1),
});
export type PinnedLibrary = z.infer<typeof PinnedLibrary>;

/**
 * The libraries every artifact builds from source, as libraries.data.json beside this module holds
 * them (so that `libraries update` rewrites plain JSON; this module is still the one place that
 * reads, validates and types it). OpenSSL: the 3.5 LTS line (upstream support to 2030-04). Its
 * tarball is the same bytes on openssl.org, GitHub's release page and Debian's pool, signed by the
 * OpenSSL project's release key.
 */
export function readPinnedLibraries(path: string = layout.librariesData): PinnedLibrary[] {
  return z.array(PinnedLibrary).parse(JSON.parse(readFileSync(path, 'utf8')));
}

/** The pins as libraries.data.json holds them: by name, in the schema's key order, two-space JSON. */
export function formatLibrariesData(pins: readonly PinnedLibrary[]): string {
  const parsed = z.array(PinnedLibrary).parse(pins);
  return `${JSON.stringify(
    [...parsed].sort((a, b) => a.name.localeCompare(b.name)),
    null,
    2,
  )}\n`;
}

export const pinnedLibraries: readonly PinnedLibrary[] = readPinnedLibraries();

/** The pinned library that installs `soname`, if any. */
export function pinnedLibraryOf(soname: string): PinnedLibrary | undefined {
  return pinnedLibraries.find((library) => library.sonames.includes(soname));
}

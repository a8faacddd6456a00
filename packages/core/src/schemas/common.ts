import { z } from 'zod';

export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex sha256 digest');
export const PythonVersion = z.string().regex(/^3\.\d+\.\d+$/, 'a full CPython version such as 3.13.5');
export const Arch = z.enum(['x86_64', 'aarch64']);
export type Arch = z.infer<typeof Arch>;

/** The names people type for each architecture (Docker's and Debian's, uname's): arm64 is aarch64, amd64 is x86_64. */
const ARCH_ALIASES: Record<string, Arch> = {
  x86_64: 'x86_64',
  amd64: 'x86_64',
  x64: 'x86_64',
  aarch64: 'aarch64',
  arm64: 'aarch64',
};

/** The architecture a user's word names, or undefined (the caller lists the accepted words). */
export function archFromAlias(value: string): Arch | undefined {
  return ARCH_ALIASES[value.trim().toLowerCase()];
}

export const ARCH_WORDS = Object.keys(ARCH_ALIASES);
export const GlibcVersion = z.string().regex(/^\d+\.\d+$/, 'a glibc version such as 2.31');

/** Compares dotted numeric versions (3.13.5, 2.31). */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const diff = (left[i] ?? 0) - (right[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

import { z } from 'zod';
import { CpythonPrebuiltError } from '../errors.ts';
import { GlibcVersion } from './common.ts';

/**
 * Debian/Ubuntu packages that give CPython its optional native modules, plus patchelf to point
 * bundled libraries at `$ORIGIN`. Package names are the same from Ubuntu 20.04 to Debian 13.
 * Not here, so that no GPL library reaches the artifact: readline (the readline module uses
 * libedit, BSD) and gdbm (dbm.gnu and dbm.ndbm are left out; dbm.sqlite3 and dbm.dumb remain).
 * OpenSSL is built from its pinned source (schemas/libraries.ts), not taken from libssl-dev.
 */
const buildPackages = [
  'build-essential',
  'pkg-config',
  'ca-certificates',
  'xz-utils',
  'patchelf',
  'zlib1g-dev',
  'libbz2-dev',
  'libedit-dev',
  'libsqlite3-dev',
  'libncurses-dev',
  'liblzma-dev',
  'tk-dev',
  'libffi-dev',
  'uuid-dev',
  'libexpat1-dev',
] as const;

export const BuildBase = z.object({
  id: z.string().regex(/^[a-z]+\d+(\.\d+)?$/),
  /** The image a build or validation starts from; `--base-image` overrides it. */
  image: z.string(),
  distribution: z.enum(['ubuntu', 'debian']),
  codename: z.string(),
  glibc: GlibcVersion,
  packages: z.array(z.string()).min(1),
  /** The Vagrant box of the same release, for the VirtualBox and libvirt providers. */
  vagrantBox: z.string(),
});
export type BuildBase = z.infer<typeof BuildBase>;

export const buildBases: readonly BuildBase[] = z.array(BuildBase).parse([
  // The procedure calls 20.04 "jammy": 20.04 is focal (glibc 2.31); jammy is 22.04.
  {
    id: 'ubuntu20.04',
    image: 'ubuntu:20.04',
    distribution: 'ubuntu',
    codename: 'focal',
    glibc: '2.31',
    packages: [...buildPackages],
    vagrantBox: 'ubuntu/focal64',
  },
  {
    id: 'ubuntu22.04',
    image: 'ubuntu:22.04',
    distribution: 'ubuntu',
    codename: 'jammy',
    glibc: '2.35',
    packages: [...buildPackages],
    vagrantBox: 'ubuntu/jammy64',
  },
  {
    id: 'ubuntu24.04',
    image: 'ubuntu:24.04',
    distribution: 'ubuntu',
    codename: 'noble',
    glibc: '2.39',
    packages: [...buildPackages],
    vagrantBox: 'bento/ubuntu-24.04',
  },
  {
    id: 'debian11',
    image: 'debian:bullseye',
    distribution: 'debian',
    codename: 'bullseye',
    glibc: '2.31',
    packages: [...buildPackages],
    vagrantBox: 'debian/bullseye64',
  },
  {
    id: 'debian12',
    image: 'debian:bookworm',
    distribution: 'debian',
    codename: 'bookworm',
    glibc: '2.36',
    packages: [...buildPackages],
    vagrantBox: 'debian/bookworm64',
  },
  {
    id: 'debian13',
    image: 'debian:trixie',
    distribution: 'debian',
    codename: 'trixie',
    glibc: '2.41',
    packages: [...buildPackages],
    vagrantBox: 'debian/trixie64',
  },
]);

/** Every base, as infrastructure/cpython/build-bases.json (read by the Vagrantfile). */
export const BuildBases = z.object({ $schema: z.string().optional(), bases: z.array(BuildBase) });
export type BuildBases = z.infer<typeof BuildBases>;

/** The procedure's base: the oldest glibc, so one artifact runs on every newer image. */
export const DEFAULT_BUILD_BASE = 'ubuntu20.04';

export function findBase(id: string): BuildBase {
  const base = buildBases.find((candidate) => candidate.id === id);
  if (!base) {
    throw new CpythonPrebuiltError('UNKNOWN_BASE', `unknown base "${id}"`, {
      fix: `use one of: ${buildBases.map((candidate) => candidate.id).join(', ')}`,
    });
  }
  return base;
}

/** Validation defaults to the newest base: an artifact must keep working on newer systems. */
export function newestBase(): BuildBase {
  const newest = [...buildBases].sort((a, b) => Number.parseFloat(a.glibc) - Number.parseFloat(b.glibc)).at(-1);
  if (!newest) throw new Error('no build bases');
  return newest;
}

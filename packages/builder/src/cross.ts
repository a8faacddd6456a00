import { type Arch, type BuildBase, CpythonPrebuiltError, dockerArchitecture } from '@cpython-prebuilt/core';

/**
 * How a build makes binaries for its architecture: on the host's own (native); for another with
 * a cross compiler in a container of the host's architecture (cross, the default); or in a
 * container of the target's architecture run by qemu-user-static (emulated, with --emulate).
 */
export type BuildRoute = 'native' | 'cross' | 'emulated';

export function buildRoute(arch: Arch, host: Arch, emulate: boolean): BuildRoute {
  if (arch === host) return 'native';
  return emulate ? 'emulated' : 'cross';
}

/** GNU triplets: Debian's cross compilers (<triplet>-gcc) and multiarch directories (/usr/lib/<triplet>). */
const gnuTriplets: Record<Arch, string> = { x86_64: 'x86_64-linux-gnu', aarch64: 'aarch64-linux-gnu' };

export function gnuTriplet(arch: Arch): string {
  return gnuTriplets[arch];
}

/** Refuses, before anything runs, a cross build this builder cannot make. */
export function requireCrossBuildable(options: { base: BuildBase; arch: Arch; host: Arch; optimize: boolean }): void {
  const { base, arch, host, optimize } = options;
  if (optimize) {
    throw new CpythonPrebuiltError(
      'CROSS_BUILD_NO_PGO',
      `a PGO+LTO build for ${arch} cannot be cross-compiled on this ${host} host: the profile task must run on the target's CPU`,
      {
        fix: `add OPTIMIZE=0 (--no-optimize) for a cross build; PGO+LTO ${arch} artifacts are built on ${arch} hosts (release.yml's arm64 runners), or add EMULATE=1 (--emulate) to profile under qemu-user-static (many hours)`,
      },
    );
  }
  if (base.distribution !== 'debian') {
    throw new CpythonPrebuiltError(
      'CROSS_BUILD_UNSUPPORTED_BASE',
      `a cross build for ${arch} needs the base's :${dockerArchitecture(arch)} packages from its own archive; ${base.id}'s archive serves ${dockerArchitecture(host)} only (Ubuntu keeps other architectures in a separate ports archive)`,
      {
        fix: `use a Debian base (debian11 has ubuntu20.04's glibc 2.31), build on an ${arch} host, or add EMULATE=1 (--emulate) with an ${arch} base image`,
      },
    );
  }
}

/**
 * The cross build base's packages: the native base's tools, Debian's cross toolchain, the
 * target's -dev packages (multiarch, e.g. libssl-dev:arm64), and the host's zlib for the native
 * interpreter that runs ensurepip (pip's wheel is deflate-compressed).
 */
export function crossBuildPackages(base: BuildBase, arch: Arch): string[] {
  const debianArch = dockerArchitecture(arch);
  const tools = base.packages.filter((name) => !name.endsWith('-dev'));
  const libraries = base.packages.filter((name) => name.endsWith('-dev')).map((name) => `${name}:${debianArch}`);
  return [...tools, `crossbuild-essential-${debianArch}`, 'zlib1g-dev', ...libraries];
}

import type { WriteStream } from 'node:fs';
import { type Arch, type BuildBase, CpythonPrebuiltError, findBase, type Logger } from '@cpython-prebuilt/core';
import type { BuildRoute } from './cross.ts';
import { buildBaseTag, ensureImageFromDockerfile, imageId, prepareToolImage, siblingDebianImage } from './docker-images.ts';

/**
 * The C compiler of a build: the base's own (GCC 10 on bullseye), or GCC 14 and binutils 2.44 from
 * Debian trixie, run inside the build base (gcc14Dockerfile): headers, glibc and every library
 * the build links stay the base's, so the glibc floor and the bundled libraries do not move.
 */
export const COMPILERS = ['base', 'gcc-14'] as const;
export type Compiler = (typeof COMPILERS)[number];

const GCC14_BASE = findBase('debian13');

/** The packages installed into the trixie image the compiler is copied from. */
export const GCC14_PACKAGES = ['gcc-14', 'binutils'] as const;

/** Where the compiler lives in the build image; its bin/ comes first in PATH, as gcc, cc, as, ld... */
export const GCC14_DIR = '/opt/gcc-14';

/** The image the compiler comes from when neither it nor a Debian base image says otherwise. */
export const DEFAULT_GCC14_IMAGE = GCC14_BASE.image;

/** glibc's strto* functions trixie's headers rename (__isoc23_<name>), with their return types. */
const ISOC23_STRTO = [
  ['long', 'strtol'],
  ['unsigned long', 'strtoul'],
  ['long long', 'strtoll'],
  ['unsigned long long', 'strtoull'],
] as const;

/** Debian images carry no PATH of their own when made with debootstrap and docker import. */
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Unprefixed names in GCC14_DIR/bin: the driver, its LTO wrappers of ar/nm/ranlib, and binutils. */
const GCC14_DRIVER_NAMES = ['gcc', 'cc', 'cpp', 'gcc-ar', 'gcc-nm', 'gcc-ranlib'] as const;
const BINUTILS_NAMES = [
  'addr2line',
  'ar',
  'as',
  'c++filt',
  'elfedit',
  'ld',
  'ld.bfd',
  'nm',
  'objcopy',
  'objdump',
  'ranlib',
  'readelf',
  'size',
  'strings',
  'strip',
] as const;

/**
 * The image the compiler is installed from: the one given, else the build's base image with trixie
 * for its Debian codename (local/debian:bullseye -> local/debian:trixie), else DEFAULT_GCC14_IMAGE.
 */
export function gcc14ImageFor(base: BuildBase, baseImage: string, given?: string): string {
  return given ?? siblingDebianImage(base, baseImage, GCC14_BASE.codename) ?? DEFAULT_GCC14_IMAGE;
}

/**
 * The compiler of a build: asked for, or by default GCC 14 for every PGO+LTO build of x86_64 made
 * natively with the docker backend (where the optimisations are the point; an OPTIMIZE=0 build
 * stays the base's own reference). gcc-14 where it cannot run is refused.
 */
export function compilerFor(options: {
  requested?: Compiler;
  optimize: boolean;
  arch: Arch;
  route: BuildRoute;
  backend: 'docker' | 'vagrant';
}): Compiler {
  const possible = options.arch === 'x86_64' && options.route === 'native' && options.backend === 'docker';
  if (options.requested === 'gcc-14' && !possible) {
    throw new CpythonPrebuiltError(
      'INVALID_INPUT',
      `GCC 14 from trixie runs in builds of x86_64 made natively with the docker backend (this one: ${options.arch}, ${options.route}, ${options.backend})`,
      { fix: 'use --compiler base (COMPILER=base), or build x86_64 with --backend docker' },
    );
  }
  return options.requested ?? (possible && options.optimize ? 'gcc-14' : 'base');
}

/**
 * The build base with GCC 14 in it. trixie's /usr goes to GCC14_DIR/usr; its libraries (glibc
 * 2.41 and what gcc, cc1 and ld need) move to GCC14_DIR/runtime, out of GCC's library search path
 * (usr/lib/x86_64-linux-gnu, relative to the driver), and its headers go: the compiler then finds
 * the base's headers, crt files, glibc and libgcc_s.so.1 (GCC 14's libgcc_s.so script names
 * libgcc_s.so.1, found in the base). Every trixie executable gets the runtime's loader and an
 * RPATH to it (patchelf is a build package): the tools run on trixie's glibc, what they build
 * links the base's. A probe built with LTO must link and run before the image is kept.
 */
export function gcc14Dockerfile(buildBaseImage: string, gcc14Image: string): string {
  const usr = `${GCC14_DIR}/usr`;
  const runtime = `${GCC14_DIR}/runtime`;
  const links = [
    ...GCC14_DRIVER_NAMES.map((name) => [`x86_64-linux-gnu-${name === 'cc' ? 'gcc' : name}-14`, name] as const),
    ...BINUTILS_NAMES.map((name) => [`x86_64-linux-gnu-${name}`, name] as const),
  ];
  const script = [
    'set -eu',
    `mv ${usr}/lib/x86_64-linux-gnu ${runtime}`,
    `rm -rf ${usr}/include ${usr}/share`,
    `for f in ${usr}/bin/x86_64-linux-gnu-* ${usr}/libexec/gcc/x86_64-linux-gnu/14/*; do ` +
      'if [ -L "$f" ] || ! patchelf --print-interpreter "$f" >/dev/null 2>&1; then continue; fi; ' +
      `patchelf --set-interpreter ${runtime}/ld-linux-x86-64.so.2 --force-rpath --set-rpath ${runtime} "$f"; done`,
    `mkdir ${GCC14_DIR}/bin`,
    ...links.map(([target, name]) => `ln -s ${usr}/bin/${target} ${GCC14_DIR}/bin/${name}`),
    // libgcov.a (linked into PGO's instrumented programs only) was compiled against trixie's glibc,
    // whose headers send strtol to __isoc23_strtol (glibc 2.38); the base's glibc has strtol alone.
    // The same functions under those names (they differ in accepting 0b prefixes) go into it.
    "echo '#include <stdlib.h>' >/tmp/isoc23.c",
    ...ISOC23_STRTO.map(
      ([type, name]) =>
        `echo '__attribute__((visibility("hidden"))) ${type} __isoc23_${name}(const char *s, char **end, int base) { return ${name}(s, end, base); }' >>/tmp/isoc23.c`,
    ),
    `${GCC14_DIR}/bin/gcc -O2 -fPIC -c -o /tmp/isoc23_strto.o /tmp/isoc23.c`,
    `${GCC14_DIR}/bin/ar rs ${usr}/lib/gcc/x86_64-linux-gnu/14/libgcov.a /tmp/isoc23_strto.o`,
    // What CPython's PGO+LTO build does, in small: an instrumented program, a training run, the
    // optimised program from its profile; it must link against the base's libraries and run.
    "echo '#include <math.h>' >/tmp/probe.c",
    "echo 'int main(int c, char **v) { (void)v; return sqrt(c * 4.0) == 2.0 ? 0 : 1; }' >>/tmp/probe.c",
    'cd /tmp',
    `${GCC14_DIR}/bin/gcc -O2 -flto -fprofile-generate -o /tmp/probe /tmp/probe.c -lm`,
    '/tmp/probe',
    `${GCC14_DIR}/bin/gcc -O2 -flto -fprofile-use -Werror=missing-profile -o /tmp/probe /tmp/probe.c -lm`,
    '/tmp/probe',
    `test "$(${GCC14_DIR}/bin/gcc -dumpversion)" = 14`,
    'rm /tmp/probe* /tmp/isoc23*',
  ];
  return [
    `FROM ${buildBaseImage}`,
    `COPY --from=${gcc14Image} /usr ${usr}`,
    // Before RUN: gcc looks for as and ld in PATH, and the probe must link with trixie's ld.
    `ENV PATH=${GCC14_DIR}/bin:${DEFAULT_PATH}`,
    `RUN ${script.join('; ')}`,
    '',
  ].join('\n');
}

/** trixie's image (`sourceImage`) with GCC 14 and binutils installed, made before anything compiles. */
export async function prepareGcc14Image(sourceImage: string, logger: Logger, logPath: string): Promise<string> {
  return prepareToolImage({
    sourceImage,
    packages: GCC14_PACKAGES,
    repository: 'cpython-prebuilt/gcc-14',
    missing: {
      message: `GCC 14 comes from ${sourceImage}, which is not present and cannot be pulled`,
      fix: "pass a Debian trixie image with --compiler-image (COMPILER_IMAGE=; scripts/setup-machine.sh makes local/debian:trixie), or build with the base's compiler: --compiler base (COMPILER=base)",
    },
    logger,
    logPath,
  });
}

/** The build base image (a tag from ensureBuildBaseImage) with GCC 14 from `gcc14Image` in it. */
export async function ensureGcc14BuildImage(options: {
  base: BuildBase;
  buildBaseImage: string;
  gcc14Image: string;
  logger: Logger;
  log: WriteStream;
  logPath: string;
}): Promise<string> {
  const baseId = await imageId(options.buildBaseImage);
  if (!baseId) {
    throw new CpythonPrebuiltError(
      'IMAGE_MISSING',
      `the build base ${options.buildBaseImage} vanished before GCC 14 went into it`,
      {
        fix: 'run the build again (something removed the image meanwhile)',
      },
    );
  }
  return ensureImageFromDockerfile({
    baseId,
    dockerfile: gcc14Dockerfile(options.buildBaseImage, options.gcc14Image),
    tag: (digest) => buildBaseTag(options.base.id, 'x86_64', `gcc-14-${digest}`),
    arch: 'x86_64',
    logger: options.logger,
    log: options.log,
    logPath: options.logPath,
  });
}

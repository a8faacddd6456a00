import { type Arch, type BuildBase, CpythonPrebuiltError, findBase, type Logger, openLogFile } from '@cpython-prebuilt/core';
import { runScriptInContainer } from './backends/docker-backend.ts';
import type { BuildRoute } from './cross.ts';
import { prepareToolImage, siblingDebianImage } from './docker-images.ts';

/** llvm-bolt and merge-fdata (LLVM 16) are packaged from Debian bookworm on; the build bases are older. */
export const BOLT_PACKAGES = ['bolt-16'] as const;

const BOLT_BASE = findBase('debian12');

/** The image the BOLT stage starts from when neither it nor a Debian base image says otherwise. */
export const DEFAULT_BOLT_IMAGE = BOLT_BASE.image;

/**
 * The image the BOLT stage starts from: the one given, else the build's base image with its
 * Debian codename replaced by bookworm's (local/debian:bullseye -> local/debian:bookworm, a
 * mirror's debian:bullseye -> the same mirror's debian:bookworm), else DEFAULT_BOLT_IMAGE.
 */
export function boltImageFor(base: BuildBase, baseImage: string, given?: string): string {
  return given ?? siblingDebianImage(base, baseImage, BOLT_BASE.codename) ?? DEFAULT_BOLT_IMAGE;
}

/**
 * Whether a build gets the BOLT stage: asked for (true/false), or by default every PGO+LTO build
 * of x86_64 made natively with the docker backend (llvm-bolt 16 rewrites x86_64 and aarch64; the
 * aarch64 artifacts here are unoptimised cross builds, and the Vagrant VM hands back a finished tree).
 */
export function boltWanted(options: {
  requested?: boolean;
  optimize: boolean;
  arch: Arch;
  route: BuildRoute;
  backend: 'docker' | 'vagrant';
}): boolean {
  const possible = options.optimize && options.arch === 'x86_64' && options.route === 'native' && options.backend === 'docker';
  if (options.requested === true && !possible) {
    throw new CpythonPrebuiltError(
      'INVALID_INPUT',
      `BOLT needs a PGO+LTO build of x86_64 made natively with the docker backend (this one: ${options.optimize ? 'PGO+LTO' : 'no optimisations'}, ${options.arch}, ${options.route}, ${options.backend})`,
      { fix: 'drop --bolt (BOLT=1), or build with optimisations on x86_64 with --backend docker' },
    );
  }
  return options.requested ?? possible;
}

/** The BOLT stage's image (`boltImage` plus bolt-16), made before anything compiles. The docker backend has checked the engine. */
export async function prepareBoltImage(boltImage: string, logger: Logger, logPath: string): Promise<string> {
  return prepareToolImage({
    sourceImage: boltImage,
    packages: BOLT_PACKAGES,
    repository: 'cpython-prebuilt/bolt',
    missing: {
      message: `the BOLT stage needs ${boltImage}, which is not present and cannot be pulled`,
      fix: 'pass a Debian bookworm (or newer) image with --bolt-image (BOLT_IMAGE=; scripts/setup-machine.sh makes local/debian:bookworm), or build without BOLT: --no-bolt (BOLT=0)',
    },
    logger,
    logPath,
  });
}

export interface BoltInput {
  /** From prepareBoltImage. */
  image: string;
  /** The build's output directory, holding stage/python-<version>/ from build_cpython.sh STAGE=compile. */
  workDir: string;
  version: string;
  pgoTraining: string;
  jobs?: number;
  logPath: string;
  logger: Logger;
}

/** Runs bolt_python.sh on the staged tree: bin/python3.X is instrumented, trained and rewritten in place. */
export async function boltInterpreter(input: BoltInput): Promise<void> {
  const log = openLogFile(input.logPath);
  try {
    await runScriptInContainer({
      image: input.image,
      script: 'bolt_python.sh',
      env: {
        VERSION: input.version,
        PGO_TRAINING: input.pgoTraining,
        ...(input.jobs ? { JOBS: String(input.jobs) } : {}),
      },
      outputDir: input.workDir,
      log,
      logPath: input.logPath,
      logger: input.logger,
    });
  } catch (error) {
    throw new CpythonPrebuiltError('BUILD_FAILED', `the BOLT stage failed on CPython ${input.version}'s interpreter`, {
      fix: 'read the end of the log; --no-bolt (BOLT=0) builds without this stage',
      logPath: input.logPath,
      cause: error,
    });
  } finally {
    await new Promise((resolve) => log.end(resolve));
  }
}

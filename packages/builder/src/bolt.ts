import { type Arch, CpythonPrebuiltError, findBase, type Logger, openLogFile } from '@cpython-prebuilt/core';
import { runScriptInContainer } from './backends/docker-backend.ts';
import type { BuildRoute } from './cross.ts';
import { buildBaseDockerfile, ensureDocker, ensureImageFromDockerfile, requireImage } from './docker-images.ts';

/** llvm-bolt and merge-fdata (LLVM 16) are packaged from Debian bookworm on; the build bases are older. */
export const BOLT_PACKAGES = ['bolt-16'] as const;

/** The image the BOLT stage starts from when none is given: the base of that Debian release. */
export const DEFAULT_BOLT_IMAGE = findBase('debian12').image;

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

export interface BoltInput {
  /** Image with Debian bookworm or newer (bolt-16 is installed into it). */
  boltImage: string;
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
  await ensureDocker();
  const log = openLogFile(input.logPath);
  try {
    const baseId = await requireImage(input.boltImage, input.logger, 'x86_64');
    const image = await ensureImageFromDockerfile({
      baseId,
      dockerfile: buildBaseDockerfile(input.boltImage, BOLT_PACKAGES),
      tag: (digest) => `cpython-prebuilt/bolt:x86_64-${digest}`,
      arch: 'x86_64',
      logger: input.logger,
      log,
      logPath: input.logPath,
    });
    await runScriptInContainer({
      image,
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
      fix: `read the end of the log; ${input.boltImage} must be Debian bookworm or newer (bolt-16). --no-bolt (BOLT=0) builds without this stage`,
      logPath: input.logPath,
      cause: error,
    });
  } finally {
    await new Promise((resolve) => log.end(resolve));
  }
}

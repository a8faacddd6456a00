import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Arch,
  type BoltTrainingReport,
  BoltTrainingReport as BoltTrainingReportSchema,
  type BuildBase,
  CpythonPrebuiltError,
  findBase,
  type Logger,
  openLogFile,
} from '@cpython-prebuilt/core';
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

/**
 * What the instrumented interpreter runs (bolt_python.sh): `cpython`, CPython's PGO task, as
 * `--enable-bolt` trains (default: about 2 minutes instrumented); `extended`, the whole suite but
 * the tests that crash or fork without end under instrumentation (about 15 minutes). Start-up and
 * imports are trained after either.
 */
export const BOLT_TRAININGS = ['cpython', 'extended'] as const;
export type BoltTraining = (typeof BOLT_TRAININGS)[number];

/** bolt_train.py's limits: one process's profile, the profile folder, free disk the rest of the build needs (MiB); one training command's time (s). */
export interface BoltProfileLimits {
  fileMb: number;
  totalMb: number;
  minFreeMb: number;
  timeSeconds: number;
}

export interface BoltInput {
  /** From prepareBoltImage. */
  image: string;
  /** The build's output directory, holding stage/python-<version>/ from build_cpython.sh STAGE=compile. */
  workDir: string;
  version: string;
  /** A training set, or a Python file inside workDir the instrumented interpreter runs instead (tests). */
  training: BoltTraining | { script: string };
  limits?: Partial<BoltProfileLimits>;
  jobs?: number;
  logPath: string;
  logger: Logger;
}

/** The file bolt_python.sh writes in the work directory: what its training merged and discarded. */
export const BOLT_TRAINING_REPORT = 'bolt-training.json';

/**
 * Runs bolt_python.sh on the staged tree: bin/python3.X is instrumented, trained and rewritten in
 * place. Returns what the training's profile came to (bolt_train.py's report).
 */
export async function boltInterpreter(input: BoltInput): Promise<BoltTrainingReport> {
  const log = openLogFile(input.logPath);
  try {
    await runScriptInContainer({
      image: input.image,
      script: 'bolt_python.sh',
      env: {
        VERSION: input.version,
        ...(typeof input.training === 'string'
          ? { BOLT_TRAINING: input.training }
          : { BOLT_TRAINING: 'script', BOLT_TRAINING_SCRIPT: `/out/${input.training.script}` }),
        ...(input.limits?.fileMb ? { BOLT_FILE_LIMIT_MB: String(input.limits.fileMb) } : {}),
        ...(input.limits?.totalMb ? { BOLT_TOTAL_LIMIT_MB: String(input.limits.totalMb) } : {}),
        ...(input.limits?.minFreeMb ? { BOLT_MIN_FREE_MB: String(input.limits.minFreeMb) } : {}),
        ...(input.limits?.timeSeconds ? { BOLT_TIME_LIMIT_S: String(input.limits.timeSeconds) } : {}),
        ...(input.jobs ? { JOBS: String(input.jobs) } : {}),
      },
      outputDir: input.workDir,
      log,
      logPath: input.logPath,
      logger: input.logger,
    });
    return BoltTrainingReportSchema.parse(JSON.parse(await readFile(join(input.workDir, BOLT_TRAINING_REPORT), 'utf8')));
  } catch (error) {
    throw new CpythonPrebuiltError('BUILD_FAILED', `the BOLT stage failed on CPython ${input.version}'s interpreter`, {
      fix: `read the end of the log (a training stopped by a limit names it; ${BOLT_TRAINING_REPORT} in the work directory has the numbers); --no-bolt (BOLT=0) builds without this stage`,
      logPath: input.logPath,
      cause: error,
    });
  } finally {
    await new Promise((resolve) => log.end(resolve));
  }
}

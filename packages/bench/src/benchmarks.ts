import { join } from 'node:path';
import {
  type BuildOutput,
  buildArtifact,
  buildBaseDockerfile,
  DockerBackend,
  dockerEnv,
  ensureBuildBaseImage,
  imageId,
  obtainSource,
} from '@cpython-prebuilt/builder';
import {
  type ArtifactMetadata,
  CpythonPrebuiltError,
  findBase,
  hostArch,
  type Logger,
  loadArtifact,
  openLogFile,
  resolveRelease,
  run,
  sourceDateEpoch,
} from '@cpython-prebuilt/core';
import { FEATURE_ID, vendorFeature } from '@cpython-prebuilt/feature';
import { type ImageInstall, measureImageInstall } from './image-install.ts';
import { type InterpreterSpeed, measureInterpreterSpeed } from './interpreter-speed.ts';
import { describeMachine } from './project-build.ts';
import { type Summary, summarize } from './stats.ts';

export interface BenchmarksInput {
  version: string;
  baseId: string;
  /** The image the build base starts from (a local debootstrap image on machines without a registry). */
  baseImage: string;
  /** Debian bookworm or newer, for the PGO+LTO build's BOLT stage (the builder's default when omitted). */
  boltImage?: string;
  /** Debian trixie, for the PGO+LTO build's GCC 14 (the builder's default when omitted). */
  compilerImage?: string;
  sourcePath?: string;
  /** Image whose distribution python3 is the "where comparable" interpreter. */
  distroImage: string;
  runs: number;
  slowRuns: number;
  workDir: string;
  logsDir: string;
  cacheDir: string;
  /**
   * Artifacts built earlier, measured instead of building them in this run (section 4 then reports
   * the build time recorded in their metadata). Each must be of `version` and `baseId`.
   */
  prebuilt?: { plain?: string; optimized?: string };
  /**
   * The default artifact before this one (a PGO+LTO build of `version` and `baseId`): it joins the
   * interpreter comparison, and the startup target is measured against it in the same run.
   */
  previousArtifact?: string;
  logger: Logger;
}

export interface BuilderTimes {
  /** Wall time of `cpython-prebuilt build`, source check to packed artifact (size measurement excluded). */
  seconds: Summary;
  /** Median seconds of each in-guest phase. */
  phases: Record<string, number>;
}

export interface Sizes {
  artifact: string;
  compressedBytes: number;
  installedBytes: number;
  /** The full `make install` tree: measured only when the run builds the artifact itself. */
  fullInstallBytes?: number;
  fullInstallTarGzBytes?: number;
}

export interface Benchmarks {
  date: string;
  machine: string;
  version: string;
  base: string;
  runs: number;
  slowRuns: number;
  builder: { plain: BuilderTimes; optimized: BuilderTimes };
  /** Which artifacts were built earlier and passed in (their build times come from their metadata). */
  prebuilt?: { plain: boolean; optimized: boolean };
  imageInstall: ImageInstall;
  sizes: Sizes;
  interpreter: InterpreterSpeed;
  artifacts: {
    optimized: { name: string; sha256: string };
    plain: { name: string; sha256: string };
    previous?: { name: string; sha256: string };
  };
}

const FULL_INSTALL_PHASE = 'measure-full-install';

/** The interpreters of section 3, by the labels the document and its JSON use. */
export const INTERPRETER_LABELS = {
  plain: 'OPTIMIZE=0 build',
  optimized: 'PGO+LTO artifact',
  previous: 'previous default artifact',
  distro: 'distribution python3',
} as const;

function builderTimes(outputs: Pick<BuildOutput, 'metadata'>[]): BuilderTimes {
  const metadata = outputs.map((output) => output.metadata);
  const phases = [...new Set(metadata.flatMap((entry) => Object.keys(entry.phaseSeconds)))].filter(
    (phase) => phase !== FULL_INSTALL_PHASE,
  );
  return {
    seconds: summarize(metadata.map((entry) => entry.buildSeconds - (entry.phaseSeconds[FULL_INSTALL_PHASE] ?? 0))),
    phases: Object.fromEntries(
      phases.map((phase) => [phase, summarize(metadata.map((entry) => entry.phaseSeconds[phase] ?? 0)).median]),
    ),
  };
}

/** The distribution's own python3 on top of a base image. */
export async function distroPythonImage(base: string, logger: Logger): Promise<string> {
  const tag = `cpython-prebuilt/bench-distro-python:${base.replace(/[^\w.-]/g, '-')}`;
  if (await imageId(tag)) return tag;
  logger.phase(`preparing ${tag} (apt-get install python3, network: host)`);
  await run('docker', ['build', '--network', 'host', '--tag', tag, '-'], {
    input: buildBaseDockerfile(base, ['python3']),
    env: dockerEnv,
  });
  return tag;
}

function sizesOf(metadata: ArtifactMetadata): Sizes {
  const full = metadata.sizes.fullInstall;
  return {
    artifact: metadata.artifact,
    compressedBytes: metadata.sizes.compressedBytes,
    installedBytes: metadata.sizes.installedBytes,
    fullInstallBytes: full?.installedBytes,
    fullInstallTarGzBytes: full?.tarGzBytes,
  };
}

/** An artifact passed in instead of built: the one the run would have built, or a clear refusal. */
export async function prebuiltOutput(path: string, expected: { version: string; baseId: string; optimize: boolean }) {
  const loaded = await loadArtifact(path);
  const { metadata } = loaded;
  const optimized = metadata.optimizations.pgo && metadata.optimizations.lto;
  const problems = [
    metadata.version !== expected.version && `CPython ${metadata.version}, not ${expected.version}`,
    metadata.base !== expected.baseId && `built on ${metadata.base}, not ${expected.baseId}`,
    metadata.arch !== hostArch() && `for ${metadata.arch}, not this machine's ${hostArch()}`,
    optimized !== expected.optimize && (expected.optimize ? 'not a PGO+LTO build' : 'a PGO+LTO build, not OPTIMIZE=0'),
  ].filter(Boolean);
  if (problems.length > 0) {
    throw new CpythonPrebuiltError(
      'INVALID_INPUT',
      `${loaded.name} cannot stand in for this run's build: ${problems.join(', ')}`,
      {
        fix: `pass an artifact of ${expected.version} on ${expected.baseId} built ${expected.optimize ? 'with' : 'without'} optimizations, or leave the option out to build it`,
      },
    );
  }
  return { artifactPath: loaded.path, metadata };
}

/**
 * Every benchmark in one run on one machine: the builder's wall time (OPTIMIZE=0 and PGO+LTO,
 * whose artifacts feed the rest), getting CPython into an image four ways, sizes, and
 * interpreter speed.
 */
export async function runBenchmarks(input: BenchmarksInput): Promise<Benchmarks> {
  const { logger } = input;
  const base = findBase(input.baseId);
  const backend = new DockerBackend();
  const release = resolveRelease(input.version);
  const builds: Record<'plain' | 'optimized', Pick<BuildOutput, 'artifactPath' | 'metadata'>[]> = {
    plain: [],
    optimized: [],
  };
  for (const variant of ['plain', 'optimized'] as const) {
    const path = input.prebuilt?.[variant];
    if (path) {
      builds[variant].push(
        await prebuiltOutput(path, { version: input.version, baseId: base.id, optimize: variant === 'optimized' }),
      );
    }
  }
  // Checked before anything is built: a wrong one would be found an hour later.
  const previous = input.previousArtifact
    ? await prebuiltOutput(input.previousArtifact, { version: input.version, baseId: base.id, optimize: true })
    : undefined;
  for (let index = 0; index < input.slowRuns; index++) {
    for (const variant of ['plain', 'optimized'] as const) {
      if (input.prebuilt?.[variant]) continue;
      const optimize = variant === 'optimized';
      logger.phase(
        `builder wall time, ${optimize ? 'PGO+LTO (about 16 minutes)' : 'OPTIMIZE=0 (about 4 minutes)'}, run ${index + 1} of ${input.slowRuns}`,
      );
      const output = await buildArtifact(
        {
          version: input.version,
          build: 1,
          baseId: base.id,
          baseImage: input.baseImage,
          boltImage: input.boltImage,
          compilerImage: input.compilerImage,
          sourcePath: input.sourcePath,
          optimize,
          keepTests: false,
          outputDir: join(input.workDir, 'artifacts', `${variant}-${index + 1}`),
          logsDir: input.logsDir,
          cacheDir: input.cacheDir,
          sourceDateEpoch: sourceDateEpoch(release),
          measureFullInstall: optimize,
        },
        backend,
        logger,
      );
      logger.info(`${variant} build: ${output.metadata.buildSeconds} s (${output.artifactPath})`);
      builds[variant].push(output);
    }
  }
  const optimized = builds.optimized.at(-1);
  const plain = builds.plain.at(-1);
  if (!optimized || !plain) {
    throw new CpythonPrebuiltError('INVALID_INPUT', 'the benchmarks need at least one slow run', {
      fix: 'pass --slow-runs 1 or more',
    });
  }

  const source = await obtainSource({ version: input.version, sourcePath: input.sourcePath, cacheDir: input.cacheDir, logger });
  const logPath = join(input.logsDir, `bench-${input.version}-${base.id}.log`);
  const log = openLogFile(logPath);
  const image = await ensureBuildBaseImage(base, input.baseImage, logger, log, logPath, hostArch()).finally(
    () => new Promise((resolve) => log.end(resolve)),
  );
  const featureDir = await vendorFeature({
    artifactPaths: [optimized.artifactPath],
    outputDir: join(input.workDir, 'vendored', FEATURE_ID),
    force: true,
    // A local build measured here, not a release: it may be unsigned.
    allowUnsigned: true,
  });
  logger.info(`container output of the install benchmarks: ${logPath}`);
  const imageInstall = await measureImageInstall({
    featureDir,
    artifactPath: optimized.artifactPath,
    sourceTarball: source.path,
    version: input.version,
    image,
    runs: input.runs,
    slowRuns: input.slowRuns,
    workDir: join(input.workDir, 'image-install'),
    logPath,
    logger,
  });

  const distroImage = await distroPythonImage(input.distroImage, logger);
  logger.phase(`interpreter speed, ${input.runs} runs each, in ${distroImage}`);
  const interpreter = await measureInterpreterSpeed({
    interpreters: [
      { label: INTERPRETER_LABELS.plain, artifactPath: plain.artifactPath },
      { label: INTERPRETER_LABELS.optimized, artifactPath: optimized.artifactPath },
      ...(previous ? [{ label: INTERPRETER_LABELS.previous, artifactPath: previous.artifactPath }] : []),
      { label: INTERPRETER_LABELS.distro, artifactPath: undefined },
    ],
    baseline: INTERPRETER_LABELS.plain,
    image: distroImage,
    runs: input.runs,
    repeat: 5,
  });

  return {
    date: new Date().toISOString(),
    machine: await describeMachine(),
    version: input.version,
    base: base.id,
    runs: input.runs,
    slowRuns: input.slowRuns,
    builder: { plain: builderTimes(builds.plain), optimized: builderTimes(builds.optimized) },
    prebuilt: { plain: Boolean(input.prebuilt?.plain), optimized: Boolean(input.prebuilt?.optimized) },
    imageInstall,
    sizes: sizesOf(optimized.metadata),
    interpreter,
    artifacts: {
      optimized: { name: optimized.metadata.artifact, sha256: optimized.metadata.sha256 },
      plain: { name: plain.metadata.artifact, sha256: plain.metadata.sha256 },
      ...(previous && { previous: { name: previous.metadata.artifact, sha256: previous.metadata.sha256 } }),
    },
  };
}

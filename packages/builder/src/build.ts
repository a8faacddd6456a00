import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  type Arch,
  type ArtifactMetadata,
  ArtifactMetadata as ArtifactMetadataSchema,
  artifactFileName,
  BuildFacts,
  CpythonPrebuiltError,
  debugArchiveFileName,
  defaultPrefix,
  expectedExtensions,
  FullInstallSize,
  findBase,
  formatGib,
  formatSha256Line,
  hostArch,
  isCpythonPrebuiltError,
  type Logger,
  metadataFileName,
  run,
  sha256File,
  sha256FileName,
  topDirectoryName,
} from '@cpython-prebuilt/core';
import type { BuildBackend, GuestBuildRequest } from './backends/backend.ts';
import { type BoltTraining, boltImageFor, boltInterpreter, boltWanted, prepareBoltImage } from './bolt.ts';
import { type BuildRoute, buildRoute, gnuTriplet, requireCrossBuildable } from './cross.ts';
import { type DiskUseWatch, requiredFreeBytes, requireFreeSpace, watchDiskUse } from './disk-use.ts';
import { obtainLibrarySources } from './library-sources.ts';
import { packDeterministic } from './pack.ts';
import { artifactSbom, SBOM_PATH } from './sbom.ts';
import { obtainSource } from './source.ts';
import { type Compiler, compilerFor, gcc14ImageFor, prepareGcc14Image } from './toolchain.ts';
import { checkUpstreamSignature } from './upstream-signature.ts';

export const PGO_TRAININGS = ['extended', 'cpython'] as const;
export type PgoTraining = (typeof PGO_TRAININGS)[number];
/**
 * How GCC expands memcpy/memset (x86): `no-rep` calls glibc's where GCC 10 would inline
 * `rep movsq`/`rep stosq` (expected sizes over 32 bytes, which a PGO profile gives str copies of a
 * few bytes); `compiler` leaves GCC's own choice.
 */
export const STRINGOP_STRATEGIES = ['no-rep', 'compiler'] as const;
export type StringopStrategy = (typeof STRINGOP_STRATEGIES)[number];

export interface BuildInput {
  version: string;
  build: number;
  baseId: string;
  baseImage?: string;
  /**
   * Architecture of the artifact; default: the host's. Another one is cross-compiled in a container
   * of the host's architecture (OPTIMIZE=0 only, Debian bases), or with `emulate` built in one of
   * its own architecture under qemu-user-static.
   */
  arch?: Arch;
  /** Build another architecture under emulation instead of cross-compiling it. */
  emulate?: boolean;
  sourcePath?: string;
  sourceUrl?: string;
  sha256?: string;
  optimize: boolean;
  keepTests: boolean;
  /** Link bin/python3.X from libpython's objects (default) rather than against libpython3.X.so. */
  staticInterpreter?: boolean;
  /** PGO training: the whole regression suite (extended, default) or CPython's own task (cpython). */
  pgoTraining?: PgoTraining;
  /** memcpy/memset expansion on x86 (default no-rep); ignored for other architectures. */
  stringopStrategy?: StringopStrategy;
  /**
   * Link bin/python3.X as a position-independent executable (default, GCC's on Debian); false links
   * it -no-pie, so LTO generates its code without PIC.
   */
  pie?: boolean;
  /** Move debug information into the .debug.tgz symbols archive (default) rather than ship it. */
  splitDebug?: boolean;
  /**
   * Rewrite bin/python3.X with llvm-bolt from a profile of the PGO task (bolt.ts). Default: on for
   * PGO+LTO builds of x86_64 made natively with the docker backend; true where it cannot run is refused.
   */
  bolt?: boolean;
  /** What BOLT's instrumented interpreter trains on (bolt.ts BOLT_TRAININGS; default cpython). */
  boltTraining?: BoltTraining;
  /** Debian bookworm or newer, for the BOLT stage (default: boltImageFor the base image). */
  boltImage?: string;
  /**
   * The C compiler (toolchain.ts): GCC 14 from trixie inside the build base, or the base's own.
   * Default: gcc-14 for PGO+LTO builds of x86_64 made natively with the docker backend.
   */
  compiler?: Compiler;
  /** Debian trixie, for GCC 14 (default: gcc14ImageFor the base image). */
  compilerImage?: string;
  jobs?: number;
  outputDir: string;
  logsDir: string;
  cacheDir: string;
  sourceDateEpoch: number;
  /** Build when the upstream OpenPGP signature is missing or unpinned for the line (a bad one always stops). */
  allowUnverifiedSource?: boolean;
  /** Free space required before starting, in bytes (default: disk-use.ts REQUIRED_FREE_BYTES, the measured peak with a margin). */
  minFreeBytes?: number;
  /** Also record the size of the unpruned install tree and of a plain tar czf of it (sizes.fullInstall). */
  measureFullInstall?: boolean;
}

export interface BuildOutput {
  artifactPath: string;
  sha256Path: string;
  metadataPath: string;
  metadata: ArtifactMetadata;
  logPath: string;
  /** The symbols archive (absent with splitDebug false): extracts over the install tree's directory. */
  debugArchive?: { path: string; sha256Path: string; sha256: string; compressedBytes: number };
}

const routeNotes: Record<BuildRoute, string> = {
  native: '',
  cross: `, cross-compiled on ${hostArch()}`,
  emulated: ', under emulation (qemu-user-static)',
};

/** The filesystems a build writes to: its output and cache, and Docker's (images, containers' layers). */
async function buildFilesystems(input: BuildInput, backend: BuildBackend): Promise<string[]> {
  const paths = [input.outputDir, input.cacheDir];
  if (backend.name === 'docker') {
    const root = await run('docker', ['info', '--format', '{{.DockerRootDir}}'], { allowExitCodes: [1] }).catch(() => undefined);
    const dir = root?.stdout.trim();
    if (dir) paths.push(dir);
  }
  return paths;
}

/** Source in, verified and packed artifact out. Nothing lands in outputDir until it is complete. */
export async function buildArtifact(input: BuildInput, backend: BuildBackend, logger: Logger): Promise<BuildOutput> {
  const started = Date.now();
  const base = findBase(input.baseId);
  const arch = input.arch ?? hostArch();
  const route = buildRoute(arch, hostArch(), input.emulate ?? false);
  if (route === 'cross') requireCrossBuildable({ base, arch, host: hostArch(), optimize: input.optimize });
  const bolt = boltWanted({ requested: input.bolt, optimize: input.optimize, arch, route, backend: backend.name });
  const compiler = compilerFor({ requested: input.compiler, optimize: input.optimize, arch, route, backend: backend.name });
  const artifact = artifactFileName({ version: input.version, base: base.id, arch, build: input.build });
  const logPath = join(input.logsDir, `build-${artifact.replace(/\.tgz$/, '')}.log`);
  await mkdir(input.logsDir, { recursive: true });
  await mkdir(input.outputDir, { recursive: true });
  await writeFile(logPath, `# cpython-prebuilt build ${artifact} ${new Date().toISOString()}\n`);
  logger.info(
    `building ${artifact} (${input.optimize ? `PGO+LTO${bolt ? '+BOLT' : ''}` : 'no optimisations'}${routeNotes[route]}, ${compiler === 'gcc-14' ? 'GCC 14 from trixie' : "the base's compiler"}) with the ${backend.name} backend; log: ${logPath}`,
  );

  const requiredBytes = requiredFreeBytes(input.optimize, input.minFreeBytes);
  await requireFreeSpace(input.outputDir, requiredBytes);
  await backend.ensureAvailable();
  const disk: DiskUseWatch = await watchDiskUse(await buildFilesystems(input, backend));
  try {
    return await buildWatched(input, backend, logger, {
      started,
      base,
      arch,
      route,
      bolt,
      compiler,
      artifact,
      logPath,
      requiredBytes,
      disk,
    });
  } finally {
    await disk.stop();
  }
}

interface BuildPlan {
  started: number;
  base: ReturnType<typeof findBase>;
  arch: Arch;
  route: BuildRoute;
  bolt: boolean;
  compiler: Compiler;
  artifact: string;
  logPath: string;
  requiredBytes: number;
  disk: DiskUseWatch;
}

/** sha256 of each bundled library as the artifact ships it (after patchelf), by file name. */
async function bundledFileDigests(libDir: string, libraries: BuildFacts['bundledLibraries']): Promise<Record<string, string>> {
  const digests: Record<string, string> = {};
  for (const library of libraries) digests[library.name] = await sha256File(join(libDir, library.name));
  return digests;
}

async function buildWatched(input: BuildInput, backend: BuildBackend, logger: Logger, plan: BuildPlan): Promise<BuildOutput> {
  const { started, base, arch, route, bolt, compiler, artifact, logPath } = plan;
  const boltImage = bolt ? boltImageFor(base, input.baseImage ?? base.image, input.boltImage) : undefined;
  const boltToolsImage = boltImage ? await prepareBoltImage(boltImage, logger, logPath) : undefined;
  const gcc14Image =
    compiler === 'gcc-14'
      ? await prepareGcc14Image(gcc14ImageFor(base, input.baseImage ?? base.image, input.compilerImage), logger, logPath)
      : undefined;
  logger.phase('source');
  const source = await obtainSource({
    version: input.version,
    sourcePath: input.sourcePath,
    sourceUrl: input.sourceUrl,
    sha256: input.sha256,
    cacheDir: input.cacheDir,
    logger,
  });
  // Before anything compiles: upstream's own signature, besides the pinned sha256.
  const sourceChecks = await checkUpstreamSignature({
    source,
    allowUnverified: input.allowUnverifiedSource ?? false,
    downloadDir: join(input.cacheDir, 'downloads'),
    logger,
  });

  const libraries = await obtainLibrarySources({ logger });

  // One directory per run: two builds of the same artifact (a test and a user) must not share it.
  await mkdir(join(input.cacheDir, 'work'), { recursive: true });
  const workDir = await mkdtemp(join(input.cacheDir, 'work', `${artifact.replace(/\.tgz$/, '')}-`));
  const prefix = defaultPrefix(input.version);
  const topDirectory = topDirectoryName(input.version);
  const staging = join(input.outputDir, `.${artifact}.staging`);
  const debugArtifact = debugArchiveFileName(artifact);
  const debugStaging = join(input.outputDir, `.${debugArtifact}.staging`);
  try {
    logger.phase(`compile in ${backend.name} (${base.id}, ${input.baseImage ?? base.image})`);
    const request: GuestBuildRequest = {
      base,
      arch,
      route,
      baseImage: input.baseImage ?? base.image,
      gcc14Image,
      sourcePath: source.path,
      libraries: libraries.map(({ pin, path }) => ({ name: pin.name, version: pin.version, path })),
      librariesCacheDir: join(input.cacheDir, 'build-libraries'),
      outputDir: workDir,
      logPath,
      logger,
      env: {
        VERSION: input.version,
        PREFIX: prefix,
        OPTIMIZE: input.optimize ? '1' : '0',
        KEEP_TESTS: input.keepTests ? '1' : '0',
        STATIC_INTERPRETER: input.staticInterpreter === false ? '0' : '1',
        SPLIT_DEBUG: input.splitDebug === false ? '0' : '1',
        PGO_TRAINING: input.pgoTraining ?? 'extended',
        STRINGOP_STRATEGY: input.stringopStrategy ?? 'no-rep',
        PIE: input.pie === false ? '0' : '1',
        SOURCE_DATE_EPOCH: String(input.sourceDateEpoch),
        EXPECTED_EXTENSIONS: expectedExtensions().join(' '),
        ...(route === 'cross' ? { CROSS_HOST: gnuTriplet(arch) } : {}),
        ...(input.jobs ? { JOBS: String(input.jobs) } : {}),
        ...(input.measureFullInstall ? { MEASURE_FULL_INSTALL: '1' } : {}),
      },
    };
    const buildStage = (env: Record<string, string>) =>
      backend.build({ ...request, env: { ...request.env, ...env } }).catch((error: unknown) => {
        // A backend's own diagnosis (VM did not boot, guest disk full) already names cause and fix.
        if (isCpythonPrebuiltError(error) && error.code !== 'COMMAND_FAILED') throw error;
        throw new CpythonPrebuiltError('BUILD_FAILED', `building CPython ${input.version} failed in ${backend.name}`, {
          fix: 'read the end of the log; a missing native module means a -dev package is missing from the base package list',
          logPath,
          cause: error,
        });
      });
    let boltTraining: ArtifactMetadata['optimizations']['boltTraining'];
    if (boltToolsImage) {
      // llvm-bolt needs a newer base than the build's: the build stops with its tree staged, the
      // BOLT stage rewrites the interpreter in its own container, and the build finishes the tree.
      await buildStage({ STAGE: 'compile', BOLT: '1' });
      const set = input.boltTraining ?? 'cpython';
      logger.phase(`BOLT (${boltImage}, training: ${set})`);
      const profile = await boltInterpreter({
        image: boltToolsImage,
        workDir,
        version: input.version,
        training: set,
        jobs: input.jobs,
        logPath,
        logger,
      });
      boltTraining = { set, profile };
      logger.info(
        `BOLT profile: ${profile.merged} process profiles merged into ${(profile.mergedBytes / 1024 ** 2).toFixed(1)} MiB, folder peak ${(profile.peakFolderBytes / 1024 ** 2).toFixed(1)} MiB, ${profile.discarded.length} discarded`,
      );
      logger.phase(`finish in ${backend.name} (${base.id})`);
      await buildStage({ STAGE: 'finish', BOLT: '1' });
    } else {
      await buildStage({});
    }
    const facts = BuildFacts.parse(JSON.parse(await readFile(join(workDir, 'build-facts.json'), 'utf8')));
    if (facts.version !== input.version) {
      throw new CpythonPrebuiltError(
        'BUILD_FAILED',
        `the built interpreter reports ${facts.version}, expected ${input.version}`,
        {
          fix: 'the source tarball does not hold the requested version; check --source',
          logPath,
        },
      );
    }

    const fullInstall = input.measureFullInstall
      ? FullInstallSize.parse(JSON.parse(await readFile(join(workDir, 'full-install.json'), 'utf8')))
      : undefined;

    // The SBOM travels inside the tree, beside the licence texts the build put in share/licenses/.
    const sbomPath = join(workDir, topDirectory, SBOM_PATH);
    await mkdir(dirname(sbomPath), { recursive: true });
    await writeFile(
      sbomPath,
      artifactSbom({
        version: input.version,
        build: input.build,
        base: base.id,
        arch,
        source: { url: source.release.url, sha256: source.sha256 },
        bundledLibraries: facts.bundledLibraries,
        fileSha256: await bundledFileDigests(join(workDir, topDirectory, 'lib'), facts.bundledLibraries),
        compiler: facts.compiler,
        sourceDateEpoch: input.sourceDateEpoch,
      }),
    );

    logger.phase('package (deterministic tar.gz)');
    const artifactPath = join(input.outputDir, artifact);
    await packDeterministic({ root: workDir, topDirectory, output: staging, mtime: input.sourceDateEpoch });
    const sha256 = await sha256File(staging);
    const compressedBytes = (await stat(staging)).size;
    const debugArchive =
      input.splitDebug === false ? undefined : await packDebugArchive(workDir, topDirectory, debugStaging, input);
    const metadata = ArtifactMetadataSchema.parse({
      schemaVersion: 1,
      artifact,
      sha256,
      version: input.version,
      build: input.build,
      base: base.id,
      baseImage: input.baseImage ?? base.image,
      arch,
      prefix,
      topDirectory,
      glibcMinimum: facts.glibcMinimum,
      configureArgs: facts.configureArgs,
      compiler: facts.compiler,
      optimizations: { pgo: input.optimize, lto: input.optimize, bolt, ...(boltTraining ? { boltTraining } : {}) },
      keepTests: input.keepTests,
      extensionModules: facts.extensionModules,
      bundledLibraries: facts.bundledLibraries,
      source: { url: source.release.url, sha256: source.sha256, checks: sourceChecks },
      sizes: { compressedBytes, installedBytes: facts.installedBytes, fileCount: facts.fileCount, fullInstall },
      buildSeconds: Math.round((Date.now() - started) / 1000),
      phaseSeconds: facts.phaseSeconds,
      disk: { ...(await plan.disk.stop()), requiredBytes: plan.requiredBytes },
      backend: backend.name,
      sourceDateEpoch: input.sourceDateEpoch,
    } satisfies ArtifactMetadata);
    const metadataPath = join(input.outputDir, metadataFileName(artifact));
    const sha256Path = join(input.outputDir, sha256FileName(artifact));
    // The .sha256 is written last: its presence means the artifact beside it is complete.
    await writeFile(`${metadataPath}.part`, `${JSON.stringify(metadata, null, 2)}\n`);
    await rename(staging, artifactPath);
    await rename(`${metadataPath}.part`, metadataPath);
    let debugOutput: BuildOutput['debugArchive'];
    if (debugArchive) {
      const path = join(input.outputDir, debugArtifact);
      const debugSha256Path = join(input.outputDir, sha256FileName(debugArtifact));
      await rename(debugStaging, path);
      await writeFile(debugSha256Path, formatSha256Line(debugArchive.sha256, debugArtifact));
      debugOutput = { path, sha256Path: debugSha256Path, ...debugArchive };
    }
    await writeFile(`${sha256Path}.part`, formatSha256Line(sha256, artifact));
    await rename(`${sha256Path}.part`, sha256Path);
    // The summary a long build ends with: where the time went, and the disk it needed at most.
    const phases = Object.entries(metadata.phaseSeconds)
      .map(([phase, seconds]) => `${phase} ${seconds} s`)
      .join(', ');
    logger.info(`built in ${metadata.buildSeconds} s (${phases}); peak disk ${formatGib(metadata.disk?.peakBytes ?? 0)}`);
    return { artifactPath, sha256Path, metadataPath, metadata, logPath, debugArchive: debugOutput };
  } finally {
    await rm(workDir, { recursive: true, force: true });
    await rm(staging, { force: true });
    await rm(debugStaging, { force: true });
  }
}

/** build_cpython.sh leaves the split debug information in debug/python-<version>/lib/debug. */
async function packDebugArchive(
  workDir: string,
  topDirectory: string,
  output: string,
  input: BuildInput,
): Promise<{ sha256: string; compressedBytes: number }> {
  const root = join(workDir, 'debug');
  await stat(join(root, topDirectory)).catch((error: unknown) => {
    throw new CpythonPrebuiltError('BUILD_FAILED', 'the build left no debug information to pack', {
      fix: 'read the split-debug phase in the build log; build with --no-split-debug to ship debug information inline',
      cause: error,
    });
  });
  await packDeterministic({ root, topDirectory, output, mtime: input.sourceDateEpoch });
  return { sha256: await sha256File(output), compressedBytes: (await stat(output)).size };
}

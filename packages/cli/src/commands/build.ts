import {
  type BuildBackend,
  type BuildInput,
  buildArtifact,
  DockerBackend,
  defaultVagrantProvider,
  projectPaths,
  VagrantBackend,
  type VagrantProvider,
  vagrantProviders,
} from '@cpython-prebuilt/builder';
import {
  buildBases,
  createLogger,
  DEFAULT_BUILD_BASE,
  newestVersion,
  resolveRelease,
  sourceDateEpoch,
} from '@cpython-prebuilt/core';
import { type Command, Option } from 'commander';
import { parsePositiveInteger } from './parse.ts';

export interface BuildFlags {
  version: string;
  build: number;
  base: string;
  baseImage?: string;
  source?: string;
  sourceUrl?: string;
  sha256?: string;
  optimize: boolean;
  keepTests: boolean;
  jobs?: number;
  backend: 'docker' | 'vagrant';
  vagrantProvider: VagrantProvider;
  outputDir: string;
  minFreeGb: number;
  measureFullInstall: boolean;
  json: boolean;
}

/** The build options, shared by `build` and `phase3`. */
export function buildOptions(command: Command): Command {
  return command
    .addOption(new Option('--version <version>', 'full CPython version').default(newestVersion()))
    .addOption(
      new Option('--build <n>', 'build number of this version (rebuilds increase it)').default(1).argParser(parsePositiveInteger),
    )
    .addOption(new Option('--base <id>', 'build base').choices(buildBases.map((base) => base.id)).default(DEFAULT_BUILD_BASE))
    .option('--base-image <ref>', "image to start from instead of the base's own (mirrors, local debootstrap images)")
    .option('--source <path>', 'use this local source tarball (verified against the pinned sha256)')
    .option('--source-url <url>', 'download the source from this mirror instead of python.org (same pin)')
    .option('--sha256 <digest>', 'sha256 of the source, required for versions the manifest does not pin')
    .option('--no-optimize', 'skip PGO and LTO (a quick build, about 6x faster)')
    .option('--keep-tests', 'keep the test suite, test extension modules and static library', false)
    .addOption(new Option('--jobs <n>', 'parallel make jobs (default: all cores)').argParser(parsePositiveInteger))
    .addOption(
      new Option('--backend <name>', 'isolated build environment: a container, or the Vagrant VM iact-cpython-builder')
        .choices(['docker', 'vagrant'])
        .default('docker'),
    )
    .addOption(
      new Option('--vagrant-provider <name>', 'provider of the Vagrant VM (default: VAGRANT_DEFAULT_PROVIDER, else virtualbox)')
        .choices(vagrantProviders)
        .default(defaultVagrantProvider()),
    )
    .option('--output-dir <dir>', 'where the artifact, .sha256 and metadata go', projectPaths.artifactsDir)
    .addOption(new Option('--min-free-gb <n>', 'refuse to start with less free disk').default(10).argParser(parsePositiveInteger))
    .option(
      '--measure-full-install',
      'also record the size of the unpruned make-install tree and of a plain tar czf of it (metadata sizes.fullInstall)',
      false,
    );
}

export function buildCommand(program: Command): void {
  buildOptions(
    program
      .command('build')
      .description('build a relocatable CPython artifact from the official source in an isolated environment'),
  )
    .option('--json', 'print the artifact metadata as JSON on stdout', false)
    .action(async (flags: BuildFlags) => {
      await runBuild(flags);
    });
}

export function backendFromFlags(flags: Pick<BuildFlags, 'backend' | 'vagrantProvider'>): BuildBackend {
  return flags.backend === 'vagrant' ? new VagrantBackend(flags.vagrantProvider) : new DockerBackend();
}

export function buildInputFromFlags(flags: BuildFlags): BuildInput {
  const release = resolveRelease(flags.version, flags.sha256);
  return {
    version: flags.version,
    build: flags.build,
    baseId: flags.base,
    baseImage: flags.baseImage,
    sourcePath: flags.source,
    sourceUrl: flags.sourceUrl,
    sha256: flags.sha256,
    optimize: flags.optimize,
    keepTests: flags.keepTests,
    jobs: flags.jobs,
    outputDir: flags.outputDir,
    logsDir: projectPaths.logsDir,
    cacheDir: projectPaths.cacheDir,
    sourceDateEpoch: sourceDateEpoch(release),
    minFreeBytes: flags.minFreeGb * 1024 ** 3,
    measureFullInstall: flags.measureFullInstall,
  };
}

async function runBuild(flags: BuildFlags): Promise<void> {
  const logger = createLogger();
  const output = await buildArtifact(buildInputFromFlags(flags), backendFromFlags(flags), logger);
  logger.info(`artifact: ${output.artifactPath}`);
  logger.info(`checksum: ${output.sha256Path}`);
  logger.info(`metadata: ${output.metadataPath}`);
  logger.info(
    `size: ${(output.metadata.sizes.compressedBytes / 1024 ** 2).toFixed(1)} MiB compressed, ${(output.metadata.sizes.installedBytes / 1024 ** 2).toFixed(1)} MiB installed; built in ${output.metadata.buildSeconds} s`,
  );
  if (flags.json) process.stdout.write(`${JSON.stringify(output.metadata, null, 2)}\n`);
  else process.stdout.write(`${output.artifactPath}\n`);
}

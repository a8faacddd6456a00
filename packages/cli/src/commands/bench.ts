import { DEFAULT_BOLT_IMAGE } from '@cpython-prebuilt/builder';
import {
  buildBases,
  createLogger,
  DEFAULT_BUILD_BASE,
  defaultVersion,
  layout,
  resolveArtifactPath,
} from '@cpython-prebuilt/core';
import { runBenchmarkSuite } from '@cpython-prebuilt/pipelines';
import { type Command, Option } from 'commander';
import {
  COMPILER_IMAGE_HELP,
  parseCpythonVersion,
  parsePositiveInteger,
  reproduceCommand,
  resultsOutput,
  resultsOutputOption,
  writeDocsOption,
} from '../shared-options.ts';

interface BenchFlags {
  version: string;
  base: string;
  baseImage?: string;
  boltImage?: string;
  compilerImage?: string;
  source?: string;
  distroImage: string;
  runs: number;
  slowRuns: number;
  output?: string;
  writeDocs: boolean;
  renderOnly: boolean;
  artifact?: string;
  plainArtifact?: string;
  previousArtifact?: string;
}

export function benchCommand(program: Command): void {
  program
    .command('bench')
    .description(
      'every benchmark in one run: builder wall time, getting CPython into an image (feature, from source, tar), sizes, interpreter speed; writes docs/benchmarks.md and .json',
    )
    .addOption(
      new Option('--version <version>', 'CPython version (a line such as 3.13: its newest pinned patch)')
        .argParser(parseCpythonVersion)
        .default(defaultVersion),
    )
    .addOption(new Option('--base <id>', 'build base').choices(buildBases.map((base) => base.id)).default(DEFAULT_BUILD_BASE))
    .option('--base-image <ref>', "image the build base starts from instead of the base's own (local debootstrap images)")
    .option(
      '--bolt-image <ref>',
      `Debian bookworm or newer, for the BOLT stage (default: the base image with bookworm for its Debian codename, local/debian:bullseye -> local/debian:bookworm; else ${DEFAULT_BOLT_IMAGE})`,
    )
    .option('--compiler-image <ref>', COMPILER_IMAGE_HELP)
    .option('--source <path>', 'local source tarball (verified against the pinned sha256)')
    .option('--distro-image <ref>', 'image whose distribution python3 is compared (trixie ships 3.13)', 'local/debian:trixie')
    .addOption(
      new Option('--runs <n>', 'runs of each quick measurement (install, tar, interpreter suite)')
        .default(5)
        .argParser(parsePositiveInteger),
    )
    .addOption(
      new Option('--slow-runs <n>', 'runs of each measurement that compiles CPython (4 to 18 minutes each on 2 cores)')
        .default(2)
        .argParser(parsePositiveInteger),
    )
    .option('--artifact <tgz>', 'measure this PGO+LTO artifact instead of building one (its build time comes from its metadata)')
    .option('--plain-artifact <tgz>', 'measure this OPTIMIZE=0 artifact instead of building one')
    .option(
      '--previous-artifact <tgz>',
      'the default PGO+LTO artifact before this one: joins the interpreter comparison, and startup is measured against it',
    )
    .addOption(resultsOutputOption(layout.results.benchmarks, 'results document (the raw numbers go beside it as .json)'))
    .addOption(writeDocsOption(layout.results.benchmarks))
    .option(
      '--render-only',
      'measure nothing: render the document again from the .json beside it (after a wording change)',
      false,
    )
    .action(async (flags: BenchFlags) => {
      await runBenchmarkSuite({
        version: flags.version,
        baseId: flags.base,
        baseImage: flags.baseImage,
        boltImage: flags.boltImage,
        compilerImage: flags.compilerImage,
        sourcePath: flags.source,
        distroImage: flags.distroImage,
        runs: flags.runs,
        slowRuns: flags.slowRuns,
        output: resultsOutput(flags, layout.results.benchmarks),
        renderOnly: flags.renderOnly,
        prebuilt: {
          optimized: flags.artifact && resolveArtifactPath(flags.artifact),
          plain: flags.plainArtifact && resolveArtifactPath(flags.plainArtifact),
        },
        previousArtifact: flags.previousArtifact && resolveArtifactPath(flags.previousArtifact),
        reproduce: reproduceCommand('bench'),
        logger: createLogger('bench'),
      });
    });
}

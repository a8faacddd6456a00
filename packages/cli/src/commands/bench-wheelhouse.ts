import { join } from 'node:path';
import { CpythonPrebuiltError, createLogger, layout, loadArtifact, resolveArtifactPath } from '@cpython-prebuilt/core';
import { benchmarkWheelhouse, type WheelhouseBenchmarkInput } from '@cpython-prebuilt/pipelines';
import { type Command, Option } from 'commander';
import {
  parsePositiveInteger,
  reproduceCommand,
  resultsOutput,
  resultsOutputOption,
  writeDocsOption,
} from '../shared-options.ts';

interface WheelhouseBenchFlags {
  artifact: string;
  requirements?: string;
  findLinks: string[];
  image?: string;
  runs: number;
  output?: string;
  writeDocs: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Issue 16's benchmark: a project's packages into an image from a wheelhouse vs pip from the sdists. */
export function benchWheelhouseCommand(program: Command): void {
  program
    .command('bench-wheelhouse')
    .description(
      "time getting a project's packages into an image from a wheelhouse (as the feature installs it) against pip install from the sdists, and the wheelhouse build itself (docs/benchmarks-wheelhouse.md)",
    )
    .requiredOption('--artifact <tgz>', 'the interpreter both ways use (its .sha256 and .json beside it)')
    .option(
      '--requirements <file>',
      "the project's requirements (default: markupsafe, idna, packaging from Debian's sdists in .cache/sources)",
    )
    .addOption(
      new Option('--find-links <dir>', 'folder of the sdists and build backends (repeatable; needed with --requirements)')
        .default([])
        .argParser(collect),
    )
    .option('--image <ref>', "image for the wheelhouse install, with no compiler (default: the artifact's base image)")
    .addOption(
      new Option('--runs <n>', 'rounds, each a build, (a) and (b), interleaved').default(3).argParser(parsePositiveInteger),
    )
    .addOption(resultsOutputOption(layout.results.wheelhouse, 'results document (the raw numbers and the chart go beside it)'))
    .addOption(writeDocsOption(layout.results.wheelhouse))
    .action(async (flags: WheelhouseBenchFlags) => {
      await benchmarkWheelhouse(await wheelhouseBenchInputFromFlags(flags));
    });
}

async function wheelhouseBenchInputFromFlags(flags: WheelhouseBenchFlags): Promise<WheelhouseBenchmarkInput> {
  if (!flags.requirements && flags.findLinks.length > 0) {
    throw new CpythonPrebuiltError('INVALID_INPUT', '--find-links without --requirements: which packages should be installed?', {
      fix: 'pass --requirements <file> too, or neither to measure the demo project',
    });
  }
  return {
    artifact: await loadArtifact(resolveArtifactPath(flags.artifact)),
    project: flags.requirements ? { requirementsPath: flags.requirements, findLinks: flags.findLinks } : undefined,
    image: flags.image,
    runs: flags.runs,
    output: resultsOutput(flags, layout.results.wheelhouse),
    reproduce: reproduceCommand('bench-wheelhouse'),
    workDir: join(layout.cacheDir, 'bench-wheelhouse'),
    logsDir: layout.logsDir,
    cacheDir: layout.cacheDir,
    sourcesDir: layout.sourcesDir,
    logger: createLogger('bench'),
  };
}

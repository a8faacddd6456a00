import { createLogger, layout, loadArtifact, resolveArtifactPath } from '@cpython-prebuilt/core';
import { compareInterpreters } from '@cpython-prebuilt/pipelines';
import { type Command, InvalidArgumentError, Option } from 'commander';
import {
  parsePositiveInteger,
  reproduceCommand,
  resultsOutput,
  resultsOutputOption,
  writeDocsOption,
} from '../shared-options.ts';

interface InterpretersFlags {
  artifact: [string, string][];
  baseline?: string;
  distroImage: string;
  distro: boolean;
  runs: number;
  output?: string;
  writeDocs: boolean;
}

function labelled(value: string, previous: [string, string][]): [string, string][] {
  // The last '=': labels such as "OPTIMIZE=0" carry one, artifact names never do.
  const split = value.lastIndexOf('=');
  if (split <= 0)
    throw new InvalidArgumentError('expected <label>=<artifact>, e.g. "gcc 14=cpython-3.13.5-debian13-x86_64-build1.tgz"');
  return [...previous, [value.slice(0, split), value.slice(split + 1)]];
}

/** Section 3 of the benchmarks on any artifacts: to see what a base, compiler or flag does to speed. */
export function benchInterpretersCommand(program: Command): void {
  program
    .command('bench-interpreters')
    .description("interpreter speed of any artifacts side by side, and the distribution's python3")
    .requiredOption('--artifact <label=artifact>', 'an artifact to compare (repeatable)', labelled, [])
    .option('--baseline <label>', 'the interpreter the others are compared with (default: the first)')
    .option('--distro-image <ref>', 'image whose distribution python3 joins the comparison', 'local/debian:trixie')
    .option('--no-distro', "leave the distribution's python3 out")
    .addOption(new Option('--runs <n>', 'suite runs per interpreter, interleaved').default(3).argParser(parsePositiveInteger))
    .addOption(resultsOutputOption(layout.results.interpreters, 'results document (the raw numbers go beside it as .json)'))
    .addOption(writeDocsOption(layout.results.interpreters))
    .action(async (flags: InterpretersFlags) => {
      await compareInterpreters({
        artifacts: await Promise.all(
          flags.artifact.map(async ([label, path]) => ({ label, artifact: await loadArtifact(resolveArtifactPath(path)) })),
        ),
        baseline: flags.baseline,
        distroImage: flags.distroImage,
        includeDistro: flags.distro,
        runs: flags.runs,
        output: resultsOutput(flags, layout.results.interpreters),
        reproduce: reproduceCommand('bench-interpreters'),
        logger: createLogger('bench'),
      });
    });
}

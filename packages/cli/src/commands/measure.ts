import { createLogger, layout, loadArtifact, resolveArtifactPath } from '@cpython-prebuilt/core';
import { measurePilotBuilds } from '@cpython-prebuilt/pipelines';
import { type Command, Option } from 'commander';
import {
  parsePositiveInteger,
  reproduceCommand,
  resultsOutput,
  resultsOutputOption,
  writeDocsOption,
} from '../shared-options.ts';

interface MeasureFlags {
  artifact: string[];
  source?: string;
  runs: number;
  pilot: string;
  output?: string;
  writeDocs: boolean;
  baselineImage?: string;
}

export function measureCommand(program: Command): void {
  program
    .command('measure')
    .description(
      "time the pilot's devcontainer build: Python compiled from source (before) against the feature (after), and write the results document",
    )
    .requiredOption('--artifact <file...>', 'artifact(s) the feature installs (vendored)')
    .option('--source <tarball>', 'the CPython source the baseline compiles (default: downloaded from python.org, verified)')
    .addOption(new Option('--runs <n>', 'builds per variant').default(3).argParser(parsePositiveInteger))
    .option('--pilot <dir>', 'the pilot project, in its before state', layout.pilotDir)
    .option('--baseline-image <ref>', 'image with compilers for the baseline (default: the build-base image of the pilot image)')
    .addOption(resultsOutputOption(layout.results.phase3, 'results document (a .json with the raw numbers is written beside it)'))
    .addOption(writeDocsOption(layout.results.phase3))
    .action(async (flags: MeasureFlags) => {
      const output = await measurePilotBuilds({
        artifacts: await Promise.all(flags.artifact.map((path) => loadArtifact(resolveArtifactPath(path)))),
        sourcePath: flags.source,
        runs: flags.runs,
        pilotDir: flags.pilot,
        baselineImage: flags.baselineImage,
        output: resultsOutput(flags, layout.results.phase3),
        reproduce: reproduceCommand('measure'),
        logger: createLogger(),
      });
      process.stdout.write(`${output}\n`);
    });
}

import { createLogger, layout, loadArtifact, resolveArtifactPath } from '@cpython-prebuilt/core';
import { exampleProjects, measureProjectBuilds } from '@cpython-prebuilt/pipelines';
import { type Command, Option } from 'commander';
import {
  parseCpythonVersion,
  parsePositiveInteger,
  reproduceCommand,
  resultsOutput,
  resultsOutputOption,
  writeDocsOption,
} from '../shared-options.ts';

interface MeasureProjectsFlags {
  artifact: string[];
  source: string[];
  runs: number;
  project?: string[];
  version?: string;
  baselineImage?: string;
  output?: string;
  writeDocs: boolean;
}

export function measureProjectsCommand(program: Command): void {
  program
    .command('measure-projects')
    .description(
      'time every dev container configuration of each project: the official feature compiling Python (before) against the project integrated with the feature (after), in one run, and write the Fase 4 results document',
    )
    .requiredOption(
      '--artifact <file...>',
      'artifacts the feature installs (vendored); one for each version the projects ask for',
    )
    .option(
      '--source <tarball...>',
      'CPython sources the baselines compile, picked by version (default: found or downloaded, verified)',
      [],
    )
    .addOption(
      new Option('--runs <n>', 'builds per variant and configuration, interleaved').default(1).argParser(parsePositiveInteger),
    )
    .option('--project <dir...>', 'project folders (default: the pilot and every example under examples/)')
    .option(
      '--version <version>',
      'install this version both ways instead of the one each configuration asks for (a line such as 3.13: its newest pinned patch)',
      parseCpythonVersion,
    )
    .option(
      '--baseline-image <ref>',
      "image with compilers for the baselines (default: the build-base image of each project's image)",
    )
    .addOption(resultsOutputOption(layout.results.phase4, 'results document (a .json with the raw numbers is written beside it)'))
    .addOption(writeDocsOption(layout.results.phase4))
    .action(async (flags: MeasureProjectsFlags) => {
      const output = resultsOutput(flags, layout.results.phase4);
      await measureProjectBuilds({
        artifacts: await Promise.all(flags.artifact.map((path) => loadArtifact(resolveArtifactPath(path)))),
        sources: flags.source,
        runs: flags.runs,
        projectDirs: flags.project ?? (await exampleProjects()),
        version: flags.version,
        baselineImage: flags.baselineImage,
        output,
        reproduce: reproduceCommand('measure-projects'),
        logger: createLogger(),
      });
      process.stdout.write(`${output}\n`);
    });
}

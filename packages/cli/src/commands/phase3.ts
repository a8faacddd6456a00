import { createLogger, layout, newestBase } from '@cpython-prebuilt/core';
import { type Phase3Input, runPhase3 } from '@cpython-prebuilt/pipelines';
import { type Command, Option } from 'commander';
import {
  type BuildFlags,
  backendFromFlags,
  buildInputFromFlags,
  buildOptions,
  githubTargetFromFlags,
  parsePositiveInteger,
  reproduceCommand,
  resultsOutput,
  resultsOutputOption,
  writeDocsOption,
} from '../shared-options.ts';

interface Phase3Flags extends BuildFlags {
  artifact?: string;
  image: string[];
  runs: number;
  repo?: string;
  registry?: string;
  namespace: string;
  output?: string;
  writeDocs: boolean;
}

export function phase3Command(program: Command): void {
  const command = program
    .command('phase3')
    .description(
      "the procedure's phase 3 in one command: build -> validate -> release -> publish -> integrate -> measure -> record (local targets unless credentials are given)",
    );
  buildOptions(command);
  command
    .option('--artifact <file>', 'skip the build and use this artifact')
    .addOption(new Option('--image <ref...>', 'bare images to validate on').default([newestBase().image]))
    .addOption(new Option('--runs <n>', 'measured builds per variant').default(3).argParser(parsePositiveInteger))
    .option('--repo <owner/name>', 'release to this GitHub repository (needs GITHUB_TOKEN); default: a local release target')
    .option('--registry <host>', 'publish to this registry (ghcr.io...); default: a local registry on 127.0.0.1')
    .option('--namespace <ns>', 'feature namespace', 'octo/cpython-prebuilt/cpython')
    .addOption(resultsOutputOption(layout.results.phase3, 'results document'))
    .addOption(writeDocsOption(layout.results.phase3))
    .action(async (flags: Phase3Flags) => {
      await runPhase3(phase3InputFromFlags(flags));
    });
}

function phase3InputFromFlags(flags: Phase3Flags): Phase3Input {
  return {
    build: flags.artifact
      ? { artifactPath: flags.artifact }
      : { input: buildInputFromFlags(flags), backend: backendFromFlags(flags) },
    images: flags.image,
    github: flags.repo ? githubTargetFromFlags(flags.repo) : undefined,
    registry: flags.registry,
    registryAuth: { username: process.env.OCI_USERNAME, password: process.env.OCI_PASSWORD },
    namespace: flags.namespace,
    runs: flags.runs,
    sourcePath: flags.source,
    output: resultsOutput(flags, layout.results.phase3),
    reproduce: reproduceCommand('phase3'),
    logger: createLogger('phase3'),
  };
}

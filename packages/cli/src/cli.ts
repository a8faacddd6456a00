import { readFileSync } from 'node:fs';
import { EXIT_CODES, exitCodeFor, isCpythonPrebuiltError, setVerbosity } from '@cpython-prebuilt/core';
import { Command, CommanderError, Option } from 'commander';
import { benchCommand } from './commands/bench.ts';
import { benchInterpretersCommand } from './commands/bench-interpreters.ts';
import { benchWheelhouseCommand } from './commands/bench-wheelhouse.ts';
import { buildCommand } from './commands/build.ts';
import { buildBudgetCommand } from './commands/build-budget.ts';
import { completionCommand } from './commands/completion.ts';
import { featureCommand } from './commands/feature.ts';
import { generateCommand } from './commands/generate.ts';
import { integrateCommand } from './commands/integrate.ts';
import { keysCommand } from './commands/keys.ts';
import { librariesCommand } from './commands/libraries.ts';
import { lintWorkflowsCommand } from './commands/lint-workflows.ts';
import { measureCommand } from './commands/measure.ts';
import { measureProjectsCommand } from './commands/measure-projects.ts';
import { phase3Command } from './commands/phase3.ts';
import { publishCommands } from './commands/publish.ts';
import { releaseCommand } from './commands/release.ts';
import { releaseFeatureCommand } from './commands/release-feature.ts';
import { sbomCommand } from './commands/sbom.ts';
import { vagrantCommand } from './commands/vagrant.ts';
import { validateCommand } from './commands/validate.ts';
import { verifyArtifactCommand } from './commands/verify-artifact.ts';
import { versionsCommand } from './commands/versions.ts';
import { wheelhouseCommand } from './commands/wheelhouse.ts';

export function createProgram(): Command {
  const program = new Command('cpython-prebuilt')
    .description('Precompiled, relocatable CPython for Dev Containers: build, validate, ship.')
    // Program options only before the command: `build --version 3.13.5` stays build's own option.
    .enablePositionalOptions()
    .version(cliVersion(), '-V, --version', "print cpython-prebuilt's version")
    .hook('preAction', (_program, action) => {
      const { quiet, verbose } = action.optsWithGlobals<{ quiet?: boolean; verbose?: boolean }>();
      if (quiet) setVerbosity('quiet');
      if (verbose) setVerbosity('verbose');
    })
    .showHelpAfterError()
    .exitOverride();
  buildCommand(program);
  validateCommand(program);
  buildBudgetCommand(program);
  verifyArtifactCommand(program);
  sbomCommand(program);
  generateCommand(program);
  featureCommand(program);
  integrateCommand(program);
  releaseCommand(program);
  releaseFeatureCommand(program);
  keysCommand(program);
  publishCommands(program);
  measureCommand(program);
  measureProjectsCommand(program);
  lintWorkflowsCommand(program);
  phase3Command(program);
  benchCommand(program);
  benchInterpretersCommand(program);
  benchWheelhouseCommand(program);
  vagrantCommand(program);
  versionsCommand(program);
  librariesCommand(program);
  wheelhouseCommand(program);
  completionCommand(program);
  // Every command (and the program, before one) takes -q/-v, where users type them.
  const conventions = (command: Command): void => {
    command.exitOverride();
    command
      .addOption(new Option('-q, --quiet', 'print only warnings, errors and results').conflicts('verbose'))
      .addOption(new Option('-v, --verbose', 'also print every command run, and where its log goes'));
    for (const child of command.commands) conventions(child);
  };
  conventions(program);
  return program;
}

/** The CLI package's version (package.json), for --version. */
function cliVersion(): string {
  const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return packageJson.version;
}

/**
 * The only place that catches: one clear paragraph on stderr and an exit status by kind
 * (EXIT_CODES: 1 check failed, 2 usage, 3 environment, 4 verification refused); with
 * --json, also the error as a JSON object on stdout ({"error": {code, message, fix, logPath}}),
 * so a machine reading stdout gets an answer either way.
 */
export async function main(argv: string[]): Promise<void> {
  const json = argv.includes('--json');
  try {
    await createProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end with 0; anything else commander refuses is a usage error.
      process.exitCode = error.exitCode === 0 ? 0 : EXIT_CODES.usage;
      if (json && error.exitCode !== 0) {
        process.stdout.write(`${JSON.stringify({ error: { code: 'USAGE', message: error.message } })}\n`);
      }
      return;
    }
    if (isCpythonPrebuiltError(error)) {
      process.stderr.write(`${error.describe()}\n`);
      if (json) {
        const { code, message, fix, logPath } = error;
        process.stdout.write(`${JSON.stringify({ error: { code, message, fix, logPath } })}\n`);
      }
      process.exitCode = exitCodeFor(error.code);
      return;
    } else {
      process.stderr.write(`unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      if (json) process.stdout.write(`${JSON.stringify({ error: { code: 'UNEXPECTED', message: String(error) } })}\n`);
    }
    process.exitCode = 1;
  }
}

import { isCpythonPrebuiltError } from '@cpython-prebuilt/core';
import { Command, CommanderError } from 'commander';
import { benchCommand } from './commands/bench.ts';
import { benchInterpretersCommand } from './commands/bench-interpreters.ts';
import { benchWheelhouseCommand } from './commands/bench-wheelhouse.ts';
import { buildCommand } from './commands/build.ts';
import { buildBudgetCommand } from './commands/build-budget.ts';
import { featureCommand } from './commands/feature.ts';
import { generateCommand } from './commands/generate.ts';
import { integrateCommand } from './commands/integrate.ts';
import { keysCommand } from './commands/keys.ts';
import { lintWorkflowsCommand } from './commands/lint-workflows.ts';
import { measureCommand } from './commands/measure.ts';
import { measureProjectsCommand } from './commands/measure-projects.ts';
import { phase3Command } from './commands/phase3.ts';
import { publishCommands } from './commands/publish.ts';
import { releaseCommand } from './commands/release.ts';
import { releaseFeatureCommand } from './commands/release-feature.ts';
import { vagrantCommand } from './commands/vagrant.ts';
import { validateCommand } from './commands/validate.ts';
import { verifyArtifactCommand } from './commands/verify-artifact.ts';
import { versionsCommand } from './commands/versions.ts';
import { wheelhouseCommand } from './commands/wheelhouse.ts';

export function createProgram(): Command {
  const program = new Command('cpython-prebuilt')
    .description('Precompiled, relocatable CPython for Dev Containers: build, validate, ship.')
    .showHelpAfterError()
    .exitOverride();
  buildCommand(program);
  validateCommand(program);
  buildBudgetCommand(program);
  verifyArtifactCommand(program);
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
  wheelhouseCommand(program);
  const override = (command: Command): void => {
    command.exitOverride();
    for (const child of command.commands) override(child);
  };
  override(program);
  return program;
}

/** The only place that catches: one clear paragraph on stderr and a non-zero exit code. */
export async function main(argv: string[]): Promise<void> {
  try {
    await createProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    if (isCpythonPrebuiltError(error)) {
      process.stderr.write(`${error.describe()}\n`);
    } else {
      process.stderr.write(`unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exitCode = 1;
  }
}

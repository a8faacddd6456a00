import { createLogger, layout } from '@cpython-prebuilt/core';
import { requireValidWorkflows } from '@cpython-prebuilt/release';
import type { Command } from 'commander';

export function lintWorkflowsCommand(program: Command): void {
  program
    .command('lint-workflows')
    .description('lint the GitHub Actions workflows with actionlint; fails on any finding')
    .option('--dir <dir>', 'the workflows folder', layout.workflowsDir)
    .action(async (flags: { dir: string }) => {
      const files = await requireValidWorkflows(flags.dir);
      createLogger().info(`actionlint: ${files.length} workflow(s) clean`);
      for (const file of files) process.stdout.write(`${file}\n`);
    });
}

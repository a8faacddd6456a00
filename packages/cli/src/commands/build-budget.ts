import { buildBudgetLines, requireWithinBudget } from '@cpython-prebuilt/builder';
import { createLogger, loadArtifact, resolveArtifactPath } from '@cpython-prebuilt/core';
import type { Command } from 'commander';

interface BuildBudgetFlags {
  markdown: boolean;
}

export function buildBudgetCommand(program: Command): void {
  program
    .command('build-budget')
    .description("check a build's time and peak disk (from its metadata) against the default build's budget: 50 minutes, 10 GiB")
    .argument('<artifact>', 'the cpython-<version>-<base>-<arch>-build<N>.tgz (its .json metadata beside it)')
    .option('--markdown', 'print the figures as a Markdown table (a CI job summary)', false)
    .action(async (artifact: string, flags: BuildBudgetFlags) => {
      const loaded = await loadArtifact(resolveArtifactPath(artifact));
      const lines = buildBudgetLines(loaded.metadata);
      if (flags.markdown) {
        process.stdout.write(
          [
            `### ${loaded.name}`,
            '',
            '| | measured | budget | |',
            '|---|---|---|---|',
            ...lines.map((line) => `| ${line.what} | ${line.measured} | ${line.budget} | ${line.ok ? 'ok' : 'over'} |`),
            '',
          ].join('\n'),
        );
      } else {
        for (const line of lines)
          process.stdout.write(`${line.what}: ${line.measured} (budget ${line.budget}) ${line.ok ? 'ok' : 'OVER'}\n`);
      }
      requireWithinBudget(loaded.name, lines);
      createLogger().info('within budget');
    });
}

import { BUILD_BUDGET, requireWithinBudget } from '@cpython-prebuilt/builder';
import { createLogger, formatGib, formatMinutes, layout } from '@cpython-prebuilt/core';
import { checkBuildBudget } from '@cpython-prebuilt/pipelines';
import type { Command } from 'commander';
import { reproduceCommand, resultsOutput, resultsOutputOption, writeDocsOption } from '../shared-options.ts';

interface BuildBudgetFlags {
  markdown: boolean;
  output?: string;
  writeDocs: boolean;
  note?: string;
}

export function buildBudgetCommand(program: Command): void {
  program
    .command('build-budget')
    .description(
      `check a build's time and peak disk (from its metadata) against the default build's budget: ${formatMinutes(BUILD_BUDGET.seconds)}, ${formatGib(BUILD_BUDGET.diskBytes)}; with --output or --write-docs, also record its figures (what the README quotes)`,
    )
    .argument('<artifact>', 'the cpython-<version>-<base>-<arch>-build<N>.tgz (its .json metadata beside it)')
    .option('--markdown', 'print the figures as a Markdown table (a CI job summary)', false)
    .addOption(resultsOutputOption(layout.results.defaultBuild, 'record the figures in this document'))
    .addOption(writeDocsOption(layout.results.defaultBuild))
    .option(
      '--note <text>',
      'recorded with the figures: what a reader needs to weigh them (e.g. "the machine ran tests meanwhile")',
    )
    .action(async (artifact: string, flags: BuildBudgetFlags) => {
      const recording = flags.output !== undefined || flags.writeDocs;
      const { name, lines } = await checkBuildBudget({
        artifact,
        output: recording ? resultsOutput(flags, layout.results.defaultBuild) : undefined,
        reproduce: reproduceCommand('build-budget'),
        note: flags.note,
      });
      if (flags.markdown) {
        process.stdout.write(
          [
            `### ${name}`,
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
      requireWithinBudget(name, lines);
      createLogger().info('within budget');
    });
}

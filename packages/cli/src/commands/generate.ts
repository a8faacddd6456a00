import { createLogger } from '@cpython-prebuilt/core';
import { generateRepositoryFiles } from '@cpython-prebuilt/pipelines';
import type { Command } from 'commander';

interface GenerateFlags {
  check: boolean;
}

export function generateCommand(program: Command): void {
  program
    .command('generate')
    .description(
      'regenerate the feature (features/src/installer), versions.json, build-bases.json, ARTIFACTS.md and the JSON schemas from the TypeScript sources',
    )
    .option('--check', 'change nothing; fail if any generated file is stale (CI)', false)
    .action(async (flags: GenerateFlags) => {
      const written = await generateRepositoryFiles({ check: flags.check });
      createLogger().info(written.length === 0 ? 'generated files are up to date' : `wrote ${written.join(', ')}`);
    });
}

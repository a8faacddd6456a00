import { repoRoot } from '@cpython-prebuilt/builder';
import { CpythonPrebuiltError, createLogger } from '@cpython-prebuilt/core';
import { generate } from '@cpython-prebuilt/feature';
import { renderArtifactsMd } from '@cpython-prebuilt/release';
import type { Command } from 'commander';

interface GenerateFlags {
  check: boolean;
}

export function generateCommand(program: Command): void {
  program
    .command('generate')
    .description(
      'regenerate the feature (features/src/installer), versions.json and the JSON schemas from the TypeScript sources',
    )
    .option('--check', 'change nothing; fail if any generated file is stale (CI)', false)
    .action(async (flags: GenerateFlags) => {
      await runGenerate(flags);
    });
}

async function runGenerate(flags: GenerateFlags): Promise<void> {
  const logger = createLogger();
  const stale = await generate({
    repoRoot,
    check: flags.check,
    extraFiles: (manifest) => ({ 'infrastructure/artifacts/ARTIFACTS.md': renderArtifactsMd(manifest) }),
  });
  if (flags.check && stale.length > 0) {
    throw new CpythonPrebuiltError('INVALID_INPUT', `generated files are stale: ${stale.join(', ')}`, {
      fix: 'run `pnpm generate` and commit the result',
    });
  }
  logger.info(stale.length === 0 ? 'generated files are up to date' : `wrote ${stale.join(', ')}`);
}

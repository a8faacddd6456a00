import { createLogger } from '@cpython-prebuilt/core';
import { vendorFeature } from '@cpython-prebuilt/feature';
import type { Command } from 'commander';

interface VendorFlags {
  artifact: string[];
  output: string;
  force: boolean;
  allowUnsigned: boolean;
}

export function featureCommand(program: Command): void {
  const feature = program.command('feature').description('work with the cpython/installer Dev Container Feature');
  feature
    .command('vendor')
    .description('write a copy of the feature with an artifact inside its folder, for use with no network')
    .requiredOption(
      '--artifact <file...>',
      'the .tgz (its .sha256 and .json metadata beside it); several for side-by-side versions',
    )
    .requiredOption('--output <dir>', 'the feature folder to create, e.g. .devcontainer/installer')
    .option('--force', 'replace the output folder if it exists', false)
    .option(
      '--allow-unsigned',
      'vendor an artifact that has no .asc signature beside it, with the requireSignature default false',
      false,
    )
    .action(async (flags: VendorFlags) => {
      const logger = createLogger();
      const folder = await vendorFeature({
        artifactPaths: flags.artifact,
        outputDir: flags.output,
        force: flags.force,
        allowUnsigned: flags.allowUnsigned,
      });
      logger.info(
        `vendored feature written to ${folder}; reference it as "./${folder.split('/').at(-1)}" from a devcontainer.json beside it`,
      );
      process.stdout.write(`${folder}\n`);
    });
}

import { createLogger, layout } from '@cpython-prebuilt/core';
import { type BumpLevel, bumpFeatureVersion, bumpLevels, vendorFeature } from '@cpython-prebuilt/feature';
import { type Command, Option } from 'commander';

interface BumpFlags {
  level: BumpLevel;
  file: string;
}

interface VendorFlags {
  artifact: string[];
  output: string;
  force: boolean;
  wheelhouse?: string;
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
      '--wheelhouse <file>',
      'also vendor this wheelhouse (its .sha256, .json and .requirements.lock beside it) and set wheelhouseUrl',
    )
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
        wheelhousePath: flags.wheelhouse,
        allowUnsigned: flags.allowUnsigned,
      });
      logger.info(
        `vendored feature written to ${folder}; reference it as "./${folder.split('/').at(-1)}" from a devcontainer.json beside it`,
      );
      process.stdout.write(`${folder}\n`);
    });

  feature
    .command('bump')
    .description("bump the feature's semver version (features/feature-version.json); run `pnpm generate` after it")
    .addOption(new Option('--level <level>', 'which part to increase').choices(bumpLevels).default('minor'))
    .option('--file <path>', 'the feature version file', layout.featureVersion)
    .action(async (flags: BumpFlags) => {
      const { from, to } = await bumpFeatureVersion(flags.file, flags.level);
      createLogger().info(`feature version ${from} -> ${to} in ${flags.file}`);
      process.stdout.write(`${to}\n`);
    });
}

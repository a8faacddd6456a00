import { createLogger } from '@cpython-prebuilt/core';
import { DEFAULT_FEATURE_REFERENCE } from '@cpython-prebuilt/feature';
import { integrate } from '@cpython-prebuilt/integrate';
import type { Command } from 'commander';

interface IntegrateFlags {
  feature: string;
  version: string;
  artifactUrl?: string;
  sha256?: string;
  dryRun: boolean;
}

export function integrateCommand(program: Command): void {
  program
    .command('integrate')
    .description("switch a project's devcontainer.json from the official python feature to cpython/installer, keeping comments")
    .argument('<project>', 'the project folder (holding .devcontainer/devcontainer.json)')
    .option('--feature <reference>', 'how to reference the feature', DEFAULT_FEATURE_REFERENCE)
    .option('--version <version>', 'CPython version option for the feature', '3.13')
    .option('--artifact-url <url>', 'pin an artifact URL (needs --sha256 unless a .sha256 is published beside it)')
    .option('--sha256 <digest>', 'sha256 of --artifact-url')
    .option('--dry-run', 'print the diff, change nothing', false)
    .action(async (project: string, flags: IntegrateFlags) => {
      const logger = createLogger();
      const options: Record<string, string> = { version: flags.version };
      if (flags.artifactUrl) options.artifactUrl = flags.artifactUrl;
      if (flags.sha256) options.sha256 = flags.sha256;
      const result = await integrate({ projectDir: project, entry: { reference: flags.feature, options }, dryRun: flags.dryRun });
      process.stdout.write(flags.dryRun ? result.diff : `${result.path}\n`);
      logger.info(
        `${result.path}: ${result.changed ? result.action : 'already up to date'}${flags.dryRun ? ' (dry run, not written)' : ''}`,
      );
    });
}

import { createLogger, layout } from '@cpython-prebuilt/core';
import { type BumpLevel, bumpLevels } from '@cpython-prebuilt/feature';
import { releaseFeature } from '@cpython-prebuilt/pipelines';
import { GitHubClient, releaseTag, repositoryFromGitRemote } from '@cpython-prebuilt/release';
import { type Command, Option } from 'commander';
import {
  githubApiUrl,
  githubTargetFromFlags,
  parsePositiveInteger,
  readTrustedKeys,
  signerKeysOption,
} from '../shared-options.ts';

interface ReleaseFeatureFlags {
  version: string[];
  build: number;
  repo?: string;
  apiUrl: string;
  level: BumpLevel;
  manifest: string;
  featureVersionFile: string;
  src: string;
  signerKeys: string;
}

export function releaseFeatureCommand(program: Command): void {
  program
    .command('release-feature')
    .description(
      'record every artifact of the releases cpython-<version>-build<N> in the manifest (each downloaded, hashed and its .asc verified against the trusted keys first), bump the feature version if that changed it, regenerate the feature trusting exactly those keys; refuses a feature missing a default artifact',
    )
    .requiredOption('--version <version...>', 'CPython versions whose releases to record (repeatable)')
    .addOption(new Option('--build <n>', 'build number of those releases').default(1).argParser(parsePositiveInteger))
    .option('--repo <owner/name>', 'GitHub repository (default: from the git remote "origin")')
    .option('--api-url <url>', 'GitHub REST API base URL (GitHub Enterprise, or a test server)', githubApiUrl())
    .addOption(new Option('--level <level>', 'semver part of the feature version to bump').choices(bumpLevels).default('minor'))
    .option('--manifest <file>', 'artifact manifest (ARTIFACTS.md is written beside it)', layout.manifest)
    .option('--feature-version-file <file>', 'the feature version file', layout.featureVersion)
    .option('--src <dir>', 'the collection src/ folder to write the feature into', layout.featuresSrcDir)
    .addOption(signerKeysOption())
    .action(async (flags: ReleaseFeatureFlags) => {
      const logger = createLogger();
      const origin = flags.repo ? undefined : await repositoryFromGitRemote(process.cwd());
      const repository = flags.repo ?? `${origin?.owner}/${origin?.repo}`;
      const target = githubTargetFromFlags(
        repository,
        flags.apiUrl,
        'export GITHUB_TOKEN=<a token that can read the releases> (the release workflow passes its GITHUB_TOKEN)',
      );
      const result = await releaseFeature({
        client: new GitHubClient({ ...target, logger, dryRun: false }),
        tags: flags.version.map((version) => releaseTag(version, flags.build)),
        manifestPath: flags.manifest,
        featureVersionPath: flags.featureVersionFile,
        srcDir: flags.src,
        level: flags.level,
        logger,
        trustedKeys: await readTrustedKeys(flags.signerKeys),
      });
      logger.info(
        `recorded ${result.recorded.length} artifact(s); feature ${result.featureDir} at ${result.version.to}; default version covered on every architecture`,
      );
      process.stdout.write(`${result.version.to}\n`);
    });
}

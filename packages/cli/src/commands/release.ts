import { artifactsMdPath, CpythonPrebuiltError, createLogger, layout, resolveArtifactPath } from '@cpython-prebuilt/core';
import { GitHubClient, releaseArtifact, repositoryFromGitRemote } from '@cpython-prebuilt/release';
import type { Command } from 'commander';
import { githubApiUrl, githubTokenFromEnv, releaseSigner } from '../shared-options.ts';

interface ReleaseFlags {
  repo?: string;
  apiUrl: string;
  manifest: string;
  dryRun: boolean;
  unsigned: boolean;
}

export function releaseCommand(program: Command): void {
  program
    .command('release')
    .description('publish an artifact as the GitHub release cpython-<version>-build<N>, verify it, record it in the manifest')
    .argument('<artifact>', 'the .tgz (its .sha256 and .json metadata beside it)')
    .option('--repo <owner/name>', 'GitHub repository (default: from the git remote "origin")')
    .option('--api-url <url>', 'GitHub REST API base URL (GitHub Enterprise, or a test server)', githubApiUrl())
    .option(
      '--manifest <file>',
      'artifact manifest to record the release in (ARTIFACTS.md is written beside it)',
      layout.manifest,
    )
    .option('--dry-run', 'print every request instead of sending it', false)
    .option('--unsigned', 'publish without .asc signatures (no CPYTHON_PREBUILT_SIGNING_KEY needed)', false)
    .action(async (artifact: string, flags: ReleaseFlags) => {
      const logger = createLogger();
      const token = githubTokenFromEnv() ?? '';
      if (!token && !flags.dryRun) {
        throw new CpythonPrebuiltError('INVALID_INPUT', 'no GitHub token: GITHUB_TOKEN and GH_TOKEN are both unset', {
          fix: 'export GITHUB_TOKEN=<a token with contents:write on the repository>, or use --dry-run',
        });
      }
      const [owner, repo] = flags.repo ? flags.repo.split('/') : Object.values(await repositoryFromGitRemote(process.cwd()));
      if (!owner || !repo) {
        throw new CpythonPrebuiltError('INVALID_INPUT', `--repo "${flags.repo}" is not <owner>/<name>`, {
          fix: 'pass e.g. --repo octo/cpython-prebuilt',
        });
      }
      const signer = await releaseSigner(flags.unsigned);
      const client = new GitHubClient({ apiUrl: flags.apiUrl, token, owner, repo, logger, dryRun: flags.dryRun });
      const result = await releaseArtifact({
        artifactPath: resolveArtifactPath(artifact),
        client,
        manifestPath: flags.manifest,
        artifactsMdPath: artifactsMdPath(flags.manifest),
        logger,
        dryRun: flags.dryRun,
        signer,
      });
      logger.info(`${result.tag}: uploaded ${result.uploaded.length} asset(s), verified ${result.verified.length} by download`);
      if (!flags.dryRun) process.stdout.write(`${result.entry.url}\n`);
    });
}

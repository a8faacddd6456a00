import { basename } from 'node:path';
import {
  CpythonPrebuiltError,
  createLogger,
  layout,
  loadArtifact,
  loadWheelhouse,
  resolveArtifactPath,
} from '@cpython-prebuilt/core';
import { GitHubClient, releaseArtifact, repositoryFromGitRemote } from '@cpython-prebuilt/release';
import type { Command } from 'commander';
import { githubApiUrl, githubTokenFromEnv, releaseSigner, signerKeysOption } from '../shared-options.ts';

interface ReleaseFlags {
  repo?: string;
  apiUrl: string;
  manifest: string;
  dryRun: boolean;
  wheelhouse: string[];
  unsigned: boolean;
  signerKeys: string;
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
    .option(
      '--wheelhouse <file...>',
      'also release these wheelhouses built with the artifact (each with .sha256, .json and .requirements.lock)',
      [],
    )
    .option('--unsigned', 'publish without .asc signatures (no CPYTHON_PREBUILT_SIGNING_KEY needed)', false)
    .addOption(signerKeysOption())
    .action(async (artifact: string, flags: ReleaseFlags) => {
      const logger = createLogger();
      // The artifact first: a missing or damaged one is the thing to fix, whatever the token, repository or key.
      const artifactPath = resolveArtifactPath(artifact);
      const loaded = await loadArtifact(artifactPath);
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
      const signer = await releaseSigner(flags.unsigned, flags.signerKeys);
      const client = new GitHubClient({ apiUrl: flags.apiUrl, token, owner, repo, logger, dryRun: flags.dryRun });
      const extraPaths: string[] = [];
      for (const file of flags.wheelhouse) {
        const wheelhouse = await loadWheelhouse(file);
        if (wheelhouse.metadata.artifact.file !== basename(artifactPath)) {
          throw new CpythonPrebuiltError(
            'INVALID_INPUT',
            `${wheelhouse.name} was built with ${wheelhouse.metadata.artifact.file}, not ${basename(artifactPath)}`,
            { fix: 'release a wheelhouse with the artifact it was built with' },
          );
        }
        extraPaths.push(wheelhouse.path, wheelhouse.sha256Path, wheelhouse.metadataPath, wheelhouse.lockPath);
      }
      const result = await releaseArtifact({
        artifactPath,
        loaded,
        extraPaths,
        client,
        manifestPath: flags.manifest,
        logger,
        dryRun: flags.dryRun,
        signer,
      });
      logger.info(`${result.tag}: uploaded ${result.uploaded.length} asset(s), verified ${result.verified.length} by download`);
      process.stdout.write(flags.dryRun ? result.plan.map((line) => `${line}\n`).join('') : `${result.entry.url}\n`);
    });
}

import { CpythonPrebuiltError, run } from '@cpython-prebuilt/core';

/** owner/name from `git remote get-url origin` (https or ssh form of a github.com URL). */
export async function repositoryFromGitRemote(cwd: string): Promise<{ owner: string; repo: string }> {
  const result = await run('git', ['remote', 'get-url', 'origin'], { cwd, allowExitCodes: [2, 128] });
  const match = /github\.com[:/]([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(result.stdout.trim());
  if (result.exitCode !== 0 || !match?.[1] || !match[2]) {
    throw new CpythonPrebuiltError(
      'INVALID_INPUT',
      `cannot tell the GitHub repository from the git remote "${result.stdout.trim() || 'origin (none)'}"`,
      {
        fix: 'pass --repo <owner>/<name>',
      },
    );
  }
  return { owner: match[1], repo: match[2] };
}

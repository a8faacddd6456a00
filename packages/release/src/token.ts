import { CpythonPrebuiltError } from '@cpython-prebuilt/core';

/** The variables a GitHub token is read from, in order (the names GitHub's own `gh` reads). */
export const GITHUB_TOKEN_VARIABLES = ['GITHUB_TOKEN', 'GH_TOKEN'] as const;

/**
 * The GitHub token from the environment: GITHUB_TOKEN, else GH_TOKEN. An empty (or blank)
 * variable counts as unset, so `GITHUB_TOKEN=` in a CI file cannot hide a GH_TOKEN that is set.
 */
export function githubToken(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const name of GITHUB_TOKEN_VARIABLES) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return undefined;
}

/** The token, or a typed error naming both variables. */
export function requireGitHubToken(env: NodeJS.ProcessEnv = process.env): string {
  const token = githubToken(env);
  if (!token) {
    throw new CpythonPrebuiltError('INVALID_INPUT', 'no GitHub token: GITHUB_TOKEN and GH_TOKEN are both unset or empty', {
      fix: 'export GITHUB_TOKEN=<a token with contents:write on the repository>, or use --dry-run',
    });
  }
  return token;
}

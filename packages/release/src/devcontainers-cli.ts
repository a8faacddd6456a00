import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CpythonPrebuiltError, type RunResult, run } from '@cpython-prebuilt/core';

const require = createRequire(import.meta.url);
/** The devcontainers CLI this repository pins, not whatever is on PATH. */
export const devcontainerBin = join(dirname(require.resolve('@devcontainers/cli/package.json')), 'devcontainer.js');

/** Legacy builder: Debian's docker.io has no buildx (the CLI detects it and takes its legacy path). */
const env = { DOCKER_BUILDKIT: '0' };

/**
 * A guard against a hung CLI, not a budget: a dev container that compiles CPython from source (the
 * "before" of every measurement) took more than 15 minutes on 2 busy cores.
 */
const DEVCONTAINER_TIMEOUT_MS = 45 * 60_000;

export async function devcontainer(
  args: string[],
  allowFailure = false,
  timeoutMs = DEVCONTAINER_TIMEOUT_MS,
): Promise<RunResult> {
  return run('node', [devcontainerBin, ...args], { env, allowExitCodes: allowFailure ? [1] : [], timeoutMs });
}

/** `devcontainer features publish` or `features info` answered something we cannot use. */
export class FeaturePublishError extends CpythonPrebuiltError {
  constructor(message: string, output: string) {
    super('COMMAND_FAILED', `${message}: ${output.trim().slice(0, 300) || '(no output)'}`, {
      fix: 'check the registry address and namespace, and the credentials the devcontainers CLI uses (DEVCONTAINERS_OCI_AUTH or docker login)',
    });
    this.name = 'FeaturePublishError';
  }
}

/**
 * The CLI's JSON result: its whole stdout (`features info` prints it over several lines), or the
 * last line when log lines come before it (`features publish`).
 */
export function jsonResult(stdout: string, what: string): unknown {
  for (const candidate of [stdout.trim(), stdout.trim().split('\n').at(-1) ?? '']) {
    try {
      return JSON.parse(candidate);
    } catch {
      // Try the next form.
    }
  }
  throw new FeaturePublishError(`${what} printed no JSON result`, stdout);
}

export interface PublishFeatureInput {
  /** The collection's src/ folder (each subfolder a feature). */
  srcDir: string;
  /** Registry host as the CLI wants it: localhost:<port> speaks plain HTTP, others TLS. */
  registry: string;
  /** e.g. <owner>/<repo>/cpython, so users write <registry>/<owner>/<repo>/cpython/installer:1 */
  namespace: string;
}

export interface PublishedFeature {
  id: string;
  version: string;
  digest: string;
  tags: string[];
}

/**
 * `devcontainer features publish`: semver tags (1, 1.0, 1.0.0, latest) moving forward only,
 * plus the collection metadata. Credentials come from the CLI's usual sources (DEVCONTAINERS_OCI_AUTH, docker config).
 */
export async function publishFeatures(input: PublishFeatureInput): Promise<PublishedFeature[]> {
  const result = await devcontainer([
    'features',
    'publish',
    '--registry',
    input.registry,
    '--namespace',
    input.namespace,
    input.srcDir,
  ]);
  const summary = jsonResult(result.stdout, 'devcontainer features publish') as Record<
    string,
    { publishedTags?: string[]; digest?: string; version?: string }
  >;
  return Object.entries(summary).map(([id, entry]) => ({
    id,
    version: entry.version ?? '',
    digest: entry.digest ?? '',
    tags: entry.publishedTags ?? [],
  }));
}

/** The manifest of a published feature, read back through the CLI. */
export async function featureManifest(reference: string): Promise<{ annotations?: Record<string, string>; layers: unknown[] }> {
  const result = await devcontainer(['features', 'info', 'manifest', reference, '--output-format', 'json']);
  const parsed = jsonResult(result.stdout, `devcontainer features info manifest ${reference}`) as {
    manifest?: { annotations?: Record<string, string>; layers: unknown[] };
  };
  if (!parsed.manifest) throw new FeaturePublishError(`the registry returned no manifest for ${reference}`, result.stdout);
  return parsed.manifest;
}

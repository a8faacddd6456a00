import { createHash } from 'node:crypto';
import type { WriteStream } from 'node:fs';
import { type BuildBase, CpythonPrebuiltError, type Logger, run } from '@cpython-prebuilt/core';

export const dockerEnv = { DOCKER_BUILDKIT: '0' };

export async function ensureDocker(): Promise<void> {
  try {
    await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 30_000 });
  } catch (error) {
    throw new CpythonPrebuiltError('DOCKER_UNAVAILABLE', 'the Docker engine is not reachable (`docker info` failed)', {
      fix: 'start it (scripts/setup-machine.sh, as root, installs docker.io and starts dockerd), or use --backend vagrant',
      cause: error,
    });
  }
}

export async function imageId(reference: string): Promise<string | undefined> {
  const result = await run('docker', ['image', 'inspect', '--format', '{{.Id}}', reference], { allowExitCodes: [1] });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/** The local image for `reference`, pulling it when missing; a clear error when it cannot be had. */
export async function requireImage(reference: string, logger: Logger): Promise<string> {
  const existing = await imageId(reference);
  if (existing) return existing;
  logger.info(`pulling ${reference}`);
  const pulled = await run('docker', ['pull', reference], { allowExitCodes: [1] });
  const id = pulled.exitCode === 0 ? await imageId(reference) : undefined;
  if (!id) {
    throw new CpythonPrebuiltError('IMAGE_MISSING', `image ${reference} is not present and cannot be pulled`, {
      fix: 'pull it, or make a local one and pass it with --base-image (BASE_IMAGE=), e.g. scripts/setup-machine.sh (as root) creates local/debian:bullseye|bookworm|trixie with debootstrap',
    });
  }
  return id;
}

export function buildBaseDockerfile(baseImage: string, packages: readonly string[]): string {
  return [
    `FROM ${baseImage}`,
    'ENV DEBIAN_FRONTEND=noninteractive',
    `RUN apt-get update && apt-get install -y --no-install-recommends ${packages.join(' ')} && rm -rf /var/lib/apt/lists/*`,
    '',
  ].join('\n');
}

/**
 * The build-base image: the base plus its build packages, tagged by a digest of both, so a
 * package list change or a new base image makes a new one and an unchanged one is reused.
 */
export async function ensureBuildBaseImage(
  base: BuildBase,
  baseImage: string,
  logger: Logger,
  log: WriteStream,
  logPath: string,
): Promise<string> {
  const baseId = await requireImage(baseImage, logger);
  const dockerfile = buildBaseDockerfile(baseImage, base.packages);
  const digest = createHash('sha256').update(baseId).update(dockerfile).digest('hex').slice(0, 12);
  const tag = `cpython-prebuilt/build-base:${base.id}-${digest}`;
  if (await imageId(tag)) return tag;
  logger.phase(`preparing build image ${tag} from ${baseImage} (apt packages, network: host)`);
  // The only step with network: it installs packages from the distribution's archive.
  // `docker build -` reads a Dockerfile from stdin and sends no context.
  await run('docker', ['build', '--network', 'host', '--tag', tag, '-'], { input: dockerfile, env: dockerEnv, log, logPath });
  return tag;
}

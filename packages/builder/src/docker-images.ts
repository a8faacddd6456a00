import { createHash } from 'node:crypto';
import type { WriteStream } from 'node:fs';
import {
  type Arch,
  type BuildBase,
  CpythonPrebuiltError,
  dockerArchitecture,
  dockerPlatform,
  isCpythonPrebuiltError,
  type Logger,
  openLogFile,
  run,
} from '@cpython-prebuilt/core';
import { crossBuildPackages } from './cross.ts';

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

/** The architecture an image says it runs (Docker's names: amd64, arm64), or undefined when it is absent. */
export async function imageArchitecture(reference: string): Promise<string | undefined> {
  const result = await run('docker', ['image', 'inspect', '--format', '{{.Architecture}}', reference], { allowExitCodes: [1] });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/**
 * The local image for `reference`, pulling it when missing; a clear error when it cannot be had.
 * With `arch`, the image must say it runs that architecture: an arm64 root file system imported
 * as amd64 would build or validate under the wrong label (and a multi-arch pull picks by platform).
 */
export async function requireImage(reference: string, logger: Logger, arch?: Arch): Promise<string> {
  let id = await imageId(reference);
  if (!id) {
    logger.info(`pulling ${reference}${arch ? ` for ${dockerPlatform(arch)}` : ''}`);
    const pulled = await run('docker', ['pull', ...(arch ? ['--platform', dockerPlatform(arch)] : []), reference], {
      allowExitCodes: [1],
    });
    id = pulled.exitCode === 0 ? await imageId(reference) : undefined;
  }
  if (!id) {
    throw new CpythonPrebuiltError('IMAGE_MISSING', `image ${reference} is not present and cannot be pulled`, {
      fix: 'pull it, or make a local one and pass it with --base-image (BASE_IMAGE=), e.g. scripts/setup-machine.sh (as root) creates local/debian:bullseye|bookworm|trixie and their -arm64 twins with debootstrap',
    });
  }
  if (arch) {
    const actual = await imageArchitecture(reference);
    if (actual !== dockerArchitecture(arch)) {
      throw new CpythonPrebuiltError(
        'IMAGE_WRONG_ARCH',
        `image ${reference} is for ${actual ?? 'an unknown architecture'}, not ${dockerArchitecture(arch)} (${arch})`,
        {
          fix: `use an image for ${dockerPlatform(arch)}, e.g. local/debian:bullseye${arch === 'aarch64' ? '-arm64' : ''} from scripts/setup-machine.sh; an image made with docker import is labelled with the host's architecture whatever it holds`,
        },
      );
    }
  }
  return id;
}

/**
 * The same image reference for another Debian release: the base image with its codename tag
 * replaced (local/debian:bullseye -> local/debian:trixie, a mirror's debian:bullseye -> the same
 * mirror's debian:trixie), so a user behind a mirror or with local images keeps them; undefined
 * when the reference does not end in the base's Debian codename.
 */
export function siblingDebianImage(base: BuildBase, baseImage: string, codename: string): string | undefined {
  const suffix = `:${base.codename}`;
  if (base.distribution !== 'debian' || !baseImage.endsWith(suffix)) return undefined;
  return `${baseImage.slice(0, -suffix.length)}:${codename}`;
}

/** `foreignArchitecture` (Debian's name, e.g. arm64) adds it with dpkg, for `name:arm64` packages. */
export function buildBaseDockerfile(baseImage: string, packages: readonly string[], foreignArchitecture?: string): string {
  const addArchitecture = foreignArchitecture ? `dpkg --add-architecture ${foreignArchitecture} && ` : '';
  return [
    `FROM ${baseImage}`,
    'ENV DEBIAN_FRONTEND=noninteractive',
    `RUN ${addArchitecture}apt-get update && apt-get install -y --no-install-recommends ${packages.join(' ')} && rm -rf /var/lib/apt/lists/*`,
    '',
  ].join('\n');
}

/**
 * Build-base tags name base and architecture, so images for x86_64 and aarch64 never collide;
 * a cross build base names both (debian11-x86_64-cross-aarch64).
 */
export function buildBaseTag(baseId: string, arch: Arch, digest: string, crossTo?: Arch): string {
  return `cpython-prebuilt/build-base:${baseId}-${arch}${crossTo ? `-cross-${crossTo}` : ''}-${digest}`;
}

/**
 * The build-base image: the base plus its build packages, tagged by a digest of both, so a
 * package list change or a new base image makes a new one and an unchanged one is reused.
 * `arch` is the architecture of the image and of the programs that run in it (the base image must be
 * for it); `crossTo` makes it a cross build base for that architecture (cross.ts).
 */
export async function ensureBuildBaseImage(
  base: BuildBase,
  baseImage: string,
  logger: Logger,
  log: WriteStream,
  logPath: string,
  arch: Arch,
  crossTo?: Arch,
): Promise<string> {
  const baseId = await requireImage(baseImage, logger, arch).catch((error: unknown) => {
    if (!crossTo || !isCpythonPrebuiltError(error) || error.code !== 'IMAGE_WRONG_ARCH') throw error;
    throw new CpythonPrebuiltError(
      'IMAGE_WRONG_ARCH',
      `a cross build for ${crossTo} compiles in an image of the host's architecture (${dockerArchitecture(arch)}); ${error.message}`,
      {
        fix: `pass the ${arch} image of the base (BASE_IMAGE=local/debian:bullseye for debian11 here), or add EMULATE=1 (--emulate) to build in the ${crossTo} image under qemu-user-static`,
        cause: error,
      },
    );
  });
  const dockerfile = crossTo
    ? buildBaseDockerfile(baseImage, crossBuildPackages(base, crossTo), dockerArchitecture(crossTo))
    : buildBaseDockerfile(baseImage, base.packages);
  return ensureImageFromDockerfile({
    baseId,
    dockerfile,
    tag: (digest) => buildBaseTag(base.id, arch, digest, crossTo),
    arch,
    logger,
    log,
    logPath,
  });
}

/**
 * A tool image of the build (the BOLT stage's, GCC 14's source): an x86_64 Debian image plus
 * `packages`, tagged `<repository>:x86_64-<digest>`, made before anything compiles: a missing image
 * or package must not cost a source download and a compile first. A missing `sourceImage` stops
 * with `missing` (what needs it, and the fix).
 */
export async function prepareToolImage(options: {
  sourceImage: string;
  packages: readonly string[];
  repository: string;
  missing: { message: string; fix: string };
  logger: Logger;
  logPath: string;
}): Promise<string> {
  const log = openLogFile(options.logPath);
  try {
    const baseId = await requireImage(options.sourceImage, options.logger, 'x86_64').catch((error: unknown) => {
      throw new CpythonPrebuiltError('IMAGE_MISSING', options.missing.message, { fix: options.missing.fix, cause: error });
    });
    return await ensureImageFromDockerfile({
      baseId,
      dockerfile: buildBaseDockerfile(options.sourceImage, options.packages),
      tag: (digest) => `${options.repository}:x86_64-${digest}`,
      arch: 'x86_64',
      logger: options.logger,
      log,
      logPath: options.logPath,
    });
  } finally {
    await new Promise((resolve) => log.end(resolve));
  }
}

/**
 * An image built from `dockerfile` (the only step with network: it installs packages from the
 * distribution's archive), tagged by a digest of the base image's id and the Dockerfile, so a
 * package list change or a new base image makes a new one and an unchanged one is reused.
 */
export async function ensureImageFromDockerfile(options: {
  baseId: string;
  dockerfile: string;
  tag: (digest: string) => string;
  arch: Arch;
  logger: Logger;
  log: WriteStream;
  logPath: string;
}): Promise<string> {
  const digest = createHash('sha256').update(options.baseId).update(options.dockerfile).digest('hex').slice(0, 12);
  const tag = options.tag(digest);
  if (await imageId(tag)) return tag;
  options.logger.phase(`preparing image ${tag} (apt packages, network: host)`);
  // `docker build -` reads a Dockerfile from stdin and sends no context. --platform keeps the
  // image's architecture label (an arm64 base under emulation stays arm64).
  await run('docker', ['build', '--network', 'host', '--platform', dockerPlatform(options.arch), '--tag', tag, '-'], {
    input: options.dockerfile,
    env: dockerEnv,
    log: options.log,
    logPath: options.logPath,
  });
  return tag;
}

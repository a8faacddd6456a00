import { randomBytes } from 'node:crypto';
import type { WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { hostArch, type Logger, layout, openLogFile, run } from '@cpython-prebuilt/core';
import { dockerEnv, ensureBuildBaseImage, ensureDocker } from '../docker-images.ts';
import { ensureGcc14BuildImage } from '../toolchain.ts';
import { type BuildBackend, buildScriptCommand, type GuestBuildRequest, librariesEnv, phaseReporter } from './backend.ts';

/**
 * Runs a script of `scriptsDir` (from a copy, buildScriptCommand) in a fresh container of `image`,
 * with no network unless asked: the scripts read-only at /scripts, `outputDir` at /out (OUTPUT_DIR).
 * A Ctrl-C on the host removes the container: an 18-minute compile must not go on in the background.
 */
export async function runScriptInContainer(options: {
  image: string;
  script: string;
  /** Default: infrastructure/cpython/scripts. */
  scriptsDir?: string;
  env: Record<string, string>;
  outputDir: string;
  readOnlyMounts?: [host: string, guest: string][];
  writableMounts?: [host: string, guest: string][];
  network?: 'none' | 'host';
  /** Run as the calling user (uid:gid) rather than root, so /out holds files the caller owns. */
  asCaller?: boolean;
  log: WriteStream;
  logPath: string;
  logger?: Logger;
}): Promise<void> {
  const container = `cpython-build-${randomBytes(4).toString('hex')}`;
  const env = { ...options.env, OUTPUT_DIR: '/out' };
  const user = options.asCaller && process.getuid && process.getgid ? ['--user', `${process.getuid()}:${process.getgid()}`] : [];
  const removeContainer = () => {
    void run('docker', ['rm', '--force', container], { allowExitCodes: [1] });
  };
  process.once('SIGINT', removeContainer);
  process.once('SIGTERM', removeContainer);
  const reporter = options.logger ? phaseReporter(options.logger) : undefined;
  try {
    await run(
      'docker',
      [
        'run',
        '--rm',
        '--name',
        container,
        '--network',
        options.network ?? 'none',
        ...user,
        '--volume',
        `${options.scriptsDir ?? layout.scriptsDir}:/scripts:ro`,
        ...(options.readOnlyMounts ?? []).flatMap(([host, guest]) => ['--volume', `${host}:${guest}:ro`]),
        ...(options.writableMounts ?? []).flatMap(([host, guest]) => ['--volume', `${host}:${guest}`]),
        '--volume',
        `${options.outputDir}:/out`,
        ...Object.entries(env).flatMap(([key, value]) => ['--env', `${key}=${value}`]),
        options.image,
        'bash',
        '-c',
        buildScriptCommand('/scripts', options.script),
      ],
      {
        env: dockerEnv,
        log: options.log,
        logPath: options.logPath,
        ...(reporter ? { onLine: reporter.onLine } : {}),
      },
    );
  } finally {
    reporter?.stop();
    process.off('SIGINT', removeContainer);
    process.off('SIGTERM', removeContainer);
  }
}

/** Builds in a fresh container of the build-base image, with no network. */
export class DockerBackend implements BuildBackend {
  readonly name = 'docker' as const;

  async ensureAvailable(): Promise<void> {
    await ensureDocker();
  }

  async build(request: GuestBuildRequest): Promise<void> {
    const log = openLogFile(request.logPath);
    try {
      // A cross build compiles in an image of the host's architecture, with a cross toolchain.
      const cross = request.route === 'cross';
      const buildBase = await ensureBuildBaseImage(
        request.base,
        request.baseImage,
        request.logger,
        log,
        request.logPath,
        cross ? hostArch() : request.arch,
        cross ? request.arch : undefined,
      );
      const image = request.gcc14Image
        ? await ensureGcc14BuildImage({
            base: request.base,
            buildBaseImage: buildBase,
            gcc14Image: request.gcc14Image,
            logger: request.logger,
            log,
            logPath: request.logPath,
          })
        : buildBase;
      const guestLibrary = (library: { path: string }) => `/libsources/${basename(library.path)}`;
      if (request.librariesCacheDir) await mkdir(request.librariesCacheDir, { recursive: true });
      await runScriptInContainer({
        image,
        script: 'build_cpython.sh',
        env: {
          ...request.env,
          SOURCE_TARBALL: `/source/${basename(request.sourcePath)}`,
          LIBRARIES: librariesEnv(request.libraries, guestLibrary),
          ...(request.librariesCacheDir ? { LIBRARIES_CACHE_DIR: '/libcache' } : {}),
        },
        outputDir: request.outputDir,
        readOnlyMounts: [
          [dirname(request.sourcePath), '/source'],
          ...request.libraries.map((library): [string, string] => [library.path, guestLibrary(library)]),
        ],
        writableMounts: request.librariesCacheDir ? [[request.librariesCacheDir, '/libcache']] : [],
        log,
        logPath: request.logPath,
        logger: request.logger,
      });
    } finally {
      await new Promise((resolve) => log.end(resolve));
    }
  }
}

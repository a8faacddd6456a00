import { randomBytes } from 'node:crypto';
import { basename, dirname } from 'node:path';
import { hostArch, layout, openLogFile, run } from '@cpython-prebuilt/core';
import { dockerEnv, ensureBuildBaseImage, ensureDocker } from '../docker-images.ts';
import { type BuildBackend, buildScriptCommand, type GuestBuildRequest, phaseReporter } from './backend.ts';

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
      const image = await ensureBuildBaseImage(
        request.base,
        request.baseImage,
        request.logger,
        log,
        request.logPath,
        cross ? hostArch() : request.arch,
        cross ? request.arch : undefined,
      );
      const container = `cpython-build-${randomBytes(4).toString('hex')}`;
      const env = { ...request.env, SOURCE_TARBALL: `/source/${basename(request.sourcePath)}`, OUTPUT_DIR: '/out' };
      const removeContainer = () => {
        void run('docker', ['rm', '--force', container], { allowExitCodes: [1] });
      };
      // A Ctrl-C on the host must not leave an 18-minute compile running in the background.
      process.once('SIGINT', removeContainer);
      process.once('SIGTERM', removeContainer);
      try {
        await run(
          'docker',
          [
            'run',
            '--rm',
            '--name',
            container,
            '--network',
            'none',
            '--volume',
            `${layout.scriptsDir}:/scripts:ro`,
            '--volume',
            `${dirname(request.sourcePath)}:/source:ro`,
            '--volume',
            `${request.outputDir}:/out`,
            ...Object.entries(env).flatMap(([key, value]) => ['--env', `${key}=${value}`]),
            image,
            'bash',
            '-c',
            buildScriptCommand('/scripts'),
          ],
          { env: dockerEnv, log, logPath: request.logPath, onLine: phaseReporter(request.logger) },
        );
      } finally {
        process.off('SIGINT', removeContainer);
        process.off('SIGTERM', removeContainer);
      }
    } finally {
      await new Promise((resolve) => log.end(resolve));
    }
  }
}

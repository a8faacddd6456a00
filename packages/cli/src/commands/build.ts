import { buildArtifact } from '@cpython-prebuilt/builder';
import { createLogger } from '@cpython-prebuilt/core';
import type { Command } from 'commander';
import { type BuildFlags, backendFromFlags, buildInputFromFlags, buildOptions } from '../shared-options.ts';

export function buildCommand(program: Command): void {
  buildOptions(
    program
      .command('build')
      .description('build a relocatable CPython artifact from the official source in an isolated environment'),
  )
    .option('--json', 'print the artifact metadata as JSON on stdout', false)
    .action(async (flags: BuildFlags) => {
      await runBuild(flags);
    });
}

async function runBuild(flags: BuildFlags): Promise<void> {
  const logger = createLogger();
  const output = await buildArtifact(buildInputFromFlags(flags), backendFromFlags(flags), logger);
  logger.info(`artifact: ${output.artifactPath}`);
  logger.info(`checksum: ${output.sha256Path}`);
  logger.info(`metadata: ${output.metadataPath}`);
  if (output.debugArchive) {
    logger.info(
      `symbols: ${output.debugArchive.path} (${(output.debugArchive.compressedBytes / 1024 ** 2).toFixed(1)} MiB, sha256 in ${output.debugArchive.sha256Path})`,
    );
  }
  logger.info(
    `size: ${(output.metadata.sizes.compressedBytes / 1024 ** 2).toFixed(1)} MiB compressed, ${(output.metadata.sizes.installedBytes / 1024 ** 2).toFixed(1)} MiB installed; built in ${output.metadata.buildSeconds} s`,
  );
  if (flags.json) process.stdout.write(`${JSON.stringify(output.metadata, null, 2)}\n`);
  else process.stdout.write(`${output.artifactPath}\n`);
}

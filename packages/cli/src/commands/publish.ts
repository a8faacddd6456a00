import { basename } from 'node:path';
import { createLogger, layout, loadArtifact, loadWheelhouse, resolveArtifactPath } from '@cpython-prebuilt/core';
import { publishArtifact, publishFeatureCollection, publishWheelhouse } from '@cpython-prebuilt/pipelines';
import { parseOciReference } from '@cpython-prebuilt/release';
import type { Command } from 'commander';
import { releaseSigner, signerKeysOption } from '../shared-options.ts';

interface PublishArtifactFlags {
  to: string;
  manifest: string;
  record: boolean;
  force: boolean;
  unsigned: boolean;
  signerKeys: string;
}

interface PublishFeatureFlags {
  registry: string;
  namespace: string;
  src: string;
}

export function publishCommands(program: Command): void {
  program
    .command('publish-artifact')
    .description(
      'push an artifact or a wheelhouse to an OCI registry as one layer (its digest is the sha256), pull it back, record it (artifacts only)',
    )
    .argument(
      '<artifact>',
      'the .tgz (its .sha256 and .json metadata beside it); a wheelhouse-*.tgz also needs its .requirements.lock',
    )
    .requiredOption(
      '--to <oci-reference>',
      'oci://<registry>/<repository>:<tag>, e.g. oci://ghcr.io/octo/cpython-artifacts:3.13.5-ubuntu20.04-x86_64-build1',
    )
    .option('--manifest <file>', 'artifact manifest to record it in', layout.manifest)
    .option('--no-record', 'do not touch the artifact manifest')
    .option('--force', 'move the tag when it already names another artifact (refused otherwise)', false)
    .option('--unsigned', 'push without a signature (no CPYTHON_PREBUILT_SIGNING_KEY needed)', false)
    .addOption(signerKeysOption())
    .action(async (artifact: string, flags: PublishArtifactFlags) => {
      const path = resolveArtifactPath(artifact);
      const registryAuth = { username: process.env.OCI_USERNAME, password: process.env.OCI_PASSWORD };
      if (basename(path).startsWith('wheelhouse-')) {
        const url = await publishWheelhouse({
          wheelhouse: await loadWheelhouse(path),
          reference: parseOciReference(flags.to),
          registryAuth,
          logger: createLogger(),
        });
        process.stdout.write(`${url}\n`);
        return;
      }
      const url = await publishArtifact({
        artifact: await loadArtifact(path),
        reference: parseOciReference(flags.to),
        signer: await releaseSigner(flags.unsigned, flags.signerKeys),
        manifestPath: flags.record ? flags.manifest : undefined,
        force: flags.force,
        registryAuth,
        logger: createLogger(),
      });
      process.stdout.write(`${url}\n`);
    });

  program
    .command('publish-feature')
    .description('publish the feature collection with `devcontainer features publish` and read the manifest back')
    .requiredOption('--registry <host>', 'registry host: ghcr.io, or localhost:<port> for a local registry (plain HTTP)')
    .requiredOption('--namespace <ns>', '<owner>/<repo>/cpython, so users write <registry>/<owner>/<repo>/cpython/installer:1')
    .option('--src <dir>', 'the collection src/ folder (a vendored copy works too)', layout.featuresSrcDir)
    .action(async (flags: PublishFeatureFlags) => {
      const references = await publishFeatureCollection({
        srcDir: flags.src,
        registry: flags.registry,
        namespace: flags.namespace,
        logger: createLogger(),
      });
      for (const reference of references) process.stdout.write(`${reference}\n`);
    });
}

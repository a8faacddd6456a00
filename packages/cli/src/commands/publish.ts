import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@cpython-prebuilt/builder';
import { createLogger, loadArtifact, manifestEntryFor } from '@cpython-prebuilt/core';
import {
  featureManifest,
  formatOciReference,
  OciClient,
  parseOciReference,
  publishFeatures,
  readManifest,
  withArtifact,
  writeManifest,
} from '@cpython-prebuilt/release';
import type { Command } from 'commander';

interface PublishArtifactFlags {
  to: string;
  manifest: string;
  record: boolean;
}

interface PublishFeatureFlags {
  registry: string;
  namespace: string;
  src: string;
}

export function publishCommands(program: Command): void {
  program
    .command('publish-artifact')
    .description('push an artifact to an OCI registry as one layer (its digest is the sha256), pull it back, record it')
    .argument('<artifact>', 'the .tgz (its .sha256 and .json metadata beside it)')
    .requiredOption(
      '--to <oci-reference>',
      'oci://<registry>/<repository>:<tag>, e.g. oci://ghcr.io/octo/cpython-artifacts:3.13.5-ubuntu20.04-x86_64-build1',
    )
    .option('--manifest <file>', 'artifact manifest to record it in', join(repoRoot, 'infrastructure/artifacts/manifest.json'))
    .option('--no-record', 'do not touch the artifact manifest')
    .action(async (artifactPath: string, flags: PublishArtifactFlags) => {
      const logger = createLogger();
      const artifact = await loadArtifact(artifactPath);
      const ref = parseOciReference(flags.to);
      const client = new OciClient({ logger, username: process.env.OCI_USERNAME, password: process.env.OCI_PASSWORD });
      const manifestDigest = await client.pushArtifact(ref, artifact);
      // Read it back: what consumers pull must be what we built.
      const scratch = await mkdtemp(join(tmpdir(), 'oci-verify-'));
      try {
        await client.pullArtifact(ref, join(scratch, artifact.name), artifact.sha256);
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
      logger.info(`pushed and verified ${formatOciReference(ref)} (manifest ${manifestDigest}, layer sha256:${artifact.sha256})`);
      if (flags.record) {
        const entry = manifestEntryFor(artifact, {
          url: formatOciReference(ref),
          location: `OCI ${ref.registry}/${ref.repository}`,
        });
        await writeManifest(flags.manifest, withArtifact(await readManifest(flags.manifest), entry));
        logger.info(`recorded in ${flags.manifest}`);
      }
      process.stdout.write(`${formatOciReference(ref)}\n`);
    });

  program
    .command('publish-feature')
    .description('publish the feature collection with `devcontainer features publish` and read the manifest back')
    .requiredOption('--registry <host>', 'registry host: ghcr.io, or localhost:<port> for a local registry (plain HTTP)')
    .requiredOption('--namespace <ns>', '<owner>/<repo>/cpython, so users write <registry>/<owner>/<repo>/cpython/installer:1')
    .option('--src <dir>', 'the collection src/ folder (a vendored copy works too)', join(repoRoot, 'features/src'))
    .action(async (flags: PublishFeatureFlags) => {
      const logger = createLogger();
      const published = await publishFeatures({ srcDir: flags.src, registry: flags.registry, namespace: flags.namespace });
      for (const feature of published) {
        const reference = `${flags.registry}/${flags.namespace}/${feature.id}:${feature.version.split('.')[0]}`;
        const manifest = await featureManifest(reference);
        if (!manifest.annotations?.['dev.containers.metadata'])
          throw new Error(`${reference} has no dev.containers.metadata annotation`);
        logger.info(
          `published ${feature.id} ${feature.version} as ${feature.tags.join(', ')} (${feature.digest}); read back ${reference}`,
        );
        process.stdout.write(`${reference}\n`);
      }
    });
}

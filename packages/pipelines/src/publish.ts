import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CpythonPrebuiltError,
  type LoadedArtifact,
  type LoadedWheelhouse,
  type Logger,
  manifestEntryFor,
  type Signer,
  verifyDetached,
} from '@cpython-prebuilt/core';
import { requireDefaultArtifacts } from '@cpython-prebuilt/feature';
import {
  artifactSignature,
  featureManifest,
  formatOciReference,
  OciClient,
  type OciReference,
  publishFeatures,
  readManifest,
  withArtifact,
  writeManifest,
} from '@cpython-prebuilt/release';

export interface PublishArtifactInput {
  artifact: LoadedArtifact;
  reference: OciReference;
  /** The manifest to record the artifact in; nothing is recorded when omitted. */
  manifestPath?: string;
  registryAuth: { username?: string; password?: string };
  /** Move a tag that already names another artifact (refused otherwise). */
  force?: boolean;
  logger: Logger;
  /** Signs the artifact: <artifact>.asc beside it, and pushed as a referrer tagged <tag>.asc. */
  signer?: Signer;
}

/**
 * Pushes an artifact as a one-layer OCI artifact whose digest is its sha256, pulls it back and
 * compares (what consumers pull must be what we built), then records it in the manifest.
 */
export async function publishArtifact(input: PublishArtifactInput): Promise<string> {
  const { artifact, reference, logger } = input;
  const client = new OciClient({ logger, ...input.registryAuth });
  const manifestDigest = await client.pushArtifact(reference, artifact, { force: input.force ?? false });
  const scratch = await mkdtemp(join(tmpdir(), 'oci-verify-'));
  try {
    await client.pullArtifact(reference, join(scratch, artifact.name), artifact.sha256);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  if (input.signer) {
    const [name, signature] = await artifactSignature(input.signer, artifact, logger);
    const pushed = await client.pushSignature(reference, signature, name);
    // Read back: what consumers pull must verify with the key that signed.
    await verifyDetached(
      await readFile(artifact.path),
      (await client.pullSignature(reference)).toString(),
      [input.signer.publicArmored],
      name,
    );
    logger.info(`signed by key ${input.signer.fingerprint}: ${formatOciReference(pushed)} (read back and verified)`);
  }
  const url = formatOciReference(reference);
  logger.info(`pushed and verified ${url} (manifest ${manifestDigest}, layer sha256:${artifact.sha256})`);
  if (input.manifestPath) {
    const entry = manifestEntryFor(artifact, { url, location: `OCI ${reference.registry}/${reference.repository}` });
    await writeManifest(input.manifestPath, withArtifact(await readManifest(input.manifestPath), entry));
    logger.info(`recorded in ${input.manifestPath}`);
  }
  return url;
}

export interface PublishWheelhouseInput {
  wheelhouse: LoadedWheelhouse;
  reference: OciReference;
  registryAuth: { username?: string; password?: string };
  logger: Logger;
}

/**
 * Pushes a wheelhouse as a one-layer OCI artifact whose digest is its sha256 and pulls it back.
 * Returns the oci:// URL: with the sha256 it is what the feature's wheelhouseUrl and
 * wheelhouseSha256 take (wheelhouses are not recorded in the artifact manifest).
 */
export async function publishWheelhouse(input: PublishWheelhouseInput): Promise<string> {
  const { wheelhouse, reference, logger } = input;
  const client = new OciClient({ logger, ...input.registryAuth });
  const manifestDigest = await client.pushWheelhouse(reference, wheelhouse);
  const scratch = await mkdtemp(join(tmpdir(), 'oci-verify-'));
  try {
    await client.pullArtifact(reference, join(scratch, wheelhouse.name), wheelhouse.sha256);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const url = formatOciReference(reference);
  logger.info(`pushed and verified ${url} (manifest ${manifestDigest}, layer sha256:${wheelhouse.sha256})`);
  logger.info(`feature options: "wheelhouseUrl": "${url}", "wheelhouseSha256": "${wheelhouse.sha256}"`);
  return url;
}

export interface PublishFeatureInput {
  /** The collection's src/ folder. */
  srcDir: string;
  registry: string;
  namespace: string;
  logger: Logger;
}

/**
 * `devcontainer features publish`, then each feature read back by its major tag. Returns the
 * references. Refuses first (MANIFEST_INCOMPLETE) a feature that has no artifact for its default
 * version on an architecture it claims: published, it would fail for those users.
 */
export async function publishFeatureCollection(input: PublishFeatureInput): Promise<string[]> {
  await requireDefaultArtifacts(input.srcDir);
  const published = await publishFeatures({ srcDir: input.srcDir, registry: input.registry, namespace: input.namespace });
  const references: string[] = [];
  for (const feature of published) {
    const reference = `${input.registry}/${input.namespace}/${feature.id}:${feature.version.split('.')[0]}`;
    const manifest = await featureManifest(reference);
    if (!manifest.annotations?.['dev.containers.metadata']) {
      throw new CpythonPrebuiltError(
        'PUBLISH_FAILED',
        `${reference} was published without its dev.containers.metadata annotation`,
        {
          fix: 'the registry dropped the annotation or the publish was cut short: publish again, and check the registry supports OCI manifest annotations',
        },
      );
    }
    input.logger.info(
      `published ${feature.id} ${feature.version} as ${feature.tags.join(', ')} (${feature.digest}); read back ${reference}`,
    );
    references.push(reference);
  }
  return references;
}

import { cp, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type BuildBackend, type BuildInput, buildArtifact, validateArtifact } from '@cpython-prebuilt/builder';
import {
  CpythonPrebuiltError,
  createKeyPair,
  formatGib,
  formatMinutes,
  type LoadedArtifact,
  type Logger,
  layout,
  loadArtifact,
  readArmoredKeys,
  requireTrustedSigner,
  type Signer,
  signerFromArmored,
  signerFromEnvironment,
} from '@cpython-prebuilt/core';
import { FEATURE_ID, vendorFeature } from '@cpython-prebuilt/feature';
import { integrate } from '@cpython-prebuilt/integrate';
import {
  formatOciReference,
  GitHubClient,
  OciClient,
  parseOciReference,
  publishFeatures,
  releaseArtifact,
  startRegistry,
} from '@cpython-prebuilt/release';
import { startGitHubApiStandIn } from '@cpython-prebuilt/release/github-api-standin';
import { measurePilotBuilds } from './build-measurement.ts';

/** A real GitHub repository to release to; without one, phase3 rehearses against a local release target. */
export interface GitHubTarget {
  owner: string;
  repo: string;
  token: string;
  apiUrl: string;
}

export interface Phase3Input {
  /** What to build, or an artifact built before (the build step is then skipped). */
  build: { input: BuildInput; backend: BuildBackend } | { artifactPath: string };
  /** Bare images the artifact must pass validation on. */
  images: string[];
  github?: GitHubTarget;
  /** Registry host (ghcr.io...); a local registry on 127.0.0.1 when omitted. */
  registry?: string;
  /** Credentials for the registry, when it needs them. */
  registryAuth?: { username?: string; password?: string };
  /** Feature namespace: <owner>/<repo>/cpython. */
  namespace: string;
  /** Measured pilot builds per variant. */
  runs: number;
  /** The CPython source the measurement's baseline compiles (the one the build used). */
  sourcePath?: string;
  /** Results document. */
  output: string;
  reproduce: string;
  logger: Logger;
}

export interface Phase3Result {
  artifact: LoadedArtifact;
  releaseUrl: string;
  manifestPath: string;
  featureReference: string;
  resultsPath: string;
}

/**
 * The procedure's phase 3: build -> validate -> release -> publish -> integrate -> measure ->
 * record. The artifact is loaded (and hashed) once and travels through every step.
 */
export async function runPhase3(input: Phase3Input): Promise<Phase3Result> {
  const { logger } = input;
  const jobStarted = Date.now();
  const work = join(layout.cacheDir, 'phase3');
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const cleanups: (() => Promise<void>)[] = [];
  let trustedKeys: string[] | undefined;
  try {
    logger.phase('1/7 build');
    const artifactPath =
      'artifactPath' in input.build
        ? input.build.artifactPath
        : (await buildArtifact(input.build.input, input.build.backend, logger)).artifactPath;
    const artifact = await loadArtifact(artifactPath);

    logger.phase(`2/7 validate on ${input.images.join(', ')}`);
    const { report, reportPath } = await validateArtifact({ artifactPath: artifact.path, images: input.images }, logger);
    if (!report.ok) {
      throw new CpythonPrebuiltError('VALIDATION_FAILED', 'the artifact failed validation; nothing was published', {
        fix: 'read the failed checks in the report, fix the build, and run phase3 again',
        logPath: reportPath,
      });
    }

    logger.phase('3/7 release');
    const local = input.github ? undefined : await startGitHubApiStandIn();
    if (local) cleanups.push(() => local.close());
    const target = input.github ?? {
      owner: local?.owner ?? '',
      repo: local?.repo ?? '',
      token: local?.token ?? '',
      apiUrl: local?.url ?? '',
    };
    // A real release signs with the team key; a rehearsal with a throwaway key made for the run,
    // which the features it vendors below trust, so the rehearsal exercises verification.
    const signing = await releaseSigning(input.github !== undefined);
    trustedKeys = signing.trustedKeys;
    // Local rehearsals record into a scratch manifest: only real releases touch the committed one.
    const manifestPath = input.github ? layout.manifest : join(work, 'manifest.json');
    const released = await releaseArtifact({
      artifactPath: artifact.path,
      loaded: artifact,
      client: new GitHubClient({ ...target, logger, dryRun: false }),
      manifestPath,
      logger,
      dryRun: false,
      signer: signing.signer,
    });
    logger.info(`released ${released.tag}${local ? ' to the local release target' : ''}: ${released.entry.url}`);

    logger.phase('4/7 publish (artifact as OCI artifact, feature with devcontainer features publish)');
    let registry = input.registry;
    if (!registry) {
      const localRegistry = await startRegistry();
      cleanups.push(localRegistry.stop);
      registry = localRegistry.host;
    }
    const owner = input.namespace.split('/').slice(0, -1).join('/');
    const ref = parseOciReference(
      `oci://${registry}/${owner}/cpython-artifacts:${artifact.name.replace(/^cpython-|\.tgz$/g, '')}`,
    );
    const oci = new OciClient({ logger, ...input.registryAuth });
    await oci.pushArtifact(ref, artifact);
    await oci.pullArtifact(ref, join(work, artifact.name), artifact.sha256);
    const collection = join(work, 'collection');
    await vendorFeature({
      artifactPaths: [artifact.path],
      loaded: [artifact],
      outputDir: join(collection, 'src', FEATURE_ID),
      force: false,
      trustedKeys,
    });
    const published = await publishFeatures({ srcDir: join(collection, 'src'), registry, namespace: input.namespace });
    const featureReference = `${registry}/${input.namespace}/${FEATURE_ID}`;
    logger.info(`artifact ${formatOciReference(ref)}; feature ${featureReference} tags ${published[0]?.tags.join(', ')}`);

    logger.phase('5/7 integrate the pilot');
    const pilot = join(work, 'pilot');
    await cp(layout.pilotDir, pilot, { recursive: true });
    await vendorFeature({
      artifactPaths: [artifact.path],
      loaded: [artifact],
      outputDir: join(pilot, '.devcontainer', FEATURE_ID),
      force: false,
      trustedKeys,
    });
    const integrated = await integrate({
      projectDir: pilot,
      entry: { reference: `./${FEATURE_ID}`, options: { version: artifact.metadata.version } },
      dryRun: false,
    });
    logger.info(`${integrated.path}: ${integrated.action}`);

    logger.phase(`6/7 measure the integrated pilot (${input.runs} runs each) and 7/7 record`);
    const resultsPath = await measurePilotBuilds({
      artifacts: [artifact],
      sourcePath: input.sourcePath,
      runs: input.runs,
      pilotDir: layout.pilotDir,
      integratedPilotDir: pilot,
      output: input.output,
      reproduce: input.reproduce,
      logger,
      jobStarted,
    });
    logger.info(`done: ${resultsPath}; manifest ${manifestPath}`);
    const { buildSeconds, disk } = artifact.metadata;
    logger.info(
      `phase3 took ${formatMinutes((Date.now() - jobStarted) / 1000)}; the build ${formatMinutes(buildSeconds)}${disk ? `, peak disk ${formatGib(disk.peakBytes)}` : ''} (written to ${resultsPath})`,
    );
    return { artifact, releaseUrl: released.entry.url, manifestPath, featureReference, resultsPath };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

/**
 * The signer of a phase3 release: the team key from the environment for a real release (required),
 * a throwaway key for a local rehearsal. trustedKeys: what the vendored features trust (undefined:
 * the committed keys).
 */
async function releaseSigning(real: boolean): Promise<{ signer: Signer; trustedKeys?: string[] }> {
  if (real) {
    const signer = await signerFromEnvironment();
    if (!signer) {
      throw new CpythonPrebuiltError('SIGNING_KEY_INVALID', 'a real release needs the team signing key', {
        fix: 'export CPYTHON_PREBUILT_SIGNING_KEY=<path to the armored private key> (docs/signing.md)',
      });
    }
    await requireTrustedSigner(signer, await readArmoredKeys(layout.keysDir), layout.keysDir);
    return { signer };
  }
  const pair = await createKeyPair({ name: 'cpython-prebuilt phase3 rehearsal', email: 'rehearsal@example.invalid' });
  return { signer: await signerFromArmored(pair.privateArmored), trustedKeys: [pair.publicArmored] };
}

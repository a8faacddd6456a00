import { cp, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { buildArtifact, projectPaths, repoRoot, validateArtifact } from '@cpython-prebuilt/builder';
import { CpythonPrebuiltError, createLogger, loadArtifact, newestBase } from '@cpython-prebuilt/core';
import { FEATURE_ID, vendorFeature } from '@cpython-prebuilt/feature';
import { integrate } from '@cpython-prebuilt/integrate';
import {
  formatOciReference,
  GitHubClient,
  githubToken,
  OciClient,
  parseOciReference,
  publishFeatures,
  releaseArtifact,
  startRegistry,
} from '@cpython-prebuilt/release';
import { startGitHubApiStandIn } from '@cpython-prebuilt/release/github-api-standin';
import { type Command, Option } from 'commander';
import { type BuildFlags, backendFromFlags, buildInputFromFlags, buildOptions } from './build.ts';
import { RESULTS_PATH, reproduceCommand, runMeasure } from './measure.ts';
import { parsePositiveInteger } from './parse.ts';

interface Phase3Flags extends BuildFlags {
  artifact?: string;
  image: string[];
  runs: number;
  repo?: string;
  registry?: string;
  namespace: string;
  output: string;
}

export function phase3Command(program: Command): void {
  const command = program
    .command('phase3')
    .description(
      "the procedure's phase 3 in one command: build -> validate -> release -> publish -> integrate -> measure -> record (local targets unless credentials are given)",
    );
  buildOptions(command);
  command
    .option('--artifact <file>', 'skip the build and use this artifact')
    .addOption(new Option('--image <ref...>', 'bare images to validate on').default([newestBase().image]))
    .addOption(new Option('--runs <n>', 'measured builds per variant').default(3).argParser(parsePositiveInteger))
    .option('--repo <owner/name>', 'release to this GitHub repository (needs GITHUB_TOKEN); default: a local release target')
    .option('--registry <host>', 'publish to this registry (ghcr.io...); default: a local registry on 127.0.0.1')
    .option('--namespace <ns>', 'feature namespace', 'octo/cpython-prebuilt/cpython')
    .option('--output <file>', 'results document', RESULTS_PATH)
    .action(async (flags: Phase3Flags) => {
      await runPhase3(flags);
    });
}

async function runPhase3(flags: Phase3Flags): Promise<void> {
  const logger = createLogger('phase3');
  const work = join(projectPaths.cacheDir, 'phase3');
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const cleanups: (() => Promise<void>)[] = [];
  try {
    logger.phase('1/7 build');
    const artifactPath =
      flags.artifact ?? (await buildArtifact(buildInputFromFlags(flags), backendFromFlags(flags), logger)).artifactPath;
    const artifact = await loadArtifact(artifactPath);

    logger.phase(`2/7 validate on ${flags.image.join(', ')}`);
    const { report, reportPath } = await validateArtifact({ artifactPath, images: flags.image }, logger);
    if (!report.ok) {
      throw new CpythonPrebuiltError('VALIDATION_FAILED', 'the artifact failed validation; nothing was published', {
        fix: 'read the failed checks in the report, fix the build, and run phase3 again',
        logPath: reportPath,
      });
    }

    logger.phase('3/7 release');
    const token = githubToken();
    if (flags.repo && !token) {
      throw new CpythonPrebuiltError(
        'INVALID_INPUT',
        `--repo ${flags.repo} needs a GitHub token, and GITHUB_TOKEN and GH_TOKEN are unset`,
        {
          fix: 'export GITHUB_TOKEN=<a token with contents:write>, or drop REPO= to rehearse against the local release target',
        },
      );
    }
    const realRelease = Boolean(flags.repo && token);
    const github = realRelease ? undefined : await startGitHubApiStandIn();
    if (github) cleanups.push(() => github.close());
    const [owner, repo] = realRelease ? (flags.repo ?? '').split('/') : [github?.owner, github?.repo];
    // Local rehearsals record into a scratch manifest: only real releases touch the committed one.
    const manifestPath = realRelease ? join(repoRoot, 'infrastructure/artifacts/manifest.json') : join(work, 'manifest.json');
    const released = await releaseArtifact({
      artifactPath,
      client: new GitHubClient({
        apiUrl: github?.url ?? process.env.GITHUB_API_URL ?? 'https://api.github.com',
        token: github?.token ?? token ?? '',
        owner: owner ?? '',
        repo: repo ?? '',
        logger,
        dryRun: false,
      }),
      manifestPath,
      logger,
      dryRun: false,
    });
    logger.info(`released ${released.tag}${github ? ' to the local release target' : ''}: ${released.entry.url}`);

    logger.phase('4/7 publish (artifact as OCI artifact, feature with devcontainer features publish)');
    let registry = flags.registry;
    if (!registry) {
      const local = await startRegistry();
      cleanups.push(local.stop);
      registry = local.host;
    }
    const ref = parseOciReference(
      `oci://${registry}/${flags.namespace.split('/').slice(0, -1).join('/')}/cpython-artifacts:${artifact.name.replace(/^cpython-|\.tgz$/g, '')}`,
    );
    const oci = new OciClient({ logger, username: process.env.OCI_USERNAME, password: process.env.OCI_PASSWORD });
    await oci.pushArtifact(ref, artifact);
    await oci.pullArtifact(ref, join(work, artifact.name), artifact.sha256);
    const collection = join(work, 'collection');
    await vendorFeature({ artifactPaths: [artifactPath], outputDir: join(collection, 'src', FEATURE_ID), force: false });
    const published = await publishFeatures({ srcDir: join(collection, 'src'), registry, namespace: flags.namespace });
    logger.info(
      `artifact ${formatOciReference(ref)}; feature ${registry}/${flags.namespace}/${FEATURE_ID} tags ${published[0]?.tags.join(', ')}`,
    );

    logger.phase('5/7 integrate the pilot');
    const pilot = join(work, 'pilot');
    await cp(join(repoRoot, 'examples/pilot'), pilot, { recursive: true });
    await vendorFeature({ artifactPaths: [artifactPath], outputDir: join(pilot, '.devcontainer', FEATURE_ID), force: false });
    const integrated = await integrate({
      projectDir: pilot,
      entry: { reference: `./${FEATURE_ID}`, options: { version: artifact.metadata.version } },
      dryRun: false,
    });
    logger.info(`${integrated.path}: ${integrated.action}`);

    logger.phase(`6/7 measure (${flags.runs} runs each) and 7/7 record`);
    await runMeasure(
      {
        artifact: [artifactPath],
        source: flags.source,
        runs: flags.runs,
        pilot: join(repoRoot, 'examples/pilot'),
        output: flags.output,
      },
      reproduceCommand('phase3'),
    );
    logger.info(`done: ${flags.output}, ARTIFACTS.md in ${join(manifestPath, '..')}`);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

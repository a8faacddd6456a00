import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import {
  describeMachine,
  documentBaseName,
  measureWheelhouseRound,
  renderWheelhouseBenchmark,
  summarizeWheelhouse,
  type WheelhouseBenchmark,
  wheelhouseChart,
  writeResults,
} from '@cpython-prebuilt/bench';
import { ensureBuildBaseImage } from '@cpython-prebuilt/builder';
import {
  CpythonPrebuiltError,
  findBase,
  type LoadedArtifact,
  type Logger,
  openLogFile,
  pathExists,
} from '@cpython-prebuilt/core';
import { FEATURE_ID, vendorFeature } from '@cpython-prebuilt/feature';
import { DEMO_REQUIREMENTS, prepareDebianSdists } from './debian-sdists.ts';
import { buildWheelhouse } from './wheelhouse-build.ts';

export interface WheelhouseBenchmarkInput {
  /** The interpreter both ways use, loaded and hashed once. */
  artifact: LoadedArtifact;
  /**
   * The project: its requirements and the folders of sdists pip may use. Unset: the demo project
   * (markupsafe, idna, packaging), its sdists made from Debian's pristine tarballs in sourcesDir.
   */
  project?: { requirementsPath: string; findLinks: string[] };
  /** (a)'s image, with no compiler; the artifact's own base image when unset. */
  image?: string;
  runs: number;
  output: string;
  reproduce: string;
  workDir: string;
  logsDir: string;
  cacheDir: string;
  sourcesDir: string;
  logger: Logger;
}

/** The project's requirements and sdists folders, checked, or the demo project's, made. */
async function projectInputs(input: WheelhouseBenchmarkInput): Promise<{ requirementsPath: string; findLinks: string[] }> {
  // The folder names the wheelhouse (wheelhouse build's default): the project's own, or "demo".
  const folder = join(
    input.workDir,
    'project',
    input.project ? basename(dirname(resolve(input.project.requirementsPath))) : 'demo',
  );
  const requirementsPath = join(folder, 'requirements.txt');
  await mkdir(folder, { recursive: true });
  if (!input.project) {
    await writeFile(requirementsPath, DEMO_REQUIREMENTS);
    const sdists = join(input.workDir, 'sdists');
    await prepareDebianSdists(input.sourcesDir, sdists);
    return { requirementsPath, findLinks: [sdists] };
  }
  if (input.project.findLinks.length === 0) {
    throw new CpythonPrebuiltError('INVALID_INPUT', '--requirements needs at least one --find-links folder of sdists', {
      fix: 'pass --find-links <folder with the sdists and build backends> (the benchmark runs with no network)',
    });
  }
  for (const path of [input.project.requirementsPath, ...input.project.findLinks]) {
    if (!(await pathExists(path))) {
      throw new CpythonPrebuiltError('INVALID_INPUT', `${path} does not exist`, {
        fix: 'pass an existing requirements file and --find-links folders',
      });
    }
  }
  // Copied under a fixed name: the container's command line names it.
  await copyFile(input.project.requirementsPath, requirementsPath);
  return { requirementsPath, findLinks: input.project.findLinks.map((dir) => resolve(dir)) };
}

/**
 * Getting a project's packages into an image: from a wheelhouse as the feature installs it, or
 * pip install from the sdists, on the same interpreter, in rounds that also build the wheelhouse
 * (the one-time cost). Writes the results document, its chart and its raw numbers.
 */
export async function benchmarkWheelhouse(input: WheelhouseBenchmarkInput): Promise<string> {
  const { logger, artifact } = input;
  const interpreter = artifact.metadata;
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');
  await rm(input.workDir, { recursive: true, force: true });
  await mkdir(input.workDir, { recursive: true });
  const project = await projectInputs(input);
  const logPath = join(input.logsDir, `bench-wheelhouse-${artifact.name.replace(/\.tgz$/, '')}.log`);
  const log = openLogFile(logPath);
  const sdistsImage = await ensureBuildBaseImage(
    findBase(interpreter.base),
    interpreter.baseImage,
    logger,
    log,
    logPath,
    interpreter.arch,
  ).finally(() => new Promise((done) => log.end(done)));
  const wheelhouseImage = input.image ?? interpreter.baseImage;
  logger.info(`(a) in ${wheelhouseImage}, (b) in ${sdistsImage}; container output: ${logPath}`);

  const seconds: WheelhouseBenchmark['seconds'] = { build: [], wheelhouse: [], sdists: [] };
  const digests = new Set<string>();
  let first: Awaited<ReturnType<typeof buildWheelhouse>> | undefined;
  let featureDir = '';
  let installed: string[] = [];
  for (let round = 0; round < input.runs; round++) {
    logger.phase(`round ${round + 1} of ${input.runs}: wheelhouse build, (a) from the wheelhouse, (b) from the sdists`);
    const started = performance.now();
    const built = await buildWheelhouse(
      {
        artifactPath: artifact.path,
        requirementsPath: project.requirementsPath,
        findLinks: project.findLinks,
        build: 1,
        outputDir: join(input.workDir, `wheelhouse-${round + 1}`),
        logsDir: input.logsDir,
        cacheDir: input.cacheDir,
      },
      logger,
    );
    seconds.build.push((performance.now() - started) / 1000);
    digests.add(built.metadata.sha256);
    if (!first) {
      first = built;
      featureDir = await vendorFeature({
        artifactPaths: [artifact.path],
        loaded: [artifact],
        outputDir: join(input.workDir, 'vendored', FEATURE_ID),
        force: true,
        // A local build measured here, not a release: it may be unsigned.
        allowUnsigned: true,
      });
      await copyFile(built.wheelhousePath, join(featureDir, built.metadata.wheelhouse));
    }
    const measured = await measureWheelhouseRound({
      featureDir,
      version: interpreter.version,
      wheelhouseFile: first.metadata.wheelhouse,
      wheelhouseSha256: first.metadata.sha256,
      requirementsPath: project.requirementsPath,
      findLinks: project.findLinks,
      wheelhouseImage,
      sdistsImage,
      logPath,
    });
    seconds.wheelhouse.push(measured.wheelhouse);
    seconds.sdists.push(measured.sdists);
    installed = measured.installed;
    logger.info(
      `build ${seconds.build.at(-1)?.toFixed(1)} s, (a) ${measured.wheelhouse.toFixed(1)} s, (b) ${measured.sdists.toFixed(1)} s`,
    );
  }
  if (!first)
    throw new CpythonPrebuiltError('INVALID_INPUT', 'the benchmark needs at least one run', { fix: 'pass --runs 1 or more' });
  const results: WheelhouseBenchmark = {
    date: new Date().toISOString(),
    machine: await describeMachine(),
    load,
    runs: input.runs,
    artifact: { name: artifact.name, sha256: artifact.sha256 },
    requirements: await readFile(project.requirementsPath, 'utf8'),
    packages: first.metadata.wheels.map((wheel) => ({
      name: wheel.name,
      version: wheel.version,
      compiled: !wheel.file.endsWith('-none-any.whl'),
    })),
    wheelhouse: { name: first.metadata.wheelhouse, sha256: first.metadata.sha256, sameBytesEveryRun: digests.size === 1 },
    images: { wheelhouse: wheelhouseImage, sdists: sdistsImage },
    installed,
    seconds,
  };
  const chartFile = `${documentBaseName(input.output)}.svg`;
  await writeResults(
    input.output,
    renderWheelhouseBenchmark(results, input.reproduce, chartFile),
    { command: input.reproduce, ...results, summary: summarizeWheelhouse(seconds) },
    { [chartFile]: wheelhouseChart(summarizeWheelhouse(seconds)) },
  );
  logger.info(`results: ${input.output}`);
  return input.output;
}

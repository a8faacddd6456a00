import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CpythonPrebuiltError, type LoadedArtifact, type Logger, run } from '@cpython-prebuilt/core';
import { FEATURE_ID, vendorFeature } from '@cpython-prebuilt/feature';
import {
  type ImageSource,
  integrateProject,
  locateImageSource,
  officialPythonOptions,
  parseOrRefuse,
  switchToFeature,
} from '@cpython-prebuilt/integrate';
import { devcontainer } from '@cpython-prebuilt/release';
import { applyEdits, getNodeValue, modify } from 'jsonc-parser';
import { baseImagesOf, replaceBaseImages } from './dockerfile-base.ts';
import type { MainJobFigures } from './phase3-results.ts';
import { type Summary, summarize } from './stats.ts';
import { resolveRequestedVersion } from './versions.ts';

const baselineFeature = fileURLToPath(new URL('../features/python-from-source', import.meta.url));
const BASELINE_REFERENCE = `./${basename(baselineFeature)}`;
/**
 * The -dev packages the official python feature installs before it compiles (its from-source
 * path's apt step, beyond the compiler), which the baseline image must carry for the same build:
 * our own build base leaves out OpenSSL (built from its pin), readline and gdbm (GPL).
 */
export const OFFICIAL_FEATURE_BUILD_PACKAGES = [
  'libssl-dev',
  'zlib1g-dev',
  'libncurses-dev',
  'libbz2-dev',
  'libreadline-dev',
  'libxml2-dev',
  'xz-utils',
  'libgdbm-dev',
  'tk-dev',
  'uuid-dev',
  'libsqlite3-dev',
  'libffi-dev',
  'liblzma-dev',
] as const;
/** A from-source build with PGO on a busy 2-core machine takes longer than the CLI's usual 15 minutes. */
const BUILD_TIMEOUT_MS = 90 * 60_000;

/** One dev container configuration of a project, measured before and after the feature. */
export interface ProjectToMeasure {
  /** How the results name it: the project's folder name. */
  name: string;
  /** The project as committed: its "before" state (the official python feature). */
  dir: string;
  /** The configuration measured, relative to `dir`: `.devcontainer/worker/devcontainer.json`. */
  config: string;
  /** The project already switched to the feature (phase3's integrate step): measured as it is. */
  integratedDir?: string;
}

export interface MeasureInput {
  projects: ProjectToMeasure[];
  /** Artifacts vendored into the "after" feature, loaded (and hashed) once by the caller. */
  artifacts: LoadedArtifact[];
  /** Install this full version both ways instead of the one each configuration asks for. */
  version?: string;
  /** The CPython source tarball the baseline compiles, per full version. */
  sourceFor(version: string): Promise<string>;
  /**
   * The image that stands in for `image` in the baseline: the same distribution with compilers
   * and -dev packages (these machines cannot apt-get during a build, as the official feature does).
   */
  baselineImageFor(image: string): Promise<string>;
  runs: number;
  workDir: string;
  logger: Logger;
  /** Called after each build with the numbers so far (a long run leaves a document even if stopped). */
  onProgress?: (measurement: Measurement) => Promise<void>;
}

export interface RunResult {
  seconds: number;
  ok: boolean;
  imageBytes: number;
  checksPassed: number;
  checksTotal: number;
}

export interface VariantResult {
  label: string;
  /** The image the build starts from (for Dockerfile and Compose shapes, what their FROM names). */
  image: string;
  runs: RunResult[];
  seconds: Summary;
  imageBytes: Summary;
}

/** image: `image` in devcontainer.json; dockerfile: `build.dockerfile`; compose: a Compose service. */
export type Shape = 'image' | 'dockerfile' | 'compose';

export interface ProjectMeasurement {
  name: string;
  config: string;
  shape: Shape;
  /** The official feature's options as the configuration writes them. */
  requested: Record<string, unknown>;
  /** The full version both variants install. */
  version: string;
  /** The baseline compiles with PGO (--enable-optimizations), as the configuration's optimize asks. */
  optimize: boolean;
  before: VariantResult;
  after: VariantResult;
}

export interface Measurement {
  date: string;
  machine: string;
  /** The machine's load average when the run started and ended (it may be shared). */
  load: { start: string; end: string };
  runs: number;
  /** The artifacts the "after" builds installed: which builds a reader needs to reproduce the run. */
  artifacts: MeasuredArtifact[];
  projects: ProjectMeasurement[];
  /** phase3's run: the whole job's time and the build's figures (absent for `measure` alone). */
  mainJob?: MainJobFigures;
}

export interface MeasuredArtifact {
  name: string;
  sha256: string;
  pgo: boolean;
  lto: boolean;
  compressedBytes: number;
}

interface Prepared {
  folder: string;
  image: string;
  prefix: string;
}

interface Plan {
  project: ProjectToMeasure;
  slug: string;
  shape: Shape;
  requested: Record<string, unknown>;
  version: string;
  optimize: boolean;
  before: Prepared;
  after: Prepared;
}

/** Procedure step 4.1, inside the built image: version, python3 on PATH, sys.prefix, native modules, pip. */
function checks(version: string, prefix: string): string[] {
  return [
    `test "$(python3 --version)" = "Python ${version}"`,
    'command -v python3',
    `test "$(python3 -c 'import sys; print(sys.prefix)')" = "${prefix}"`,
    'python3 -c "import ssl, sqlite3, lzma, bz2, ctypes, zlib"',
    'pip3 --version',
  ];
}

/** A docker-safe name for a project's configuration: `two-configs-worker`. */
export function projectSlug(name: string, config: string): string {
  const folder = dirname(config).split('/').slice(1).join('-');
  return [name, folder]
    .filter(Boolean)
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-');
}

function notMeasurable(project: ProjectToMeasure, why: string, fix: string): CpythonPrebuiltError {
  return new CpythonPrebuiltError('INVALID_INPUT', `${project.name} (${project.config}) cannot be measured: ${why}`, { fix });
}

async function copyProject(from: string, to: string): Promise<void> {
  await rm(to, { recursive: true, force: true });
  await cp(from, to, { recursive: true });
}

/**
 * The baseline: the official feature replaced by python-from-source (the official feature's
 * from-source path without its network steps), the build starting from `baselineImageFor` of the
 * configuration's image, whichever way the configuration names it.
 */
async function prepareBefore(
  input: MeasureInput,
  project: ProjectToMeasure,
  folder: string,
  version: string,
  optimize: boolean,
): Promise<Prepared & { shape: Shape }> {
  await copyProject(project.dir, folder);
  const configPath = join(folder, project.config);
  const text = await readFile(configPath, 'utf8');
  const target = join(dirname(configPath), basename(baselineFeature));
  await cp(baselineFeature, target, { recursive: true });
  const source = await input.sourceFor(version);
  await cp(source, join(target, basename(source)));
  const options = { version, ...(optimize ? { optimize: true } : {}) };
  let edited = switchToFeature(text, configPath, { reference: BASELINE_REFERENCE, options }).text;
  const location = await locateImageSource(configPath, getNodeValue(parseOrRefuse(text, configPath)) as ImageSource, folder);
  if (location.shape === 'unknown') {
    throw notMeasurable(
      project,
      `where its image comes from is unknown (${location.where})`,
      'give it an image, a Dockerfile or a Compose service with a build',
    );
  }
  let image: string;
  if ('image' in location) {
    if (location.shape !== 'image') {
      throw notMeasurable(
        project,
        `the Compose service uses the image ${location.image} as it is, and the baseline needs compilers in it`,
        'measure a service that builds its image from a Dockerfile',
      );
    }
    image = await input.baselineImageFor(location.image);
    edited = applyEdits(edited, modify(edited, ['image'], image, {}));
  } else {
    const dockerfile = await readFile(location.dockerfile, 'utf8');
    const replacements: Record<string, string> = {};
    for (const from of baseImagesOf(dockerfile)) replacements[from] = await input.baselineImageFor(from);
    await writeFile(location.dockerfile, replaceBaseImages(dockerfile, replacements));
    image = Object.values(replacements).join(', ');
  }
  await writeFile(configPath, edited);
  // python3 is a link into /usr/local/python/current (a link to the version's folder, as the official
  // feature lays it out); CPython finds its prefix from the interpreter's folder without resolving
  // the folder link, so sys.prefix is /usr/local/python/current.
  return { folder, image, prefix: '/usr/local/python/current', shape: location.shape };
}

/** The project switched by integrate to the vendored feature (or phase3's integrated copy, as it is). */
async function prepareAfter(input: MeasureInput, project: ProjectToMeasure, folder: string, version: string): Promise<Prepared> {
  const configPath = join(folder, project.config);
  if (project.integratedDir) {
    await copyProject(project.integratedDir, folder);
  } else {
    await copyProject(project.dir, folder);
    // Only the version this configuration installs: the CLI copies the feature folder into the build.
    const artifacts = input.artifacts.filter((artifact) => artifact.metadata.version === version);
    await vendorFeature({
      artifactPaths: artifacts.map((artifact) => artifact.path),
      loaded: artifacts,
      outputDir: join(dirname(configPath), FEATURE_ID),
      force: false,
      // A local build measured here, not a release: it may be unsigned.
      allowUnsigned: true,
    });
    await integrateProject({
      projectDir: folder,
      configs: [project.config],
      entry: { reference: `./${FEATURE_ID}`, options: input.version ? { version: input.version } : {} },
      mode: 'write',
    });
  }
  const text = await readFile(configPath, 'utf8');
  const location = await locateImageSource(configPath, getNodeValue(parseOrRefuse(text, configPath)) as ImageSource, folder);
  const image =
    'image' in location
      ? location.image
      : 'dockerfile' in location
        ? baseImagesOf(await readFile(location.dockerfile, 'utf8')).join(', ')
        : '';
  return { folder, image, prefix: `/opt/python-${version}` };
}

async function plan(input: MeasureInput, project: ProjectToMeasure): Promise<Plan> {
  const text = await readFile(join(project.dir, project.config), 'utf8');
  const official = officialPythonOptions(text, project.config);
  const requestedVersion = official?.options.version;
  if (typeof requestedVersion !== 'string' || requestedVersion === 'os-provided' || requestedVersion === 'none') {
    throw notMeasurable(
      project,
      'it has no official python feature that compiles Python, so there is no "before" to measure',
      'measure a configuration that uses ghcr.io/devcontainers/features/python with a version',
    );
  }
  const available = input.artifacts.map((artifact) => artifact.metadata.version);
  const version = input.version ?? resolveRequestedVersion(requestedVersion, available);
  if (!version) {
    throw notMeasurable(
      project,
      `it asks for Python ${requestedVersion} and no artifact given is one (${available.join(', ')})`,
      `pass --artifact with a ${requestedVersion} build too, or --version to measure another version`,
    );
  }
  const slug = projectSlug(project.name, project.config);
  const optimize = official?.options.optimize === true;
  const before = await prepareBefore(input, project, join(input.workDir, slug, 'before'), version, optimize);
  const after = await prepareAfter(input, project, join(input.workDir, slug, 'after'), version);
  return { project, slug, shape: before.shape, requested: official?.options ?? {}, version, optimize, before, after };
}

async function measureOnce(plan: Plan, prepared: Prepared, tag: string, logger: Logger): Promise<RunResult> {
  const expected = checks(plan.version, prepared.prefix);
  const started = process.hrtime.bigint();
  const build = await devcontainer(
    [
      'build',
      '--workspace-folder',
      prepared.folder,
      '--config',
      join(prepared.folder, plan.project.config),
      '--image-name',
      tag,
      '--no-cache',
    ],
    true,
    BUILD_TIMEOUT_MS,
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (build.exitCode !== 0) {
    const log = join(dirname(prepared.folder), `${basename(prepared.folder)}-${tag.split(':').at(-1)}.log`);
    await writeFile(log, `${build.stdout}\n${build.stderr}`);
    logger.warn(`build of ${tag} failed (exit code ${build.exitCode}); its output: ${log}`);
    return { seconds, ok: false, imageBytes: 0, checksPassed: 0, checksTotal: expected.length };
  }
  const size = await run('docker', ['image', 'inspect', '--format', '{{.Size}}', tag]);
  let passed = 0;
  for (const check of expected) {
    const result = await run('docker', ['run', '--rm', '--network', 'none', '--entrypoint', 'sh', tag, '-c', check], {
      allowExitCodes: [1, 2, 127],
    });
    if (result.exitCode === 0) passed++;
    else logger.warn(`${tag}: check failed: ${check}`);
  }
  await run('docker', ['rmi', '--force', tag], { allowExitCodes: [1] });
  return { seconds, ok: true, imageBytes: Number(size.stdout.trim()), checksPassed: passed, checksTotal: expected.length };
}

async function loadAverage(): Promise<string> {
  const { loadavg } = await import('node:os');
  return loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');
}

function variantResult(label: string, prepared: Prepared, runs: RunResult[]): VariantResult {
  const ok = runs.filter((result) => result.ok);
  return {
    label,
    image: prepared.image,
    runs,
    seconds: summarize(ok.map((result) => result.seconds)),
    imageBytes: summarize(ok.map((result) => result.imageBytes)),
  };
}

/**
 * Builds each project's configuration N times each way, side by side in one run, no cache between
 * runs: before (the official feature compiling CPython) and after (integrated with the feature).
 */
export async function measureProjects(input: MeasureInput): Promise<Measurement> {
  await mkdir(input.workDir, { recursive: true });
  const start = await loadAverage();
  const plans: Plan[] = [];
  for (const project of input.projects) plans.push(await plan(input, project));
  const results: Results = new Map(plans.map((each) => [each, { before: [], after: [] }]));
  const machine = await describeMachine();
  // Interleaved, so a slow moment of the machine hits every project and both variants alike.
  for (let index = 0; index < input.runs; index++) {
    for (const each of plans) {
      for (const variant of ['before', 'after'] as const) {
        input.logger.phase(`measure ${each.slug} ${variant}, run ${index + 1} of ${input.runs}`);
        const result = await measureOnce(
          each,
          each[variant],
          `cpython-prebuilt-measure/${each.slug}-${variant}:${index}`,
          input.logger,
        );
        input.logger.info(
          `${each.slug} ${variant} run ${index + 1}: ${result.seconds.toFixed(1)} s, ${result.checksPassed}/${result.checksTotal} checks`,
        );
        results.get(each)?.[variant].push(result);
        await input.onProgress?.(await snapshot(input, plans, results, start, machine));
      }
    }
  }
  return snapshot(input, plans, results, start, machine);
}

type Results = Map<Plan, Record<'before' | 'after', RunResult[]>>;

async function snapshot(
  input: MeasureInput,
  plans: Plan[],
  results: Results,
  start: string,
  machine: string,
): Promise<Measurement> {
  return {
    date: new Date().toISOString(),
    machine,
    load: { start, end: await loadAverage() },
    runs: input.runs,
    artifacts: input.artifacts.map(({ name, sha256, metadata }) => ({
      name,
      sha256,
      ...metadata.optimizations,
      compressedBytes: metadata.sizes.compressedBytes,
    })),
    projects: plans.map((each) => ({
      name: each.project.name,
      config: each.project.config,
      shape: each.shape,
      requested: each.requested,
      version: each.version,
      optimize: each.optimize,
      before: variantResult(
        `CPython ${each.version} compiled from source in the image (configure${each.optimize ? ' --enable-optimizations' : ''} + make -j + make install)`,
        each.before,
        results.get(each)?.before ?? [],
      ),
      after: variantResult(
        `cpython/installer feature with the prebuilt ${each.version} artifact`,
        each.after,
        results.get(each)?.after ?? [],
      ),
    })),
  };
}

export async function describeMachine(): Promise<string> {
  const { cpus, totalmem, release } = await import('node:os');
  // A machine without Docker (recording a build made elsewhere) is described without it.
  const docker = await run('docker', ['version', '--format', '{{.Server.Version}}'], { allowExitCodes: [1] }).catch(
    () => undefined,
  );
  return `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${(totalmem() / 1024 ** 3).toFixed(0)} GiB RAM, Linux ${release()}, Docker ${docker?.stdout.trim() || 'not running'}`;
}

import { readdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import {
  type MainJobFigures,
  type Measurement,
  measureProjects,
  OFFICIAL_FEATURE_BUILD_PACKAGES,
  type ProjectToMeasure,
  renderPhase4Results,
  renderResults,
  writeResults,
} from '@cpython-prebuilt/bench';
import { ensureBuildBaseImage, obtainSource } from '@cpython-prebuilt/builder';
import { findBase, hostArch, type LoadedArtifact, type Logger, layout, openLogFile } from '@cpython-prebuilt/core';
import { findConfigurations } from '@cpython-prebuilt/integrate';

/**
 * The build base that gives the baseline its compilers and -dev packages, made from the project's
 * own image: the examples' image family (Debian 12). A project on another distribution passes
 * --baseline-image.
 */
const BASELINE_BASE = 'debian12';

interface BuildMeasurementInput {
  /** Artifacts the feature installs (vendored), loaded and hashed once. */
  artifacts: LoadedArtifact[];
  /** CPython source tarballs the baselines compile, picked by version; downloaded and verified when missing. */
  sources: string[];
  runs: number;
  projects: ProjectToMeasure[];
  /** Install this version both ways instead of the one each configuration asks for. */
  version?: string;
  /** Image with compilers for every baseline; the build base of each project's image when omitted. */
  baselineImage?: string;
  /** Results document; the raw numbers go beside it as .json. */
  output: string;
  /** The command that reproduces this run, written into the document. */
  reproduce: string;
  logger: Logger;
}

/**
 * Measures the projects' builds before and after, and writes the document `render` makes of them;
 * `annotate` adds what the run knows besides the builds (phase3's own time) to both the document
 * and its JSON.
 */
async function measureBuilds(
  input: BuildMeasurementInput,
  render: (measurement: Measurement, command: string) => string,
  annotate: (measurement: Measurement) => Measurement = (measurement) => measurement,
): Promise<Measurement> {
  const { logger } = input;
  const logPath = join(layout.logsDir, 'measure.log');
  const baselines = new Map<string, Promise<string>>();
  const measurement = await measureProjects({
    projects: input.projects,
    artifacts: input.artifacts,
    version: input.version,
    // The baseline compiles the same verified source the artifact was built from.
    sourceFor: async (version) =>
      (
        await obtainSource({
          version,
          sourcePath: input.sources.find((path) => basename(path).includes(version)),
          cacheDir: layout.cacheDir,
          logger,
        })
      ).path,
    baselineImageFor: (image) => {
      if (input.baselineImage) return Promise.resolve(input.baselineImage);
      const known = baselines.get(image);
      if (known) return known;
      const base = findBase(BASELINE_BASE);
      // The base's packages and what the official feature installs itself (libssl-dev, readline...).
      const packages = [...new Set([...base.packages, ...OFFICIAL_FEATURE_BUILD_PACKAGES])];
      const made = ensureBuildBaseImage({ ...base, packages }, image, logger, openLogFile(logPath), logPath, hostArch());
      baselines.set(image, made);
      return made;
    },
    runs: input.runs,
    workDir: join(layout.cacheDir, 'measure'),
    logger,
    onProgress: (sofar) => {
      const annotated = annotate(sofar);
      return writeResults(input.output, render(annotated, input.reproduce), annotated);
    },
  });
  const annotated = annotate(measurement);
  await writeResults(input.output, render(annotated, input.reproduce), annotated);
  for (const project of measurement.projects) {
    logger.info(
      `${project.name} ${project.config}: before ${project.before.seconds.median.toFixed(1)} s, after ${project.after.seconds.median.toFixed(1)} s (medians)`,
    );
  }
  logger.info(`written to ${input.output}`);
  return measurement;
}

export interface PilotMeasurementInput {
  artifacts: LoadedArtifact[];
  /** The CPython source the baseline compiles; downloaded and verified when omitted. */
  sourcePath?: string;
  runs: number;
  /** The pilot project in its before state. */
  pilotDir: string;
  /** The pilot already switched to the feature (phase3's integrate step); switched here when omitted. */
  integratedPilotDir?: string;
  baselineImage?: string;
  output: string;
  reproduce: string;
  logger: Logger;
  /** phase3's start (epoch ms): the document then also gives the whole job's time and the build's disk. */
  jobStarted?: number;
}

/** Times the pilot's devcontainer build from source against the feature and writes the Fase 3 results document. */
export async function measurePilotBuilds(input: PilotMeasurementInput): Promise<string> {
  const [config] = await findConfigurations(input.pilotDir);
  await measureBuilds(
    {
      ...input,
      sources: input.sourcePath ? [input.sourcePath] : [],
      projects: [
        {
          name: basename(resolve(input.pilotDir)),
          dir: resolve(input.pilotDir),
          config: config ?? '',
          integratedDir: input.integratedPilotDir,
        },
      ],
      // The artifact just built, whatever version the pilot asks for.
      version: input.artifacts[0]?.metadata.version,
    },
    renderResults,
    (measurement) => {
      const build = input.artifacts[0]?.metadata;
      if (input.jobStarted === undefined || !build) return measurement;
      const { artifact, buildSeconds, disk, optimizations } = build;
      const mainJob: MainJobFigures = {
        totalSeconds: Math.round((Date.now() - input.jobStarted) / 1000),
        build: { artifact, buildSeconds, disk, optimizations },
      };
      return { ...measurement, mainJob };
    },
  );
  return input.output;
}

export interface ProjectsMeasurementInput {
  artifacts: LoadedArtifact[];
  sources: string[];
  runs: number;
  /** Project folders; every dev container configuration in each is measured. */
  projectDirs: string[];
  version?: string;
  baselineImage?: string;
  output: string;
  reproduce: string;
  logger: Logger;
}

/** The example projects, the pilot first: what Fase 4 measures by default. */
export async function exampleProjects(): Promise<string[]> {
  const names = (await readdir(layout.examplesDir, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(layout.examplesDir, entry.name));
  return [layout.pilotDir, ...names.filter((dir) => dir !== layout.pilotDir).sort()];
}

/**
 * Times every configuration of each project, from source (as committed) against the feature
 * (integrated), in one interleaved run, and writes the Fase 4 results document.
 */
export async function measureProjectBuilds(input: ProjectsMeasurementInput): Promise<Measurement> {
  const projects: ProjectToMeasure[] = [];
  for (const dir of input.projectDirs.map((each) => resolve(each))) {
    for (const config of await findConfigurations(dir)) projects.push({ name: basename(dir), dir, config });
  }
  return measureBuilds({ ...input, projects }, renderPhase4Results);
}

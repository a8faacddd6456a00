import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { measurePilot, renderResults, writeResults } from '@cpython-prebuilt/bench';
import { ensureBuildBaseImage, obtainSource } from '@cpython-prebuilt/builder';
import { findBase, hostArch, type LoadedArtifact, type Logger, layout, openLogFile } from '@cpython-prebuilt/core';
import { parse } from 'jsonc-parser';

/** The distribution whose build base gives the baseline its compilers: the pilot's own image family. */
const BASELINE_BASE = 'debian12';
/** The pilot's image when its devcontainer.json names none. */
const FALLBACK_PILOT_IMAGE = 'local/debian:bookworm';

export interface PilotMeasurementInput {
  /** Artifacts the feature installs (vendored), loaded and hashed once. */
  artifacts: LoadedArtifact[];
  /** The CPython source the baseline compiles; downloaded and verified when omitted. */
  sourcePath?: string;
  runs: number;
  /** The pilot project in its before state. */
  pilotDir: string;
  /** The pilot already switched to the feature (phase3's integrate step); switched here when omitted. */
  integratedPilotDir?: string;
  /** Image with compilers for the baseline; the build base of the pilot's image when omitted. */
  baselineImage?: string;
  /** Results document; the raw numbers go beside it as .json. */
  output: string;
  /** The command that reproduces this run, written into the document. */
  reproduce: string;
  logger: Logger;
}

/** Times the pilot's devcontainer build from source against the feature and writes the results document. */
export async function measurePilotBuilds(input: PilotMeasurementInput): Promise<string> {
  const { logger } = input;
  const version = input.artifacts[0]?.metadata.version ?? '';
  // The baseline compiles the same verified source the artifact was built from.
  const source = await obtainSource({ version, sourcePath: input.sourcePath, cacheDir: layout.cacheDir, logger });
  const pilotConfig = parse(await readFile(join(input.pilotDir, '.devcontainer/devcontainer.json'), 'utf8')) as {
    image?: string;
  };
  const pilotImage = pilotConfig.image ?? FALLBACK_PILOT_IMAGE;
  const logPath = join(layout.logsDir, 'measure.log');
  await mkdir(layout.logsDir, { recursive: true });
  const baselineImage =
    input.baselineImage ??
    (await ensureBuildBaseImage(findBase(BASELINE_BASE), pilotImage, logger, openLogFile(logPath), logPath, hostArch()));
  const measurement = await measurePilot({
    pilotDir: resolve(input.pilotDir),
    integratedPilotDir: input.integratedPilotDir,
    version,
    artifacts: input.artifacts,
    sourceTarball: source.path,
    baselineImage,
    featureImage: pilotImage,
    runs: input.runs,
    workDir: join(layout.cacheDir, 'measure'),
    logger,
  });
  await writeResults(input.output, renderResults(measurement, input.reproduce), measurement);
  logger.info(
    `before ${measurement.before.seconds.median.toFixed(1)} s, after ${measurement.after.seconds.median.toFixed(1)} s (medians); written to ${input.output}`,
  );
  return input.output;
}

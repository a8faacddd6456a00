import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { measurePilot, renderResults, writeResults } from '@cpython-prebuilt/bench';
import { ensureBuildBaseImage, obtainSource, projectPaths, repoRoot, resolveArtifactPath } from '@cpython-prebuilt/builder';
import { createLogger, findBase, loadArtifact, openLogFile } from '@cpython-prebuilt/core';
import { type Command, Option } from 'commander';
import { parse } from 'jsonc-parser';
import { parsePositiveInteger } from './parse.ts';

export interface MeasureFlags {
  artifact: string[];
  source?: string;
  runs: number;
  pilot: string;
  output: string;
  baselineImage?: string;
}

export const RESULTS_PATH = join(repoRoot, 'docs/infraestructura/cpython_precompilado/fase-3-resultados.md');

export function measureCommand(program: Command): void {
  program
    .command('measure')
    .description(
      "time the pilot's devcontainer build: Python compiled from source (before) against the feature (after), and write the results document",
    )
    .requiredOption('--artifact <file...>', 'artifact(s) the feature installs (vendored)')
    .option('--source <tarball>', 'the CPython source the baseline compiles (default: downloaded from python.org, verified)')
    .addOption(new Option('--runs <n>', 'builds per variant').default(3).argParser(parsePositiveInteger))
    .option('--pilot <dir>', 'the pilot project, in its before state', join(repoRoot, 'examples/pilot'))
    .option('--baseline-image <ref>', 'image with compilers for the baseline (default: the build-base image of the pilot image)')
    .option('--output <file>', 'results document (a .json with the raw numbers is written beside it)', RESULTS_PATH)
    .action(async (flags: MeasureFlags) => {
      await runMeasure(flags, reproduceCommand('measure'));
    });
}

export async function runMeasure(flags: MeasureFlags, command: string): Promise<string> {
  const logger = createLogger();
  const artifacts = await Promise.all(flags.artifact.map((path) => loadArtifact(resolveArtifactPath(path))));
  const version = artifacts[0]?.metadata.version ?? '';
  // The baseline compiles the same verified source the artifact was built from.
  const source = await obtainSource({ version, sourcePath: flags.source, cacheDir: projectPaths.cacheDir, logger });
  const pilotConfig = parse(await readFile(join(flags.pilot, '.devcontainer/devcontainer.json'), 'utf8')) as { image?: string };
  const pilotImage = pilotConfig.image ?? 'local/debian:bookworm';
  const logPath = join(projectPaths.logsDir, 'measure.log');
  await mkdir(projectPaths.logsDir, { recursive: true });
  const baselineImage =
    flags.baselineImage ?? (await ensureBuildBaseImage(findBase('debian12'), pilotImage, logger, openLogFile(logPath), logPath));
  const measurement = await measurePilot({
    pilotDir: resolve(flags.pilot),
    version,
    artifactPaths: artifacts.map((artifact) => artifact.path),
    sourceTarball: source.path,
    baselineImage,
    featureImage: pilotImage,
    runs: flags.runs,
    workDir: join(projectPaths.cacheDir, 'measure'),
    logger,
  });
  await writeResults(flags.output, renderResults(measurement, command), measurement);
  logger.info(
    `before ${measurement.before.seconds.median.toFixed(1)} s, after ${measurement.after.seconds.median.toFixed(1)} s (medians); written to ${flags.output}`,
  );
  process.stdout.write(`${flags.output}\n`);
  return flags.output;
}

/** The command that reproduces a measurement: the make line when make ran us, else the CLI line. */
export function reproduceCommand(subcommand: string): string {
  return (
    process.env.CPYTHON_PREBUILT_REPRODUCE?.trim() ||
    // Arguments with spaces (labels such as "PGO+LTO gcc 14") stay one argument when pasted back.
    `pnpm exec cpython-prebuilt ${subcommand} ${process.argv
      .slice(3)
      .map((arg) => (/\s/.test(arg) ? `"${arg}"` : arg))
      .join(' ')}`.trim()
  );
}

import { cp, mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@cpython-prebuilt/core';
import { timeInContainer } from './container-timing.ts';
import { type Summary, summarize } from './stats.ts';

const fromSourceFeature = fileURLToPath(new URL('../features/python-from-source', import.meta.url));

export interface ImageInstallInput {
  /** A vendored feature folder (artifact inside), so nothing is downloaded. */
  featureDir: string;
  artifactPath: string;
  /** The CPython source tarball the from-source variants compile. */
  sourceTarball: string;
  version: string;
  /** One image for every variant: the base plus build packages, which only (b) needs. */
  image: string;
  /** Fresh containers for the quick variants (a) and (c). */
  runs: number;
  /** Fresh containers for the compiling variants (b), minutes each. */
  slowRuns: number;
  workDir: string;
  logPath: string;
  logger: Logger;
}

export interface ImageInstall {
  image: string;
  /** (a) install.sh with default options: checks, sha256, archive check, extract, smoke test, move, links. */
  feature: Summary;
  /** (b) configure + make + make install in the image, as the official feature does, without PGO. */
  fromSource: Summary;
  /** (b) the same with --enable-optimizations (the official feature's optimize option). */
  fromSourceOptimized: Summary;
  /** (c) the floor: `tar -xzf` of the same artifact into the same kind of directory. */
  tarOnly: Summary;
  /** Where install.sh spends its time, from its own steps timed separately (median seconds). */
  steps: Record<string, number>;
}

/** Seconds a shell snippet takes in a fresh container of the image, with the inputs copied to /tmp/bench. */
async function timeIn(input: ImageInstallInput, label: string, script: string): Promise<number> {
  const { seconds } = await timeInContainer({
    image: input.image,
    label,
    setup: 'cp -r /bench-src /tmp/bench',
    script,
    mounts: { [input.workDir]: '/bench-src' },
    logPath: input.logPath,
  });
  return seconds;
}

/**
 * Getting CPython into an image, four ways, each in fresh containers of the same image, runs
 * interleaved so a slow moment of the machine hits every variant alike.
 */
export async function measureImageInstall(input: ImageInstallInput): Promise<ImageInstall> {
  await rm(input.workDir, { recursive: true, force: true });
  await mkdir(input.workDir, { recursive: true });
  await cp(input.featureDir, join(input.workDir, 'feature'), { recursive: true });
  await cp(fromSourceFeature, join(input.workDir, 'from-source'), { recursive: true });
  await cp(input.sourceTarball, join(input.workDir, 'from-source', basename(input.sourceTarball)));

  const artifact = `/tmp/bench/feature/${basename(input.artifactPath)}`;
  const steps: Record<string, string> = {
    sha256: `sha256sum ${artifact}`,
    'decompress (gzip -dc)': `gzip -dc ${artifact} >/tmp/artifact.tar`,
    'decompress, then list (tar -tvf)': `gzip -dc ${artifact} >/tmp/artifact.tar && tar -tvf /tmp/artifact.tar >/dev/null`,
    extract: `mkdir -p /opt/x && tar -xzf ${artifact} -C /opt/x`,
  };
  const times = {
    feature: [] as number[],
    tarOnly: [] as number[],
    fromSource: [] as number[],
    fromSourceOptimized: [] as number[],
  };
  const stepTimes: Record<string, number[]> = Object.fromEntries(Object.keys(steps).map((name) => [name, []]));
  for (let index = 0; index < input.runs; index++) {
    input.logger.phase(`(a) feature install.sh and (c) tar -xzf, run ${index + 1} of ${input.runs}`);
    times.feature.push(await timeIn(input, '(a) feature', 'sh /tmp/bench/feature/install.sh'));
    times.tarOnly.push(await timeIn(input, '(c) tar -xzf', `mkdir -p /opt && tar -xzf ${artifact} -C /opt`));
    for (const [name, script] of Object.entries(steps)) stepTimes[name]?.push(await timeIn(input, name, script));
  }
  const compile = (optimize: boolean) =>
    `VERSION=${input.version} OPTIMIZE=${optimize} sh /tmp/bench/from-source/install.sh && /usr/local/bin/python3 --version`;
  for (let index = 0; index < input.slowRuns; index++) {
    input.logger.phase(`(b) compile from source in the image, run ${index + 1} of ${input.slowRuns} (minutes)`);
    times.fromSource.push(await timeIn(input, '(b) from source', compile(false)));
    input.logger.info(`(b) without optimisations: ${times.fromSource.at(-1)?.toFixed(0)} s`);
    input.logger.phase(`(b) with --enable-optimizations, run ${index + 1} of ${input.slowRuns} (about 15 minutes)`);
    times.fromSourceOptimized.push(await timeIn(input, '(b) from source, optimized', compile(true)));
    input.logger.info(`(b) with --enable-optimizations: ${times.fromSourceOptimized.at(-1)?.toFixed(0)} s`);
  }
  return {
    image: input.image,
    feature: summarize(times.feature),
    fromSource: summarize(times.fromSource),
    fromSourceOptimized: summarize(times.fromSourceOptimized),
    tarOnly: summarize(times.tarOnly),
    steps: Object.fromEntries(Object.entries(stepTimes).map(([name, values]) => [name, summarize(values).median])),
  };
}

import { cp, mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CpythonPrebuiltError, type Logger, openLogFile, run } from '@cpython-prebuilt/core';
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

/**
 * Seconds a shell snippet takes inside a fresh container with no network, container start-up
 * excluded. Output goes to the log; a failure names it.
 */
async function timeInContainer(input: ImageInstallInput, label: string, script: string): Promise<number> {
  const wrapped = `cp -r /bench-src /tmp/bench; start=$(date +%s%N); ( ${script} ) >&2; end=$(date +%s%N); echo "elapsed-ms $(( (end - start) / 1000000 ))"`;
  const log = openLogFile(input.logPath);
  try {
    log.write(`\n# ${label}: ${script}\n`);
    const result = await run(
      'docker',
      ['run', '--rm', '--network', 'none', '--volume', `${input.workDir}:/bench-src:ro`, input.image, 'sh', '-ec', wrapped],
      { log, logPath: input.logPath },
    );
    const match = /elapsed-ms (\d+)/.exec(result.stdout);
    if (!match?.[1]) {
      throw new CpythonPrebuiltError('BENCH_FAILED', `${label}: no timing in the container's output`, {
        fix: 'read the log',
        logPath: input.logPath,
      });
    }
    return Number(match[1]) / 1000;
  } finally {
    await new Promise((resolve) => log.end(resolve));
  }
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
    times.feature.push(await timeInContainer(input, '(a) feature', 'sh /tmp/bench/feature/install.sh'));
    times.tarOnly.push(await timeInContainer(input, '(c) tar -xzf', `mkdir -p /opt && tar -xzf ${artifact} -C /opt`));
    for (const [name, script] of Object.entries(steps)) stepTimes[name]?.push(await timeInContainer(input, name, script));
  }
  const compile = (optimize: boolean) =>
    `VERSION=${input.version} OPTIMIZE=${optimize} sh /tmp/bench/from-source/install.sh && /usr/local/bin/python3 --version`;
  for (let index = 0; index < input.slowRuns; index++) {
    input.logger.phase(`(b) compile from source in the image, run ${index + 1} of ${input.slowRuns} (minutes)`);
    times.fromSource.push(await timeInContainer(input, '(b) from source', compile(false)));
    input.logger.info(`(b) without optimisations: ${times.fromSource.at(-1)?.toFixed(0)} s`);
    input.logger.phase(`(b) with --enable-optimizations, run ${index + 1} of ${input.slowRuns} (about 15 minutes)`);
    times.fromSourceOptimized.push(await timeInContainer(input, '(b) from source, optimized', compile(true)));
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

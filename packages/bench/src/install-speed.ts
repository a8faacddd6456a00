import { basename } from 'node:path';
import { run } from '@cpython-prebuilt/core';
import { type Summary, summarize } from './stats.ts';

export interface InstallSpeedInput {
  /** A vendored feature folder (artifact inside), so nothing is downloaded. */
  featureDir: string;
  artifactPath: string;
  image: string;
  runs: number;
}

export interface InstallSpeed {
  image: string;
  runs: number;
  /** install.sh with default options: checks, sha256, archive check, extract, smoke test, move, links. */
  feature: Summary;
  /** The floor: `tar -xzf` of the same artifact into the same kind of directory. */
  tarOnly: Summary;
  /** Where install.sh spends its time, from its own steps timed separately (median seconds). */
  steps: Record<string, number>;
}

/** Seconds a shell snippet takes inside a fresh container (container start excluded). */
async function timeInContainer(input: InstallSpeedInput, script: string): Promise<number> {
  const wrapped = `cp -r /feature-src /tmp/feature; start=$(date +%s%N); ${script} >/dev/null 2>&1 || exit 1; end=$(date +%s%N); echo $(( (end - start) / 1000000 ))`;
  const result = await run('docker', [
    'run',
    '--rm',
    '--network',
    'none',
    '--volume',
    `${input.featureDir}:/feature-src:ro`,
    input.image,
    'sh',
    '-c',
    wrapped,
  ]);
  return Number(result.stdout.trim()) / 1000;
}

/** The feature's install step against the physical floor, N fresh containers each, interleaved. */
export async function measureInstallSpeed(input: InstallSpeedInput): Promise<InstallSpeed> {
  const artifact = `/tmp/feature/${basename(input.artifactPath)}`;
  const steps: Record<string, string> = {
    sha256: `sha256sum ${artifact}`,
    'archive listing (tar -tvzf)': `tar -tvzf ${artifact}`,
    extract: `mkdir -p /opt/x && tar -xzf ${artifact} -C /opt/x`,
  };
  const feature: number[] = [];
  const tarOnly: number[] = [];
  const stepTimes: Record<string, number[]> = Object.fromEntries(Object.keys(steps).map((name) => [name, []]));
  for (let index = 0; index < input.runs; index++) {
    feature.push(await timeInContainer(input, 'sh /tmp/feature/install.sh'));
    tarOnly.push(await timeInContainer(input, `mkdir -p /opt && tar -xzf ${artifact} -C /opt`));
    for (const [name, script] of Object.entries(steps)) stepTimes[name]?.push(await timeInContainer(input, script));
  }
  return {
    image: input.image,
    runs: input.runs,
    feature: summarize(feature),
    tarOnly: summarize(tarOnly),
    steps: Object.fromEntries(Object.entries(stepTimes).map(([name, values]) => [name, summarize(values).median])),
  };
}

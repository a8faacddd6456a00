import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadArtifact, run } from '@cpython-prebuilt/core';
import { z } from 'zod';

const workloadsDir = fileURLToPath(new URL('../workloads', import.meta.url));

const InterpreterBuild = z.object({
  compiler: z.string(),
  sharedLibpython: z.boolean(),
  /** As configure was told (CONFIG_ARGS); a distribution may run PGO through its own rules. */
  enableOptimizations: z.boolean(),
  withLto: z.boolean(),
  /** CFLAGS_NODIST=/LDFLAGS_NODIST= arguments of CONFIG_ARGS (absent in results from before they were reported). */
  nodistFlags: z.array(z.string()).optional(),
  /** From the artifact's metadata (optimizations.bolt); absent for a distribution's python3. */
  bolt: z.boolean().optional(),
});
export type InterpreterBuild = z.infer<typeof InterpreterBuild>;

const ProcessTimes = z.object({
  /** `python3 -c pass` in a fresh process */
  startup: z.number().positive(),
  /** a fresh process importing what a typical tool imports (pybench.py's IMPORTS) */
  import: z.number().positive(),
});
export type ProcessTimes = z.infer<typeof ProcessTimes>;

const SuiteOutput = z.object({
  python: z.string(),
  build: InterpreterBuild,
  results: z.record(z.string(), z.number().positive()),
  process: ProcessTimes,
});

/** The lowest and highest of a value over the runs. */
export type Range = [min: number, max: number];

export interface Interpreter {
  label: string;
  /** An artifact to extract into /opt, or undefined for the image's own python3. */
  artifactPath?: string;
}

export interface InterpreterSpeedInput {
  interpreters: Interpreter[];
  /** Label of the interpreter the others are compared with. */
  baseline: string;
  image: string;
  runs: number;
  repeat: number;
  /** Fresh processes timed for startup and import, per run (best kept); 20 when unset. */
  processRepeat?: number;
}

export interface InterpreterSpeed {
  image: string;
  /** Label of the interpreter the others are compared with. */
  baseline: string;
  runs: number;
  /** label -> python version it reported */
  versions: Record<string, string>;
  /** label -> how that interpreter was built, as it reports it */
  builds: Record<string, InterpreterBuild>;
  /** label -> workload -> best seconds over all runs */
  seconds: Record<string, Record<string, number>>;
  /** label -> workload -> that run's best seconds, one per run */
  runSeconds: Record<string, Record<string, number[]>>;
  /** label -> workload -> baseline seconds / this interpreter's seconds (above 1 = faster) */
  speedup: Record<string, Record<string, number>>;
  /** label -> workload -> lowest and highest speed-up of one run over the baseline's same run */
  speedupRange: Record<string, Record<string, Range>>;
  /** label -> geometric mean of its speedups */
  geometricMean: Record<string, number>;
  /** label -> lowest and highest geometric mean of one run over the baseline's same run */
  geometricMeanRange: Record<string, Range>;
  /** label -> best startup and import seconds over all runs */
  process: Record<string, ProcessTimes>;
  /** label -> startup and import seconds, one per run */
  runProcess: Record<string, { startup: number[]; import: number[] }>;
}

const geometricMeanOf = (values: number[]): number =>
  Math.exp(values.reduce((sum, value) => sum + Math.log(value), 0) / values.length);
const rangeOf = (values: number[]): Range => [Math.min(...values), Math.max(...values)];

/**
 * Speed-ups from per-run best times: the point value from the best over all runs, the range from
 * pairing each run with the baseline's run of the same round (the rounds are interleaved).
 */
export function summarizeSpeed(
  baseline: string,
  runSeconds: Record<string, Record<string, number[]>>,
): Pick<InterpreterSpeed, 'seconds' | 'speedup' | 'speedupRange' | 'geometricMean' | 'geometricMeanRange'> {
  const base = runSeconds[baseline] ?? {};
  const seconds: InterpreterSpeed['seconds'] = {};
  const speedup: InterpreterSpeed['speedup'] = {};
  const speedupRange: InterpreterSpeed['speedupRange'] = {};
  const geometricMean: InterpreterSpeed['geometricMean'] = {};
  const geometricMeanRange: InterpreterSpeed['geometricMeanRange'] = {};
  for (const [label, workloads] of Object.entries(runSeconds)) {
    const workloadNames = Object.keys(workloads);
    const runs = Math.min(...workloadNames.map((workload) => workloads[workload]?.length ?? 0));
    seconds[label] = {};
    speedup[label] = {};
    speedupRange[label] = {};
    const perRun: number[][] = Array.from({ length: runs }, () => []);
    for (const workload of workloadNames) {
      const ours = workloads[workload] ?? [];
      const theirs = base[workload] ?? [];
      seconds[label][workload] = Math.min(...ours);
      speedup[label][workload] = Math.min(...theirs) / Math.min(...ours);
      const ratios = ours.slice(0, runs).map((value, run) => (theirs[run] ?? Number.NaN) / value);
      speedupRange[label][workload] = rangeOf(ratios);
      for (const [run, ratio] of ratios.entries()) perRun[run]?.push(ratio);
    }
    geometricMean[label] = geometricMeanOf(Object.values(speedup[label]));
    geometricMeanRange[label] = rangeOf(perRun.map(geometricMeanOf));
  }
  return { seconds, speedup, speedupRange, geometricMean, geometricMeanRange };
}

async function runSuite(input: InterpreterSpeedInput, interpreter: Interpreter): Promise<z.infer<typeof SuiteOutput>> {
  const mounts = ['--volume', `${workloadsDir}:/bench:ro`];
  let python = 'python3';
  const prepare: string[] = [];
  if (interpreter.artifactPath) {
    mounts.push('--volume', `${dirname(interpreter.artifactPath)}:/artifacts:ro`);
    prepare.push(`mkdir -p /tmp/py && tar -xzf /artifacts/${basename(interpreter.artifactPath)} -C /tmp/py`);
    python = '/tmp/py/python-*/bin/python3';
  }
  const script = [...prepare, `${python} /bench/pybench.py ${input.repeat} ${input.processRepeat ?? 20}`].join(' && ');
  const result = await run('docker', ['run', '--rm', '--network', 'none', ...mounts, input.image, 'sh', '-c', script]);
  return SuiteOutput.parse(JSON.parse(result.stdout));
}

/** The same workloads on each interpreter, in fresh containers of one image, runs interleaved. */
export async function measureInterpreterSpeed(input: InterpreterSpeedInput): Promise<InterpreterSpeed> {
  const runSeconds: InterpreterSpeed['runSeconds'] = {};
  const runProcess: InterpreterSpeed['runProcess'] = {};
  const versions: Record<string, string> = {};
  const builds: Record<string, InterpreterBuild> = {};
  // What only the artifact's metadata knows, read once and before anything is timed.
  const bolt: Record<string, boolean> = {};
  for (const interpreter of input.interpreters) {
    if (interpreter.artifactPath) {
      bolt[interpreter.label] = (await loadArtifact(interpreter.artifactPath)).metadata.optimizations.bolt ?? false;
    }
  }
  for (let index = 0; index < input.runs; index++) {
    for (const interpreter of input.interpreters) {
      const output = await runSuite(input, interpreter);
      versions[interpreter.label] = output.python;
      builds[interpreter.label] = { ...output.build, bolt: bolt[interpreter.label] };
      const perWorkload = runSeconds[interpreter.label] ?? {};
      runSeconds[interpreter.label] = perWorkload;
      for (const [workload, value] of Object.entries(output.results))
        perWorkload[workload] = [...(perWorkload[workload] ?? []), value];
      const process = runProcess[interpreter.label] ?? { startup: [], import: [] };
      runProcess[interpreter.label] = process;
      process.startup.push(output.process.startup);
      process.import.push(output.process.import);
    }
  }
  const process = Object.fromEntries(
    Object.entries(runProcess).map(([label, times]) => [
      label,
      { startup: Math.min(...times.startup), import: Math.min(...times.import) },
    ]),
  );
  return {
    image: input.image,
    baseline: input.baseline,
    runs: input.runs,
    versions,
    builds,
    runSeconds,
    runProcess,
    process,
    ...summarizeSpeed(input.baseline, runSeconds),
  };
}

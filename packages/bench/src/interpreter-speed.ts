import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '@cpython-prebuilt/core';
import { z } from 'zod';

const workloadsDir = fileURLToPath(new URL('../workloads', import.meta.url));

const InterpreterBuild = z.object({
  compiler: z.string(),
  sharedLibpython: z.boolean(),
  /** As configure was told (CONFIG_ARGS); a distribution may run PGO through its own rules. */
  enableOptimizations: z.boolean(),
  withLto: z.boolean(),
});
export type InterpreterBuild = z.infer<typeof InterpreterBuild>;

const SuiteOutput = z.object({
  python: z.string(),
  build: InterpreterBuild,
  results: z.record(z.string(), z.number().positive()),
});

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
  /** label -> workload -> baseline seconds / this interpreter's seconds (above 1 = faster) */
  speedup: Record<string, Record<string, number>>;
  /** label -> geometric mean of its speedups */
  geometricMean: Record<string, number>;
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
  const script = [...prepare, `${python} /bench/pybench.py ${input.repeat}`].join(' && ');
  const result = await run('docker', ['run', '--rm', '--network', 'none', ...mounts, input.image, 'sh', '-c', script]);
  return SuiteOutput.parse(JSON.parse(result.stdout));
}

/** The same workloads on each interpreter, in fresh containers of one image, runs interleaved. */
export async function measureInterpreterSpeed(input: InterpreterSpeedInput): Promise<InterpreterSpeed> {
  const seconds: Record<string, Record<string, number>> = {};
  const versions: Record<string, string> = {};
  const builds: Record<string, InterpreterBuild> = {};
  for (let index = 0; index < input.runs; index++) {
    for (const interpreter of input.interpreters) {
      const output = await runSuite(input, interpreter);
      versions[interpreter.label] = output.python;
      builds[interpreter.label] = output.build;
      const best = seconds[interpreter.label] ?? {};
      seconds[interpreter.label] = best;
      for (const [workload, value] of Object.entries(output.results))
        best[workload] = Math.min(best[workload] ?? Number.POSITIVE_INFINITY, value);
    }
  }
  const base = seconds[input.baseline] ?? {};
  const speedup: Record<string, Record<string, number>> = {};
  const geometricMean: Record<string, number> = {};
  for (const [label, results] of Object.entries(seconds)) {
    const ratios = Object.entries(results).map(
      ([workload, value]) => [workload, (base[workload] ?? Number.NaN) / value] as const,
    );
    speedup[label] = Object.fromEntries(ratios);
    geometricMean[label] = Math.exp(ratios.reduce((sum, [, ratio]) => sum + Math.log(ratio), 0) / ratios.length);
  }
  return { image: input.image, baseline: input.baseline, runs: input.runs, versions, builds, seconds, speedup, geometricMean };
}

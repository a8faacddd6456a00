import { CpythonPrebuiltError, openLogFile, run } from '@cpython-prebuilt/core';

export interface TimedScript {
  image: string;
  /** Names the run in the log and in errors. */
  label: string;
  /** Runs first, untimed (copying inputs, installing what the timed part starts from). */
  setup?: string;
  /** The timed part. */
  script: string;
  /** Runs after, untimed; its stdout is returned (to check what the timed part did). */
  after?: string;
  /** Read-only mounts, host path -> container path. */
  mounts: Record<string, string>;
  /** Every command's output is appended here. */
  logPath: string;
}

export interface TimedResult {
  seconds: number;
  /** What `after` printed on stdout. */
  after: string;
}

const AFTER = '@@after';

/**
 * Wall-clock seconds of a shell snippet inside a fresh container with no network, container
 * start-up and the untimed setup excluded (the clock is read inside the container). Output goes
 * to the log.
 */
export async function timeInContainer(input: TimedScript): Promise<TimedResult> {
  const wrapped = [
    ...(input.setup ? [`( ${input.setup} ) >&2`] : []),
    'start=$(date +%s%N)',
    `( ${input.script} ) >&2`,
    'end=$(date +%s%N)',
    'echo "elapsed-ms $(( (end - start) / 1000000 ))"',
    `echo ${AFTER}`,
    ...(input.after ? [`( ${input.after} )`] : []),
  ].join('\n');
  const mounts = Object.entries(input.mounts).flatMap(([host, guest]) => ['--volume', `${host}:${guest}:ro`]);
  const log = openLogFile(input.logPath);
  try {
    log.write(`\n# ${input.label}: ${input.script}\n`);
    const result = await run('docker', ['run', '--rm', '--network', 'none', ...mounts, input.image, 'sh', '-ec', wrapped], {
      log,
      logPath: input.logPath,
    });
    const [timing = '', after = ''] = result.stdout.split(`${AFTER}\n`);
    const match = /elapsed-ms (\d+)/.exec(timing);
    if (!match?.[1]) {
      throw new CpythonPrebuiltError('BENCH_FAILED', `${input.label}: no timing in the container's output`, {
        fix: 'read the log',
        logPath: input.logPath,
      });
    }
    return { seconds: Number(match[1]) / 1000, after };
  } finally {
    await new Promise((resolve) => log.end(resolve));
  }
}

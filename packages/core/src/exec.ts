import type { WriteStream } from 'node:fs';
import { execa } from 'execa';
import { CpythonPrebuiltError } from './errors.ts';
import { verbosity } from './log.ts';

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string | Buffer;
  /** Every line of stdout and stderr is appended here. */
  log?: WriteStream;
  logPath?: string;
  /** Called for each stdout/stderr line, e.g. to surface build phases. */
  onLine?: (line: string) => void;
  /** Exit codes that are not failures (the caller inspects them). */
  allowExitCodes?: number[];
  timeoutMs?: number;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

const TAIL_LINES = 25;

/** The last `count` lines of a program's output that say something (blank lines and trailing spaces dropped), for an error message. */
export function lastLines(text: string, count: number): string {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .filter(Boolean)
    .slice(-count)
    .join('\n');
}

const tail = (text: string): string => lastLines(text, TAIL_LINES);

/** Runs a program with an argv array, never a shell string. */
export async function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  if (verbosity() === 'verbose') {
    const shown = [file, ...args].map((arg) => (/[\s'"$`\\]/.test(arg) ? `'${arg.replaceAll("'", "'\\''")}'` : arg)).join(' ');
    process.stderr.write(
      `[cpython-prebuilt] debug: $ ${shown}${options.cwd ? ` (in ${options.cwd})` : ''}${options.logPath ? ` >> ${options.logPath}` : ''}\n`,
    );
  }
  const child = execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: true,
    input: options.input,
    reject: false,
    all: true,
    stripFinalNewline: false,
    timeout: options.timeoutMs,
    buffer: true,
  });
  if (options.log || options.onLine) {
    let pending = '';
    child.all?.on('data', (chunk: Buffer) => {
      options.log?.write(chunk);
      if (!options.onLine) return;
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) options.onLine(line);
    });
  }
  const result = await child;
  const exitCode = result.exitCode ?? -1;
  const stdout = String(result.stdout ?? '');
  const stderr = String(result.stderr ?? '');
  if (result.failed && !(options.allowExitCodes ?? []).includes(exitCode)) {
    const command = [file, ...args].join(' ');
    const why = result.timedOut
      ? `timed out after ${options.timeoutMs} ms`
      : result.code === 'ENOENT'
        ? `${file} is not installed or not on PATH`
        : `exited with code ${exitCode}`;
    const detail = tail(stderr || stdout);
    throw new CpythonPrebuiltError(
      'COMMAND_FAILED',
      `\`${command.length > 300 ? `${command.slice(0, 300)}...` : command}\` ${why}${detail ? `:\n${detail}` : ''}`,
      { logPath: options.logPath, cause: result },
    );
  }
  return { exitCode, stdout, stderr };
}

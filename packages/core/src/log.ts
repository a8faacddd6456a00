import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

/** Progress and phases go to stderr (stdout is for results); NO_COLOR and non-TTYs get plain text. */
export interface Logger {
  phase(name: string): void;
  info(message: string): void;
  warn(message: string): void;
  progress(message: string): void;
  /** Only with --verbose: the commands run, and what a failure report would not show. */
  debug(message: string): void;
}

/**
 * How much the CLI says on stderr: quiet keeps warnings and errors, verbose adds debug lines
 * (every command run, with its working folder). Kept in the environment so the processes a
 * command starts (make, the CLI run again by a pipeline) say as much.
 */
export const VERBOSITY_ENV = 'CPYTHON_PREBUILT_VERBOSITY';
export type Verbosity = 'quiet' | 'normal' | 'verbose';

export function verbosity(): Verbosity {
  const value = process.env[VERBOSITY_ENV];
  return value === 'quiet' || value === 'verbose' ? value : 'normal';
}

export function setVerbosity(value: Verbosity): void {
  process.env[VERBOSITY_ENV] = value;
}

const useColor = (): boolean => !process.env.NO_COLOR && process.stderr.isTTY === true;

function paint(code: string, text: string): string {
  return useColor() ? `\u001b[${code}m${text}\u001b[0m` : text;
}

export function createLogger(prefix = 'cpython-prebuilt'): Logger {
  let lastProgress = 0;
  const quiet = () => verbosity() === 'quiet';
  return {
    phase(name) {
      if (quiet()) return;
      process.stderr.write(`${paint('1;36', `[${prefix}] ==>`)} ${name}\n`);
    },
    info(message) {
      if (quiet()) return;
      process.stderr.write(`[${prefix}] ${message}\n`);
    },
    debug(message) {
      if (verbosity() !== 'verbose') return;
      process.stderr.write(`${paint('2', `[${prefix}] debug:`)} ${message}\n`);
    },
    warn(message) {
      process.stderr.write(`${paint('33', `[${prefix}] warning:`)} ${message}\n`);
    },
    progress(message) {
      if (quiet()) return;
      // A TTY gets one updating line; logs get at most one line every 2 s.
      if (process.stderr.isTTY) {
        process.stderr.write(`\r[${prefix}] ${message}\u001b[K`);
        return;
      }
      const now = Date.now();
      if (now - lastProgress >= 2000) {
        lastProgress = now;
        process.stderr.write(`[${prefix}] ${message}\n`);
      }
    },
  };
}

/** A log file that a failure message can point at. */
export function openLogFile(path: string): WriteStream {
  mkdirSync(dirname(path), { recursive: true });
  return createWriteStream(path, { flags: 'a' });
}

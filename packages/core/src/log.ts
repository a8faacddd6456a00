import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

/** Progress and phases go to stderr (stdout is for results); NO_COLOR and non-TTYs get plain text. */
export interface Logger {
  phase(name: string): void;
  info(message: string): void;
  warn(message: string): void;
  progress(message: string): void;
}

const useColor = (): boolean => !process.env.NO_COLOR && process.stderr.isTTY === true;

function paint(code: string, text: string): string {
  return useColor() ? `\u001b[${code}m${text}\u001b[0m` : text;
}

export function createLogger(prefix = 'cpython-prebuilt'): Logger {
  let lastProgress = 0;
  return {
    phase(name) {
      process.stderr.write(`${paint('1;36', `[${prefix}] ==>`)} ${name}\n`);
    },
    info(message) {
      process.stderr.write(`[${prefix}] ${message}\n`);
    },
    warn(message) {
      process.stderr.write(`${paint('33', `[${prefix}] warning:`)} ${message}\n`);
    },
    progress(message) {
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

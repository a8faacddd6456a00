import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from './exec.ts';
import { createLogger, setVerbosity, VERBOSITY_ENV, verbosity } from './log.ts';

/** What `action` writes to stderr. */
async function stderrOf(action: () => unknown): Promise<string> {
  const written: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await action();
  } finally {
    spy.mockRestore();
  }
  return written.join('');
}

describe('verbosity', () => {
  const before = process.env[VERBOSITY_ENV];
  afterEach(() => {
    if (before === undefined) delete process.env[VERBOSITY_ENV];
    else process.env[VERBOSITY_ENV] = before;
  });

  it('quiet keeps warnings only; normal adds phases and info; verbose adds debug lines', async () => {
    const logger = createLogger('t');
    const say = () => {
      logger.phase('compile');
      logger.info('compiled');
      logger.warn('slow disk');
      logger.debug('gcc -O3');
    };
    setVerbosity('quiet');
    expect(await stderrOf(say)).toBe('[t] warning: slow disk\n');
    setVerbosity('normal');
    expect(await stderrOf(say)).toBe('[t] ==> compile\n[t] compiled\n[t] warning: slow disk\n');
    setVerbosity('verbose');
    expect(await stderrOf(say)).toContain('[t] debug: gcc -O3\n');
  });

  it('is kept in the environment, so the processes a command starts say as much', () => {
    setVerbosity('verbose');
    expect(process.env[VERBOSITY_ENV]).toBe('verbose');
    process.env[VERBOSITY_ENV] = 'nonsense';
    expect(verbosity()).toBe('normal');
  });

  it('verbose shows every command run, quoted so it can be pasted back, with its folder', async () => {
    setVerbosity('verbose');
    const shown = await stderrOf(() => run('sh', ['-c', 'echo "$0"', "it's"], { cwd: '/' }));
    expect(shown).toBe(`[cpython-prebuilt] debug: $ sh -c 'echo "$0"' 'it'\\''s' (in /)\n`);
    setVerbosity('normal');
    expect(await stderrOf(() => run('true', []))).toBe('');
  });
});

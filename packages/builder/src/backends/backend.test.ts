import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildScriptCommand, phaseReporter, shellQuote } from './backend.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function scriptsDir(body: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "scripts dir's "));
  dirs.push(dir);
  await writeFile(join(dir, 'build_cpython.sh'), body);
  await chmod(join(dir, 'build_cpython.sh'), 0o755);
  return dir;
}

/** Runs a command to its end: exit status and output. */
function execute(file: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(file, args, { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { exitCode: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * A build script that rewrites its own file in the checkout half-way, as `git checkout` or an
 * editor does during a long build. bash reads a script in blocks as it runs it; past the block it
 * holds (the comment is longer than one), it reads on in the new text at the old offset.
 */
const SELF_REWRITING = [
  '#!/usr/bin/env bash',
  'set -eu',
  `printf 'echo "a line of the new version"; exit 7\\n' >"$ORIGINAL"`,
  `# ${'padding '.repeat(4096)}`,
  'echo "finished the build it started"',
  '',
].join('\n');

describe('buildScriptCommand', () => {
  it('runs the scripts as they were when the build started, though the checkout changes meanwhile', async () => {
    const dir = await scriptsDir(SELF_REWRITING);
    const original = join(dir, 'build_cpython.sh');
    // What the backends ran before: the checkout's own file.
    const direct = execute('bash', [original], { ORIGINAL: original });
    expect(direct.stdout).not.toContain('finished the build it started');

    await writeFile(original, SELF_REWRITING);
    const snapshot = execute('bash', ['-c', buildScriptCommand(dir)], { ORIGINAL: original });
    expect(snapshot.exitCode, snapshot.stderr).toBe(0);
    expect(snapshot.stdout.trim()).toBe('finished the build it started');
    // The checkout did change: the copy is what ran.
    expect(await readFile(original, 'utf8')).toContain('a line of the new version');
  });

  it("passes the build script's exit status on and leaves no copy behind", async () => {
    const dir = await scriptsDir('#!/usr/bin/env bash\necho "$(dirname "$0")" >"$WHERE"\nexit 3\n');
    const where = join(dir, 'where');
    const result = execute('bash', ['-c', buildScriptCommand(dir)], { WHERE: where });
    expect(result.exitCode).toBe(3);
    const copy = (await readFile(where, 'utf8')).trim();
    expect(copy).not.toBe(dir);
    expect(existsSync(copy)).toBe(false);
  });

  it('runs the script it is given from the same copy (the BOLT stage runs bolt_python.sh)', async () => {
    const dir = await scriptsDir('#!/usr/bin/env bash\necho "the build script"\n');
    await writeFile(
      join(dir, "other's script.sh"),
      '#!/usr/bin/env bash\necho "the other script in $(basename "$(dirname "$0")") dir"\n',
    );
    const result = execute('bash', ['-c', buildScriptCommand(dir, "other's script.sh")]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^the other script in tmp\.\S+ dir$/m);
    expect(result.stdout).not.toContain('the build script');
  });
});

describe('shellQuote', () => {
  it('quotes a value with spaces and single quotes for sh', async () => {
    const value = "it's a $HOME `x`";
    const result = execute('sh', ['-c', `printf %s ${shellQuote(value)}`]);
    expect(result.stdout).toBe(value);
  });
});

describe('phaseReporter', () => {
  it('shows each phase, and while one runs, a heartbeat with its elapsed time and the last log line', async () => {
    const seen: string[] = [];
    const logger = {
      phase: (name: string) => seen.push(`phase ${name}`),
      info: (message: string) => seen.push(message),
      warn: () => {},
      progress: () => {},
      debug: () => {},
    };
    const reporter = phaseReporter(logger, 0.2);
    reporter.onLine('==> phase: compile');
    reporter.onLine('gcc -c Objects/longobject.c -o Objects/longobject.o');
    await new Promise((resolve) => setTimeout(resolve, 500));
    reporter.stop();
    const count = seen.length;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(seen[0]).toBe('phase build phase: compile');
    expect(seen[1]).toMatch(
      /^\.\.\. compile: 0 min 0 s; last log line: gcc -c Objects\/longobject\.c -o Objects\/longobject\.o$/,
    );
    expect(seen.length).toBe(count);
  });
});

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layout } from '@cpython-prebuilt/core';
import { afterEach, describe, expect, it } from 'vitest';

// bolt_train.py keeps BOLT's training profile bounded. A real instrumented interpreter needs a
// build linked with relocations (test/builder-e2e bolt-training.test.ts runs one); here python3
// processes stand in for instrumented ones: each writes <prefix>.<its pid>.fdata as BOLT's runtime
// does at exit, and merge-fdata's stand-in adds counts per branch as the real one does, so the
// merged profile stays the size of one process's.
const mergeStandIn = `#!/usr/bin/env python3
import sys
counts = {}
for path in sys.argv[1:]:
    with open(path) as stream:
        for line in stream:
            key, _, count = line.rpartition(" ")
            counts[key] = counts.get(key, 0) + int(count)
for key, count in counts.items():
    print(key, count)
`;
/** A child process that leaves a ~100 KB profile of 2,000 branches, each counted once, under its own pid. */
const profileWriter = (prefix: string) =>
  `import os; open(f"${prefix}.{os.getpid()}.fdata", "w").write("".join(f"1 main {i:x} 1 main {i + 1:x} 0 1\\n" for i in range(2000)))`;

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function setUp() {
  const dir = await mkdtemp(join(tmpdir(), 'bolt-train-'));
  dirs.push(dir);
  await mkdir(join(dir, 'profiles'));
  await writeFile(join(dir, 'merge-fdata'), mergeStandIn, { mode: 0o755 });
  const prefix = join(dir, 'profiles/profile');
  const train = (limits: string[], command: string[]) => {
    const result = spawnSync(
      'python3',
      [
        join(layout.scriptsDir, 'bolt_train.py'),
        ...['--profile-dir', join(dir, 'profiles'), '--prefix', prefix, '--merged', join(dir, 'python.fdata')],
        ...['--report', join(dir, 'report.json'), '--merge-fdata', join(dir, 'merge-fdata'), '--poll-seconds', '0.2'],
        ...limits,
        '--',
        ...command,
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    return { exitCode: result.status, stderr: result.stderr };
  };
  const report = async () => JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'));
  return { dir, prefix, train, report };
}

describe('bolt_train.py', () => {
  it('merges the profiles of 150 processes as they finish: the folder stays under its bound, no count is lost', async () => {
    const { dir, prefix, train, report } = await setUp();
    // 150 x 100 KB = 15 MB written; the folder may hold 4 MiB at most.
    const task = `import subprocess, sys\nfor _ in range(150): subprocess.run([sys.executable, "-c", ${JSON.stringify(profileWriter(prefix))}], check=True)`;
    const run = train(['--total-limit-mb', '4', '--min-free-mb', '1'], ['python3', '-c', task]);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const result = await report();
    expect(result.merged).toBe(150);
    expect(result.discarded).toEqual([]);
    expect(result.peakFolderBytes).toBeLessThan(4 * 1024 ** 2);
    expect(await readdir(join(dir, 'profiles'))).toEqual([]);
    const merged = (await readFile(join(dir, 'python.fdata'), 'utf8')).trim().split('\n');
    expect(merged).toHaveLength(2000);
    expect(merged.every((line) => line.endsWith(' 150'))).toBe(true);
  });

  it('discards a profile that grows past the per-process limit and kills its writer; the training goes on', async () => {
    const { dir, prefix, train, report } = await setUp();
    // What test_wait's worker did: write without end into its profile (41 GB in 20 minutes).
    const runaway = `import os\nwith open(f"${prefix}.{os.getpid()}.fdata", "w") as f:\n    while True:\n        f.write("x" * 65536); f.flush()`;
    const task = `import subprocess, sys\nsubprocess.run([sys.executable, "-c", ${JSON.stringify(runaway)}])\nsubprocess.run([sys.executable, "-c", ${JSON.stringify(profileWriter(prefix))}], check=True)`;
    const started = Date.now();
    const run = train(['--file-limit-mb', '5', '--min-free-mb', '1'], ['python3', '-c', task]);
    expect(run.exitCode).toBe(0);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(run.stderr).toMatch(/discarded profile\.\d+\.fdata \(\d+ MiB\): over the 5 MiB limit for one process's profile/);
    const result = await report();
    expect(result.discarded).toHaveLength(1);
    expect(result.merged).toBe(1);
    expect(await readdir(join(dir, 'profiles'))).toEqual([]);
  });

  it('stops the training, and every process it started, when the folder passes its limit', async () => {
    const { dir, prefix, train } = await setUp();
    // Ten processes that wrote 1 MiB each and stay alive: nothing can be merged yet.
    const holder = `import os, time\nopen(f"${prefix}.{os.getpid()}.fdata", "w").write("x" * 1048576)\nopen("${dir}/pids", "a").write(f"{os.getpid()}\\n")\ntime.sleep(600)`;
    const task = `import subprocess, sys, time\nfor _ in range(10): subprocess.Popen([sys.executable, "-c", ${JSON.stringify(holder)}])\ntime.sleep(600)`;
    const run = train(['--total-limit-mb', '5', '--min-free-mb', '1'], ['python3', '-c', task]);
    expect(run.exitCode).toBe(4);
    expect(run.stderr).toMatch(/error: BOLT training stopped: the profile folder .*profiles holds \d+ MiB, over the 5 MiB limit/);
    const pids = (await readFile(join(dir, 'pids'), 'utf8')).trim().split('\n');
    expect(pids.length).toBeGreaterThan(4);
    // Gone, or a zombie waiting for init to reap it: none still running.
    const running = pids.filter(
      (pid) => existsSync(`/proc/${pid}`) && !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')),
    );
    expect(running).toEqual([]);
  });

  it('stops the training when free disk falls under what the rest of the build needs', async () => {
    const { train } = await setUp();
    const run = train(['--min-free-mb', String(1024 ** 3)], ['python3', '-c', 'import time; time.sleep(5)']);
    expect(run.exitCode).toBe(4);
    expect(run.stderr).toMatch(
      /error: BOLT training stopped: \d+ MiB free under .*, under the 1073741824 MiB the rest of the build needs/,
    );
  });

  it('stops a training command that hangs at its time limit, keeps the profile merged so far, and says so', async () => {
    const { prefix, train, report } = await setUp();
    // One process that dumped its profile and ended, then a parent waiting forever on a child, as a
    // pool does when a forked worker's BOLT runtime aborts.
    const dumped = `open(f"${prefix}.{__import__('os').getpid()}.fdata", "w").write("1 main 0 1 main 4 0 7\\n")`;
    const task = `import subprocess, sys, time\nsubprocess.run([sys.executable, "-c", ${JSON.stringify(dumped)}])\ntime.sleep(600)`;
    const started = Date.now();
    const run = train(['--time-limit-s', '2'], ['python3', '-c', task]);
    expect(run.exitCode).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(run.stderr).toContain('warning: BOLT training ran over its 2 s limit: stopped, the profile merged so far is kept');
    expect(await report()).toMatchObject({ merged: 1, timedOutSeconds: 2 });
  });
});

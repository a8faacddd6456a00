import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layout } from '@cpython-prebuilt/core';
import { afterEach, describe, expect, it } from 'vitest';

// The Makefile splices its variables into recipe lines inside quotes; before issue 31's fix,
// VERSION='3.13.5"; touch /tmp/PWNED; echo "' and VERSION='`touch /tmp/PWNED`' both ran the command.
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

function make(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync('make', ['-s', '-C', layout.root, ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { exitCode: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('Makefile variables cannot be turned into commands', () => {
  it.each([
    ['a closing double quote', (marker: string) => `3.13.5"; touch ${marker}; echo "`],
    ['a command substitution in backquotes', (marker: string) => `\`touch ${marker}\``],
    ['a command substitution in $()', (marker: string) => `$(touch ${marker})`],
    ["make's own $(shell)", (marker: string) => `$(shell touch ${marker})`],
    ['a single quote (the reproduce line quotes with them)', (marker: string) => `3.13.5'; touch ${marker}; echo '`],
  ])('refuses %s, runs nothing and names the variable', async (_, value) => {
    const dir = await mkdtemp(join(tmpdir(), 'makefile-'));
    dirs.push(dir);
    const marker = join(dir, 'PWNED');
    for (const target of ['build_cpython', 'validate-cpython', 'release-cpython', 'bench-wheelhouse']) {
      const fromCommandLine = make([target, `VERSION=${value(marker)}`, `ARTIFACT=${value(marker)}`]);
      expect(fromCommandLine.exitCode).toBe(2);
      expect(fromCommandLine.stderr).toContain('VERSION holds a quote, backquote, $, backslash or line break');
      // Workflows pass their inputs through the environment: the same refusal.
      const fromEnvironment = make([target], { BASE_IMAGE: value(marker) });
      expect(fromEnvironment.exitCode).toBe(2);
      expect(fromEnvironment.stderr).toContain('BASE_IMAGE holds a quote');
    }
    expect(existsSync(marker)).toBe(false);
  });

  it('passes plain values, lists included, to the CLI as they are', () => {
    const dryRun = make([
      '-n',
      'build_cpython',
      'VERSION=3.13.5',
      'BASE_IMAGE=127.0.0.1:5000/library/debian:bullseye',
      'BOLT_TRAINING=extended',
    ]);
    expect(dryRun.exitCode).toBe(0);
    expect(dryRun.stdout).toContain(
      'cpython-prebuilt build --version "3.13.5"   --base-image "127.0.0.1:5000/library/debian:bullseye"',
    );
    expect(dryRun.stdout).toContain('--bolt-training "extended"');
    const images = make(['-n', 'validate-cpython', 'ARTIFACT=a.tgz', 'IMAGES=local/debian:bullseye local/debian:trixie']);
    expect(images.stdout).toContain('validate "a.tgz" --image "local/debian:bullseye" --image "local/debian:trixie"');
  });
});

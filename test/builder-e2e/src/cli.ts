import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@cpython-prebuilt/builder';
import { execa } from 'execa';

/** Runs the real CLI entry point, as a user would, and returns what it printed. */
export async function cpythonPrebuilt(args: string[]) {
  return execa('node', [join(repoRoot, 'packages/builder/bin/cpython-prebuilt.js'), ...args], {
    reject: false,
    env: { NO_COLOR: '1' },
  });
}

/** The CPython 3.13.5 tarball that scripts/setup-machine.sh fetches from Debian's source archive. */
export function debianSourceTarball(): string {
  const path = join(repoRoot, '.cache/sources/python3.13_3.13.5.orig.tar.xz');
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: run \`sudo make setup\` (scripts/setup-machine.sh) first`);
  }
  return path;
}

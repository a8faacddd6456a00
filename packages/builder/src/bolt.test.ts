import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBase, isCpythonPrebuiltError, layout } from '@cpython-prebuilt/core';
import { afterEach, describe, expect, it } from 'vitest';
import { boltImageFor, boltWanted, DEFAULT_BOLT_IMAGE } from './bolt.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('boltWanted', () => {
  const native = { optimize: true, arch: 'x86_64', route: 'native', backend: 'docker' } as const;

  it('is on by default for a PGO+LTO x86_64 build made natively in docker, and off where it cannot run', () => {
    expect(boltWanted(native)).toBe(true);
    expect(boltWanted({ ...native, optimize: false })).toBe(false);
    expect(boltWanted({ ...native, backend: 'vagrant' })).toBe(false);
    expect(boltWanted({ ...native, arch: 'aarch64', route: 'cross' })).toBe(false);
    expect(boltWanted({ ...native, requested: false })).toBe(false);
  });

  it('refuses BOLT asked for where it cannot run, naming what is missing', () => {
    let error: unknown;
    try {
      boltWanted({ ...native, optimize: false, requested: true });
    } catch (caught) {
      error = caught;
    }
    expect(isCpythonPrebuiltError(error) && error.code).toBe('INVALID_INPUT');
    expect(String((error as Error).message)).toContain('no optimisations');
    expect(boltWanted({ ...native, requested: true })).toBe(true);
  });
});

/** Runs one of the build scripts with only the given environment (no build happens: each stops at its checks). */
function script(name: string, env: Record<string, string>) {
  const result = spawnSync('bash', [join(layout.scriptsDir, name)], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    encoding: 'utf8',
  });
  return { exitCode: result.status, stderr: result.stderr };
}

describe('the staged build scripts refuse what they cannot do, before doing anything', () => {
  async function outputDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'bolt-stage-'));
    dirs.push(dir);
    return dir;
  }
  const buildEnv = async () => ({
    VERSION: '3.13.5',
    SOURCE_TARBALL: '/nonexistent.tar.xz',
    PREFIX: join(await outputDir(), 'prefix'),
    OUTPUT_DIR: await outputDir(),
    EXPECTED_EXTENSIONS: '_ssl',
    SOURCE_DATE_EPOCH: '1',
  });

  it('build_cpython.sh: an unknown STAGE, PIE or PGO training, BOLT without PGO, finish without a staged tree', async () => {
    const env = await buildEnv();
    const stage = script('build_cpython.sh', { ...env, STAGE: 'link' });
    expect(stage.exitCode).toBe(2);
    expect(stage.stderr).toContain('STAGE must be all, compile or finish, got link');

    const pie = script('build_cpython.sh', { ...env, PIE: 'no' });
    expect(pie.exitCode).toBe(2);
    expect(pie.stderr).toContain('PIE must be 0 or 1, got no');

    // The value before the whole suite became the default: refused before any source is touched.
    const training = script('build_cpython.sh', { ...env, PGO_TRAINING: 'default' });
    expect(training.exitCode).toBe(2);
    expect(training.stderr).toContain('PGO_TRAINING must be extended or cpython, got default');

    const cross = script('build_cpython.sh', { ...env, BOLT: '1', OPTIMIZE: '0', CROSS_HOST: 'aarch64-linux-gnu' });
    expect(cross.exitCode).toBe(2);
    expect(cross.stderr).toContain('it needs no CROSS_HOST');

    const finish = script('build_cpython.sh', { ...env, STAGE: 'finish' });
    expect(finish.exitCode).toBe(2);
    expect(finish.stderr).toContain(`needs the tree STAGE=compile left in ${env.OUTPUT_DIR}/stage/python-3.13.5`);
  });

  it('bolt_python.sh: no staged interpreter, or no llvm-bolt in the image', async () => {
    const dir = await outputDir();
    const missing = script('bolt_python.sh', { OUTPUT_DIR: dir, VERSION: '3.13.5' });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain(`no interpreter at ${dir}/stage/python-3.13.5/bin/python3.13`);

    // Any executable stands in for the interpreter: the tool check comes before it is run.
    const bin = join(dir, 'stage/python-3.13.5/bin');
    spawnSync('mkdir', ['-p', bin]);
    spawnSync('cp', ['/bin/true', join(bin, 'python3.13')]);
    const noTool = script('bolt_python.sh', { OUTPUT_DIR: dir, VERSION: '3.13.5', LLVM_BIN: join(dir, 'no-llvm') });
    expect(noTool.exitCode).toBe(2);
    expect(noTool.stderr).toContain('needs the bolt-16 package');

    const llvm = join(dir, 'llvm');
    spawnSync('mkdir', ['-p', llvm]);
    spawnSync('cp', ['/bin/true', join(llvm, 'llvm-bolt')]);
    const unknown = script('bolt_python.sh', { OUTPUT_DIR: dir, VERSION: '3.13.5', LLVM_BIN: llvm, BOLT_TRAINING: 'default' });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('BOLT_TRAINING must be cpython, extended or script, got default');
    const noScript = script('bolt_python.sh', { OUTPUT_DIR: dir, VERSION: '3.13.5', LLVM_BIN: llvm, BOLT_TRAINING: 'script' });
    expect(noScript.exitCode).toBe(2);
    expect(noScript.stderr).toContain('BOLT_TRAINING=script needs BOLT_TRAINING_SCRIPT');
    const timeout = script('bolt_python.sh', { OUTPUT_DIR: dir, VERSION: '3.13.5', LLVM_BIN: llvm, BOLT_TEST_TIMEOUT: '20m' });
    expect(timeout.exitCode).toBe(2);
    expect(timeout.stderr).toContain('must be positive integers, got 20m');
    // Free disk under what the rest of the build needs: refused before the tree is copied.
    const disk = script('bolt_python.sh', { OUTPUT_DIR: dir, VERSION: '3.13.5', LLVM_BIN: llvm, BOLT_MIN_FREE_MB: '999999999' });
    expect(disk.exitCode).toBe(3);
    expect(disk.stderr).toMatch(/MiB free under .*, BOLT needs 999999999 MiB besides the tree/);
    expect(await readdir(dir)).not.toContain('bolt-work');
  });
});

describe('bolt_python.sh leaves the staged tree as it found it, but for the rewritten executable', () => {
  // llvm-bolt and merge-fdata stand-ins (a real BOLT pass needs a PGO build, which CI does not
  // make): the "instrumented" interpreter they write does what the regression tests did to
  // build111, bytecode of optimisation level 4 beside the standard library, and leaves a profile.
  const boltStandIn = `#!/bin/sh
set -eu
case "$1" in --version) echo 'LLVM version 16 (stand-in)'; exit 0 ;; esac
input="$1"; output=""; profile=""; instrument=0
for arg in "$@"; do
  case "$arg" in
    -instrument) instrument=1 ;;
    -instrumentation-file=*) profile="\${arg#-instrumentation-file=}" ;;
  esac
done
while [ "$#" -gt 0 ]; do [ "$1" = -o ] && output="$2"; shift; done
if [ "$instrument" = 1 ]; then
  cat >"$output" <<SCRIPT
#!/bin/sh
lib="\\$(dirname "\\$0")/../lib/python3.13/__pycache__"
mkdir -p "\\$lib"
: >"\\$lib/trained.cpython-313.opt-4.pyc"
echo trained >"$profile.\\$\\$.fdata"
SCRIPT
  chmod +x "$output"
else
  { cat "$input"; echo '# bolted'; } >"$output"
fi
`;

  async function listing(root: string): Promise<string[]> {
    const entries = await readdir(root, { recursive: true });
    return entries.sort();
  }

  it('trains in a copy: what training writes stays out, the executable is the optimised one with its times', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bolt-tree-'));
    dirs.push(dir);
    const tree = join(dir, 'stage/python-3.13.5');
    await mkdir(join(tree, 'bin'), { recursive: true });
    await mkdir(join(tree, 'lib/python3.13/__pycache__'), { recursive: true });
    await writeFile(join(tree, 'lib/python3.13/os.py'), '');
    await writeFile(join(tree, 'lib/python3.13/__pycache__/os.cpython-313.pyc'), '');
    const interpreter = join(tree, 'bin/python3.13');
    // The staged interpreter runs bolt_train.py (the training's watcher): the host's python3 stands in.
    await writeFile(interpreter, '#!/bin/sh\nexec python3 "$@"\n');
    await chmod(interpreter, 0o755);
    spawnSync('touch', ['-d', '@1000000000', interpreter]);
    const llvm = join(dir, 'llvm');
    await mkdir(llvm);
    await writeFile(join(llvm, 'llvm-bolt'), boltStandIn, { mode: 0o755 });
    await writeFile(join(llvm, 'merge-fdata'), '#!/bin/sh\ncat "$@"\n', { mode: 0o755 });
    const before = await listing(tree);

    const run = script('bolt_python.sh', { OUTPUT_DIR: dir, VERSION: '3.13.5', LLVM_BIN: llvm });
    expect(run.stderr).not.toContain('error');
    expect(run.exitCode).toBe(0);
    expect(await listing(tree)).toEqual(before);
    expect(await readFile(interpreter, 'utf8')).toBe('#!/bin/sh\nexec python3 "$@"\n# bolted\n');
    // The task, 20 bare start-ups and 10 import runs: one profile each, all merged.
    const report = JSON.parse(await readFile(join(dir, 'bolt-training.json'), 'utf8'));
    expect(report.merged).toBe(31);
    expect(report.discarded).toEqual([]);
    expect((await stat(interpreter)).mtimeMs).toBe(1_000_000_000_000);
    expect((await stat(interpreter)).mode & 0o777).toBe(0o755);
  });
});

describe('boltImageFor', () => {
  const bullseye = findBase('debian11');
  it('follows the base image to bookworm, so a local or mirrored image stays where it came from', () => {
    expect(boltImageFor(bullseye, 'local/debian:bullseye')).toBe('local/debian:bookworm');
    expect(boltImageFor(bullseye, '127.0.0.1:5000/library/debian:bullseye')).toBe('127.0.0.1:5000/library/debian:bookworm');
    expect(boltImageFor(bullseye, 'debian:bullseye')).toBe('debian:bookworm');
  });

  it('takes the image given, and falls back to the default for images it cannot map', () => {
    expect(boltImageFor(bullseye, 'local/debian:bullseye', 'my/bolt:1')).toBe('my/bolt:1');
    expect(boltImageFor(bullseye, 'local/debian@sha256:0123')).toBe(DEFAULT_BOLT_IMAGE);
    expect(boltImageFor(findBase('ubuntu20.04'), 'ubuntu:20.04')).toBe(DEFAULT_BOLT_IMAGE);
  });
});

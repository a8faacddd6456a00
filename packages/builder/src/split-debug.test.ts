import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { layout, run } from '@cpython-prebuilt/core';
import { describe, expect, it, onTestFinished } from 'vitest';

const splitDebug = join(layout.scriptsDir, 'split_debug.sh');

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A prefix with a real executable and a real shared object compiled with -g. The shared object
 * gets 2,000 extra sections after its .debug_* sections, so `readelf -S` still has about 180 kB to
 * write after the `.debug_info` line: more than a pipe holds, the case where a reader that stops
 * at the first match (grep -q) kills readelf with SIGPIPE. CPython's extension modules hit the
 * same race with a few hundred bytes left, one time in five.
 */
async function makePrefix(work: string): Promise<string> {
  const prefix = join(work, 'prefix');
  await mkdir(join(prefix, 'bin'), { recursive: true });
  await mkdir(join(prefix, 'lib'), { recursive: true });
  const source = join(work, 'demo.c');
  await writeFile(source, 'int demo(int x) { return x * 3; }\nint main(void) { return demo(1) - 3; }\n');
  await run('gcc', ['-g', '-O1', '-o', join(prefix, 'bin/demo'), source]);
  const library = join(prefix, 'lib/libdemo.so');
  await run('gcc', ['-g', '-O1', '-fPIC', '-shared', '-o', library, source]);
  const pad = join(work, 'pad');
  await writeFile(pad, 'x');
  const sections = Array.from({ length: 2000 }, (_, index) => ['--add-section', `.pad${index}=${pad}`]).flat();
  await run('objcopy', [...sections, library]);
  return prefix;
}

const sectionsOf = async (file: string) => (await run('readelf', ['-S', '-W', file])).stdout;

async function digests(root: string): Promise<Map<string, string>> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  const result = new Map<string, string>();
  for (const file of files.sort()) {
    result.set(
      relative(root, file),
      createHash('sha256')
        .update(await readFile(file))
        .digest('hex'),
    );
  }
  return result;
}

describe('split_debug.sh', () => {
  it('moves the debug information of every linked ELF file, even one whose section list is long', async () => {
    const work = await tempDir('split-debug-');
    const prefix = await makePrefix(work);
    const debugDir = join(work, 'debug');
    await run('bash', [splitDebug, prefix, debugDir]);
    for (const file of [join(prefix, 'bin/demo'), join(prefix, 'lib/libdemo.so')]) {
      const sections = await sectionsOf(file);
      expect(sections, file).not.toContain(' .debug_info ');
      expect(sections, file).toContain(' .gnu_debuglink ');
      const notes = (await run('readelf', ['-n', file])).stdout;
      const buildId = /Build ID: ([0-9a-f]+)/.exec(notes)?.[1] ?? '';
      expect(buildId, file).toMatch(/^[0-9a-f]{40}$/);
      const debugFile = join(debugDir, `.build-id/${buildId.slice(0, 2)}/${buildId.slice(2)}.debug`);
      expect(await sectionsOf(debugFile)).toContain(' .debug_info ');
    }
  });

  it('gives the same bytes, stripped files and .debug files, for the same input in another directory', async () => {
    const work = await tempDir('split-debug-');
    const original = await makePrefix(work);
    const outputs: Map<string, string>[] = [];
    for (const name of ['one', 'two']) {
      const copy = join(work, name, 'prefix');
      await cp(original, copy, { recursive: true });
      await run('bash', [splitDebug, copy, join(work, name, 'debug')]);
      outputs.push(await digests(join(work, name)));
    }
    const [one, two] = outputs;
    expect(one?.size).toBe(4);
    expect(one).toEqual(two);
  });
});

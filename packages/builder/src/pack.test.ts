import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { list, type ReadEntry } from 'tar';
import { describe, expect, it } from 'vitest';
import { packDeterministic } from './pack.ts';

async function makeTree(root: string): Promise<void> {
  await mkdir(join(root, 'python-3.13.5/bin'), { recursive: true });
  await mkdir(join(root, 'python-3.13.5/lib/python3.13'), { recursive: true });
  await writeFile(join(root, 'python-3.13.5/bin/python3.13'), '#!fake\n', { mode: 0o755 });
  await symlink('python3.13', join(root, 'python-3.13.5/bin/python3'));
  await writeFile(join(root, 'python-3.13.5/lib/python3.13/b.py'), 'b = 1\n');
  await writeFile(join(root, 'python-3.13.5/lib/python3.13/a.py'), 'a = 1\n');
}

const digest = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

describe('deterministic packing', () => {
  it("gives the same sha256 for the same tree, whatever the files' times", async () => {
    const work = await mkdtemp(join(tmpdir(), 'pack-'));
    await makeTree(work);
    await packDeterministic({ root: work, topDirectory: 'python-3.13.5', output: join(work, 'one.tgz'), mtime: 1749600000 });
    await utimes(join(work, 'python-3.13.5/lib/python3.13/a.py'), new Date(), new Date(2001, 1, 1));
    await packDeterministic({ root: work, topDirectory: 'python-3.13.5', output: join(work, 'two.tgz'), mtime: 1749600000 });
    expect(await digest(join(work, 'one.tgz'))).toBe(await digest(join(work, 'two.tgz')));
  });

  it('writes sorted entries with one mtime, owner 0:0 and a gzip header without name or time', async () => {
    const work = await mkdtemp(join(tmpdir(), 'pack-'));
    await makeTree(work);
    const output = join(work, 'out.tgz');
    await packDeterministic({ root: work, topDirectory: 'python-3.13.5', output, mtime: 1749600000 });
    const bytes = await readFile(output);
    expect(bytes.readUInt32LE(4)).toBe(0); // gzip MTIME field
    expect((bytes[3] ?? 0xff) & 0x08).toBe(0); // FNAME flag
    expect(gunzipSync(bytes).length % 512).toBe(0);
    const entries: { path: string; mtime: number; uid: number; gid: number; type: string }[] = [];
    await list({
      file: output,
      onReadEntry: (entry: ReadEntry) => {
        entries.push({
          path: entry.path,
          mtime: (entry.mtime?.getTime() ?? 0) / 1000,
          uid: entry.uid ?? 0,
          gid: entry.gid ?? 0,
          type: entry.type,
        });
      },
    });
    expect(entries.map((entry) => entry.path)).toEqual([
      'python-3.13.5/',
      'python-3.13.5/bin/',
      'python-3.13.5/bin/python3',
      'python-3.13.5/bin/python3.13',
      'python-3.13.5/lib/',
      'python-3.13.5/lib/python3.13/',
      'python-3.13.5/lib/python3.13/a.py',
      'python-3.13.5/lib/python3.13/b.py',
    ]);
    expect(new Set(entries.map((entry) => entry.mtime))).toEqual(new Set([1749600000]));
    expect(entries.every((entry) => entry.uid === 0 && entry.gid === 0)).toBe(true);
    expect(entries.find((entry) => entry.path.endsWith('bin/python3'))?.type).toBe('SymbolicLink');
  });
});

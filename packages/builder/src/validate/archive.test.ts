import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from 'tar';
import { describe, expect, it } from 'vitest';
import { inspectArchive, linkStaysInside } from './archive.ts';

const TOP = 'python-3.13.5';

async function archiveOf(setup: (root: string) => Promise<string[]>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'archive-'));
  await mkdir(join(root, `${TOP}/bin`), { recursive: true });
  await mkdir(join(root, `${TOP}/lib/python3.13`), { recursive: true });
  await writeFile(join(root, `${TOP}/bin/python3.13`), 'x');
  await symlink('python3.13', join(root, `${TOP}/bin/python3`));
  const extra = await setup(root);
  const file = join(root, 'a.tgz');
  await create({ file, cwd: root, gzip: true, preservePaths: true }, [TOP, ...extra]);
  return file;
}

describe('archive layout', () => {
  it('accepts one top directory with the interpreter inside', async () => {
    const finding = await inspectArchive(await archiveOf(async () => []), TOP, '3.13');
    expect(finding).toMatchObject({ ok: true });
  });

  it('refuses an archive whose symlink points to an absolute path', async () => {
    const file = await archiveOf(async (root) => {
      await symlink('/etc/passwd', join(root, `${TOP}/lib/evil`));
      return [];
    });
    const finding = await inspectArchive(file, TOP, '3.13');
    expect(finding.ok).toBe(false);
    expect(finding.detail).toContain(`symlink ${TOP}/lib/evil -> /etc/passwd points outside the tree`);
  });

  it('refuses an archive whose entries escape the prefix through ..', async () => {
    const file = await archiveOf(async (root) => {
      await writeFile(join(root, 'outside.txt'), 'x');
      return [`${TOP}/../outside.txt`];
    });
    const finding = await inspectArchive(file, TOP, '3.13');
    expect(finding.ok).toBe(false);
    expect(finding.detail).toMatch(/escapes/);
  });

  it('refuses an archive with a second top-level entry or without the interpreter', async () => {
    const file = await archiveOf(async (root) => {
      await writeFile(join(root, 'README'), 'x');
      return ['README'];
    });
    expect((await inspectArchive(file, TOP, '3.13')).detail).toContain('entry README is outside python-3.13.5/');
    expect((await inspectArchive(file, 'python-3.11.2', '3.11')).detail).toContain('missing python-3.11.2/bin/python3');
  });

  it('resolves relative link targets against the link directory', () => {
    expect(linkStaysInside(TOP, `${TOP}/bin/python3`, 'python3.13')).toBe(true);
    expect(linkStaysInside(TOP, `${TOP}/lib/libx.so`, '../../../etc/shadow')).toBe(false);
  });
});

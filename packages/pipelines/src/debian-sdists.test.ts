import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '@cpython-prebuilt/core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { prepareDebianSdists } from './debian-sdists.ts';

/** A Debian-style pristine tarball `<pkg>_<version>.orig.tar.gz` holding `<top>/<files>`. */
async function orig(sources: string, pkg: string, version: string, top: string, files: string[]): Promise<void> {
  const tree = await mkdtemp(join(tmpdir(), 'orig-'));
  for (const file of files) {
    await mkdir(join(tree, top, file, '..'), { recursive: true });
    await writeFile(join(tree, top, file), file);
  }
  await run('tar', ['-czf', join(sources, `${pkg}_${version}.orig.tar.gz`), '-C', tree, top]);
  await rm(tree, { recursive: true, force: true });
}

async function folders(): Promise<{ sources: string; wheels: string; out: string }> {
  const root = await mkdtemp(join(tmpdir(), 'sdists-'));
  onTestFinished(() => rm(root, { recursive: true, force: true }));
  const [sources, wheels, out] = ['sources', 'wheels', 'out'].map((name) => join(root, name)) as [string, string, string];
  await mkdir(sources);
  await mkdir(wheels);
  await writeFile(join(wheels, 'wheel-0.38.4-py3-none-any.whl'), 'wheel');
  return { sources, wheels, out };
}

const listing = async (tarball: string) => (await run('tar', ['-tzf', tarball])).stdout.split('\n').filter(Boolean).sort();

describe('prepareDebianSdists', () => {
  it("repacks each tarball under pip's <project>-<version>.tar.gz with a folder of that name inside", async () => {
    const { sources, wheels, out } = await folders();
    await orig(sources, 'markupsafe', '2.1.5', 'markupsafe-2.1.5', ['setup.py']);
    await orig(sources, 'python-idna', '3.10', 'idna-3.10', ['pyproject.toml']);
    const sdists = [
      { sourcePackage: 'markupsafe', project: 'MarkupSafe' },
      { sourcePackage: 'python-idna', project: 'idna' },
    ];
    await prepareDebianSdists(sources, out, sdists, wheels);
    expect((await readdir(out)).sort()).toEqual(['MarkupSafe-2.1.5.tar.gz', 'idna-3.10.tar.gz', 'wheel-0.38.4-py3-none-any.whl']);
    expect(await listing(join(out, 'MarkupSafe-2.1.5.tar.gz'))).toEqual(['MarkupSafe-2.1.5/', 'MarkupSafe-2.1.5/setup.py']);
  });

  it('takes a project from its subfolder (flit_core inside flit), and the newest version present', async () => {
    const { sources, wheels, out } = await folders();
    await orig(sources, 'flit', '3.9.0', 'flit-3.9.0', ['flit_core/pyproject.toml']);
    await orig(sources, 'flit', '3.12.0', 'flit-3.12.0', ['flit_core/pyproject.toml', 'flit/__init__.py']);
    await prepareDebianSdists(sources, out, [{ sourcePackage: 'flit', project: 'flit_core', subfolder: 'flit_core' }], wheels);
    expect(await listing(join(out, 'flit_core-3.12.0.tar.gz'))).toEqual(['flit_core-3.12.0/', 'flit_core-3.12.0/pyproject.toml']);
  });

  it('names the missing source package and how to fetch it', async () => {
    const { sources, wheels, out } = await folders();
    await expect(
      prepareDebianSdists(sources, out, [{ sourcePackage: 'pyyaml', project: 'PyYAML' }], wheels),
    ).rejects.toMatchObject({
      code: 'SOURCE_NOT_FOUND',
      message: expect.stringContaining('no pyyaml_<version>.orig.tar.*'),
      fix: expect.stringContaining('make setup'),
    });
  });

  it('refuses when no wheel-*.whl is there for the build backends', async () => {
    const { sources, out } = await folders();
    await expect(prepareDebianSdists(sources, out, [], join(sources, 'none'))).rejects.toMatchObject({
      code: 'SOURCE_NOT_FOUND',
      message: expect.stringContaining('no wheel-*.whl'),
    });
  });
});

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { VersionsManifest } from '@cpython-prebuilt/core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { projectPythonVersion } from './project-version.ts';

/** A manifest pinning these versions (digests are not read here); 3.9 is end of life. */
function manifestOf(...versions: string[]): VersionsManifest {
  const lines = [...new Set(versions.map((version) => version.split('.').slice(0, 2).join('.')))];
  return {
    lines: lines.map((line) => ({ line, status: line === '3.9' ? 'end-of-life' : 'maintained', endOfLife: '2030-10' })),
    releases: versions.map((version) => ({
      version,
      url: `https://www.python.org/ftp/python/${version}/Python-${version}.tar.xz`,
      sha256: '0'.repeat(64),
      released: '2026-01-01',
      mirrors: [],
      digestSources: [],
    })),
  };
}

const manifest = manifestOf('3.9.25', '3.11.2', '3.11.14', '3.12.12', '3.13.5', '3.13.15', '3.14.8');

async function project(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'project-version-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

const workflow = `on: push
jobs:
  test:
    strategy:
      matrix:
        python-version: ["3.11", "3.12"]
    steps:
      - uses: actions/setup-python@v5
        with:
          python-version: \${{ matrix.python-version }}
`;

describe('projectPythonVersion', () => {
  it('.python-version: a pinned version as it is, another patch as its line, and says which file', async () => {
    expect(await projectPythonVersion(await project({ '.python-version': '3.13.5\n' }), manifest)).toEqual({
      version: '3.13.5',
      files: ['.python-version'],
      reason: '.python-version says 3.13.5',
    });
    const other = await projectPythonVersion(await project({ '.python-version': '# pyenv\n3.12.4 3.11\n' }), manifest);
    expect(other?.version).toBe('3.12');
    expect(other?.reason).toBe('.python-version says 3.12.4 (not pinned here: its line, newest 3.12.12)');
  });

  it('skips what is not a CPython version (system, pypy) and lines nothing pins', async () => {
    expect(await projectPythonVersion(await project({ '.python-version': 'pypy3.10\nsystem\n' }), manifest)).toBeUndefined();
    // 3.10 is not pinned in this manifest: the next file decides.
    const next = await projectPythonVersion(
      await project({ '.python-version': '3.10\n', 'runtime.txt': 'python-3.11.2\n' }),
      manifest,
    );
    expect(next).toMatchObject({ version: '3.11.2', files: ['runtime.txt'] });
  });

  it('takes the newest line the test matrix runs that requires-python allows', async () => {
    const dir = await project({
      'pyproject.toml': '[project]\nname = "app"\nrequires-python = ">=3.11,<3.13"\n',
      '.github/workflows/ci.yml': workflow,
      'tox.ini': '[tox]\nenvlist = py311, py312, py313\n',
    });
    expect(await projectPythonVersion(dir, manifest)).toEqual({
      version: '3.12',
      files: ['tox.ini', '.github/workflows/ci.yml'],
      reason:
        "3.12, the newest line tested in tox.ini, .github/workflows/ci.yml that pyproject.toml's requires-python >=3.11,<3.13 allows",
    });
  });

  it('reads nox sessions, and without a matrix the newest maintained line requires-python allows', async () => {
    const nox = await project({ 'noxfile.py': '@nox.session(python=["3.11", "3.13"])\ndef tests(session): ...\n' });
    expect((await projectPythonVersion(nox, manifest))?.version).toBe('3.13');
    const open = await project({ 'pyproject.toml': '[project]\nrequires-python = ">=3.9"\n' });
    expect((await projectPythonVersion(open, manifest))?.version).toBe('3.14');
    const old = await project({ 'pyproject.toml': '[project]\nrequires-python = "<3.10"\n' });
    // Only an end-of-life line fits: it is still proposed (the project asks for it).
    expect((await projectPythonVersion(old, manifest))?.version).toBe('3.9');
  });

  it("reads Poetry's caret and tilde constraints", async () => {
    const caret = await project({ 'pyproject.toml': '[tool.poetry.dependencies]\npython = "^3.11"\n' });
    expect((await projectPythonVersion(caret, manifest))?.version).toBe('3.14');
    const tilde = await project({ 'pyproject.toml': '[tool.poetry.dependencies]\npython = "~3.12"\n' });
    expect((await projectPythonVersion(tilde, manifest))?.version).toBe('3.12');
  });

  it('says nothing for a project with no such file, or one that does not parse', async () => {
    expect(await projectPythonVersion(await project({ 'README.md': 'hi\n' }), manifest)).toBeUndefined();
    const broken = await project({
      'pyproject.toml': '[project\nrequires-python = ">=3.11"\n',
      '.github/workflows/x.yml': ': [',
    });
    expect(await projectPythonVersion(broken, manifest)).toBeUndefined();
  });
});

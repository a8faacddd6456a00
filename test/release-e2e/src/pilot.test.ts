import { cp, lstat, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layout } from '@cpython-prebuilt/core';
import { vendorFeature } from '@cpython-prebuilt/feature';
import { openWorkspace } from '@cpython-prebuilt/harness';
import { cpythonPrebuilt } from '@cpython-prebuilt/test-fixtures';
import { describe, expect, inject, it, onTestFinished } from 'vitest';

describe('the pilot project (procedure step 3-4)', () => {
  it('is integrated without losing its comments, builds with the real CLI, and has a working Python inside', async () => {
    const project = await mkdtemp(join(tmpdir(), 'pilot-'));
    onTestFinished(() => rm(project, { recursive: true, force: true }));
    await cp(layout.pilotDir, project, { recursive: true });
    // Local features must live under .devcontainer/: the vendored copy goes there.
    await vendorFeature({
      artifactPaths: [inject('artifacts').python313],
      outputDir: join(project, '.devcontainer/installer'),
      force: false,
    });

    const integrated = await cpythonPrebuilt(['integrate', project, '--feature', './installer', '--version', '3.13.5']);
    expect(integrated.exitCode, integrated.stderr).toBe(0);
    expect(integrated.stdout).toContain(
      '.devcontainer/devcontainer.json: replaced ghcr.io/devcontainers/features/python:1 with ./installer',
    );
    const config = await readFile(join(project, '.devcontainer/devcontainer.json'), 'utf8');
    expect(config).toContain('// shown by the test');
    expect(config).toContain('/* the interpreter VS Code should pick */');
    expect(config).not.toContain('features/python');

    const workspace = openWorkspace(project, { removeFolder: false });
    onTestFinished(() => workspace.dispose());
    await workspace.up();
    const run = async (command: string) => (await workspace.exec(['sh', '-c', command])).stdout.trim();
    expect(await run('python3 --version')).toBe('Python 3.13.5');
    expect(await run('which python3')).toBe('/opt/python-current/bin/python3');
    expect(await run('python3 -c "import sys; print(sys.prefix)"')).toBe('/opt/python-3.13.5');
    expect(await run('python3 -c "import ssl, sqlite3, lzma, bz2; print(\'OK\')"')).toBe('OK');
    expect(await run('cat /usr/local/share/project-tools/greeting')).toBe('hola');
    // postCreateCommand made a venv in the mounted workspace with the new interpreter.
    expect((await lstat(join(project, '.venv/pyvenv.cfg'))).isFile()).toBe(true);
    expect(await readFile(join(project, '.venv/pyvenv.cfg'), 'utf8')).toContain('version = 3.13.5');
  });
});

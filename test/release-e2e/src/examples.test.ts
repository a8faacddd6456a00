import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layout, run as runCommand } from '@cpython-prebuilt/core';
import { vendorFeature } from '@cpython-prebuilt/feature';
import { openWorkspace } from '@cpython-prebuilt/harness';
import { cpythonPrebuilt } from '@cpython-prebuilt/test-fixtures';
import { describe, expect, inject, it, onTestFinished } from 'vitest';

async function copyOfExample(name: string): Promise<string> {
  const project = await mkdtemp(join(tmpdir(), `${name}-`));
  onTestFinished(() => rm(project, { recursive: true, force: true }));
  await cp(join(layout.examplesDir, name), project, { recursive: true });
  return project;
}

describe('the example projects (Fase 4)', () => {
  it('a Dockerfile build: --check fails, integrate keeps 3.13, builds with the real CLI and works as its non-root user', async () => {
    const project = await copyOfExample('dockerfile-build');
    await vendorFeature({
      artifactPaths: [inject('artifacts').python313],
      outputDir: join(project, '.devcontainer/installer'),
      force: false,
    });

    const before = await cpythonPrebuilt(['integrate', project, '--check']);
    expect(before.exitCode).toBe(1);
    expect(before.stderr).toContain(
      'error [PYTHON_COMPILED]: Python is still compiled at image build time by .devcontainer/devcontainer.json (the official python feature)',
    );

    // No --version: the project's 3.13 stays, and the feature resolves it to its newest 3.13.x.
    const integrated = await cpythonPrebuilt(['integrate', project, '--feature', './installer']);
    expect(integrated.exitCode, integrated.stderr).toBe(0);
    expect(integrated.stdout).toContain(
      '.devcontainer/devcontainer.json: replaced ghcr.io/devcontainers/features/python:1 with ./installer\n',
    );
    expect(integrated.stdout).toContain('  optimize true: removed: nothing is compiled any more');
    const config = await readFile(join(project, '.devcontainer/devcontainer.json'), 'utf8');
    expect(config).toContain('"version": "3.13",');
    expect(config).toContain('// "optimize": true, // PGO: slow to build, but the test suite is CPU-bound');
    const after = await cpythonPrebuilt(['integrate', project, '--check', '--feature', './installer']);
    expect(after.exitCode, after.stderr).toBe(0);

    const workspace = openWorkspace(project, { removeFolder: false });
    onTestFinished(() => workspace.dispose());
    await workspace.up();
    const run = async (command: string) => (await workspace.exec(['sh', '-c', command])).stdout.trim();
    expect(await run('whoami')).toBe('dev');
    expect(await run('echo "$APP_HOME"')).toBe('/srv/app');
    expect(await run('python3 --version')).toBe('Python 3.13.5');
    expect(await run('python3 -c "import sys; print(sys.prefix)"')).toBe('/opt/python-3.13.5');
    expect(await run('python3 -c "import ssl, sqlite3, lzma, bz2, ctypes; print(\'OK\')"')).toBe('OK');
    // postCreateCommand made the venv as "dev" with the feature's interpreter.
    expect(await run('cat /home/dev/.venv/pyvenv.cfg')).toContain('version = 3.13.5');
    expect(await run('/home/dev/.venv/bin/pip --version')).toMatch(
      /^pip \S+ from \/home\/dev\/\.venv\/lib\/python3\.13\/site-packages\/pip/,
    );
  });

  it('two configurations: --dry-run shows both diffs, integrate switches both, and each builds and works', async () => {
    const project = await copyOfExample('two-configs');
    // A local feature is relative to the configuration naming it: one copy beside each.
    for (const folder of ['.devcontainer', '.devcontainer/worker']) {
      await vendorFeature({
        artifactPaths: [inject('artifacts').python313],
        outputDir: join(project, folder, 'installer'),
        force: false,
      });
    }
    const dryRun = await cpythonPrebuilt(['integrate', project, '--feature', './installer', '--dry-run']);
    expect(dryRun.exitCode, dryRun.stderr).toBe(0);
    expect(dryRun.stdout).toContain('--- a/.devcontainer/devcontainer.json\n+++ b/.devcontainer/devcontainer.json\n');
    expect(dryRun.stdout).toContain(
      '--- a/.devcontainer/worker/devcontainer.json\n+++ b/.devcontainer/worker/devcontainer.json\n',
    );
    expect(dryRun.stderr).toContain(
      '.devcontainer/worker/devcontainer.json: replaced ghcr.io/devcontainers/features/python:1.8.0 with ./installer (not written)',
    );
    expect(await readFile(join(project, '.devcontainer/worker/devcontainer.json'), 'utf8')).toContain('python:1.8.0');

    const integrated = await cpythonPrebuilt(['integrate', project, '--feature', './installer', '--json']);
    expect(integrated.exitCode, integrated.stderr).toBe(0);
    const report = JSON.parse(integrated.stdout) as { configs: { path: string; status: string }[] };
    expect(report.configs.map((config) => [config.path, config.status])).toEqual([
      ['.devcontainer/devcontainer.json', 'switched'],
      ['.devcontainer/worker/devcontainer.json', 'switched'],
    ]);

    for (const [config, role] of [
      [undefined, 'web'],
      ['.devcontainer/worker/devcontainer.json', 'worker'],
    ] as const) {
      const workspace = openWorkspace(project, { removeFolder: false, ...(config ? { config } : {}) });
      onTestFinished(() => workspace.dispose());
      await workspace.up();
      const run = async (command: string) => (await workspace.exec(['sh', '-c', command])).stdout.trim();
      expect(await run('echo "$APP_ROLE"')).toBe(role);
      // Only the web app's configuration names its own local feature.
      expect(await run('cat /usr/local/share/shared-tools/marker 2>/dev/null || echo none')).toBe(
        role === 'web' ? 'installed' : 'none',
      );
      expect(await run('python3 --version')).toBe('Python 3.13.5');
      expect(await run('python3 -c "import sys; print(sys.prefix)"')).toBe('/opt/python-3.13.5');
      expect(await run('python3 -m pip --version')).toMatch(/^pip \S+ from \/opt\/python-3\.13\.5\//);
    }
    // The web app's postCreateCommand made a venv in the workspace.
    expect(await readFile(join(project, '.venv/pyvenv.cfg'), 'utf8')).toContain('version = 3.13.5');
  });

  it('a Compose service with a database: integrate leaves the Compose files alone, the service builds and reaches the database', async () => {
    const project = await copyOfExample('compose-service');
    await vendorFeature({
      artifactPaths: [inject('artifacts').python313],
      outputDir: join(project, '.devcontainer/installer'),
      force: false,
    });
    const dbImage = 'local/example-db:1';
    const dbImageExisted = (await runCommand('docker', ['image', 'inspect', dbImage], { allowExitCodes: [1] })).exitCode === 0;
    onTestFinished(() => removeComposeProject(project, dbImageExisted ? [] : [dbImage]));

    const integrated = await cpythonPrebuilt(['integrate', project, '--feature', './installer']);
    expect(integrated.exitCode, integrated.stderr).toBe(0);
    expect(integrated.stdout).toMatch(
      /^\.devcontainer\/devcontainer\.json: replaced ghcr\.io\/devcontainers\/features\/python@sha256:[0-9a-f]{64} with \.\/installer\n/,
    );
    expect(integrated.stdout).toContain('  installJupyterlab true: removed: cpython/installer does not install JupyterLab');
    expect(integrated.stdout).toContain(
      '  toolsToInstall "ruff,mypy": removed: install them yourself, e.g. `pipx install ruff mypy` in postCreateCommand',
    );

    const workspace = openWorkspace(project, { removeFolder: false });
    onTestFinished(() => workspace.dispose());
    await workspace.up();
    const run = async (command: string) => (await workspace.exec(['sh', '-c', command])).stdout.trim();
    expect(await run('python3 --version')).toBe('Python 3.13.5');
    expect(await run('python3 -c "import sys; print(sys.prefix)"')).toBe('/opt/python-3.13.5');
    expect(await run('echo "$DATABASE_HOST:$DATABASE_PORT"')).toBe('db:5432');
    expect(
      await run(`python3 -c "import socket; print(socket.create_connection(('db', 5432), 5).recv(64).decode().strip())"`),
    ).toBe('example-db ready');
    expect(await run('python3 -m venv /tmp/venv && /tmp/venv/bin/python -c "import sqlite3, ssl; print(\'OK\')"')).toBe('OK');
  });
});

/** Removes the Compose project the devcontainers CLI started for `project` (containers, network, the app's image) and the images named. */
async function removeComposeProject(project: string, images: string[]): Promise<void> {
  if (process.env.CPYTHON_PREBUILT_KEEP_CONTAINERS === '1') return;
  const label = `com.docker.compose.project.working_dir=${join(project, '.devcontainer')}`;
  const containers = await runCommand('docker', ['ps', '--all', '--quiet', '--filter', `label=${label}`]);
  const ids = containers.stdout.split('\n').filter(Boolean);
  const names = ids.length
    ? (await runCommand('docker', ['inspect', '--format', '{{index .Config.Labels "com.docker.compose.project"}}', ...ids]))
        .stdout
    : '';
  if (ids.length) await runCommand('docker', ['rm', '--force', ...ids], { allowExitCodes: [1] });
  for (const name of new Set(names.split('\n').filter(Boolean))) {
    await runCommand('docker', ['network', 'rm', `${name}_default`], { allowExitCodes: [1] });
    // Compose names the image it builds for a service without `image:` <project>_<service>.
    await runCommand('docker', ['rmi', '--force', `${name}_app`], { allowExitCodes: [1] });
  }
  for (const image of images) await runCommand('docker', ['rmi', '--force', image], { allowExitCodes: [1] });
}

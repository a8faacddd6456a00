import { execFileSync } from 'node:child_process';
import { chmod, cp, lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CpythonPrebuiltError } from '@cpython-prebuilt/core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { formatReport, integrate, integrateProject } from './integrate.ts';

const pilotDir = fileURLToPath(new URL('../../../examples/pilot', import.meta.url));
const entry = { reference: './installer', options: { version: '3.13.5' } };
const keepVersion = { reference: './installer', options: {} };
const pilotConfig = '.devcontainer/devcontainer.json';

async function temporaryDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function copyOfPilot(): Promise<string> {
  const dir = await temporaryDir('pilot-');
  await cp(pilotDir, dir, { recursive: true });
  return dir;
}

/** Writes `files` (path -> text) under a new temporary project. */
async function project(files: Record<string, string>): Promise<string> {
  const dir = await temporaryDir('project-');
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

const compiling = (extra = '') => `{
  // compiles 3.12
  ${extra}"features": { "ghcr.io/devcontainers/features/python:1": { "version": "3.12" } }
}
`;

async function caught(promise: Promise<unknown>): Promise<CpythonPrebuiltError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CpythonPrebuiltError) return error;
    throw error;
  }
  throw new Error('expected a CpythonPrebuiltError');
}

describe('integrate', () => {
  it('with --dry-run shows a unified diff and leaves the file as it was', async () => {
    const dir = await copyOfPilot();
    const path = join(dir, pilotConfig);
    const before = await readFile(path, 'utf8');
    const report = await integrateProject({ projectDir: dir, configs: [], entry, mode: 'dry-run' });
    const [config] = report.configs;
    expect(config?.changed).toBe(true);
    expect(config?.diff).toContain(`--- a/${pilotConfig}\n+++ b/${pilotConfig}\n`);
    expect(config?.diff).toContain('-\t\t"ghcr.io/devcontainers/features/python:1": {');
    expect(config?.diff).toContain('+\t\t"./installer": {');
    expect(config?.writtenTo).toBeUndefined();
    expect(await readFile(path, 'utf8')).toBe(before);
    expect(formatReport(report)).toContain(
      `${pilotConfig}: replaced ghcr.io/devcontainers/features/python:1 with ./installer (not written)`,
    );
  });

  it('writes the edited file and no temporary files', async () => {
    const dir = await copyOfPilot();
    const result = await integrate({ projectDir: dir, entry, dryRun: false });
    expect(await readFile(result.path, 'utf8')).toContain('"./installer": {');
    expect((await readdir(join(dir, '.devcontainer'))).sort()).toEqual(['devcontainer.json', 'project-tools']);
  });

  it("keeps the file's mode", async () => {
    const dir = await copyOfPilot();
    const path = join(dir, pilotConfig);
    await chmod(path, 0o640);
    await integrate({ projectDir: dir, entry, dryRun: false });
    expect((await stat(path)).mode & 0o7777).toBe(0o640);
  });

  it('refuses a configuration symlinked to a file outside the project, and writes nothing', async () => {
    // Before issue 31 it wrote through the link: a project could make integrate edit any file.
    const dir = await copyOfPilot();
    const shared = await temporaryDir('shared-');
    const target = join(shared, 'devcontainer.json');
    await cp(join(dir, pilotConfig), target);
    const original = await readFile(target, 'utf8');
    await rm(join(dir, pilotConfig));
    await symlink(target, join(dir, pilotConfig));
    const error = await caught(integrate({ projectDir: dir, entry, dryRun: false }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain(`resolves to ${target}, outside the project`);
    expect(await readFile(target, 'utf8')).toBe(original);
    expect(await readdir(shared)).toEqual(['devcontainer.json']);
    expect((await lstat(join(dir, pilotConfig))).isSymbolicLink()).toBe(true);
  });

  it('writes through a fresh temporary name: a file planted at the old predictable name is neither followed nor left behind', async () => {
    const dir = await copyOfPilot();
    const victim = join(await temporaryDir('victim-'), 'passwd');
    await writeFile(victim, 'root:x:0:0\n');
    const path = join(dir, pilotConfig);
    await symlink(victim, `${path}.cpython-prebuilt-${process.pid}.tmp`);
    await integrate({ projectDir: dir, entry, dryRun: false });
    expect(await readFile(victim, 'utf8')).toBe('root:x:0:0\n');
    expect(await readFile(path, 'utf8')).toContain('"./installer": {');
    expect((await readdir(join(dir, '.devcontainer'))).filter((name) => name.endsWith('.tmp'))).toEqual([
      `devcontainer.json.cpython-prebuilt-${process.pid}.tmp`,
    ]);
  });

  it("applies a project's configurations all or none: one that cannot be written leaves the other as it was", async () => {
    const dir = await copyOfPilot();
    const locked = join(dir, '.devcontainer/locked');
    await mkdir(locked);
    await cp(join(dir, pilotConfig), join(locked, 'devcontainer.json'));
    const before = await readFile(join(dir, pilotConfig), 'utf8');
    // A folder nobody may write to: immutable for root (which ignores modes), read-only otherwise.
    const root = process.getuid?.() === 0;
    const lock = (on: boolean) => (root ? execFileSync('chattr', [on ? '+i' : '-i', locked]) : chmod(locked, on ? 0o555 : 0o755));
    await lock(true);
    try {
      const error = await caught(
        integrateProject({
          projectDir: dir,
          configs: [pilotConfig, '.devcontainer/locked/devcontainer.json'],
          entry,
          mode: 'write',
        }),
      );
      expect(error.message).toMatch(
        /could not write .*locked\/devcontainer.json \((EPERM|EACCES)\): no configuration was changed/,
      );
    } finally {
      await lock(false);
    }
    expect(await readFile(join(dir, pilotConfig), 'utf8')).toBe(before);
    expect((await readdir(join(dir, '.devcontainer'))).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a broken file and does not touch it', async () => {
    const dir = await copyOfPilot();
    const path = join(dir, pilotConfig);
    await writeFile(path, '{ "features": { ');
    await expect(integrate({ projectDir: dir, entry, dryRun: false })).rejects.toThrow(/cannot be parsed/);
    expect(await readFile(path, 'utf8')).toBe('{ "features": { ');
  });

  it('says where it looked when there is no configuration', async () => {
    const empty = await temporaryDir('empty-');
    const error = await caught(integrateProject({ projectDir: empty, configs: [], entry, mode: 'dry-run' }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain(
      'looked for .devcontainer/devcontainer.json, .devcontainer.json and .devcontainer/<folder>/devcontainer.json',
    );
    expect(error.fix).toContain('create one with --create <image>');
  });

  it('with --create, gives a project without a configuration one from the image, with the feature and the version it asks for', async () => {
    const dir = await project({ '.python-version': '3.12\n' });
    const preview = await integrateProject({
      projectDir: dir,
      configs: [],
      entry: keepVersion,
      mode: 'dry-run',
      createFromImage: 'local/debian:bookworm',
    });
    expect(preview.configs[0]?.diff).toContain('--- /dev/null\n+++ b/.devcontainer/devcontainer.json');
    expect(await readdir(dir)).toEqual(['.python-version']);

    const report = await integrateProject({
      projectDir: dir,
      configs: [],
      entry: keepVersion,
      mode: 'write',
      createFromImage: 'local/debian:bookworm',
    });
    expect(report.configs[0]?.action).toMatch(/^created from the image local\/debian:bookworm; /);
    const written = await readFile(join(dir, '.devcontainer/devcontainer.json'), 'utf8');
    expect(written).toContain('// Made by `cpython-prebuilt integrate --create`');
    expect(JSON.parse(written.replace(/^\s*\/\/.*$/m, ''))).toEqual({
      name: dir.split('/').at(-1),
      image: 'local/debian:bookworm',
      features: { './installer': { version: '3.12' } },
    });
    // A second run edits what is there now: nothing is created twice, nothing changes.
    const again = await integrateProject({
      projectDir: dir,
      configs: [],
      entry: keepVersion,
      mode: 'write',
      createFromImage: 'other:1',
    });
    expect(again.configs.map((config) => [config.path, config.changed])).toEqual([['.devcontainer/devcontainer.json', false]]);
  });

  it('with --create, refuses what is not an image reference, and never creates in --check', async () => {
    const dir = await project({ 'README.md': 'no container yet\n' });
    const bad = await caught(
      integrateProject({
        projectDir: dir,
        configs: [],
        entry: keepVersion,
        mode: 'write',
        createFromImage: 'debian:12"; rm -rf /',
      }),
    );
    expect(bad.message).toBe('"debian:12"; rm -rf /" is not an image reference');
    const check = await caught(
      integrateProject({
        projectDir: dir,
        configs: [],
        entry: keepVersion,
        mode: 'check',
        createFromImage: 'local/debian:bookworm',
      }),
    );
    expect(check.message).toContain('no dev container configuration in');
    expect(await readdir(dir)).toEqual(['README.md']);
  });

  it("adds the feature to a project's only configuration, with the version the project asks for, keeping its comments", async () => {
    const dir = await project({
      '.devcontainer/devcontainer.json': '{\n  // my project\n  "image": "local/debian:bookworm"\n}\n',
      '.python-version': '3.13\n',
    });
    const report = await integrateProject({ projectDir: dir, configs: [], entry: keepVersion, mode: 'write' });
    expect(report.configs.map((config) => [config.path, config.status])).toEqual([['.devcontainer/devcontainer.json', 'added']]);
    const written = await readFile(join(dir, '.devcontainer/devcontainer.json'), 'utf8');
    expect(written).toContain('// my project');
    expect(JSON.parse(written.replace('// my project', ''))).toEqual({
      image: 'local/debian:bookworm',
      features: { './installer': { version: '3.13' } },
    });
  });

  it('in a project with several configurations, adds to none that has no python feature, and says how to', async () => {
    const web = '{ "image": "local/debian:bookworm" }\n';
    const dir = await project({ '.devcontainer/api/devcontainer.json': compiling(), '.devcontainer/web/devcontainer.json': web });
    const report = await integrateProject({ projectDir: dir, configs: [], entry: keepVersion, mode: 'write' });
    const skipped = report.configs.find((config) => config.path === '.devcontainer/web/devcontainer.json');
    expect(skipped?.status).toBe('skipped');
    expect(skipped?.action).toBe(
      'no python feature: left as it is (name it with --config .devcontainer/web/devcontainer.json to add ./installer)',
    );
    expect(await readFile(join(dir, '.devcontainer/web/devcontainer.json'), 'utf8')).toBe(web);
    const named = await integrateProject({
      projectDir: dir,
      configs: ['.devcontainer/web/devcontainer.json'],
      entry: keepVersion,
      mode: 'write',
    });
    expect(named.configs.map((config) => config.status)).toEqual(['added']);
  });

  it('finds every configuration the spec allows and switches each one', async () => {
    const dir = await project({
      '.devcontainer/devcontainer.json': compiling(),
      '.devcontainer.json': compiling(),
      '.devcontainer/api/devcontainer.json': compiling(),
      '.devcontainer/web/devcontainer.json': '{ "image": "local/debian:bookworm", "features": { "./node": {} } }\n',
      '.devcontainer/docs/README.md': 'no configuration here',
      '.devcontainer/nested/deeper/devcontainer.json': compiling(),
    });
    const report = await integrateProject({ projectDir: dir, configs: [], entry: keepVersion, mode: 'write' });
    expect(report.configs.map((config) => [config.path, config.status])).toEqual([
      ['.devcontainer/devcontainer.json', 'switched'],
      ['.devcontainer.json', 'switched'],
      ['.devcontainer/api/devcontainer.json', 'switched'],
      ['.devcontainer/web/devcontainer.json', 'skipped'],
    ]);
    expect(await readFile(join(dir, '.devcontainer/api/devcontainer.json'), 'utf8')).toContain(
      '"./installer": { "version": "3.12" }',
    );
    // Not a place the spec looks: left alone.
    expect(await readFile(join(dir, '.devcontainer/nested/deeper/devcontainer.json'), 'utf8')).toBe(compiling());
    expect(await readFile(join(dir, '.devcontainer/web/devcontainer.json'), 'utf8')).not.toContain('installer');
  });

  it('switches only the configuration named, and adds the feature to a named one that has none', async () => {
    const dir = await project({
      '.devcontainer/api/devcontainer.json': compiling(),
      '.devcontainer/web/devcontainer.json': '{ "image": "local/debian:bookworm" }\n',
    });
    const report = await integrateProject({
      projectDir: dir,
      configs: ['.devcontainer/web/devcontainer.json'],
      entry,
      mode: 'write',
    });
    expect(report.configs.map((config) => config.status)).toEqual(['added']);
    expect(await readFile(join(dir, '.devcontainer/api/devcontainer.json'), 'utf8')).toBe(compiling());
    const missing = await caught(
      integrateProject({ projectDir: dir, configs: ['.devcontainer/nope.json'], entry, mode: 'write' }),
    );
    expect(missing.message).toContain('.devcontainer/nope.json does not exist');
  });

  it('writes nothing when one of the configurations cannot be edited', async () => {
    const dir = await project({
      '.devcontainer/a/devcontainer.json': compiling(),
      '.devcontainer/b/devcontainer.json': '{ "features": ',
    });
    await expect(integrateProject({ projectDir: dir, configs: [], entry, mode: 'write' })).rejects.toThrow(
      /b\/devcontainer.json cannot be parsed/,
    );
    expect(await readFile(join(dir, '.devcontainer/a/devcontainer.json'), 'utf8')).toBe(compiling());
  });

  it('--check fails while a configuration compiles Python, changes nothing, and passes once switched', async () => {
    const dir = await project({
      '.devcontainer/api/devcontainer.json': compiling(),
      '.devcontainer/web/devcontainer.json': '{ "image": "local/debian:bookworm" }\n',
    });
    const error = await caught(integrateProject({ projectDir: dir, configs: [], entry, mode: 'check' }));
    expect(error.code).toBe('PYTHON_COMPILED');
    expect(error.message).toBe(
      'Python is still compiled at image build time by .devcontainer/api/devcontainer.json (the official python feature)',
    );
    expect(await readFile(join(dir, '.devcontainer/api/devcontainer.json'), 'utf8')).toBe(compiling());
    await integrateProject({ projectDir: dir, configs: [], entry, mode: 'write' });
    const passed = await integrateProject({ projectDir: dir, configs: [], entry, mode: 'check' });
    expect(passed.configs.every((config) => config.compilesPython.length === 0)).toBe(true);
  });

  it('--check also fails on a Dockerfile that compiles Python itself', async () => {
    const dir = await project({
      '.devcontainer/devcontainer.json': '{ "build": { "dockerfile": "Dockerfile" } }\n',
      '.devcontainer/Dockerfile': 'FROM local/debian:bookworm\nRUN pyenv install 3.12.4 \\\n  && pyenv global 3.12.4\n',
    });
    const error = await caught(integrateProject({ projectDir: dir, configs: [], entry, mode: 'check' }));
    expect(error.message).toContain('.devcontainer/devcontainer.json (.devcontainer/Dockerfile:2)');
  });

  it('reports Python from a base image or apt-get in a Dockerfile, and from a Compose service', async () => {
    const dir = await project({
      '.devcontainer/app/devcontainer.json': compiling('"build": { "dockerfile": "Dockerfile", "context": ".." },\n  '),
      '.devcontainer/app/Dockerfile': [
        'ARG VARIANT=3.12-slim',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a Dockerfile ARG reference, not a template
        'FROM python:${VARIANT} AS base',
        'FROM base',
        '# apt-get install python3 in a comment does not count',
        'RUN apt-get update && apt-get install -y --no-install-recommends \\',
        '    curl python3 python3-venv \\',
        '  && rm -rf /var/lib/apt/lists/*',
      ].join('\n'),
      '.devcontainer/svc/devcontainer.json': compiling(
        '"dockerComposeFile": ["../../compose.yaml", "compose.extend.yaml"], "service": "app",\n  ',
      ),
      'compose.yaml': 'services:\n  app:\n    image: python:3.12\n  db:\n    image: local/postgres:15\n',
      '.devcontainer/svc/compose.extend.yaml':
        'services:\n  app:\n    build:\n      context: .\n      dockerfile: docker/app.Dockerfile\n',
      'docker/app.Dockerfile': 'FROM local/debian:bookworm\nRUN pip install -r requirements.txt\n',
      '.devcontainer/img/devcontainer.json': '{ "image": "mcr.microsoft.com/devcontainers/python:3.12" }\n',
    });
    const report = await integrateProject({ projectDir: dir, configs: [], entry, mode: 'dry-run' });
    const findings = Object.fromEntries(
      report.configs.map((config) => [config.path, config.findings.map((f) => `${f.where}: ${f.message}`)]),
    );
    expect(findings['.devcontainer/app/devcontainer.json']).toEqual([
      expect.stringMatching(/^\.devcontainer\/app\/Dockerfile:2: the base image python:3\.12-slim brings its own Python/),
      expect.stringMatching(/^\.devcontainer\/app\/Dockerfile:5: installs python3, python3-venv from the distribution/),
    ]);
    // The Compose files merge; build wins over image; paths are relative to the first file's folder.
    expect(findings['.devcontainer/svc/devcontainer.json']).toEqual([
      expect.stringMatching(/^docker\/app\.Dockerfile:2: uses Python before any feature is installed/),
    ]);
    expect(findings['.devcontainer/img/devcontainer.json']).toEqual([
      expect.stringMatching(
        /^\.devcontainer\/img\/devcontainer\.json: the image mcr\.microsoft\.com\/devcontainers\/python:3\.12 brings its own Python/,
      ),
    ]);
    expect(report.configs.find((config) => config.path === '.devcontainer/img/devcontainer.json')?.status).toBe('skipped');
  });

  it('reports a python image in a Compose service and in the old dockerFile key', async () => {
    const dir = await project({
      '.devcontainer/compose/devcontainer.json': compiling('"dockerComposeFile": "compose.yaml", "service": "app",\n  '),
      '.devcontainer/compose/compose.yaml': 'services:\n  app:\n    image: docker.io/library/python:3.12-bookworm\n',
      '.devcontainer/legacy/devcontainer.json': compiling('"dockerFile": "Dockerfile",\n  '),
      '.devcontainer/legacy/Dockerfile': `FROM --platform=linux/amd64 python:3.11@sha256:${'a'.repeat(64)}\n`,
    });
    const report = await integrateProject({ projectDir: dir, configs: [], entry, mode: 'dry-run' });
    expect(report.configs.map((config) => config.findings.map((finding) => finding.where))).toEqual([
      ['.devcontainer/compose/compose.yaml (service app)'],
      ['.devcontainer/legacy/Dockerfile:1'],
    ]);
  });

  it('reports a Compose service it cannot find', async () => {
    const dir = await project({
      '.devcontainer/devcontainer.json': compiling('"dockerComposeFile": "compose.yaml", "service": "web",\n  '),
      '.devcontainer/compose.yaml': 'services:\n  app:\n    image: local/debian:bookworm\n',
    });
    const report = await integrateProject({ projectDir: dir, configs: [], entry, mode: 'dry-run' });
    expect(report.configs[0]?.findings.map((finding) => finding.message)).toEqual([
      'service "web" is not in .devcontainer/compose.yaml',
    ]);
  });

  it('prints what happens to each official option in the report', async () => {
    const dir = await project({
      '.devcontainer/devcontainer.json':
        '{\n  "features": {\n    "ghcr.io/devcontainers/features/python:1": {\n      "version": "3.12",\n      "optimize": true\n    }\n  }\n}\n',
    });
    const report = await integrateProject({ projectDir: dir, configs: [], entry: keepVersion, mode: 'write' });
    const text = formatReport(report);
    expect(text.split('\n')[0]).toBe(
      '.devcontainer/devcontainer.json: replaced ghcr.io/devcontainers/features/python:1 with ./installer',
    );
    expect(text).toContain(
      '  optimize true: removed: nothing is compiled any more; the prebuilt interpreter is already built with PGO and LTO\n',
    );
    expect(text).toContain('  version "3.12": kept, cpython/installer has it too\n');
    expect(text).toContain('  installTools: not set, so the official feature installed its default tools');
  });

  it("reports settings that still point into the official feature's folders", async () => {
    const dir = await project({
      '.devcontainer/devcontainer.json': `{
  "features": { "ghcr.io/devcontainers/features/python:1": { "version": "3.12", "installPath": "/opt/py" } },
  "containerEnv": { "TOOLS": "/opt/py/current/bin", "PIPX_BIN_DIR": "/usr/local/py-utils/bin", "OTHER": "/usr/local/pythonista" },
  "customizations": { "vscode": { "settings": { "python.defaultInterpreterPath": "/usr/local/python/current/bin/python" } } }
}
`,
    });
    const report = await integrateProject({ projectDir: dir, configs: [], entry: keepVersion, mode: 'dry-run' });
    expect(report.configs[0]?.findings.map((finding) => finding.where)).toEqual([
      '.devcontainer/devcontainer.json (containerEnv.TOOLS)',
      '.devcontainer/devcontainer.json (containerEnv.PIPX_BIN_DIR)',
      '.devcontainer/devcontainer.json (customizations.vscode.settings.python.defaultInterpreterPath)',
    ]);
    expect(report.configs[0]?.findings[1]?.message).toContain(
      "cpython/installer's interpreter is /opt/python-current/bin/python3",
    );
  });

  it('--check reports, per configuration, what compiles Python', async () => {
    const dir = await project({
      '.devcontainer/a/devcontainer.json': '{ "image": "local/debian:bookworm" }\n',
      '.devcontainer/b/devcontainer.json': '{ "features": { "./installer": { "version": "3.13" } } }\n',
    });
    const report = await integrateProject({ projectDir: dir, configs: [], entry, mode: 'check' });
    expect(formatReport(report)).toBe(
      '.devcontainer/a/devcontainer.json: compiles no Python\n.devcontainer/b/devcontainer.json: compiles no Python\n',
    );
  });

  it('says where it wrote a symlinked configuration', async () => {
    const dir = await project({ 'real/devcontainer.json': compiling() });
    await mkdir(join(dir, '.devcontainer'));
    await symlink(join(dir, 'real/devcontainer.json'), join(dir, pilotConfig));
    const report = await integrateProject({ projectDir: dir, configs: [], entry, mode: 'write' });
    expect(formatReport(report)).toContain(`  written to ${join(dir, 'real/devcontainer.json')} (the link's target)\n`);
  });
});

describe('integrate cannot produce a configuration the feature refuses', () => {
  /** integrate --write of the pilot with `asked`: the error, and whether the file is as it was. */
  async function refusedWrite(asked: { reference: string; options: Record<string, string> }) {
    const dir = await copyOfPilot();
    const before = await readFile(join(dir, pilotConfig), 'utf8');
    const error = await caught(integrateProject({ projectDir: dir, configs: [], entry: asked, mode: 'write' }));
    return { error, unchanged: (await readFile(join(dir, pilotConfig), 'utf8')) === before };
  }

  it('refuses a feature reference that still holds a placeholder, writing nothing', async () => {
    const { error, unchanged } = await refusedWrite({ reference: 'ghcr.io/<owner>/<repo>/cpython/installer:1', options: {} });
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toBe('the feature reference "ghcr.io/<owner>/<repo>/cpython/installer:1" still holds a placeholder');
    expect(error.fix).toContain('pass --feature');
    expect(unchanged).toBe(true);
  });

  it('refuses option values install.sh would refuse, naming each, and writes nothing', async () => {
    const { error, unchanged } = await refusedWrite({
      reference: './installer',
      options: { version: 'banana', artifactUrl: 'ftp://mirror.example/cpython.tgz' },
    });
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain(`${pilotConfig}: "./installer": version "banana" is not a CPython version`);
    expect(error.message).toContain('artifactUrl has an unsupported scheme ftp');
    expect(unchanged).toBe(true);
  });

  it('--check fails on a configuration that already holds a placeholder reference or a refused value', async () => {
    const dir = await project({
      '.devcontainer/devcontainer.json': JSON.stringify({
        image: 'debian:bookworm',
        features: {
          'ghcr.io/<owner>/<repo>/cpython/installer:1': { version: '3.13' },
          './installer': { sha256: 'not-a-digest' },
        },
      }),
    });
    const error = await caught(
      integrateProject({ projectDir: dir, configs: [], entry: { reference: './installer', options: {} }, mode: 'check' }),
    );
    expect(error.message).toContain('"ghcr.io/<owner>/<repo>/cpython/installer:1" still holds a placeholder');
    expect(error.message).toContain('"./installer": sha256 is not a sha256 digest');
  });

  it("gives an added feature the version the project's own files ask for, and says which file", async () => {
    const dir = await project({
      '.devcontainer/devcontainer.json': '{ "image": "local/debian:bookworm" }\n',
      '.python-version': '3.11\n',
    });
    const report = await integrateProject({
      projectDir: dir,
      configs: ['.devcontainer/devcontainer.json'],
      entry: keepVersion,
      mode: 'write',
    });
    const written = JSON.parse(await readFile(join(dir, '.devcontainer/devcontainer.json'), 'utf8'));
    expect(written.features['./installer']).toEqual({ version: '3.11' });
    expect(formatReport(report)).toContain('  version "3.11": set, .python-version says 3.11');
    // --version wins over the project's files.
    const asked = await integrateProject({
      projectDir: dir,
      configs: ['.devcontainer/devcontainer.json'],
      entry: { reference: './installer', options: { version: '3.13' } },
      mode: 'dry-run',
    });
    expect(asked.configs[0]?.diff).toContain('"version": "3.13"');
  });

  it('notes a configuration that installs another line than the project asks for, in every mode', async () => {
    const dir = await project({
      '.devcontainer/devcontainer.json': '{ "features": { "./installer": "3.12" } }\n',
      'pyproject.toml': '[project]\nrequires-python = ">=3.13"\n',
      '.github/workflows/ci.yml': 'jobs:\n  t:\n    strategy:\n      matrix:\n        python-version: ["3.13"]\n',
    });
    const report = await integrateProject({ projectDir: dir, configs: [], entry: keepVersion, mode: 'check' });
    expect(report.configs[0]?.findings.map((finding) => finding.message)).toEqual([
      "installs 3.12, but 3.13, the newest line tested in .github/workflows/ci.yml that pyproject.toml's requires-python >=3.13 allows: change one of them (--version 3.13 sets it here)",
    ]);
  });

  it('checks the string shorthand of this feature as the version option', async () => {
    const dir = await project({ '.devcontainer/devcontainer.json': '{ "features": { "./installer": "banana" } }\n' });
    const error = await caught(integrateProject({ projectDir: dir, configs: [], entry: keepVersion, mode: 'check' }));
    expect(error.message).toContain('"./installer": version "banana" is not a CPython version');
  });
});

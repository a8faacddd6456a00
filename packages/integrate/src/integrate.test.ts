import { cp, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { integrate } from './integrate.ts';

const pilotDir = fileURLToPath(new URL('../../../examples/pilot', import.meta.url));
const entry = { reference: './installer', options: { version: '3.13.5' } };

async function copyOfPilot(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pilot-'));
  await cp(pilotDir, dir, { recursive: true });
  return dir;
}

describe('integrate', () => {
  it('with --dry-run shows the diff and leaves the file as it was', async () => {
    const project = await copyOfPilot();
    const path = join(project, '.devcontainer/devcontainer.json');
    const before = await readFile(path, 'utf8');
    const result = await integrate({ projectDir: project, entry, dryRun: true });
    expect(result.changed).toBe(true);
    expect(result.diff).toContain('-\t\t"ghcr.io/devcontainers/features/python:1": {');
    expect(result.diff).toContain('+\t\t"./installer": {');
    expect(await readFile(path, 'utf8')).toBe(before);
  });

  it('writes the edited file and no temporary files', async () => {
    const project = await copyOfPilot();
    const result = await integrate({ projectDir: project, entry, dryRun: false });
    expect(await readFile(result.path, 'utf8')).toContain('"./installer": {');
    expect((await readdir(join(project, '.devcontainer'))).sort()).toEqual(['devcontainer.json', 'project-tools']);
  });

  it('refuses a broken file and does not touch it', async () => {
    const project = await copyOfPilot();
    const path = join(project, '.devcontainer/devcontainer.json');
    await writeFile(path, '{ "features": { ');
    await expect(integrate({ projectDir: project, entry, dryRun: false })).rejects.toThrow(/cannot be parsed/);
    expect(await readFile(path, 'utf8')).toBe('{ "features": { ');
  });

  it('says where it looked when there is no devcontainer.json', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'empty-'));
    await expect(integrate({ projectDir: empty, entry, dryRun: true })).rejects.toThrow(
      /no \.devcontainer\/devcontainer\.json or \.devcontainer\.json in/,
    );
  });
});

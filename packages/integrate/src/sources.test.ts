import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layout } from '@cpython-prebuilt/core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { type Finding, locateImageSource } from './sources.ts';

describe('where a configuration gets its image', () => {
  it('finds the Compose service Dockerfile relative to the Compose file, with where it is defined', async () => {
    const project = join(layout.examplesDir, 'compose-service');
    const config = join(project, '.devcontainer/devcontainer.json');
    expect(await locateImageSource(config, { dockerComposeFile: ['compose.yaml'], service: 'app' }, project)).toEqual({
      shape: 'compose',
      dockerfile: join(project, '.devcontainer/app.Dockerfile'),
      where: '.devcontainer/compose.yaml (service app)',
    });
  });

  it('finds build.dockerfile relative to devcontainer.json, and an image as it is named', async () => {
    const project = join(layout.examplesDir, 'dockerfile-build');
    const config = join(project, '.devcontainer/devcontainer.json');
    expect(await locateImageSource(config, { build: { dockerfile: 'Dockerfile', context: '..' } }, project)).toMatchObject({
      shape: 'dockerfile',
      dockerfile: join(project, '.devcontainer/Dockerfile'),
    });
    expect(await locateImageSource(config, { image: 'local/debian:bookworm' }, project)).toEqual({
      shape: 'image',
      image: 'local/debian:bookworm',
      where: '.devcontainer/devcontainer.json',
    });
  });

  it("gives a Compose service's image when it builds nothing, and reports a service that is not there", async () => {
    const project = await mkdtemp(join(tmpdir(), 'locate-'));
    onTestFinished(() => rm(project, { recursive: true, force: true }));
    await writeFile(join(project, 'compose.yaml'), 'services:\n  app:\n    image: local/debian:trixie\n');
    const config = join(project, 'devcontainer.json');
    expect(await locateImageSource(config, { dockerComposeFile: 'compose.yaml', service: 'app' }, project)).toEqual({
      shape: 'compose',
      image: 'local/debian:trixie',
      where: 'compose.yaml (service app)',
    });
    const findings: Finding[] = [];
    expect(await locateImageSource(config, { dockerComposeFile: 'compose.yaml', service: 'web' }, project, findings)).toEqual({
      shape: 'unknown',
      where: 'devcontainer.json',
    });
    expect(findings).toEqual([{ where: 'devcontainer.json', message: 'service "web" is not in compose.yaml', compiles: false }]);
  });
});

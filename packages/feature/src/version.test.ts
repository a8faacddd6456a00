import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layout } from '@cpython-prebuilt/core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { bumpFeatureVersion, bumpVersion, readFeatureVersion } from './version.ts';

async function versionFile(content: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'feature-version-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'feature-version.json'), content);
  return join(dir, 'feature-version.json');
}

describe('the feature version', () => {
  it('bumps as semver: lower parts reset', () => {
    expect(bumpVersion('1.2.3', 'major')).toBe('2.0.0');
    expect(bumpVersion('1.2.3', 'minor')).toBe('1.3.0');
    expect(bumpVersion('1.2.3', 'patch')).toBe('1.2.4');
    expect(bumpVersion('1.9.0', 'minor')).toBe('1.10.0');
  });

  it('bumps the file and reports both versions', async () => {
    const path = await versionFile('{"version": "1.0.0"}\n');
    expect(await bumpFeatureVersion(path, 'minor')).toEqual({ from: '1.0.0', to: '1.1.0' });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ version: '1.1.0' });
  });

  it('refuses a version that is not semver, naming the file', async () => {
    const path = await versionFile('{"version": "1.0"}\n');
    await expect(readFeatureVersion(path)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining(`${path} does not hold a semver version`),
    });
  });

  it('is what the generated devcontainer-feature.json says', async () => {
    const generated = JSON.parse(await readFile(join(layout.featuresSrcDir, 'installer/devcontainer-feature.json'), 'utf8'));
    expect(generated.version).toBe(await readFeatureVersion(layout.featureVersion));
  });
});

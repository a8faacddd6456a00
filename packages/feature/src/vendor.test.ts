import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestArtifact } from '@cpython-prebuilt/core/test-artifact';
import { describe, expect, it, onTestFinished } from 'vitest';
import { vendorFeature } from './vendor.ts';

/** A small stand-in artifact with schema-valid metadata and .sha256 beside it. */
async function makeArtifact(dir: string): Promise<string> {
  const made = await makeTestArtifact({ dir, optimizations: { pgo: false, lto: false }, bundledLibraries: [] });
  return made.path;
}

async function workDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vendor-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('feature vendor --force', () => {
  it('replaces a folder that holds a vendored copy of this feature', async () => {
    const dir = await workDir();
    const artifact = await makeArtifact(dir);
    const output = join(dir, 'project', '.devcontainer', 'installer');
    await vendorFeature({ artifactPaths: [artifact], outputDir: output, force: false, allowUnsigned: true });
    await writeFile(join(output, 'stale.txt'), 'from the last vendoring');
    await vendorFeature({ artifactPaths: [artifact], outputDir: output, force: true, allowUnsigned: true });
    await expect(readFile(join(output, 'stale.txt'))).rejects.toThrow(/ENOENT/);
    expect(JSON.parse(await readFile(join(output, 'devcontainer-feature.json'), 'utf8')).id).toBe('installer');
  });

  it('refuses to replace a folder that does not hold this feature, and leaves it alone', async () => {
    const dir = await workDir();
    const artifact = await makeArtifact(dir);
    const project = join(dir, 'project', '.devcontainer');
    await mkdir(project, { recursive: true });
    await writeFile(join(project, 'devcontainer.json'), '{"image": "x"}');
    await expect(
      vendorFeature({ artifactPaths: [artifact], outputDir: project, force: true, allowUnsigned: true }),
    ).rejects.toThrow(`${project} exists and does not hold the installer feature`);
    expect(await readFile(join(project, 'devcontainer.json'), 'utf8')).toBe('{"image": "x"}');

    const other = join(dir, 'other-feature');
    await mkdir(other);
    await writeFile(join(other, 'devcontainer-feature.json'), '{"id": "installer", "name": "Another installer"}');
    await expect(
      vendorFeature({ artifactPaths: [artifact], outputDir: other, force: true, allowUnsigned: true }),
    ).rejects.toThrow('does not hold the installer feature');
    expect(await readFile(join(other, 'devcontainer-feature.json'), 'utf8')).toContain('Another installer');
  });
});

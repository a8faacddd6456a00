import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Arch, ArtifactManifest, PublishedArtifact } from '@cpython-prebuilt/core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { featureCoverage, parseEmbeddedManifest, requireDefaultArtifacts } from './coverage.ts';
import { FEATURE_ARCHITECTURES } from './options.ts';
import { INSTALL_MODULES_DIR, renderFeature } from './render.ts';
import { writeFeatureFiles } from './write.ts';

const entry = (version: string, arch: Arch): PublishedArtifact => ({
  version,
  build: 1,
  base: 'ubuntu20.04',
  arch,
  glibcMinimum: '2.30',
  file: `cpython-${version}-ubuntu20.04-${arch}-build1.tgz`,
  sha256: 'c'.repeat(64),
  url: `https://example.org/cpython-${version}-ubuntu20.04-${arch}-build1.tgz`,
  sizeBytes: 1000,
  location: 'GitHub Release',
  publishedAt: '2026-11-29',
});

async function collection(manifest: ArtifactManifest): Promise<string> {
  const src = await mkdtemp(join(tmpdir(), 'coverage-'));
  onTestFinished(() => rm(src, { recursive: true, force: true }));
  await writeFeatureFiles(
    join(src, 'installer'),
    renderFeature({ manifest, featureReference: './installer', version: '1.0.0' }).files,
  );
  return src;
}

describe('default-version coverage of a feature collection', () => {
  it('reads the embedded manifest back from install.sh', async () => {
    const src = await collection({ artifacts: [entry('3.13.5', 'x86_64'), entry('3.13.5', 'aarch64')] });
    const embedded = parseEmbeddedManifest(await readFile(join(src, 'installer', 'install.sh'), 'utf8'));
    expect(embedded.map((artifact) => `${artifact.version} ${artifact.arch} ${artifact.build}`)).toEqual([
      '3.13.5 x86_64 1',
      '3.13.5 aarch64 1',
    ]);
  });

  it('refuses an empty manifest, naming every claimed architecture', async () => {
    const src = await collection({ artifacts: [] });
    await expect(requireDefaultArtifacts(src)).rejects.toMatchObject({
      code: 'MANIFEST_INCOMPLETE',
      message: expect.stringMatching(
        /default version 3\.\d+\.\d+ on x86_64, aarch64 \(its embedded manifest holds no artifact at all\)/,
      ),
    });
  });

  it('refuses an x86_64-only default version, naming aarch64 and what it has', async () => {
    const src = await collection({ artifacts: [entry('3.13.5', 'x86_64'), entry('3.11.2', 'aarch64')] });
    await expect(requireDefaultArtifacts(src)).rejects.toMatchObject({
      code: 'MANIFEST_INCOMPLETE',
      message: expect.stringContaining(
        'default version 3.13.5 on aarch64 (its embedded manifest holds 3.13.5 x86_64, 3.11.2 aarch64)',
      ),
    });
  });

  it('accepts a default version present on every claimed architecture', async () => {
    const src = await collection({ artifacts: [entry('3.13.5', 'aarch64'), entry('3.13.5', 'x86_64')] });
    const [coverage] = await requireDefaultArtifacts(src);
    expect(coverage).toMatchObject({ featureId: 'installer', defaultVersion: '3.13.5', missing: [] });
  });

  it("refuses the repository's committed collection while its manifest is empty", async () => {
    const { layout } = await import('@cpython-prebuilt/core');
    const manifest = JSON.parse(await readFile(layout.manifest, 'utf8')) as ArtifactManifest;
    const coverage = await featureCoverage(join(layout.featuresSrcDir, 'installer'));
    const expectedMissing = FEATURE_ARCHITECTURES.filter(
      (arch) => !manifest.artifacts.some((artifact) => artifact.arch === arch && artifact.version === coverage.defaultVersion),
    );
    expect(coverage.missing).toEqual(expectedMissing);
    if (expectedMissing.length > 0) {
      await expect(requireDefaultArtifacts(layout.featuresSrcDir)).rejects.toMatchObject({ code: 'MANIFEST_INCOMPLETE' });
    }
  });

  it("claims exactly the architectures install.sh's detect_arch accepts", async () => {
    const template = await readFile(new URL('checks.sh', INSTALL_MODULES_DIR), 'utf8');
    const detect = /detect_arch\(\) \{([\s\S]*?)\n\}/.exec(template)?.[1] ?? '';
    const accepted = [...detect.matchAll(/^\s+([a-z0-9_ |]+)\) ARCH=([a-z0-9_]+) ;;$/gm)].map((match) => match[2]);
    expect(accepted).toEqual([...FEATURE_ARCHITECTURES]);
  });
});

import { makeTestArtifact } from '@cpython-prebuilt/core/test-artifact';
import { describe, expect, it } from 'vitest';
import { prebuiltOutput } from './benchmarks.ts';

describe('prebuiltOutput', () => {
  it('takes an artifact of the version and base the run measures, with its metadata', async () => {
    const artifact = await makeTestArtifact();
    const output = await prebuiltOutput(artifact.path, { version: '3.13.5', baseId: 'debian11', optimize: true });
    expect(output.artifactPath).toBe(artifact.path);
    expect(output.metadata.sha256).toBe(artifact.sha256);
  });

  it('refuses one that cannot stand in for the build, naming every difference', async () => {
    const plain = await makeTestArtifact({ base: 'debian12', optimizations: { pgo: false, lto: false } });
    await expect(prebuiltOutput(plain.path, { version: '3.12.6', baseId: 'debian11', optimize: true })).rejects.toThrow(
      `${plain.name} cannot stand in for this run's build: CPython 3.13.5, not 3.12.6, built on debian12, not debian11, not a PGO+LTO build`,
    );
    const optimized = await makeTestArtifact();
    await expect(prebuiltOutput(optimized.path, { version: '3.13.5', baseId: 'debian11', optimize: false })).rejects.toThrow(
      'a PGO+LTO build, not OPTIMIZE=0',
    );
  });
});

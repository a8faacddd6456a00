import { loadArtifact } from '@cpython-prebuilt/core';
import { makeTestArtifact } from '@cpython-prebuilt/core/test-artifact';
import { describe, expect, it } from 'vitest';
import { releaseNotes } from './notes.ts';

describe('release notes', () => {
  it('name the optimisations the metadata records: BOLT only when the interpreter was rewritten', async () => {
    const notes = async (optimizations: { pgo: boolean; lto: boolean; bolt?: boolean }) => {
      const artifact = await makeTestArtifact({ optimizations });
      return releaseNotes(await loadArtifact(artifact.path), 'https://example.invalid/a.tgz');
    };
    expect(await notes({ pgo: true, lto: true, bolt: true })).toContain('- **Optimisations**: PGO + LTO + BOLT\n');
    expect(await notes({ pgo: true, lto: true, bolt: false })).toContain('- **Optimisations**: PGO + LTO\n');
    // Metadata written before BOLT existed has no bolt field.
    expect(await notes({ pgo: true, lto: true })).toContain('- **Optimisations**: PGO + LTO\n');
    expect(await notes({ pgo: false, lto: false, bolt: false })).toContain('- **Optimisations**: none (OPTIMIZE=0 build)\n');
  });
});

import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ArtifactMetadata, formatSha256Line } from '@cpython-prebuilt/core';

/** For unit tests: a small stand-in artifact with schema-valid metadata and .sha256 beside it. */
export async function makeTestArtifact(
  content = 'pretend this is a CPython tree',
  base = 'debian11',
): Promise<{ dir: string; path: string; sha256: string; name: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'release-'));
  const name = `cpython-3.13.5-${base}-x86_64-build1.tgz`;
  const path = join(dir, name);
  const bytes = Buffer.from(content);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await writeFile(path, bytes);
  await writeFile(`${path}.sha256`, formatSha256Line(sha256, name));
  const metadata: ArtifactMetadata = {
    schemaVersion: 1,
    artifact: name,
    sha256,
    version: '3.13.5',
    build: 1,
    base,
    baseImage: 'local/debian:bullseye',
    arch: 'x86_64',
    prefix: '/opt/python-3.13.5',
    topDirectory: 'python-3.13.5',
    glibcMinimum: '2.30',
    configureArgs: '--enable-shared',
    compiler: 'GCC 10.2.1',
    optimizations: { pgo: true, lto: true },
    keepTests: false,
    extensionModules: ['_ssl'],
    bundledLibraries: [{ name: 'libssl.so.1.1', from: '/usr/lib/x86_64-linux-gnu/libssl.so.1.1' }],
    source: { url: 'https://www.python.org/ftp/python/3.13.5/Python-3.13.5.tar.xz', sha256: '9'.repeat(64) },
    sizes: { compressedBytes: bytes.length, installedBytes: 100, fileCount: 1 },
    buildSeconds: 1,
    phaseSeconds: {},
    backend: 'docker',
    sourceDateEpoch: 1749600000,
  };
  await writeFile(join(dir, name.replace('.tgz', '.json')), JSON.stringify(metadata));
  return { dir, path, sha256, name };
}

import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatSha256Line } from './checksum.ts';
import type { ArtifactMetadata } from './schemas/metadata.ts';

export interface TestArtifactOptions {
  /** Folder to write into; a new temporary one when omitted. */
  dir?: string;
  content?: string;
  base?: string;
  baseImage?: string;
  arch?: ArtifactMetadata['arch'];
  compiler?: string;
  optimizations?: ArtifactMetadata['optimizations'];
  bundledLibraries?: ArtifactMetadata['bundledLibraries'];
  /** Build figures (time, phases, disk) as a real build records them. */
  figures?: Pick<ArtifactMetadata, 'buildSeconds' | 'phaseSeconds' | 'disk'>;
}

/**
 * For unit tests: a small stand-in artifact (cpython-3.13.5-<base>-<arch>-build1.tgz) with
 * schema-valid metadata and its .sha256 beside it, as `loadArtifact` expects.
 */
export async function makeTestArtifact(
  options: TestArtifactOptions = {},
): Promise<{ dir: string; path: string; sha256: string; name: string }> {
  const base = options.base ?? 'debian11';
  const arch = options.arch ?? 'x86_64';
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'release-')));
  const name = `cpython-3.13.5-${base}-${arch}-build1.tgz`;
  const path = join(dir, name);
  const bytes = Buffer.from(options.content ?? 'pretend this is a CPython tree');
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
    baseImage: options.baseImage ?? 'local/debian:bullseye',
    arch,
    prefix: '/opt/python-3.13.5',
    topDirectory: 'python-3.13.5',
    glibcMinimum: '2.30',
    configureArgs: '--enable-shared',
    compiler: options.compiler ?? 'GCC 10.2.1',
    optimizations: options.optimizations ?? { pgo: true, lto: true },
    keepTests: false,
    extensionModules: ['_ssl'],
    bundledLibraries: options.bundledLibraries ?? [{ name: 'libssl.so.1.1', from: '/usr/lib/x86_64-linux-gnu/libssl.so.1.1' }],
    source: { url: 'https://www.python.org/ftp/python/3.13.5/Python-3.13.5.tar.xz', sha256: '9'.repeat(64) },
    sizes: { compressedBytes: bytes.length, installedBytes: 100, fileCount: 1 },
    buildSeconds: 1,
    phaseSeconds: {},
    ...options.figures,
    backend: 'docker',
    sourceDateEpoch: 1749600000,
  };
  await writeFile(join(dir, name.replace('.tgz', '.json')), JSON.stringify(metadata));
  return { dir, path, sha256, name };
}

import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { ArtifactMetadata, ValidationReport } from '@cpython-prebuilt/core';
import { createWorkspace } from '@cpython-prebuilt/harness';
import { cpythonPrebuilt } from '@cpython-prebuilt/test-fixtures';
import { describe, expect, inject, it, onTestFinished } from 'vitest';

const readJson = async (path: string): Promise<unknown> => JSON.parse(await readFile(path, 'utf8'));

/**
 * The fast aarch64 checks every `make test` runs: the aarch64 fixture is cross-compiled in this
 * run (OPTIMIZE=0, the builder's route on x86_64), then validated and installed in arm64
 * containers under qemu-user-static. `make test-aarch64` adds the other arm64 images and the
 * release job with both architectures.
 */
describe('an aarch64 3.13.5 cross-compiled on x86_64 in this run', () => {
  it('is named and described as aarch64, with aarch64 libraries and the same modules as x86_64', async () => {
    const artifactPath = inject('artifacts').python313Aarch64;
    expect(basename(artifactPath)).toBe('cpython-3.13.5-debian11-aarch64-build1.tgz');
    const metadata = ArtifactMetadata.parse(await readJson(artifactPath.replace(/\.tgz$/, '.json')));
    expect(metadata).toMatchObject({ arch: 'aarch64', base: 'debian11', baseImage: 'local/debian:bullseye' });
    expect(metadata.configureArgs).toContain("'--host=aarch64-linux-gnu'");
    expect(metadata.bundledLibraries.map((library) => library.name)).toEqual(
      expect.arrayContaining(['libffi.so.7', 'libssl.so.3', 'libcrypto.so.3', 'libtk8.6.so']),
    );
    // OpenSSL is built from its pin with the cross compiler; the rest are the arm64 packages
    // (multiarch), not the build machine's.
    const [pinned, packaged] = [
      metadata.bundledLibraries.filter((library) => library.pinned),
      metadata.bundledLibraries.filter((library) => !library.pinned),
    ];
    expect(pinned.map((library) => [library.name, library.pinned?.name]).sort()).toEqual([
      ['libcrypto.so.3', 'openssl'],
      ['libssl.so.3', 'openssl'],
    ]);
    for (const library of packaged) expect(library.from).toMatch(/^\/(usr\/)?lib\/aarch64-linux-gnu\//);
    for (const library of packaged) expect(library.package?.name, library.name).toMatch(/:arm64$/);
    // Nothing lost to cross-compiling: the module set of the native build of the same source.
    const native = ArtifactMetadata.parse(await readJson(inject('artifacts').python313.replace(/\.tgz$/, '.json')));
    expect(metadata.extensionModules).toEqual(native.extensionModules);
  });

  it('passes validate-cpython on arm64 bullseye (the glibc floor)', async () => {
    const image = 'local/debian:bullseye-arm64';
    const result = await cpythonPrebuilt(['validate', inject('artifacts').python313Aarch64, '--image', image, '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const report = ValidationReport.parse(JSON.parse(result.stdout));
    expect(report.runs.map((run) => [run.image, run.ok])).toEqual([
      ['host', true],
      [image, true],
    ]);
    // Inside the image the interpreter ran (version and prefix), not only the archive was read.
    expect(report.runs[1]?.checks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'version', ok: true, detail: 'Python 3.13.5' }),
        expect.objectContaining({ name: 'import ssl', ok: true }),
      ]),
    );
  });

  it('installs with the feature in an arm64 dev container built by the devcontainers CLI', async () => {
    const workspace = await createWorkspace({
      image: 'local/debian:bookworm-arm64',
      // Both architectures vendored: install.sh picks by `uname -m`.
      artifactPaths: [inject('artifacts').python313, inject('artifacts').python313Aarch64],
    });
    onTestFinished(() => workspace.dispose());
    await workspace.up();
    const result = await workspace.exec([
      'python3',
      '-c',
      'import platform, sys, ssl, sqlite3, ctypes; print(platform.machine(), sys.prefix, sys.version.split()[0])',
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe('aarch64 /opt/python-3.13.5 3.13.5');
  });
});

import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as CDX from '@cyclonedx/cyclonedx-library';
import { create } from 'tar';
import { describe, expect, it } from 'vitest';
import { artifactSbom, readArtifactSbom, type SbomInput, sbomTable } from './sbom.ts';

const input: SbomInput = {
  version: '3.13.5',
  build: 3,
  base: 'debian11',
  arch: 'x86_64',
  source: { url: 'https://www.python.org/ftp/python/3.13.5/Python-3.13.5.tar.xz', sha256: 'a'.repeat(64) },
  bundledLibraries: [
    {
      name: 'libssl.so.1.1',
      from: '/usr/lib/x86_64-linux-gnu/libssl.so.1.1',
      package: { name: 'libssl1.1:amd64', version: '1.1.1w-0+deb11u1', source: 'openssl', sourceVersion: '1.1.1w-0+deb11u1' },
    },
    { name: 'libmystery.so.2', from: '/opt/vendor/libmystery.so.2' },
    {
      name: 'libcrypto.so.3',
      from: '/tmp/cpython-build-libraries/lib/libcrypto.so.3',
      pinned: { name: 'openssl', version: '3.5.7' },
    },
  ],
  fileSha256: { 'libssl.so.1.1': '1'.repeat(64), 'libmystery.so.2': '2'.repeat(64), 'libcrypto.so.3': '3'.repeat(64) },
  compiler: 'GCC 14.2.0',
  sourceDateEpoch: 1_749_513_600,
};

describe('artifactSbom', () => {
  it('describes CPython and each bundled library with its package URL, version, source package and licence file', () => {
    const bom = JSON.parse(artifactSbom(input));
    expect(bom.bomFormat).toBe('CycloneDX');
    expect(bom.specVersion).toBe('1.6');
    expect(bom.metadata.timestamp).toBe('2025-06-10T00:00:00.000Z');
    expect(bom.metadata.component).toMatchObject({
      type: 'application',
      name: 'cpython',
      version: '3.13.5',
      hashes: [{ alg: 'SHA-256', content: 'a'.repeat(64) }],
      licenses: [{ license: { id: 'PSF-2.0' } }],
    });
    const ssl = bom.components.find((component: { name: string }) => component.name === 'libssl1.1');
    expect(ssl).toMatchObject({
      type: 'library',
      version: '1.1.1w-0+deb11u1',
      purl: 'pkg:deb/debian/libssl1.1@1.1.1w-0%2Bdeb11u1?arch=amd64&distro=debian-11',
    });
    expect(ssl.properties).toEqual(
      expect.arrayContaining([
        { name: 'cpython-prebuilt:file', value: 'lib/libssl.so.1.1' },
        { name: 'cpython-prebuilt:license-file', value: 'share/licenses/libssl1.1/copyright' },
        { name: 'cpython-prebuilt:source-package', value: 'openssl 1.1.1w-0+deb11u1' },
      ]),
    );
    expect(ssl.hashes).toEqual([{ alg: 'SHA-256', content: '1'.repeat(64) }]);
    expect(bom.metadata.component.properties).toContainEqual({ name: 'cpython-prebuilt:compiler', value: 'GCC 14.2.0' });
    // A library no package installed is still listed, without a version it cannot know.
    expect(bom.components.find((component: { name: string }) => component.name === 'libmystery.so.2')).not.toHaveProperty(
      'version',
    );
  });

  it("describes a library built from its pin: source URL and sha256, SPDX licence, compiler, the shipped file's sha256", () => {
    const bom = JSON.parse(artifactSbom(input));
    const crypto = bom.components.find((component: { name: string }) => component.name === 'openssl');
    expect(crypto).toMatchObject({
      type: 'library',
      version: '3.5.7',
      purl: `pkg:generic/openssl@3.5.7?download_url=${encodeURIComponent('https://github.com/openssl/openssl/releases/download/openssl-3.5.7/openssl-3.5.7.tar.gz')}`,
      licenses: [{ license: { id: 'Apache-2.0' } }],
      hashes: [{ alg: 'SHA-256', content: '3'.repeat(64) }],
      externalReferences: [
        {
          type: 'distribution',
          url: 'https://github.com/openssl/openssl/releases/download/openssl-3.5.7/openssl-3.5.7.tar.gz',
          hashes: [{ alg: 'SHA-256', content: 'a8c0d28a529ca480f9f36cf5792e2cd21984552a3c8e4aa11a24aa31aeac98e8' }],
        },
      ],
    });
    expect(crypto.properties).toEqual(
      expect.arrayContaining([
        { name: 'cpython-prebuilt:file', value: 'lib/libcrypto.so.3' },
        { name: 'cpython-prebuilt:license-file', value: 'share/licenses/openssl/LICENSE.txt' },
        { name: 'cpython-prebuilt:compiler', value: 'GCC 14.2.0' },
      ]),
    );
  });

  it('refuses a library built from a version no pin names, and a bundled file that was not hashed', () => {
    const unpinned = { name: 'libssl.so.3', from: '/x/libssl.so.3', pinned: { name: 'openssl', version: '3.0.1' } };
    expect(() => artifactSbom({ ...input, bundledLibraries: [unpinned], fileSha256: { 'libssl.so.3': 'f'.repeat(64) } })).toThrow(
      /openssl 3.0.1, which no pin names/,
    );
    expect(() => artifactSbom({ ...input, fileSha256: {} })).toThrow(/lib\/libssl.so.1.1 is bundled but was not hashed/);
  });

  it('is reproducible (no serial number, the build epoch for time) and valid CycloneDX 1.6', async () => {
    expect(artifactSbom(input)).toBe(artifactSbom(input));
    expect(JSON.parse(artifactSbom(input))).not.toHaveProperty('serialNumber');
    const validator = new CDX.Validation.JsonStrictValidator(CDX.Spec.Version.v1dot6);
    expect(await validator.validate(artifactSbom(input))).toBeNull();
  });

  it('names an Ubuntu base and an arm64 build in the package URL', () => {
    const bom = JSON.parse(
      artifactSbom({
        ...input,
        base: 'ubuntu20.04',
        arch: 'aarch64',
        bundledLibraries: [
          {
            ...input.bundledLibraries[0],
            package: { ...input.bundledLibraries[0]?.package, name: 'libssl1.1' },
          } as SbomInput['bundledLibraries'][number],
        ],
      }),
    );
    expect(bom.components[0].purl).toBe('pkg:deb/ubuntu/libssl1.1@1.1.1w-0%2Bdeb11u1?arch=arm64&distro=ubuntu-20.04');
  });
});

describe('cpython-prebuilt sbom (readArtifactSbom, sbomTable)', () => {
  async function artifactWith(files: Record<string, string>): Promise<string> {
    const work = await mkdtemp(join(tmpdir(), 'sbom-read-'));
    for (const [path, content] of Object.entries(files)) {
      await mkdir(join(work, path, '..'), { recursive: true });
      await writeFile(join(work, path), content);
    }
    const file = join(work, 'cpython-3.13.5-debian11-x86_64-build3.tgz');
    await create({ gzip: true, file, cwd: work }, ['python-3.13.5']);
    return file;
  }

  it('reads the SBOM out of the .tgz and prints one line per file: component, version, licence, sha256, origin', async () => {
    const document = artifactSbom(input);
    const file = await artifactWith({
      'python-3.13.5/bin/python3': 'elf',
      'python-3.13.5/share/sbom/cpython.cdx.json': document,
    });
    const { document: read, rows } = await readArtifactSbom(file);
    expect(read).toBe(document);
    expect(rows[0]).toMatchObject({ component: 'cpython', version: '3.13.5', license: 'PSF-2.0', file: 'python-3.13.5' });
    expect(rows.find((row) => row.file === 'lib/libcrypto.so.3')).toEqual({
      component: 'openssl',
      version: '3.5.7',
      license: 'Apache-2.0',
      file: 'lib/libcrypto.so.3',
      origin: 'https://github.com/openssl/openssl/releases/download/openssl-3.5.7/openssl-3.5.7.tar.gz',
      sha256: '3'.repeat(64),
    });
    expect(rows.find((row) => row.file === 'lib/libssl.so.1.1')).toMatchObject({
      license: 'see share/licenses/libssl1.1/copyright',
      origin: 'deb openssl 1.1.1w-0+deb11u1',
    });
    const table = sbomTable(rows).split('\n');
    expect(table[0]).toMatch(/^FILE\s+COMPONENT\s+VERSION\s+LICENCE\s+SHA256\s+FROM$/);
    expect(table.find((line) => line.startsWith('lib/libcrypto.so.3'))).toMatch(
      /^lib\/libcrypto\.so\.3\s+openssl\s+3\.5\.7\s+Apache-2\.0\s+333333333333\s+https:\/\/github\.com\/openssl/,
    );
  });

  it('names the artifact and the fix when it carries no SBOM, or is not a tar.gz', async () => {
    const file = await artifactWith({ 'python-3.13.5/bin/python3': 'elf' });
    await expect(readArtifactSbom(file)).rejects.toMatchObject({
      code: 'ARTIFACT_INVALID',
      message: `${file} carries no share/sbom/cpython.cdx.json`,
    });
    const junk = join(await mkdtemp(join(tmpdir(), 'sbom-read-')), 'junk.tgz');
    await writeFile(junk, 'not a tarball');
    await expect(readArtifactSbom(junk)).rejects.toMatchObject({ code: 'ARTIFACT_INVALID' });
  });
});

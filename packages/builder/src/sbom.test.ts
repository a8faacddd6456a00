import * as CDX from '@cyclonedx/cyclonedx-library';
import { describe, expect, it } from 'vitest';
import { artifactSbom, type SbomInput } from './sbom.ts';

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
  ],
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
    // A library no package installed is still listed, without a version it cannot know.
    expect(bom.components.find((component: { name: string }) => component.name === 'libmystery.so.2')).not.toHaveProperty(
      'version',
    );
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

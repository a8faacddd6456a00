import type { Arch, BundledLibrary } from '@cpython-prebuilt/core';
import * as CDX from '@cyclonedx/cyclonedx-library';

/** Where the SBOM lives inside the artifact's tree (beside share/licenses/). */
export const SBOM_PATH = 'share/sbom/cpython.cdx.json';

export interface SbomInput {
  version: string;
  build: number;
  /** The build base (debian11, ubuntu20.04): the distribution the bundled packages come from. */
  base: string;
  arch: Arch;
  source: { url: string; sha256: string };
  bundledLibraries: BundledLibrary[];
  /** The build's SOURCE_DATE_EPOCH: the SBOM's timestamp, so the same inputs give the same bytes. */
  sourceDateEpoch: number;
}

const DEBIAN_ARCH: Record<Arch, string> = { x86_64: 'amd64', aarch64: 'arm64' };

/** debian11 -> debian / debian-11; ubuntu20.04 -> ubuntu / ubuntu-20.04. */
function distro(base: string): { namespace: string; qualifier: string } {
  const match = /^([a-z]+)([\d.]+)$/.exec(base);
  if (!match?.[1] || !match[2]) return { namespace: base, qualifier: base };
  return { namespace: match[1], qualifier: `${match[1]}-${match[2]}` };
}

/** A package URL (purl-spec's deb type) for a dpkg package of the base. */
function debPurl(packageName: string, version: string, input: SbomInput): string {
  const [name = packageName, arch = DEBIAN_ARCH[input.arch]] = packageName.split(':');
  const { namespace, qualifier } = distro(input.base);
  return `pkg:deb/${namespace}/${name}@${encodeURIComponent(version)}?arch=${arch}&distro=${qualifier}`;
}

/**
 * The artifact's software bill of materials, CycloneDX 1.6 JSON: CPython (its source URL and
 * sha256) as the described component, and every library bundled in lib/ with the distribution
 * package, version and source package it came from, and where its licence text is in the tree.
 * No serial number and a fixed timestamp: the same build inputs give the same bytes.
 */
export function artifactSbom(input: SbomInput): string {
  const bom = new CDX.Models.Bom();
  bom.metadata.timestamp = new Date(input.sourceDateEpoch * 1000);
  const cpythonPurl = `pkg:generic/cpython@${input.version}?download_url=${encodeURIComponent(input.source.url)}`;
  const cpython = new CDX.Models.Component(CDX.Enums.ComponentType.Application, 'cpython', {
    bomRef: cpythonPurl,
    version: input.version,
    purl: cpythonPurl,
    licenses: new CDX.Models.LicenseRepository([new CDX.Models.SpdxLicense('PSF-2.0')]),
    properties: new CDX.Models.PropertyRepository([
      new CDX.Models.Property('cpython-prebuilt:build', String(input.build)),
      new CDX.Models.Property('cpython-prebuilt:base', input.base),
      new CDX.Models.Property('cpython-prebuilt:arch', input.arch),
      new CDX.Models.Property('cpython-prebuilt:license-file', 'share/licenses/cpython/LICENSE.txt'),
    ]),
  });
  cpython.hashes.set(CDX.Enums.HashAlgorithm['SHA-256'], input.source.sha256);
  bom.metadata.component = cpython;
  for (const library of input.bundledLibraries) {
    // Not the path it was copied from: a VM and a container with the same packages give the same bytes.
    const properties = [new CDX.Models.Property('cpython-prebuilt:file', `lib/${library.name}`)];
    const { package: owner } = library;
    if (!owner) {
      bom.components.add(
        new CDX.Models.Component(CDX.Enums.ComponentType.Library, library.name, {
          bomRef: `file:lib/${library.name}`,
          properties: new CDX.Models.PropertyRepository(properties),
        }),
      );
      continue;
    }
    const purl = debPurl(owner.name, owner.version, input);
    properties.push(
      new CDX.Models.Property('cpython-prebuilt:license-file', `share/licenses/${owner.name.split(':')[0]}/copyright`),
      new CDX.Models.Property('cpython-prebuilt:source-package', `${owner.source} ${owner.sourceVersion}`),
    );
    const component = new CDX.Models.Component(CDX.Enums.ComponentType.Library, owner.name.split(':')[0] ?? owner.name, {
      bomRef: `${purl}#${library.name}`,
      version: owner.version,
      purl,
      properties: new CDX.Models.PropertyRepository(properties),
    });
    bom.components.add(component);
    cpython.dependencies.add(component.bomRef);
  }
  const serializer = new CDX.Serialize.JsonSerializer(new CDX.Serialize.JSON.Normalize.Factory(CDX.Spec.Spec1dot6));
  return `${serializer.serialize(bom, { sortLists: true, space: 2 })}\n`;
}

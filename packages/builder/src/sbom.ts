import { type Arch, type BundledLibrary, CpythonPrebuiltError, pinnedLibraries } from '@cpython-prebuilt/core';
import * as CDX from '@cyclonedx/cyclonedx-library';
import { list, type ReadEntry } from 'tar';

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
  /** sha256 of each bundled file as it is in the artifact's lib/, by file name. */
  fileSha256: Record<string, string>;
  /** The compiler the build reports (platform.python_compiler()): CPython's and the pinned libraries'. */
  compiler: string;
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

/** A library built from a pinned source: its tarball (URL, sha256) and SPDX licence. */
function pinnedComponent(
  library: BundledLibrary,
  pinned: NonNullable<BundledLibrary['pinned']>,
  input: SbomInput,
): CDX.Models.Component {
  const pin = pinnedLibraries.find((candidate) => candidate.name === pinned.name && candidate.version === pinned.version);
  if (!pin) {
    throw new CpythonPrebuiltError(
      'BUILD_FAILED',
      `lib/${library.name} was built from ${pinned.name} ${pinned.version}, which no pin names`,
      {
        fix: 'build_libraries.sh and packages/core/src/schemas/libraries.ts disagree: build again from one checkout',
      },
    );
  }
  const purl = `pkg:generic/${pin.name}@${pin.version}?download_url=${encodeURIComponent(pin.url)}`;
  const distribution = new CDX.Models.ExternalReference(pin.url, CDX.Enums.ExternalReferenceType.Distribution, {
    comment: pin.debian.repack ? `Debian's repack ${pin.debian.file}` : `the same bytes as Debian's ${pin.debian.file}`,
  });
  distribution.hashes.set(CDX.Enums.HashAlgorithm['SHA-256'], pin.sha256);
  return new CDX.Models.Component(CDX.Enums.ComponentType.Library, pin.name, {
    bomRef: `${purl}#${library.name}`,
    version: pin.version,
    purl,
    licenses: new CDX.Models.LicenseRepository([new CDX.Models.SpdxLicense(pin.license)]),
    externalReferences: new CDX.Models.ExternalReferenceRepository([distribution]),
    properties: new CDX.Models.PropertyRepository([
      new CDX.Models.Property('cpython-prebuilt:file', `lib/${library.name}`),
      new CDX.Models.Property('cpython-prebuilt:license-file', `share/licenses/${pin.name}/${pin.licenseFile}`),
      new CDX.Models.Property('cpython-prebuilt:built-from', 'pinned source'),
      new CDX.Models.Property('cpython-prebuilt:compiler', input.compiler),
    ]),
  });
}

/**
 * The artifact's software bill of materials, CycloneDX 1.6 JSON: CPython (its source URL and
 * sha256, the compiler) as the described component, and every library bundled in lib/ with the
 * sha256 of the file shipped, and where it came from: a pinned source built with the same compiler
 * (its tarball's URL and sha256, SPDX licence), or a distribution package (name, version, source
 * package); and where its licence text is in the tree.
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
      new CDX.Models.Property('cpython-prebuilt:compiler', input.compiler),
    ]),
  });
  cpython.hashes.set(CDX.Enums.HashAlgorithm['SHA-256'], input.source.sha256);
  bom.metadata.component = cpython;
  const add = (component: CDX.Models.Component, library: BundledLibrary) => {
    const sha256 = input.fileSha256[library.name];
    if (!sha256) {
      throw new CpythonPrebuiltError('BUILD_FAILED', `lib/${library.name} is bundled but was not hashed for the SBOM`, {
        fix: 'the tree changed between bundling and packing: build again',
      });
    }
    component.hashes.set(CDX.Enums.HashAlgorithm['SHA-256'], sha256);
    bom.components.add(component);
    cpython.dependencies.add(component.bomRef);
  };
  for (const library of input.bundledLibraries) {
    if (library.pinned) {
      add(pinnedComponent(library, library.pinned, input), library);
      continue;
    }
    // Not the path it was copied from: a VM and a container with the same packages give the same bytes.
    const properties = [new CDX.Models.Property('cpython-prebuilt:file', `lib/${library.name}`)];
    const { package: owner } = library;
    if (!owner) {
      add(
        new CDX.Models.Component(CDX.Enums.ComponentType.Library, library.name, {
          bomRef: `file:lib/${library.name}`,
          properties: new CDX.Models.PropertyRepository(properties),
        }),
        library,
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
    add(component, library);
  }
  const serializer = new CDX.Serialize.JsonSerializer(new CDX.Serialize.JSON.Normalize.Factory(CDX.Spec.Spec1dot6));
  return `${serializer.serialize(bom, { sortLists: true, space: 2 })}\n`;
}

/** One line of `cpython-prebuilt sbom`: a component of an artifact's SBOM. */
export interface SbomRow {
  component: string;
  version: string;
  license: string;
  /** The file in the tree (lib/libssl.so.3), or the tree itself for CPython. */
  file: string;
  /** Where it came from: a source URL, or a distribution package. */
  origin: string;
  sha256: string;
}

interface CdxComponent {
  name?: string;
  version?: string;
  purl?: string;
  hashes?: { alg?: string; content?: string }[];
  licenses?: { license?: { id?: string; name?: string }; expression?: string }[];
  externalReferences?: { type?: string; url?: string }[];
  properties?: { name: string; value: string }[];
}

function rowOf(component: CdxComponent, file: string): SbomRow {
  const properties = Object.fromEntries((component.properties ?? []).map((entry) => [entry.name, entry.value]));
  const distribution = component.externalReferences?.find((reference) => reference.type === 'distribution')?.url;
  const license = (component.licenses ?? [])
    .map((entry) => entry.license?.id ?? entry.license?.name ?? entry.expression)
    .filter(Boolean)
    .join(' ');
  return {
    component: component.name ?? '?',
    version: component.version ?? '-',
    license:
      license || (properties['cpython-prebuilt:license-file'] ? `see ${properties['cpython-prebuilt:license-file']}` : '-'),
    file: properties['cpython-prebuilt:file'] ?? file,
    origin:
      distribution ??
      (properties['cpython-prebuilt:source-package'] ? `deb ${properties['cpython-prebuilt:source-package']}` : undefined) ??
      (component.purl?.includes('download_url=')
        ? decodeURIComponent(component.purl.split('download_url=')[1] ?? '')
        : (component.purl ?? '-')),
    sha256: component.hashes?.find((hash) => hash.alg === 'SHA-256')?.content ?? '-',
  };
}

/**
 * The SBOM an artifact carries (share/sbom/cpython.cdx.json inside its one top directory), read
 * from the .tgz without extracting it: the document as it is, and one row per component.
 */
export async function readArtifactSbom(file: string): Promise<{ document: string; rows: SbomRow[] }> {
  const chunks: Buffer[] = [];
  let found = '';
  await list({
    file,
    strict: true,
    filter: (path) => /^[^/]+\/share\/sbom\/cpython\.cdx\.json$/.test(path),
    onReadEntry: (entry: ReadEntry) => {
      found = entry.path;
      entry.on('data', (chunk: Buffer) => chunks.push(chunk));
    },
  }).catch((error: unknown) => {
    throw new CpythonPrebuiltError('ARTIFACT_INVALID', `${file} is not a readable .tgz: ${(error as Error).message}`, {
      fix: 'pass a cpython-<version>-<base>-<arch>-build<N>.tgz; download it again if it is truncated',
    });
  });
  if (!found) {
    throw new CpythonPrebuiltError('ARTIFACT_INVALID', `${file} carries no ${SBOM_PATH}`, {
      fix: 'artifacts built before the SBOM was added have none: use a newer build of the same version',
    });
  }
  const document = Buffer.concat(chunks).toString('utf8');
  let bom: { metadata?: { component?: CdxComponent }; components?: CdxComponent[] };
  try {
    bom = JSON.parse(document);
  } catch (error) {
    throw new CpythonPrebuiltError('ARTIFACT_INVALID', `${found} in ${file} is not JSON: ${(error as Error).message}`, {
      fix: 'the artifact is damaged: download it again and check its sha256 (cpython-prebuilt verify-artifact)',
    });
  }
  const rows = [
    ...(bom.metadata?.component ? [rowOf(bom.metadata.component, found.split('/')[0] ?? '')] : []),
    ...(bom.components ?? []).map((component) => rowOf(component, '-')).sort((a, b) => a.file.localeCompare(b.file)),
  ];
  return { document, rows };
}

/** The rows as an aligned text table, sha256 shortened to 12 digits. */
export function sbomTable(rows: SbomRow[]): string {
  const header: SbomRow = {
    component: 'COMPONENT',
    version: 'VERSION',
    license: 'LICENCE',
    file: 'FILE',
    origin: 'FROM',
    sha256: 'SHA256',
  };
  const cells = [header, ...rows].map((row) => [
    row.file,
    row.component,
    row.version,
    row.license,
    row.sha256 === 'SHA256' ? row.sha256 : row.sha256.slice(0, 12),
    row.origin,
  ]);
  const widths = cells[0]?.map((_, column) => Math.max(...cells.map((line) => (line[column] ?? '').length))) ?? [];
  return `${cells.map((line) => line.map((cell, column) => (column === line.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ')).join('\n')}\n`;
}

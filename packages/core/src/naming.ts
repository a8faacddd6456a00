import { CpythonPrebuiltError } from './errors.ts';
import type { Arch } from './schemas/common.ts';

export interface ArtifactName {
  version: string;
  base: string;
  arch: Arch;
  build: number;
}

const ARTIFACT_PATTERN = /^cpython-(3\.\d+\.\d+)-([a-z]+\d+(?:\.\d+)?)-(x86_64|aarch64)-build(\d+)\.tgz$/;

/** `cpython-<version>-<base>-<arch>-build<N>.tgz` */
export function artifactFileName(name: ArtifactName): string {
  if (!Number.isInteger(name.build) || name.build < 1) {
    throw new CpythonPrebuiltError('INVALID_INPUT', `build number must be a positive integer, got ${name.build}`, {
      fix: 'pass BUILD=1 for the first build of a version, and increase it for each rebuild',
    });
  }
  return `cpython-${name.version}-${name.base}-${name.arch}-build${name.build}.tgz`;
}

export function parseArtifactFileName(fileName: string): ArtifactName {
  const match = ARTIFACT_PATTERN.exec(fileName);
  if (!match?.[1] || !match[2] || !match[3] || !match[4]) {
    throw new CpythonPrebuiltError('INVALID_INPUT', `"${fileName}" is not an artifact name`, {
      fix: 'artifacts are named cpython-<version>-<base>-<arch>-build<N>.tgz, e.g. cpython-3.13.5-debian11-x86_64-build1.tgz',
    });
  }
  return { version: match[1], base: match[2], arch: match[3] as Arch, build: Number(match[4]) };
}

export const sha256FileName = (artifact: string): string => `${artifact}.sha256`;
/** The symbols archive beside an artifact: its debug information, in build-id layout under lib/debug. */
export const debugArchiveFileName = (artifact: string): string => artifact.replace(/\.tgz$/, '.debug.tgz');
export const metadataFileName = (artifact: string): string => artifact.replace(/\.tgz$/, '.json');
export const validationReportFileName = (artifact: string): string => artifact.replace(/\.tgz$/, '.validation.json');
/** The single top directory of every artifact. */
export const topDirectoryName = (version: string): string => `python-${version}`;
export const defaultPrefix = (version: string): string => `/opt/python-${version}`;

/** Docker and OCI name architectures differently: amd64 and arm64. */
const dockerArchitectures: Record<Arch, string> = { x86_64: 'amd64', aarch64: 'arm64' };

export function dockerArchitecture(arch: Arch): string {
  return dockerArchitectures[arch];
}

/** The `--platform` of an image or container that runs `arch` binaries. */
export function dockerPlatform(arch: Arch): string {
  return `linux/${dockerArchitecture(arch)}`;
}

export function hostArch(): Arch {
  if (process.arch === 'x64') return 'x86_64';
  if (process.arch === 'arm64') return 'aarch64';
  throw new CpythonPrebuiltError('INVALID_INPUT', `unsupported host architecture ${process.arch}`, {
    fix: 'build on an x86_64 or aarch64 host',
  });
}

export interface WheelhouseName {
  /** The project the wheelhouse serves: lowercase letters, digits and single dashes. */
  name: string;
  /** CPython version the wheels were built for: 3.13.5 gives cp313. */
  pythonVersion: string;
  base: string;
  arch: Arch;
  build: number;
}

const WHEELHOUSE_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** cp313 for 3.13.x: the tag of wheels with compiled code for that interpreter. */
export const pythonTag = (version: string): string => `cp${version.split('.').slice(0, 2).join('')}`;

/** `wheelhouse-<name>-cp<XY>-<base>-<arch>-build<N>.tgz` */
export function wheelhouseFileName(name: WheelhouseName): string {
  if (!WHEELHOUSE_NAME.test(name.name)) {
    throw new CpythonPrebuiltError(
      'INVALID_INPUT',
      `wheelhouse name "${name.name}" is not lowercase letters, digits and dashes`,
      {
        fix: 'pass --name with a name such as my-service',
      },
    );
  }
  if (!Number.isInteger(name.build) || name.build < 1) {
    throw new CpythonPrebuiltError('INVALID_INPUT', `build number must be a positive integer, got ${name.build}`, {
      fix: 'pass --build 1 for the first wheelhouse of a set of requirements, and increase it for each rebuild',
    });
  }
  return `wheelhouse-${name.name}-${pythonTag(name.pythonVersion)}-${name.base}-${name.arch}-build${name.build}.tgz`;
}

/** A wheelhouse name from free text (a folder name such as "My_Service"): my-service. */
export function wheelhouseNameFrom(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** The lock beside a wheelhouse: wheelhouse-...-build1.requirements.lock (requirements.lock inside it). */
export const wheelhouseLockFileName = (wheelhouse: string): string => wheelhouse.replace(/\.tgz$/, '.requirements.lock');
export const WHEELHOUSE_LOCK = 'requirements.lock';

import { describe, expect, it } from 'vitest';
import {
  artifactFileName,
  dockerArchitecture,
  dockerPlatform,
  metadataFileName,
  parseArtifactFileName,
  sha256FileName,
  wheelhouseFileName,
  wheelhouseLockFileName,
  wheelhouseNameFrom,
} from './naming.ts';

describe('artifact names', () => {
  it('follows cpython-<version>-<base>-<arch>-build<N>.tgz and parses back', () => {
    const name = artifactFileName({ version: '3.13.5', base: 'ubuntu20.04', arch: 'x86_64', build: 1 });
    expect(name).toBe('cpython-3.13.5-ubuntu20.04-x86_64-build1.tgz');
    expect(parseArtifactFileName(name)).toEqual({ version: '3.13.5', base: 'ubuntu20.04', arch: 'x86_64', build: 1 });
    expect(sha256FileName(name)).toBe(`${name}.sha256`);
    expect(metadataFileName(name)).toBe('cpython-3.13.5-ubuntu20.04-x86_64-build1.json');
  });

  it('rejects build numbers below 1 and names of other shapes', () => {
    expect(() => artifactFileName({ version: '3.13.5', base: 'debian11', arch: 'x86_64', build: 0 })).toThrow(/positive integer/);
    expect(() => parseArtifactFileName('cpython-3.12.6-ubuntu20.04-build1.tgz')).toThrow(/is not an artifact name/);
  });
});

describe('architectures in Docker terms', () => {
  it('maps aarch64 to arm64 and x86_64 to amd64, and names the platform', () => {
    expect(dockerArchitecture('aarch64')).toBe('arm64');
    expect(dockerArchitecture('x86_64')).toBe('amd64');
    expect(dockerPlatform('aarch64')).toBe('linux/arm64');
  });

  it('names aarch64 artifacts the same way', () => {
    const name = artifactFileName({ version: '3.13.5', base: 'debian11', arch: 'aarch64', build: 1 });
    expect(name).toBe('cpython-3.13.5-debian11-aarch64-build1.tgz');
    expect(parseArtifactFileName(name).arch).toBe('aarch64');
  });
});

describe('wheelhouse names', () => {
  it('follows wheelhouse-<name>-cp<XY>-<base>-<arch>-build<N>.tgz, with the lock beside it', () => {
    const name = wheelhouseFileName({ name: 'demo-app', pythonVersion: '3.13.5', base: 'debian11', arch: 'x86_64', build: 2 });
    expect(name).toBe('wheelhouse-demo-app-cp313-debian11-x86_64-build2.tgz');
    expect(wheelhouseLockFileName(name)).toBe('wheelhouse-demo-app-cp313-debian11-x86_64-build2.requirements.lock');
    expect(metadataFileName(name)).toBe('wheelhouse-demo-app-cp313-debian11-x86_64-build2.json');
  });

  it('makes a name from a project folder, and refuses names that would break the file name', () => {
    expect(wheelhouseNameFrom('My_Service.v2')).toBe('my-service-v2');
    expect(() =>
      wheelhouseFileName({ name: 'a b', pythonVersion: '3.13.5', base: 'debian11', arch: 'x86_64', build: 1 }),
    ).toThrow(/lowercase letters, digits and dashes/);
  });
});

import { CpythonPrebuiltError, findBase } from '@cpython-prebuilt/core';
import { describe, expect, it } from 'vitest';
import { buildRoute, crossBuildPackages, gnuTriplet, requireCrossBuildable } from './cross.ts';
import { buildBaseDockerfile, buildBaseTag } from './docker-images.ts';

function thrown(action: () => void): CpythonPrebuiltError {
  try {
    action();
  } catch (error) {
    if (error instanceof CpythonPrebuiltError) return error;
    throw error;
  }
  throw new Error('expected a CpythonPrebuiltError');
}

describe('build routes', () => {
  it('builds the host architecture natively, another cross-compiled unless emulation is asked for', () => {
    expect(buildRoute('x86_64', 'x86_64', false)).toBe('native');
    expect(buildRoute('x86_64', 'x86_64', true)).toBe('native');
    expect(buildRoute('aarch64', 'x86_64', false)).toBe('cross');
    expect(buildRoute('aarch64', 'x86_64', true)).toBe('emulated');
  });

  it('names targets by the GNU triplet Debian uses for cross compilers and library directories', () => {
    expect(gnuTriplet('aarch64')).toBe('aarch64-linux-gnu');
    expect(gnuTriplet('x86_64')).toBe('x86_64-linux-gnu');
  });

  it('refuses a cross-compiled PGO+LTO build, naming OPTIMIZE=0, native runners and emulation', () => {
    const error = thrown(() =>
      requireCrossBuildable({ base: findBase('debian11'), arch: 'aarch64', host: 'x86_64', optimize: true }),
    );
    expect(error.code).toBe('CROSS_BUILD_NO_PGO');
    expect(error.fix).toContain('OPTIMIZE=0');
    expect(error.fix).toContain('EMULATE=1');
  });

  it('refuses a cross build on an Ubuntu base, whose archive serves no arm64 packages', () => {
    const error = thrown(() =>
      requireCrossBuildable({ base: findBase('ubuntu20.04'), arch: 'aarch64', host: 'x86_64', optimize: false }),
    );
    expect(error.code).toBe('CROSS_BUILD_UNSUPPORTED_BASE');
    expect(error.fix).toContain('debian11');
  });

  it('accepts a plain cross build on a Debian base', () => {
    expect(() =>
      requireCrossBuildable({ base: findBase('debian11'), arch: 'aarch64', host: 'x86_64', optimize: false }),
    ).not.toThrow();
  });
});

describe('the cross build base', () => {
  it("installs the base's tools natively, the cross toolchain, and every -dev package for the target", () => {
    const base = findBase('debian11');
    const packages = crossBuildPackages(base, 'aarch64');
    expect(packages).toContain('crossbuild-essential-arm64');
    expect(packages).toContain('patchelf');
    expect(packages).toContain('libedit-dev:arm64');
    expect(packages).toContain('tk-dev:arm64');
    // The native interpreter that runs ensurepip needs zlib to read pip's wheel.
    expect(packages).toContain('zlib1g-dev');
    for (const name of base.packages.filter((name) => name.endsWith('-dev'))) {
      expect(packages).toContain(`${name}:arm64`);
    }
  });

  it('adds the foreign architecture to dpkg before apt-get update', () => {
    const dockerfile = buildBaseDockerfile('local/debian:bullseye', ['libssl-dev:arm64'], 'arm64');
    expect(dockerfile).toContain('RUN dpkg --add-architecture arm64 && apt-get update && apt-get install -y');
    expect(buildBaseDockerfile('local/debian:bullseye', ['libssl-dev'])).not.toContain('dpkg --add-architecture');
  });

  it('is tagged with both architectures, apart from the native and emulated bases', () => {
    expect(buildBaseTag('debian11', 'x86_64', 'abc', 'aarch64')).toBe(
      'cpython-prebuilt/build-base:debian11-x86_64-cross-aarch64-abc',
    );
    expect(buildBaseTag('debian11', 'aarch64', 'abc')).toBe('cpython-prebuilt/build-base:debian11-aarch64-abc');
  });
});

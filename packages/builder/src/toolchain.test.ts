import { spawnSync } from 'node:child_process';
import { findBase, isCpythonPrebuiltError } from '@cpython-prebuilt/core';
import { describe, expect, it } from 'vitest';
import { compilerFor, DEFAULT_GCC14_IMAGE, GCC14_DIR, gcc14Dockerfile, gcc14ImageFor } from './toolchain.ts';

describe('compilerFor', () => {
  const native = { optimize: true, arch: 'x86_64', route: 'native', backend: 'docker' } as const;

  it("gives PGO+LTO x86_64 builds made natively in docker GCC 14, and every other build the base's compiler", () => {
    expect(compilerFor(native)).toBe('gcc-14');
    expect(compilerFor({ ...native, optimize: false })).toBe('base');
    expect(compilerFor({ ...native, backend: 'vagrant' })).toBe('base');
    expect(compilerFor({ ...native, arch: 'aarch64', route: 'cross', optimize: false })).toBe('base');
    expect(compilerFor({ ...native, arch: 'aarch64', route: 'emulated' })).toBe('base');
    expect(compilerFor({ ...native, requested: 'base' })).toBe('base');
    expect(compilerFor({ ...native, optimize: false, requested: 'gcc-14' })).toBe('gcc-14');
  });

  it('refuses GCC 14 asked for where it cannot run, naming the build and the way out', () => {
    let error: unknown;
    try {
      compilerFor({ ...native, backend: 'vagrant', requested: 'gcc-14' });
    } catch (caught) {
      error = caught;
    }
    expect(isCpythonPrebuiltError(error) && error.code).toBe('INVALID_INPUT');
    expect(String((error as Error).message)).toContain('x86_64, native, vagrant');
    expect(isCpythonPrebuiltError(error) && error.fix).toContain('--compiler base');
  });
});

describe('gcc14ImageFor', () => {
  const bullseye = findBase('debian11');
  it('follows the base image to trixie, so a local or mirrored image stays where it came from', () => {
    expect(gcc14ImageFor(bullseye, 'local/debian:bullseye')).toBe('local/debian:trixie');
    expect(gcc14ImageFor(bullseye, '127.0.0.1:5000/library/debian:bullseye')).toBe('127.0.0.1:5000/library/debian:trixie');
  });

  it('takes the image given, and falls back to the default for images it cannot map', () => {
    expect(gcc14ImageFor(bullseye, 'local/debian:bullseye', 'my/trixie:1')).toBe('my/trixie:1');
    expect(gcc14ImageFor(findBase('ubuntu20.04'), 'ubuntu:20.04')).toBe(DEFAULT_GCC14_IMAGE);
  });
});

describe('gcc14Dockerfile', () => {
  const dockerfile = gcc14Dockerfile(
    'cpython-prebuilt/build-base:debian11-x86_64-0123456789ab',
    'cpython-prebuilt/gcc-14:x86_64-ba9876543210',
  );
  const lines = dockerfile.trim().split('\n');

  it('copies trixie /usr beside the build base and puts its bin first in PATH', () => {
    expect(lines[0]).toBe('FROM cpython-prebuilt/build-base:debian11-x86_64-0123456789ab');
    expect(lines[1]).toBe(`COPY --from=cpython-prebuilt/gcc-14:x86_64-ba9876543210 /usr ${GCC14_DIR}/usr`);
    expect(lines[2]).toMatch(new RegExp(`^ENV PATH=${GCC14_DIR}/bin:/usr/local/sbin:.*:/usr/bin:/sbin:/bin$`));
  });

  it("runs as one sh command that sh parses, and moves trixie's libraries out of GCC's search path", () => {
    const run = lines.find((line) => line.startsWith('RUN '))?.slice(4) ?? '';
    const parsed = spawnSync('sh', ['-n', '-c', run], { encoding: 'utf8' });
    expect(parsed.stderr).toBe('');
    expect(parsed.status).toBe(0);
    expect(run).toContain(`mv ${GCC14_DIR}/usr/lib/x86_64-linux-gnu ${GCC14_DIR}/runtime`);
    expect(run).toContain(
      `--set-interpreter ${GCC14_DIR}/runtime/ld-linux-x86-64.so.2 --force-rpath --set-rpath ${GCC14_DIR}/runtime`,
    );
    for (const name of ['gcc', 'cc', 'gcc-ar', 'as', 'ld', 'ar', 'objcopy', 'strip', 'readelf']) {
      expect(run).toMatch(
        new RegExp(`ln -s ${GCC14_DIR}/usr/bin/x86_64-linux-gnu-[^ ]+ ${GCC14_DIR}/bin/${name.replace('+', '\\+')}(;|$)`),
      );
    }
    expect(run).toContain(`ln -s ${GCC14_DIR}/usr/bin/x86_64-linux-gnu-gcc-14 ${GCC14_DIR}/bin/cc;`);
  });
});

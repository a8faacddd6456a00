import { describe, expect, it } from 'vitest';
import type { Benchmarks } from './benchmarks.ts';
import { renderBenchmarks } from './benchmarks-report.ts';
import { summarizeSpeed } from './interpreter-speed.ts';
import { summarize } from './stats.ts';

const build = (compiler: string, sharedLibpython: boolean) => ({
  compiler,
  sharedLibpython,
  enableOptimizations: true,
  withLto: true,
});

function results(
  feature: number[],
  fromSource: number[],
  tarOnly: number[],
  distroGeomean: number,
  mebibytes = { compressed: 46, installed: 137 },
): Benchmarks {
  const runSeconds = {
    'OPTIMIZE=0 build': { calls: [1, 1.1] },
    'PGO+LTO artifact': { calls: [0.9, 0.91] },
    'distribution python3': { calls: [1 / distroGeomean, 1.1 / distroGeomean] },
  };
  return {
    date: '2026-11-28T12:00:00.000Z',
    machine: '2 cores',
    version: '3.13.5',
    base: 'debian11',
    runs: 3,
    slowRuns: 2,
    builder: {
      plain: { seconds: summarize([200, 210]), phases: { compile: 110 } },
      optimized: { seconds: summarize([970, 980]), phases: { compile: 900 } },
    },
    imageInstall: {
      image: 'build-base',
      feature: summarize(feature),
      fromSource: summarize(fromSource),
      fromSourceOptimized: summarize([900, 950]),
      tarOnly: summarize(tarOnly),
      steps: { sha256: 0.2, extract: 4 },
    },
    sizes: {
      artifact: 'cpython-3.13.5-debian11-x86_64-build1.tgz',
      compressedBytes: mebibytes.compressed * 1024 ** 2,
      installedBytes: mebibytes.installed * 1024 ** 2,
      fullInstallBytes: 326 * 1024 ** 2,
      fullInstallTarGzBytes: 101 * 1024 ** 2,
    },
    interpreter: {
      image: 'distro',
      baseline: 'OPTIMIZE=0 build',
      runs: 2,
      versions: { 'OPTIMIZE=0 build': '3.13.5', 'PGO+LTO artifact': '3.13.5', 'distribution python3': '3.13.5' },
      builds: {
        'OPTIMIZE=0 build': build('GCC 10.2.1', true),
        'PGO+LTO artifact': {
          ...build('GCC 10.2.1', true),
          nodistFlags: ['CFLAGS_NODIST=-mstringop-strategy=libcall', 'LDFLAGS_NODIST=-Wl,--emit-relocs'],
          bolt: true,
        },
        'distribution python3': build('GCC 14.2.0', false),
      },
      runSeconds,
      runProcess: {},
      process: {
        'OPTIMIZE=0 build': { startup: 0.02, import: 0.08 },
        'PGO+LTO artifact': { startup: 0.015, import: 0.06 },
        'distribution python3': { startup: 0.012, import: 0.05 },
      },
      ...summarizeSpeed('OPTIMIZE=0 build', runSeconds),
    },
    artifacts: { optimized: { name: 'a.tgz', sha256: 'a'.repeat(64) }, plain: { name: 'a.tgz', sha256: 'b'.repeat(64) } },
  };
}

describe('renderBenchmarks', () => {
  it('reports the ratios the issue asks for, medians with spread, and the reproduce command', () => {
    const text = renderBenchmarks(results([5, 6, 5.5], [150, 160], [4, 4.2, 4.1], 1.25), 'make bench');
    expect(text).toContain('(b)/(a) = **28.2x**');
    expect(text).toContain('(a)/(c) = **1.34**');
    expect(text).toContain('| 5.50 s | 5.00 s - 6.00 s | 3 |');
    expect(text).toContain('2.20x smaller compressed');
    expect(text).toContain('```sh\nmake bench\n```');
  });

  it('says which target is missed and where the install time goes', () => {
    const text = renderBenchmarks(results([20, 21, 22], [150, 160], [4, 4, 4], 1.25), 'x');
    expect(text).toContain('| compile from source / our feature, (b)/(a) | at least 10x | 7.4x | **missed** |');
    expect(text).toContain("| the feature's install step, (a) median | at most 3 s | 21.00 s | **missed** |");
    expect(text).toContain('| the install step over a bare extraction, (a)/(c) | at most 1.3x | 5.25x | **missed** |');
    expect(text).toContain('| artifact, compressed | at most 30 MiB | 46.0 MiB | **missed** |');
    expect(text).toContain('| artifact, installed | at most 100 MiB | 137.0 MiB | **missed** |');
    // Ours 1.11x against the distribution's 1.25x on the one workload: 11% behind.
    expect(text).toContain(
      "ours against the distribution's python3 | at least the distribution's | 1.11x vs 1.25x | **missed** |",
    );
    expect(text).toContain('| calls: 11% slower | **missed** |');
    expect(text).toContain('| extract | 4.00 |');
  });

  it('marks every target that holds', () => {
    const text = renderBenchmarks(
      results([2.2, 2.5, 2.0], [150, 160], [2, 1.9, 2.1], 1.0, { compressed: 27, installed: 77 }),
      'x',
    );
    const targets = text.slice(text.indexOf('## Targets'), text.indexOf('## 1.'));
    expect(targets.match(/\| holds \|/g)).toHaveLength(7);
    expect(targets).not.toContain('missed');
    expect(targets).toContain('| calls: 11% faster | holds |');
  });

  it('measures startup against the previous default artifact when one is passed in, and only then', () => {
    const withPrevious = (previousStartup: number): Benchmarks => {
      const base = results([5], [150], [4], 1.25);
      return {
        ...base,
        interpreter: {
          ...base.interpreter,
          process: { ...base.interpreter.process, 'previous default artifact': { startup: previousStartup, import: 0.06 } },
        },
        artifacts: { ...base.artifacts, previous: { name: 'old.tgz', sha256: 'c'.repeat(64) } },
      };
    };
    const row = '| startup (`python3 -c pass`), ours against the previous default artifact `old.tgz` | no slower |';
    expect(renderBenchmarks(withPrevious(0.0151), 'x')).toContain(`${row} 15.00 ms vs 15.10 ms | holds |`);
    expect(renderBenchmarks(withPrevious(0.0149), 'x')).toContain(`${row} 15.00 ms vs 14.90 ms | **missed** |`);
    expect(renderBenchmarks(withPrevious(0.0149), 'x')).toContain('the previous default `old.tgz` (sha256 `cccccccccccc...`)');
    expect(renderBenchmarks(results([5], [150], [4], 1.25), 'x')).not.toContain('previous default');
  });

  it("names the build differences when the distribution's python3 is faster", () => {
    const text = renderBenchmarks(results([5], [150], [4], 1.25), 'x');
    expect(text).toContain("The distribution's python3 is faster than our PGO+LTO artifact here (1.25x vs 1.11x)");
    expect(text).toContain('the compiler (ours GCC 10.2.1');
    expect(text).toContain('libpython (ours a shared library, position-independent code; theirs linked into the executable)');
    const slower = renderBenchmarks(results([5], [150], [4], 1.0), 'x');
    expect(slower).toContain('as fast as or faster than the distribution');
  });

  it('shows per-run ranges, startup and import times, and links the charts written beside it', () => {
    const text = renderBenchmarks(results([5], [150], [4], 1.25), 'x', 'benchmarks');
    // Run 1: 1 / 0.9 = 1.11; run 2: 1.1 / 0.91 = 1.21; best over runs: 1 / 0.9.
    expect(text).toContain('| calls | 1.000 s, 1.00x (1.00-1.00) | 0.900 s, 1.11x (1.11-1.21) |');
    expect(text).toContain('| startup | 20.0 ms | 15.0 ms | 12.0 ms |');
    expect(text).toContain('![speed-up per workload](benchmarks-speed.svg)');
    expect(text).toContain('![startup and import times](benchmarks-startup.svg)');
  });

  it("says how each interpreter was built: its own configure flags, and BOLT from the artifact's metadata", () => {
    const text = renderBenchmarks(results([5], [150], [4], 1.25), 'x');
    expect(text).toContain(
      '| PGO+LTO artifact | GCC 10.2.1 | shared (--enable-shared) | --enable-optimizations --with-lto `CFLAGS_NODIST=-mstringop-strategy=libcall` `LDFLAGS_NODIST=-Wl,--emit-relocs` | yes |',
    );
    // Reported by neither the interpreter nor metadata: a distribution's python3.
    expect(text).toContain(
      '| distribution python3 | GCC 14.2.0 | static, in the executable | --enable-optimizations --with-lto | - |',
    );
  });
});

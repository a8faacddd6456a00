import { describe, expect, it } from 'vitest';
import { buildTotals, describeRequest, missingBuilds, renderPhase4Results } from './phase4-results.ts';
import type { Measurement, ProjectMeasurement, RunResult, VariantResult } from './project-build.ts';
import { summarize } from './stats.ts';

const ok = (seconds: number): RunResult => ({ seconds, ok: true, imageBytes: 300 * 1024 ** 2, checksPassed: 5, checksTotal: 5 });
const failed: RunResult = { seconds: 12, ok: false, imageBytes: 0, checksPassed: 0, checksTotal: 5 };

function variant(runs: RunResult[]): VariantResult {
  const built = runs.filter((run) => run.ok);
  return {
    label: 'a variant',
    image: 'local/debian:bookworm',
    runs,
    seconds: summarize(built.map((run) => run.seconds)),
    imageBytes: summarize(built.map((run) => run.imageBytes)),
  };
}

function project(name: string, config: string, before: RunResult[], after: RunResult[]): ProjectMeasurement {
  return {
    name,
    config,
    shape: 'image',
    requested: { version: '3.13' },
    version: '3.13.5',
    optimize: false,
    before: variant(before),
    after: variant(after),
  };
}

function measurement(projects: ProjectMeasurement[], runs = 2, loadAtStart = '1.00, 1.00, 1.00'): Measurement {
  return {
    date: '2026-11-29T13:00:00.000Z',
    machine: '2 cores',
    load: { start: loadAtStart, end: '2.00, 2.00, 2.00' },
    runs,
    artifacts: [
      {
        name: 'cpython-3.13.5-debian11-x86_64-build2.tgz',
        sha256: 'ab'.repeat(32),
        pgo: true,
        lto: true,
        compressedBytes: 28 * 1024 ** 2,
      },
      {
        name: 'cpython-3.11.2-debian11-x86_64-build1.tgz',
        sha256: 'cd'.repeat(32),
        pgo: false,
        lto: false,
        compressedBytes: 31 * 1024 ** 2,
      },
    ],
    projects,
  };
}

describe('Fase 4 results: totals', () => {
  it('sums the medians of the configurations that built both ways and leaves out, by name, one whose before never built', () => {
    const totals = buildTotals([
      project('pilot', '.devcontainer/devcontainer.json', [ok(300), ok(320)], [ok(30), ok(40)]),
      project('two-configs', '.devcontainer/worker/devcontainer.json', [ok(200), ok(200)], [ok(20), ok(20)]),
      project('compose', '.devcontainer/devcontainer.json', [failed, failed], [ok(25), ok(25)]),
    ]);
    expect(totals.counted).toBe(2);
    expect(totals.beforeSeconds).toBe(510);
    expect(totals.afterSeconds).toBe(55);
    expect(totals.leftOut).toEqual(['compose .devcontainer/devcontainer.json']);
    expect(totals.afterChecks).toEqual({ passed: 30, total: 30 });
  });
});

describe('Fase 4 results: the document', () => {
  it('has one row per configuration with its speed-up, a totals row over all of them, and the command that reproduces it', () => {
    const document = renderPhase4Results(
      measurement([
        project('pilot', '.devcontainer/devcontainer.json', [ok(300), ok(320)], [ok(30), ok(40)]),
        project('two-configs', '.devcontainer/worker/devcontainer.json', [ok(200), ok(200)], [ok(20), ok(20)]),
      ]),
      'make measure-projects ARTIFACT=a.tgz',
    );
    expect(document).toContain(
      '| pilot | `.devcontainer/devcontainer.json` | image | version 3.13 -> 3.13.5 | 5.2 min | 35.0 s | 8.9x | 10/10 |',
    );
    expect(document).toContain(
      '| two-configs | `.devcontainer/worker/devcontainer.json` | image | version 3.13 -> 3.13.5 | 3.3 min | 20.0 s | 10.0x | 10/10 |',
    );
    expect(document).toContain('| **Total** (2 configurations) | | | | **8.5 min** | **55.0 s** | **9.3x** | 20/20 |');
    expect(document).toContain('```sh\nmake measure-projects ARTIFACT=a.tgz\n```');
    // Which builds the "after" side installed: what a reader needs to make to reproduce the run.
    expect(document).toContain(
      '  Artifacts: `cpython-3.13.5-debian11-x86_64-build2.tgz` (PGO+LTO, 28 MiB, sha256 `abababababab...`); `cpython-3.11.2-debian11-x86_64-build1.tgz` (OPTIMIZE=0, 31 MiB, sha256 `cdcdcdcdcdcd...`).',
    );
    expect(document).not.toContain('Incomplete run');
  });

  it('says the machine was shared only when the load at the start says so', () => {
    const rows = [project('pilot', '.devcontainer/devcontainer.json', [ok(300)], [ok(30)])];
    const busy = renderPhase4Results(measurement(rows, 1, '4.60, 3.04, 2.40'), 'cmd');
    const quiet = renderPhase4Results(measurement(rows, 1, '0.12, 0.30, 0.41'), 'cmd');
    expect(busy).toContain('4.60, 3.04, 2.40 at the start and 2.00, 2.00, 2.00 at the end: the machine was shared');
    expect(quiet).not.toContain('the machine was shared');
    expect(quiet).toContain('(idle when the run started; the builds themselves load it afterwards)');
  });

  it('says failed for builds that failed and not run for builds a stopped run never reached, and calls the run incomplete', () => {
    const partial = measurement(
      [
        project('pilot', '.devcontainer/devcontainer.json', [ok(300)], [ok(30)]),
        project('compose', '.devcontainer/devcontainer.json', [failed], [ok(25)]),
        project('dockerfile-build', '.devcontainer/devcontainer.json', [], []),
      ],
      1,
    );
    const document = renderPhase4Results(partial, 'x');
    expect(document).toContain(
      '| compose | `.devcontainer/devcontainer.json` | image | version 3.13 -> 3.13.5 | failed | 25.0 s | - | 5/5 |',
    );
    expect(document).toContain(
      '| dockerfile-build | `.devcontainer/devcontainer.json` | image | version 3.13 -> 3.13.5 | not run | not run | - | 0/0 |',
    );
    expect(missingBuilds(partial)).toEqual([
      'dockerfile-build .devcontainer/devcontainer.json before (0 of 1 runs)',
      'dockerfile-build .devcontainer/devcontainer.json after (0 of 1 runs)',
    ]);
    expect(document).toContain('**Incomplete run**');
    expect(document).toContain(
      '| **Total** (1 configuration; left out, a variant not built: compose .devcontainer/devcontainer.json; dockerfile-build .devcontainer/devcontainer.json) |',
    );
  });

  it('writes the official options as the configuration has them, and the defaults when it has none', () => {
    expect(describeRequest({ version: '3.13', optimize: true, toolsToInstall: 'ruff,mypy' })).toBe(
      'version 3.13, optimize true, toolsToInstall ruff,mypy',
    );
    expect(describeRequest({})).toBe('(defaults)');
  });
});

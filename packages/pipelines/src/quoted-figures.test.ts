import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DefaultBuildRecord } from '@cpython-prebuilt/bench';
import { isCpythonPrebuiltError, layout, type PublishedArtifact, versionsManifest } from '@cpython-prebuilt/core';
import { makeTestArtifact } from '@cpython-prebuilt/core/test-artifact';
import { describe, expect, it } from 'vitest';
import { checkBuildBudget } from './build-budget.ts';
import { QUOTING_FILES, quotedFigures, quotingFiles, spliceQuotedFigures, versionsTable } from './quoted-figures.ts';

const figures = { speed: { source: 'docs/speed.json', markdown: 'Ours: **1.25x**.' } };
const marked = (inside: string) =>
  [
    '# Doc',
    'before',
    '<!-- generated: speed (pnpm generate, from docs/old.json) -->',
    inside,
    '<!-- end generated: speed -->',
    'after',
  ].join('\n');

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isCpythonPrebuiltError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error('not refused');
}

describe('figures quoted from the results JSON', () => {
  it('replaces what a section holds, hand edits included, and leaves the rest of the file as it was', () => {
    const spliced = spliceQuotedFigures(marked('Ours: **1.40x** (typed by hand).'), 'README.md', ['speed'], figures);
    expect(spliced).toBe(
      [
        '# Doc',
        'before',
        '<!-- generated: speed (pnpm generate, from docs/speed.json) -->',
        'Ours: **1.25x**.',
        '<!-- end generated: speed -->',
        'after',
      ].join('\n'),
    );
    expect(spliceQuotedFigures(spliced, 'README.md', ['speed'], figures)).toBe(spliced);
  });

  it('refuses a section without its end, one the file does not quote, and a quote the file lacks', () => {
    expect(
      refusal(() =>
        spliceQuotedFigures(marked('x').replace('<!-- end generated: speed -->', ''), 'README.md', ['speed'], figures),
      ),
    ).toBe('INVALID_INPUT: README.md: the generated section "speed" has no end line');
    expect(refusal(() => spliceQuotedFigures(marked('x'), 'docs/a.md', ['size'], figures))).toBe(
      'INVALID_INPUT: docs/a.md marks a generated section "speed" that it does not quote',
    );
    expect(refusal(() => spliceQuotedFigures('# Doc\n', 'README.md', ['speed'], figures))).toBe(
      'INVALID_INPUT: README.md does not mark the generated section speed',
    );
  });

  it("quotes the committed benchmark run's own numbers in the README, and a hand-typed figure there is stale", async () => {
    const bench = JSON.parse(await readFile(join(layout.docsDir, 'benchmarks.json'), 'utf8'));
    const { 'benchmark-targets': targets } = await quotedFigures();
    const featureSeconds = `${bench.imageInstall.feature.median.toFixed(2)} s`;
    const fromSourceOverFeature = `${(bench.imageInstall.fromSource.median / bench.imageInstall.feature.median).toFixed(1)}x`;
    expect(targets?.markdown).toContain(`| the feature's install step, (a) median | at most 3 s | ${featureSeconds} | holds |`);
    expect(targets?.markdown).toContain(`| ${fromSourceOverFeature} |`);
    expect(targets?.markdown).toContain(`Measured ${bench.date.slice(0, 10)} on ${bench.machine}`);

    const readme = await readFile(layout.readme, 'utf8');
    const edited = readme.replace(`| ${featureSeconds} | holds |`, '| 0.50 s | holds |');
    expect(edited).not.toBe(readme);
    const names = QUOTING_FILES[layout.readme] ?? [];
    expect(spliceQuotedFigures(edited, 'README.md', names, await quotedFigures())).toBe(readme);
    expect((await quotingFiles())[layout.readme]).toBe(readme);
  });

  it('records a build as the figures the README quotes: time, phases over a minute, peak disk, budget', async () => {
    const { path, dir } = await makeTestArtifact({
      figures: {
        buildSeconds: 2730,
        phaseSeconds: { configure: 30, compile: 2200, 'bolt-train': 140, prune: 1 },
        disk: { peakBytes: Math.round(1.7 * 1024 ** 3), freeAtStartBytes: 60 * 1024 ** 3, requiredBytes: 5 * 1024 ** 3 },
      },
    });
    const output = join(dir, 'default-build.md');
    const result = await checkBuildBudget({
      artifact: path,
      output,
      reproduce: 'make build-budget ARTIFACT=x RECORD=1',
      note: 'the machine ran the unit tests meanwhile',
    });
    expect(result.lines.every((line) => line.ok)).toBe(true);
    const record = DefaultBuildRecord.parse(JSON.parse(await readFile(join(dir, 'default-build.json'), 'utf8')));
    expect(record).toMatchObject({ artifact: 'cpython-3.13.5-debian11-x86_64-build1.tgz', buildSeconds: 2730 });
    const markdown = await readFile(output, 'utf8');
    expect(markdown).toContain(
      'took **45 min 30 s** with a **peak disk 1.7 GiB** (compile 36 min 40 s, bolt-train 2 min 20 s); the machine ran the unit tests meanwhile; the budget',
    );
    expect(markdown).toContain('the budget `make build-budget` checks is 50 min 0 s and 10.0 GiB');
    expect(markdown).toContain('make build-budget ARTIFACT=x RECORD=1');
  });

  it('records nothing without an output, and a build over budget is recorded as it was', async () => {
    const { path, dir } = await makeTestArtifact({ figures: { buildSeconds: 4000, phaseSeconds: {} } });
    expect((await checkBuildBudget({ artifact: path, reproduce: 'x' })).record).toBeUndefined();
    const over = await checkBuildBudget({ artifact: path, output: join(dir, 'b.md'), reproduce: 'x' });
    expect(over.lines.map((line) => line.ok)).toEqual([false, false]);
    expect(await readFile(join(dir, 'b.md'), 'utf8')).toContain('**peak disk not recorded**');
  });

  it('tables every line: its newest pin, its support, and per architecture the newest published patch and its bases', () => {
    const entry = (version: string, base: string, arch: PublishedArtifact['arch']): PublishedArtifact => ({
      version,
      build: 1,
      base,
      arch,
      glibcMinimum: '2.31',
      file: `cpython-${version}-${base}-${arch}-build1.tgz`,
      sha256: 'a'.repeat(64),
      url: `https://example.invalid/cpython-${version}-${base}-${arch}-build1.tgz`,
      sizeBytes: 1,
      location: 'GitHub Release',
      publishedAt: '2026-12-01',
    });
    // The pins this test names, not whatever versions update adds later.
    const pinned = ['3.13.5', '3.13.14', '3.12.6', '3.9.25'];
    const versions = {
      ...versionsManifest,
      releases: versionsManifest.releases.filter((release) => pinned.includes(release.version)),
    };
    const table = versionsTable(versions, {
      artifacts: [
        entry('3.13.5', 'ubuntu20.04', 'x86_64'),
        entry('3.13.14', 'debian11', 'x86_64'),
        entry('3.13.14', 'ubuntu20.04', 'x86_64'),
        entry('3.12.6', 'debian11', 'aarch64'),
      ],
    });
    const row = (line: string) => table.split('\n').find((text) => text.startsWith(`| ${line} |`));
    expect(row('3.13')).toBe('| 3.13 | 3.13.14 | maintained until 2029-10 | 3.13.14 (debian11, ubuntu20.04) | pinned only |');
    expect(row('3.12')).toBe('| 3.12 | 3.12.6 | maintained until 2028-10 | pinned only | 3.12.6 (debian11) |');
    expect(row('3.9')).toBe('| 3.9 | 3.9.25 | **end of life** since 2025-10 | pinned only | pinned only |');
    expect(table).toContain('ARTIFACTS.md');
    expect(row('3.14')).toBe('| 3.14 | - | maintained until 2030-10 | pinned only | pinned only |');
    expect(versionsTable(versions, { artifacts: [] })).toContain('No artifact is published from this repository yet');
  });
});

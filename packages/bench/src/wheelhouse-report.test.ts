import { describe, expect, it } from 'vitest';
import {
  renderWheelhouseBenchmark,
  summarizeWheelhouse,
  type WheelhouseBenchmark,
  wheelhouseChart,
} from './wheelhouse-report.ts';

const results = (overrides: Partial<WheelhouseBenchmark> = {}): WheelhouseBenchmark => ({
  date: '2026-11-29T13:00:00.000Z',
  machine: '2 cores',
  load: '0.20, 0.10, 0.05',
  runs: 3,
  artifact: { name: 'cpython-3.13.5-debian11-x86_64-build1.tgz', sha256: 'a'.repeat(64) },
  requirements: 'markupsafe==2.1.5\nidna\n',
  packages: [
    { name: 'idna', version: '3.10', compiled: false },
    { name: 'markupsafe', version: '2.1.5', compiled: true },
  ],
  wheelhouse: { name: 'wheelhouse-demo-cp313-debian11-x86_64-build1.tgz', sha256: 'b'.repeat(64), sameBytesEveryRun: true },
  images: { wheelhouse: 'local/debian:bullseye', sdists: 'cpython-prebuilt/build-base:debian11-x86_64-0' },
  installed: ['MarkupSafe==2.1.5', 'idna==3.10'],
  seconds: { build: [70, 60, 80], wheelhouse: [4, 3, 5], sdists: [40, 50, 45] },
  ...overrides,
});

describe('summarizeWheelhouse', () => {
  it('gives the median and range of each way, and how many times faster the wheelhouse is', () => {
    const summary = summarizeWheelhouse(results().seconds);
    expect(summary.wheelhouse).toEqual({ median: 4, min: 3, max: 5, runs: 3 });
    expect(summary.sdists).toEqual({ median: 45, min: 40, max: 50, runs: 3 });
    expect(summary.build.median).toBe(70);
    expect(summary.speedup).toBeCloseTo(45 / 4);
  });

  it('counts the image builds after which the one-time build has paid for itself, rounded up', () => {
    // 70 s of build over a saving of 41 s per image build: the second build pays it back.
    expect(summarizeWheelhouse(results().seconds).breakEven).toBe(2);
    expect(summarizeWheelhouse({ build: [10], wheelhouse: [4], sdists: [45] }).breakEven).toBe(1);
  });

  it('says the build never pays for itself when the wheelhouse is not faster', () => {
    expect(summarizeWheelhouse({ build: [70], wheelhouse: [45], sdists: [45] }).breakEven).toBeUndefined();
    expect(summarizeWheelhouse({ build: [70], wheelhouse: [50], sdists: [45] }).breakEven).toBeUndefined();
  });
});

describe('renderWheelhouseBenchmark', () => {
  it('tables each way with its median, lowest and highest run, and links the chart', () => {
    const markdown = renderWheelhouseBenchmark(results(), 'make bench-wheelhouse ARTIFACT=x.tgz', 'benchmarks-wheelhouse.svg');
    expect(markdown).toContain('| (a) from the wheelhouse, as the feature installs it | 4.0 s | 3.0 s - 5.0 s | 3 |');
    expect(markdown).toContain('| (b) `pip install` from the sdists, compiling | 45.0 s | 40.0 s - 50.0 s | 3 |');
    expect(markdown).toContain('| one-time cost: `wheelhouse build` | 70.0 s | 60.0 s - 80.0 s | 3 |');
    expect(markdown).toContain('**11.3x** faster');
    expect(markdown).toContain('paid for itself after 2 image builds');
    expect(markdown).toContain('![time per way](benchmarks-wheelhouse.svg)');
    expect(markdown).toContain('compiled markupsafe 2.1.5; pure Python idna 3.10');
    expect(markdown).toContain('```sh\nmake bench-wheelhouse ARTIFACT=x.tgz\n```');
  });

  it('says the machine was shared only when the load at the start says so', () => {
    const quiet = renderWheelhouseBenchmark(results(), 'cmd', 'c.svg');
    const busy = renderWheelhouseBenchmark(results({ load: '4.60, 3.04, 2.40' }), 'cmd', 'c.svg');
    expect(quiet).not.toContain('the machine was shared');
    expect(busy).toContain('at the start: 4.60, 3.04, 2.40: the machine was shared');
  });

  it('says when the wheelhouse builds of the run gave different bytes', () => {
    const markdown = renderWheelhouseBenchmark(
      results({ wheelhouse: { ...results().wheelhouse, sameBytesEveryRun: false } }),
      'cmd',
      'c.svg',
    );
    expect(markdown).toContain('whose bytes differed between builds');
  });
});

describe('wheelhouseChart', () => {
  it('draws one bar per way, proportional to its median, with a whisker from its lowest to highest run', () => {
    const svg = wheelhouseChart(summarizeWheelhouse(results().seconds));
    const widths = [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="14"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(3);
    const [wheelhouse = 0, sdists = 0, build = 0] = widths;
    expect(sdists / wheelhouse).toBeCloseTo(45 / 4, 0);
    expect(build / sdists).toBeCloseTo(70 / 45, 1);
    expect(svg.match(/<path d="M/g)).toHaveLength(3);
    expect(svg).toContain('>4.0 s</text>');
  });
});

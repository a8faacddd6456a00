import { describe, expect, it } from 'vitest';
import { barChartSvg, escapeXml, tickStep } from './svg-chart.ts';

const rects = (svg: string) =>
  [...svg.matchAll(/<rect x="(\d+(?:\.\d+)?)" y="(\d+(?:\.\d+)?)" width="(\d+(?:\.\d+)?)" height="14" fill="([^"]+)">/g)].map(
    (match) => ({ x: Number(match[1]), width: Number(match[3]), fill: match[4] }),
  );

describe('barChartSvg', () => {
  it('draws bars whose lengths are proportional to their values', () => {
    const svg = barChartSvg({
      title: 'speed',
      axisLabel: 'speed-up',
      groups: [
        {
          label: 'geometric mean',
          bars: [
            { series: 'a', value: 1 },
            { series: 'b', value: 2 },
          ],
        },
      ],
    });
    const [first, second] = rects(svg);
    expect(first?.width).toBeGreaterThan(0);
    expect(second?.width).toBeCloseTo((first?.width ?? 0) * 2, 1);
    expect(first?.fill).not.toBe(second?.fill);
  });

  it('gives one series the same colour in every group and lists it once in the legend', () => {
    const svg = barChartSvg({
      title: 't',
      axisLabel: 'x',
      groups: ['calls', 'regex'].map((label) => ({
        label,
        bars: [
          { series: 'ours', value: 1.2 },
          { series: 'debian', value: 1.3 },
        ],
      })),
    });
    const fills = rects(svg).map((rect) => rect.fill);
    expect(fills).toEqual([fills[0], fills[1], fills[0], fills[1]]);
    expect(svg.match(/>ours</g)).toHaveLength(1);
  });

  it('draws a whisker from the lowest to the highest value of the runs', () => {
    const svg = barChartSvg({
      title: 't',
      axisLabel: 'x',
      groups: [{ label: 'g', bars: [{ series: 's', value: 1.5, range: [1, 2] }] }],
    });
    const path = /<path d="M([\d.]+) [\d.]+H([\d.]+)/.exec(svg);
    const bar = rects(svg)[0];
    expect(path).not.toBeNull();
    const [low, high] = [Number(path?.[1]), Number(path?.[2])];
    // The bar starts at 0, so its end (1.5) sits midway between the whisker ends (1 and 2).
    expect((bar?.x ?? 0) + (bar?.width ?? 0)).toBeCloseTo((low + high) / 2, 1);
  });

  it('escapes labels so that a name with markup stays text', () => {
    const svg = barChartSvg({
      title: 'a <b> & "c"',
      axisLabel: 'x',
      groups: [{ label: 'gcc <14>', bars: [{ series: 's', value: 1 }] }],
    });
    expect(svg).toContain('a &lt;b&gt; &amp; &quot;c&quot;');
    expect(svg).toContain('gcc &lt;14&gt;');
    expect(svg).not.toContain('<b>');
  });

  it('marks the reference value with a labelled dashed line', () => {
    const svg = barChartSvg({
      title: 't',
      axisLabel: 'x',
      groups: [{ label: 'g', bars: [{ series: 's', value: 1.4 }] }],
      reference: { value: 1, label: 'OPTIMIZE=0' },
    });
    expect(svg).toMatch(/stroke-dasharray="4 3"/);
    expect(svg).toContain('>OPTIMIZE=0</text>');
  });

  it('prints values with the given format', () => {
    const svg = barChartSvg({
      title: 't',
      axisLabel: 'ms',
      groups: [{ label: 'startup', bars: [{ series: 's', value: 0.0123 }] }],
      format: (value) => `${(value * 1000).toFixed(1)} ms`,
    });
    expect(svg).toContain('>12.3 ms</text>');
  });

  it('refuses a chart with no bars or with a value it cannot draw', () => {
    expect(() => barChartSvg({ title: 't', axisLabel: 'x', groups: [] })).toThrow(/no bars/);
    expect(() =>
      barChartSvg({ title: 't', axisLabel: 'x', groups: [{ label: 'g', bars: [{ series: 's', value: Number.NaN }] }] }),
    ).toThrow(/cannot be drawn/);
  });

  it('is a standalone SVG document with balanced tags', () => {
    const svg = barChartSvg({ title: 't', axisLabel: 'x', groups: [{ label: 'g', bars: [{ series: 's', value: 3 }] }] });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    const opened = svg.match(/<(svg|text|title|rect)[ >]/g)?.length ?? 0;
    const closed = (svg.match(/<\/(svg|text|title|rect)>/g)?.length ?? 0) + (svg.match(/<rect [^>]*\/>/g)?.length ?? 0);
    expect(closed).toBe(opened);
  });
});

describe('tickStep', () => {
  it('picks 1, 2 or 5 times a power of ten for about five ticks', () => {
    expect(tickStep(1.4)).toBe(0.5);
    expect(tickStep(10)).toBe(2);
    expect(tickStep(0.04)).toBe(0.01);
  });
});

describe('escapeXml', () => {
  it('escapes the characters that end text or attributes', () => {
    expect(escapeXml(`<a href="x">&</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;');
  });
});

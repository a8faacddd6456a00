import { CpythonPrebuiltError } from '@cpython-prebuilt/core';

/** One bar: a value, and optionally the lowest and highest it took over the runs (a whisker). */
export interface ChartBar {
  series: string;
  value: number;
  range?: readonly [number, number];
}

export interface ChartGroup {
  label: string;
  bars: ChartBar[];
}

/** A horizontal bar chart: one group of bars per row label, one colour per series. */
export interface BarChart {
  title: string;
  /** Under the axis, e.g. "speed-up over the OPTIMIZE=0 build (higher is faster)". */
  axisLabel: string;
  groups: ChartGroup[];
  /** A dashed vertical line, e.g. at 1 for the baseline. */
  reference?: { value: number; label: string };
  /** How a value is printed beside its bar; two decimals and "x" when unset. */
  format?: (value: number) => string;
}

// Colour-blind-safe palette (Okabe-Ito), in series order.
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];
const BAR_HEIGHT = 14;
const BAR_GAP = 3;
const GROUP_GAP = 12;
const LABEL_WIDTH = 170;
const PLOT_WIDTH = 460;
const VALUE_WIDTH = 60;
const TOP = 40;
const FONT = 'font-family="-apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A step of 1, 2 or 5 times a power of ten that gives about five ticks up to `max`. */
export function tickStep(max: number): number {
  const rough = max / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= rough);
  return step ?? 10 * power;
}

const fixed = (value: number) => Number(value.toFixed(2)).toString();

/** The chart as a standalone SVG document (GitHub shows it as an image in Markdown). */
export function barChartSvg(chart: BarChart): string {
  const format = chart.format ?? ((value: number) => `${value.toFixed(2)}x`);
  const series = [...new Set(chart.groups.flatMap((group) => group.bars.map((bar) => bar.series)))];
  const values = chart.groups.flatMap((group) => group.bars.flatMap((bar) => [bar.value, ...(bar.range ?? [])]));
  if (chart.groups.length === 0 || values.length === 0) {
    throw new CpythonPrebuiltError('INVALID_INPUT', `chart "${chart.title}" has no bars`, {
      fix: 'pass at least one group with one bar',
    });
  }
  const bad = values.find((value) => !Number.isFinite(value) || value < 0);
  if (bad !== undefined) {
    throw new CpythonPrebuiltError('INVALID_INPUT', `chart "${chart.title}" has a value that cannot be drawn: ${bad}`, {
      fix: 'bar values must be finite and not negative; check the measurement that produced them',
    });
  }
  const step = tickStep(Math.max(...values, chart.reference?.value ?? 0));
  const axisMax = Math.ceil((Math.max(...values, chart.reference?.value ?? 0) * 1.05) / step) * step;
  const x = (value: number) => LABEL_WIDTH + (value / axisMax) * PLOT_WIDTH;
  // Legend entries flow left to right and wrap; text width is estimated at 6.5 px a character.
  const legendItems: { name: string; x: number; row: number }[] = [];
  let cursor = 0;
  let row = 0;
  for (const name of series.length > 1 ? series : []) {
    const itemWidth = 24 + Math.ceil(name.length * 6.5);
    if (cursor > 0 && cursor + itemWidth > PLOT_WIDTH + VALUE_WIDTH) {
      row += 1;
      cursor = 0;
    }
    legendItems.push({ name, x: LABEL_WIDTH + cursor, row });
    cursor += itemWidth;
  }
  const legendHeight = legendItems.length > 0 ? (row + 1) * 16 + 4 : 0;
  const plotTop = TOP + legendHeight + (chart.reference ? 12 : 0);
  const parts: string[] = [];
  let y = plotTop;
  for (const group of chart.groups) {
    const groupHeight = group.bars.length * (BAR_HEIGHT + BAR_GAP) - BAR_GAP;
    parts.push(
      `<text x="${LABEL_WIDTH - 8}" y="${fixed(y + groupHeight / 2 + 4)}" text-anchor="end" font-size="12">${escapeXml(group.label)}</text>`,
    );
    for (const bar of group.bars) {
      const colour = PALETTE[series.indexOf(bar.series) % PALETTE.length];
      const width = x(bar.value) - LABEL_WIDTH;
      parts.push(
        `<rect x="${LABEL_WIDTH}" y="${y}" width="${fixed(width)}" height="${BAR_HEIGHT}" fill="${colour}"><title>${escapeXml(`${bar.series}: ${format(bar.value)}`)}</title></rect>`,
      );
      let textX = x(bar.value);
      if (bar.range) {
        const [low, high] = bar.range;
        const middle = y + BAR_HEIGHT / 2;
        parts.push(
          `<path d="M${fixed(x(low))} ${middle}H${fixed(x(high))}M${fixed(x(low))} ${middle - 4}v8M${fixed(x(high))} ${middle - 4}v8" stroke="#333" stroke-width="1.2" fill="none"/>`,
        );
        textX = Math.max(textX, x(high));
      }
      parts.push(`<text x="${fixed(textX + 4)}" y="${y + BAR_HEIGHT - 3}" font-size="11">${escapeXml(format(bar.value))}</text>`);
      y += BAR_HEIGHT + BAR_GAP;
    }
    y += GROUP_GAP - BAR_GAP;
  }
  const plotBottom = y - GROUP_GAP + 6;
  const ticks: string[] = [];
  for (let tick = 0; tick <= axisMax + step / 1000; tick += step) {
    ticks.push(
      `<line x1="${fixed(x(tick))}" y1="${plotTop - 4}" x2="${fixed(x(tick))}" y2="${fixed(plotBottom)}" stroke="#ddd"/>`,
      `<text x="${fixed(x(tick))}" y="${fixed(plotBottom + 14)}" text-anchor="middle" font-size="11">${fixed(tick)}</text>`,
    );
  }
  if (chart.reference) {
    const rx = fixed(x(chart.reference.value));
    ticks.push(
      `<line x1="${rx}" y1="${plotTop - 6}" x2="${rx}" y2="${fixed(plotBottom)}" stroke="#555" stroke-dasharray="4 3"/>`,
      `<text x="${rx}" y="${plotTop - 9}" text-anchor="middle" font-size="10" fill="#555">${escapeXml(chart.reference.label)}</text>`,
    );
  }
  const legend = legendItems.map(({ name, x: lx, row: r }) => {
    const ly = TOP - 4 + r * 16;
    const colour = PALETTE[series.indexOf(name) % PALETTE.length];
    return `<rect x="${lx}" y="${ly}" width="10" height="10" fill="${colour}"/><text x="${lx + 14}" y="${ly + 9}" font-size="11">${escapeXml(name)}</text>`;
  });
  // Wide enough for the title and the axis label (estimated at 7.5 and 6.5 px a character).
  const width = Math.ceil(
    Math.max(LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH, chart.title.length * 7.5 + 20, chart.axisLabel.length * 6.5 + 20),
  );
  const height = Math.ceil(plotBottom + 40);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>`,
    `<title>${escapeXml(chart.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(chart.title)}</text>`,
    ...legend,
    ...ticks,
    ...parts,
    `<text x="${width / 2}" y="${height - 8}" text-anchor="middle" font-size="11">${escapeXml(chart.axisLabel)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}

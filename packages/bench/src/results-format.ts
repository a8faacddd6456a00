import type { VariantResult } from './project-build.ts';

/** How the build results documents write numbers: one place, so fase 3 and fase 4 read alike. */
export const duration = (value: number): string =>
  Number.isNaN(value) ? 'failed' : value >= 120 ? `${(value / 60).toFixed(1)} min` : `${value.toFixed(1)} s`;
export const mib = (bytes: number): string => `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
export const percent = (before: number, after: number): string =>
  before > 0 ? `${(((before - after) / before) * 100).toFixed(0)}%` : '-';
export const speedup = (before: number, after: number): string =>
  after > 0 && Number.isFinite(before) && Number.isFinite(after) ? `${(before / after).toFixed(1)}x` : '-';
export const failedBuilds = (variant: VariantResult): string =>
  `${variant.runs.filter((run) => !run.ok).length}/${variant.runs.length}`;
export const checksPassed = (variant: VariantResult): string =>
  `${variant.runs.reduce((sum, run) => sum + run.checksPassed, 0)}/${variant.runs.reduce((sum, run) => sum + run.checksTotal, 0)}`;
/** A 1-minute load average (the first of `loadavg()`'s three) of 1 or more: something else was using a core. */
export const shared = (load: string): boolean => Number.parseFloat(load) >= 1;

import { type ArtifactMetadata, CpythonPrebuiltError, formatGib, formatMinutes } from '@cpython-prebuilt/core';

/**
 * What the default PGO+LTO+BOLT build may take on a 2-core machine, so it fits a GitHub-hosted
 * runner (14 GB of SSD, jobs of a few hours) and a laptop: issue 27's 45 minutes, plus the
 * 5 minutes OpenSSL's own compile takes since it is built from its pinned source (issue 29;
 * 293 s with GCC 14 on 2 cores, measured in the build of 2026-12-07, docs/builder.md).
 */
export const BUILD_BUDGET = { seconds: 50 * 60, diskBytes: 10 * 1024 ** 3 } as const;

export interface BudgetLine {
  what: string;
  measured: string;
  budget: string;
  ok: boolean;
}

/** The build's time and peak disk (from its metadata) against BUILD_BUDGET, one line each. */
export function buildBudgetLines(metadata: Pick<ArtifactMetadata, 'buildSeconds' | 'disk'>): BudgetLine[] {
  return [
    {
      what: 'build time',
      measured: formatMinutes(metadata.buildSeconds),
      budget: formatMinutes(BUILD_BUDGET.seconds),
      ok: metadata.buildSeconds <= BUILD_BUDGET.seconds,
    },
    {
      what: 'peak disk',
      measured: metadata.disk ? formatGib(metadata.disk.peakBytes) : 'not recorded',
      budget: formatGib(BUILD_BUDGET.diskBytes),
      ok: metadata.disk !== undefined && metadata.disk.peakBytes <= BUILD_BUDGET.diskBytes,
    },
  ];
}

/** Throws BUILD_OVER_BUDGET naming each figure over its budget (or not recorded). */
export function requireWithinBudget(artifact: string, lines: BudgetLine[]): void {
  const over = lines.filter((line) => !line.ok);
  if (over.length === 0) return;
  throw new CpythonPrebuiltError(
    'BUILD_OVER_BUDGET',
    `${artifact}: ${over.map((line) => `${line.what} ${line.measured}, budget ${line.budget}`).join('; ')}`,
    {
      fix: 'read phaseSeconds and optimizations.boltTraining in its metadata for the phase that grew (docs/builder.md, "Time and disk budget"); an artifact built before disk use was recorded needs a rebuild',
    },
  );
}

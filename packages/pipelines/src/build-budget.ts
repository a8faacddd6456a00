import {
  type DefaultBuildRecord,
  defaultBuildRecord,
  describeMachine,
  renderDefaultBuild,
  writeResults,
} from '@cpython-prebuilt/bench';
import { BUILD_BUDGET, type BudgetLine, buildBudgetLines } from '@cpython-prebuilt/builder';
import { loadArtifact, resolveArtifactPath } from '@cpython-prebuilt/core';

export interface BuildBudgetInput {
  artifact: string;
  /** Record the build's figures here (docs/default-build.md with --write-docs), the raw numbers beside it as .json. */
  output?: string;
  /** The command that reproduces the record, written into it. */
  reproduce: string;
  /** Recorded with the figures: what a reader needs to weigh them (the machine was shared...). */
  note?: string;
}

export interface BuildBudgetResult {
  name: string;
  lines: BudgetLine[];
  record?: DefaultBuildRecord;
}

/**
 * A build's time and peak disk (from its metadata) against the default build's budget; with an
 * output, also the record the README and docs quote. Recording does not wait for the verdict: a
 * build over budget is recorded as it was.
 */
export async function checkBuildBudget(input: BuildBudgetInput): Promise<BuildBudgetResult> {
  const loaded = await loadArtifact(resolveArtifactPath(input.artifact));
  const lines = buildBudgetLines(loaded.metadata);
  if (!input.output) return { name: loaded.name, lines };
  const record = defaultBuildRecord(loaded.metadata, {
    date: new Date().toISOString(),
    machine: await describeMachine(),
    budget: { ...BUILD_BUDGET },
    note: input.note,
  });
  await writeResults(input.output, renderDefaultBuild(record, input.reproduce), record);
  return { name: loaded.name, lines, record };
}

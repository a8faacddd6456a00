import { existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CpythonPrebuiltError } from '@cpython-prebuilt/core';
import { createTwoFilesPatch } from 'diff';
import { type FeatureEntry, switchToFeature } from './edit.ts';

export interface IntegrateInput {
  projectDir: string;
  entry: FeatureEntry;
  dryRun: boolean;
}

export interface IntegrateResult {
  path: string;
  action: string;
  diff: string;
  changed: boolean;
}

/** The project's devcontainer.json, where the spec looks for it first. */
export function findDevcontainerJson(projectDir: string): string {
  for (const candidate of ['.devcontainer/devcontainer.json', '.devcontainer.json']) {
    const path = join(projectDir, candidate);
    if (existsSync(path)) return path;
  }
  throw new CpythonPrebuiltError('INVALID_INPUT', `no .devcontainer/devcontainer.json or .devcontainer.json in ${projectDir}`, {
    fix: 'pass the project folder that holds the dev container configuration',
  });
}

/** Edits devcontainer.json through a temporary file and one rename: never half-written. */
export async function integrate(input: IntegrateInput): Promise<IntegrateResult> {
  const path = findDevcontainerJson(input.projectDir);
  const before = await readFile(path, 'utf8');
  const { text, action } = switchToFeature(before, path, input.entry);
  const diff = createTwoFilesPatch(path, path, before, text, 'before', 'after');
  const changed = text !== before;
  if (!input.dryRun && changed) {
    const temporary = `${path}.cpython-prebuilt-${process.pid}.tmp`;
    try {
      await writeFile(temporary, text);
      await rename(temporary, path);
    } finally {
      await rm(temporary, { force: true });
    }
  }
  return { path, action, diff, changed };
}

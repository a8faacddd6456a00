import { readFile, rename, writeFile } from 'node:fs/promises';
import { CpythonPrebuiltError } from '@cpython-prebuilt/core';
import { z } from 'zod';

/**
 * The feature's own semver, kept in features/feature-version.json (layout.featureVersion): the
 * release job bumps it when the embedded manifest changes, and `devcontainer features publish`
 * moves the 1, 1.2, 1.2.3 and latest tags from it.
 */
const Semver = z.string().regex(/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/, 'a semver version such as 1.2.3');
export const FeatureVersionFile = z.object({ version: Semver });
export const bumpLevels = ['major', 'minor', 'patch'] as const;
export type BumpLevel = (typeof bumpLevels)[number];

export async function readFeatureVersion(path: string): Promise<string> {
  const text = await readFile(path, 'utf8').catch((error: unknown) => {
    throw new CpythonPrebuiltError('INVALID_INPUT', `cannot read the feature version file ${path}`, {
      fix: 'restore features/feature-version.json from git ({"version": "1.0.0"})',
      cause: error,
    });
  });
  const parsed = FeatureVersionFile.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new CpythonPrebuiltError(
      'INVALID_INPUT',
      `${path} does not hold a semver version: ${parsed.error.issues[0]?.message}`,
      {
        fix: 'write {"version": "<major>.<minor>.<patch>"} there',
      },
    );
  }
  return parsed.data.version;
}

/** 1.2.3 -> major 2.0.0, minor 1.3.0, patch 1.2.4 (semver: lower parts reset). */
export function bumpVersion(version: string, level: BumpLevel): string {
  const [major = 0, minor = 0, patch = 0] = Semver.parse(version).split('.').map(Number);
  if (level === 'major') return `${major + 1}.0.0`;
  if (level === 'minor') return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}

/** Bumps the version in `path` and returns the old and new versions. */
export async function bumpFeatureVersion(path: string, level: BumpLevel): Promise<{ from: string; to: string }> {
  const from = await readFeatureVersion(path);
  const to = bumpVersion(from, level);
  await writeFile(`${path}.tmp`, `${JSON.stringify({ version: to }, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
  return { from, to };
}

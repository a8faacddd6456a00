import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import {
  ArtifactManifest,
  ArtifactMetadata,
  BuildBases,
  buildBases,
  CpythonPrebuiltError,
  ValidationReport,
  VersionsManifest,
  versionsManifest,
} from '@cpython-prebuilt/core';
import { z } from 'zod';
import { FEATURE_ID } from './options.ts';
import { renderFeature } from './render.ts';

export const DEFAULT_FEATURE_REFERENCE = 'ghcr.io/<owner>/<repo>/cpython/installer:1';

export interface GenerateInput {
  repoRoot: string;
  /** Files other packages generate (ARTIFACTS.md), by path relative to the root. */
  extraFiles?: (manifest: ArtifactManifest) => Record<string, string>;
  /** Compare instead of writing; stale files are reported, nothing changes. */
  check: boolean;
}

export async function readArtifactManifest(path: string): Promise<ArtifactManifest> {
  try {
    return ArtifactManifest.parse(JSON.parse(await readFile(path, 'utf8')));
  } catch (error) {
    throw new CpythonPrebuiltError('INVALID_INPUT', `${path} is not a valid artifact manifest`, {
      fix: 'restore it from git, or fix the entry the error names',
      cause: error,
    });
  }
}

const jsonSchema = (schema: z.ZodType) => `${JSON.stringify(z.toJSONSchema(schema, { io: 'input' }), null, 2)}\n`;

/** Every generated file of the repository, by path relative to the root. */
export async function generatedFiles(
  repoRoot: string,
  extraFiles: (manifest: ArtifactManifest) => Record<string, string> = () => ({}),
): Promise<Record<string, string>> {
  const manifestPath = join(repoRoot, 'infrastructure/artifacts/manifest.json');
  const manifest = await readArtifactManifest(manifestPath);
  const feature = renderFeature({ manifest, featureReference: DEFAULT_FEATURE_REFERENCE });
  const files: Record<string, string> = {
    'infrastructure/cpython/versions.json': `${JSON.stringify({ $schema: './schemas/versions.schema.json', ...VersionsManifest.parse(versionsManifest) }, null, 2)}\n`,
    'infrastructure/cpython/schemas/versions.schema.json': jsonSchema(VersionsManifest),
    // The Vagrantfile provisions from this list, so both backends install the same packages.
    'infrastructure/cpython/build-bases.json': `${JSON.stringify({ $schema: './schemas/build-bases.schema.json', ...BuildBases.parse({ bases: buildBases }) }, null, 2)}\n`,
    'infrastructure/cpython/schemas/build-bases.schema.json': jsonSchema(BuildBases),
    'infrastructure/cpython/schemas/artifact-metadata.schema.json': jsonSchema(ArtifactMetadata),
    'infrastructure/cpython/schemas/validation-report.schema.json': jsonSchema(ValidationReport),
    'infrastructure/artifacts/manifest.schema.json': jsonSchema(ArtifactManifest),
  };
  for (const [name, content] of Object.entries(feature.files)) files[`features/src/${FEATURE_ID}/${name}`] = content;
  return { ...files, ...extraFiles(manifest) };
}

/** Writes (or, with check, compares) every generated file; returns the paths that were stale. */
export async function generate(input: GenerateInput): Promise<string[]> {
  const files = await generatedFiles(input.repoRoot, input.extraFiles);
  const stale: string[] = [];
  for (const [path, content] of Object.entries(files)) {
    const absolute = join(input.repoRoot, path);
    const current = await readFile(absolute, 'utf8').catch(() => undefined);
    if (current === content) continue;
    stale.push(relative(input.repoRoot, absolute));
    if (!input.check) {
      await mkdir(dirname(absolute), { recursive: true });
      await writeFile(absolute, content, { mode: path.endsWith('.sh') ? 0o755 : 0o644 });
    }
  }
  return stale;
}

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  ArtifactManifest,
  ArtifactMetadata,
  ArtifactStatement,
  artifactsMdPath,
  BuildBases,
  binaryKeyring,
  buildBases,
  CpythonPrebuiltError,
  layout,
  readArmoredKeys,
  relativeToRoot,
  ValidationReport,
  VersionsManifest,
  versionsManifest,
  WheelhouseMetadata,
} from '@cpython-prebuilt/core';
import {
  DEFAULT_FEATURE_REFERENCE,
  FEATURE_ID,
  KEYRING_FILE,
  readFeatureVersion,
  renderFeature,
} from '@cpython-prebuilt/feature';
import { readManifest, renderArtifactsMd } from '@cpython-prebuilt/release';
import { z } from 'zod';
import { quotingFiles } from './quoted-figures.ts';

const jsonSchema = (schema: z.ZodType) => `${JSON.stringify(z.toJSONSchema(schema, { io: 'input' }), null, 2)}\n`;
const json = (schemaFile: string, value: object) => `${JSON.stringify({ $schema: schemaFile, ...value }, null, 2)}\n`;

/**
 * Every generated file of the repository, by absolute path: the feature from its templates and
 * the manifest, versions.json and build-bases.json from the zod tables, the JSON schemas, and
 * ARTIFACTS.md from the manifest, the feature's keyring from the committed public keys, and the
 * figures the README and docs quote from the committed results JSON.
 */
export async function repositoryFiles(
  manifestPath: string = layout.manifest,
  versions: VersionsManifest = versionsManifest,
): Promise<Record<string, string | Uint8Array>> {
  const manifest = await readManifest(manifestPath);
  // The feature version pins the keys it trusts: infrastructure/keys/*.asc at generate time.
  const keyring = await binaryKeyring(await readArmoredKeys(layout.keysDir));
  const feature = renderFeature({
    manifest,
    featureReference: DEFAULT_FEATURE_REFERENCE,
    version: await readFeatureVersion(layout.featureVersion),
    keyring,
  });
  const schemas = layout.schemasDir;
  const files: Record<string, string | Uint8Array> = {
    [join(layout.cpythonDir, 'versions.json')]: json('./schemas/versions.schema.json', VersionsManifest.parse(versions)),
    [join(schemas, 'versions.schema.json')]: jsonSchema(VersionsManifest),
    // The Vagrantfile provisions from this list, so both backends install the same packages.
    [join(layout.cpythonDir, 'build-bases.json')]: json(
      './schemas/build-bases.schema.json',
      BuildBases.parse({ bases: buildBases }),
    ),
    [join(schemas, 'build-bases.schema.json')]: jsonSchema(BuildBases),
    [join(schemas, 'artifact-metadata.schema.json')]: jsonSchema(ArtifactMetadata),
    [join(schemas, 'validation-report.schema.json')]: jsonSchema(ValidationReport),
    [join(schemas, 'wheelhouse-metadata.schema.json')]: jsonSchema(WheelhouseMetadata),
    [join(schemas, 'artifact-statement.schema.json')]: jsonSchema(ArtifactStatement),
    [join(manifestPath, '..', 'manifest.schema.json')]: jsonSchema(ArtifactManifest),
    [artifactsMdPath(manifestPath)]: renderArtifactsMd(manifest),
  };
  for (const [name, content] of Object.entries(feature.files)) files[join(layout.featuresSrcDir, FEATURE_ID, name)] = content;
  files[join(layout.featuresSrcDir, FEATURE_ID, KEYRING_FILE)] = feature.keyring;
  // The README's and docs' measured figures, quoted from the committed results JSON.
  Object.assign(files, await quotingFiles({ manifestPath, manifest, versions }));
  return files;
}

export interface GenerateInput {
  /** Compare instead of writing; stale files are reported, nothing changes. */
  check: boolean;
  /** The versions manifest to generate from; the one this process loaded by default (`versions update` passes the new one). */
  versions?: VersionsManifest;
}

/**
 * Writes every generated file and returns the ones it changed, relative to the root. With check it
 * changes nothing and fails when any file is stale (CI).
 */
export async function generateRepositoryFiles(input: GenerateInput): Promise<string[]> {
  const stale: string[] = [];
  for (const [path, content] of Object.entries(await repositoryFiles(layout.manifest, input.versions))) {
    const current = await readFile(path).catch(() => undefined);
    if (current?.equals(Buffer.from(content))) continue;
    stale.push(relativeToRoot(path));
    if (!input.check) {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, content, { mode: path.endsWith('.sh') ? 0o755 : 0o644 });
    }
  }
  if (input.check && stale.length > 0) {
    throw new CpythonPrebuiltError('INVALID_INPUT', `generated files are stale: ${stale.join(', ')}`, {
      fix: 'run `pnpm generate` and commit the result',
    });
  }
  return stale;
}

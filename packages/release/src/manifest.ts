import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ArtifactManifest, type PublishedArtifact } from '@cpython-prebuilt/core';

export async function readManifest(path: string): Promise<ArtifactManifest> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  return text === undefined ? { artifacts: [] } : ArtifactManifest.parse(JSON.parse(text));
}

const identity = (artifact: PublishedArtifact) => `${artifact.version}/${artifact.build}/${artifact.base}/${artifact.arch}`;

/** Adds or replaces the entry with the same version, build, base and arch; newest first. */
export function withArtifact(manifest: ArtifactManifest, entry: PublishedArtifact): ArtifactManifest {
  const others = manifest.artifacts.filter((artifact) => identity(artifact) !== identity(entry));
  const artifacts = [entry, ...others].sort(
    (a, b) => b.version.localeCompare(a.version, 'en', { numeric: true }) || b.build - a.build || a.base.localeCompare(b.base),
  );
  return { ...(manifest.$schema ? { $schema: manifest.$schema } : {}), artifacts };
}

/** ARTIFACTS.md, generated: a row per published artifact, never edited by hand. */
export function renderArtifactsMd(manifest: ArtifactManifest): string {
  const rows = manifest.artifacts.map(
    (artifact) =>
      `| ${artifact.version} | ${artifact.base} | ${artifact.arch} | build${artifact.build} | ${artifact.publishedAt} | [${artifact.file}](${artifact.url}) | \`${artifact.sha256}\` | ${artifact.location} |`,
  );
  return [
    '# Published CPython artifacts',
    '',
    '<!-- GENERATED from manifest.json by `cpython-prebuilt release`; do not edit by hand. -->',
    '',
    'The feature embeds this list (through `pnpm generate`), so a feature version pins these bytes.',
    '',
    '| version | base | arch | build | date | file | sha256 | where |',
    '|---|---|---|---|---|---|---|---|',
    ...(rows.length > 0 ? rows : ['| - | - | - | - | - | nothing published yet | - | - |']),
    '',
  ].join('\n');
}

/** Writes the manifest and ARTIFACTS.md beside it, each through a temporary file and a rename. */
export async function writeManifest(path: string, artifactsMdPath: string, manifest: ArtifactManifest): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const parsed = ArtifactManifest.parse(manifest);
  await writeFile(`${path}.tmp`, `${JSON.stringify(parsed, null, 2)}\n`);
  await writeFile(`${artifactsMdPath}.tmp`, renderArtifactsMd(parsed));
  await rename(`${path}.tmp`, path);
  await rename(`${artifactsMdPath}.tmp`, artifactsMdPath);
}

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ArtifactManifest, artifactsMdPath, CpythonPrebuiltError, type PublishedArtifact } from '@cpython-prebuilt/core';

/** The manifest could not be read or is not a valid manifest: never silently treated as empty. */
export class ManifestReadError extends CpythonPrebuiltError {
  readonly path: string;
  constructor(path: string, reason: string, cause: unknown) {
    super('ARTIFACT_INVALID', `cannot read the artifact manifest ${path}: ${reason}`, {
      fix: `fix or restore ${path} (git checkout -- ${path}); it is not replaced while it cannot be read, so no published entry is lost`,
      cause,
    });
    this.name = 'ManifestReadError';
    this.path = path;
  }
}

/** The manifest at `path`; a missing file (and only that) is an empty manifest. */
export async function readManifest(path: string): Promise<ArtifactManifest> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { artifacts: [] };
    throw new ManifestReadError(path, (error as NodeJS.ErrnoException).code ?? String(error), error);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ManifestReadError(path, `not JSON (${(error as Error).message})`, error);
  }
  const parsed = ArtifactManifest.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ManifestReadError(
      path,
      `not a valid manifest (${issue?.path.join('.') || 'root'}: ${issue?.message})`,
      parsed.error,
    );
  }
  return parsed.data;
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

/**
 * Writes the manifest and its ARTIFACTS.md (always beside it: `artifactsMdPath` from core), each
 * through a temporary file and a rename.
 */
export async function writeManifest(path: string, manifest: ArtifactManifest): Promise<void> {
  const markdownPath = artifactsMdPath(path);
  await mkdir(dirname(path), { recursive: true });
  const parsed = ArtifactManifest.parse(manifest);
  await writeFile(`${path}.tmp`, `${JSON.stringify(parsed, null, 2)}\n`);
  await writeFile(`${markdownPath}.tmp`, renderArtifactsMd(parsed));
  await rename(`${path}.tmp`, path);
  await rename(`${markdownPath}.tmp`, markdownPath);
}

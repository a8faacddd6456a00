import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Benchmarks,
  DefaultBuildRecord,
  describeDefaultBuild,
  describePhase4Totals,
  INTERPRETER_LABELS,
  type Measurement,
  resultsJsonPath,
  targetsTable,
} from '@cpython-prebuilt/bench';
import {
  Arch,
  type ArtifactManifest,
  CpythonPrebuiltError,
  compareVersions,
  formatMinutes,
  layout,
  lineOf,
  relativeToRoot,
  type VersionsManifest,
  versionsManifest,
} from '@cpython-prebuilt/core';
import { readManifest } from '@cpython-prebuilt/release';
import { newestPinnedOf } from './versions-update.ts';

/**
 * Figures the README and docs quote, rendered from the committed results JSON by `pnpm generate`
 * (and checked fresh by `generate-check`), so prose can no longer disagree with the measurements.
 * A quoting file marks each place with
 *   <!-- generated: NAME (pnpm generate, from SOURCE) -->
 *   ...
 *   <!-- end generated: NAME -->
 * and everything between the two lines is replaced.
 */
export type QuotedFigures = Record<string, { source: string; markdown: string }>;

const startMarker = (name: string, source: string) => `<!-- generated: ${name} (pnpm generate, from ${source}) -->`;
const endMarker = (name: string) => `<!-- end generated: ${name} -->`;
const START = /^<!-- generated: ([a-z0-9-]+) \(pnpm generate, from [^)]*\) -->$/;

/** The Markdown files that quote figures, and which figures each quotes. */
export const QUOTING_FILES: Record<string, readonly string[]> = {
  [layout.readme]: ['versions', 'default-build', 'benchmark-targets', 'project-builds'],
  [join(layout.docsDir, 'builder.md')]: ['default-build'],
};

async function readResults(markdownPath: string): Promise<unknown | undefined> {
  const path = resultsJsonPath(markdownPath);
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CpythonPrebuiltError('INVALID_INPUT', `${relativeToRoot(path)} is not JSON: ${(error as Error).message}`, {
      fix: `restore it from the repository (git checkout -- ${relativeToRoot(path)}) or measure again`,
    });
  }
}

/** Renders a figure from a results document's JSON; a shape the renderer cannot read names the file. */
function fromResults<T>(markdownPath: string, data: unknown, render: (data: T) => string): string {
  try {
    return render(data as T);
  } catch (error) {
    throw new CpythonPrebuiltError(
      'INVALID_INPUT',
      `${relativeToRoot(resultsJsonPath(markdownPath))} lacks what the quoted figures need: ${(error as Error).message}`,
      { fix: `measure again with the command at the end of ${relativeToRoot(markdownPath)}` },
    );
  }
}

/**
 * What a user can ask the feature for: every line the versions manifest knows, its newest pinned
 * patch and support status, and per architecture what the artifacts manifest publishes (and on
 * which bases) or that the line is only pinned (buildable, not released).
 */
export function versionsTable(versions: VersionsManifest, manifest: ArtifactManifest): string {
  const lines = [...versions.lines].sort((a, b) => compareVersions(b.line, a.line));
  const published = (line: string, arch: Arch) => {
    const entries = manifest.artifacts.filter((entry) => lineOf(entry.version) === line && entry.arch === arch);
    if (entries.length === 0) return 'pinned only';
    const newest =
      entries
        .map((entry) => entry.version)
        .sort(compareVersions)
        .at(-1) ?? '';
    const bases = [...new Set(entries.filter((entry) => entry.version === newest).map((entry) => entry.base))].sort();
    return `${newest} (${bases.join(', ')})`;
  };
  return [
    `| line | newest pinned | status | ${Arch.options.map((arch) => `${arch} published`).join(' | ')} |`,
    `|---|---|---|${Arch.options.map(() => '---|').join('')}`,
    ...lines.map(
      (entry) =>
        `| ${entry.line} | ${newestPinnedOf(versions, entry.line) ?? '-'} | ${entry.status === 'maintained' ? `maintained until ${entry.endOfLife}` : `**end of life** since ${entry.endOfLife}`} | ${Arch.options.map((arch) => published(entry.line, arch)).join(' | ')} |`,
    ),
    '',
    manifest.artifacts.length === 0
      ? '**No artifact is published from this repository yet**: every line is pinned (its source digest checked against two records) and builds with `make build_cpython VERSION=<line>` where its source can be fetched; the feature installs what a release publishes, or an `artifactUrl`.'
      : `Published artifacts in detail (files, digests, dates): [infrastructure/artifacts/ARTIFACTS.md](infrastructure/artifacts/ARTIFACTS.md). Free-threaded builds are not published yet.`,
  ].join('\n');
}

/** Where the versions table reads from: the repository's manifests unless told otherwise (versions update passes the new one). */
export interface QuotedSources {
  manifestPath?: string;
  /** The artifacts manifest at manifestPath, when the caller has read it already. */
  manifest?: ArtifactManifest;
  versions?: VersionsManifest;
}

/** Every quoted figure, from the committed results (a result never recorded says how to record it). */
export async function quotedFigures(sources: QuotedSources = {}): Promise<QuotedFigures> {
  const manifestPath = sources.manifestPath ?? layout.manifest;
  const { defaultBuild, benchmarks, phase4 } = layout.results;
  const [build, bench, projects] = await Promise.all([readResults(defaultBuild), readResults(benchmarks), readResults(phase4)]);
  const record = build === undefined ? undefined : DefaultBuildRecord.safeParse(build);
  if (record && !record.success) {
    throw new CpythonPrebuiltError(
      'INVALID_INPUT',
      `${relativeToRoot(resultsJsonPath(defaultBuild))} does not match its schema: ${record.error.issues[0]?.message}`,
      { fix: 'record it again: make build-budget ARTIFACT=<the default artifact> RECORD=1' },
    );
  }
  return {
    versions: {
      source: `${relativeToRoot(join(layout.cpythonDir, 'versions.json'))} and ${relativeToRoot(manifestPath)}`,
      markdown: versionsTable(sources.versions ?? versionsManifest, sources.manifest ?? (await readManifest(manifestPath))),
    },
    'default-build': {
      source: relativeToRoot(resultsJsonPath(defaultBuild)),
      markdown: record
        ? describeDefaultBuild(record.data)
        : 'No default build is recorded yet: `make build-budget ARTIFACT=<the default artifact> RECORD=1` records one.',
    },
    'benchmark-targets': {
      source: relativeToRoot(resultsJsonPath(benchmarks)),
      markdown:
        bench === undefined
          ? 'No benchmark run is recorded yet: `make bench` records one.'
          : fromResults<Benchmarks>(benchmarks, bench, (results) =>
              [
                `Measured ${results.date.slice(0, 10)} on ${results.machine}, CPython ${results.version} on \`${results.base}\`, ` +
                  `in one run of \`make bench\` ([docs/benchmarks.md](docs/benchmarks.md): every number, spreads, charts):`,
                '',
                ...targetsTable(results),
                '',
                `The same run's builder: \`OPTIMIZE=0\` ${formatMinutes(results.builder.plain.seconds.median)}, ` +
                  `${results.interpreter.builds[INTERPRETER_LABELS.optimized]?.bolt ? 'PGO+LTO+BOLT' : 'PGO+LTO'} ${formatMinutes(results.builder.optimized.seconds.median)} ` +
                  `(${results.prebuilt?.optimized ? "built earlier and passed in: its metadata's time" : 'built by the run'}).`,
              ].join('\n'),
            ),
    },
    'project-builds': {
      source: relativeToRoot(resultsJsonPath(phase4)),
      markdown:
        projects === undefined
          ? 'No run is recorded yet: `make measure-projects` records one.'
          : fromResults<Measurement>(phase4, projects, describePhase4Totals),
    },
  };
}

/**
 * `markdown` with every generated section replaced by its figure. A section the file does not
 * mark, a marker without its end, or a name nothing renders is refused, naming the file.
 */
export function spliceQuotedFigures(markdown: string, file: string, names: readonly string[], figures: QuotedFigures): string {
  const lines = markdown.split('\n');
  const out: string[] = [];
  const seen = new Set<string>();
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    const name = START.exec(line)?.[1];
    if (name === undefined) {
      out.push(line);
      continue;
    }
    const figure = figures[name];
    if (!figure || !names.includes(name)) {
      throw new CpythonPrebuiltError('INVALID_INPUT', `${file} marks a generated section "${name}" that it does not quote`, {
        fix: `quote one of ${names.join(', ')}, or add "${name}" to QUOTING_FILES in packages/pipelines/src/quoted-figures.ts`,
      });
    }
    const end = lines.indexOf(endMarker(name), index + 1);
    if (end === -1) {
      throw new CpythonPrebuiltError('INVALID_INPUT', `${file}: the generated section "${name}" has no end line`, {
        fix: `add the line \`${endMarker(name)}\` after the section`,
      });
    }
    out.push(startMarker(name, figure.source), figure.markdown, endMarker(name));
    seen.add(name);
    index = end;
  }
  const missing = names.filter((name) => !seen.has(name));
  if (missing.length > 0) {
    throw new CpythonPrebuiltError('INVALID_INPUT', `${file} does not mark the generated section ${missing.join(', ')}`, {
      fix: `put \`${startMarker(missing[0] ?? '', '...')}\` and \`${endMarker(missing[0] ?? '')}\` where the figure goes`,
    });
  }
  return out.join('\n');
}

/** Every quoting file with its figures in place, by absolute path. */
export async function quotingFiles(sources: QuotedSources = {}): Promise<Record<string, string>> {
  const figures = await quotedFigures(sources);
  const files: Record<string, string> = {};
  for (const [path, names] of Object.entries(QUOTING_FILES)) {
    files[path] = spliceQuotedFigures(await readFile(path, 'utf8'), relativeToRoot(path), names, figures);
  }
  return files;
}

/** Rewrites the quoting files whose figures changed (release-feature, after a release changes the manifest); returns them. */
export async function writeQuotingFiles(sources: QuotedSources = {}): Promise<string[]> {
  const written: string[] = [];
  for (const [path, content] of Object.entries(await quotingFiles(sources))) {
    if ((await readFile(path, 'utf8')) === content) continue;
    await writeFile(path, content);
    written.push(relativeToRoot(path));
  }
  return written;
}

import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compareVersions, lineOf, type VersionsManifest, versionsManifest } from '@cpython-prebuilt/core';
import { satisfies, validRange } from '@renovatebot/pep440';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';

/** The CPython version a project's own files ask for, and the file that said so. */
export interface ProjectVersion {
  /** What the feature's version option gets: a pinned full version, or a line (3.12). */
  version: string;
  /** The file it was read from, relative to the project (several for a test matrix). */
  files: string[];
  /** Why this version, in one clause: `.python-version says 3.12.4 (not pinned: its line)`. */
  reason: string;
}

/** A version some file names, and where. */
interface Named {
  version: string;
  file: string;
}

const VERSION_WORD = /\b(3\.\d{1,2}(?:\.\d{1,2})?)\b/;

/** The lines the versions manifest pins, newest first, each with its newest pinned patch. */
function pinnedLines(manifest: VersionsManifest): { line: string; newest: string; maintained: boolean }[] {
  const lines = new Map<string, string>();
  for (const { version } of [...manifest.releases].sort((a, b) => compareVersions(a.version, b.version))) {
    lines.set(lineOf(version), version);
  }
  const maintained = new Set(manifest.lines.filter((line) => line.status === 'maintained').map((line) => line.line));
  return [...lines.entries()]
    .map(([line, newest]) => ({ line, newest, maintained: maintained.has(line) }))
    .sort((a, b) => compareVersions(b.line, a.line));
}

async function readIfPresent(projectDir: string, file: string): Promise<string | undefined> {
  const path = join(projectDir, file);
  return existsSync(path) ? readFile(path, 'utf8') : undefined;
}

/** pyenv's `.python-version`: the first entry that is a CPython version (3.12 or 3.12.4). */
function fromPythonVersionFile(text: string): string | undefined {
  for (const word of text.split(/\s+/)) {
    const match = /^(?:cpython-)?(3\.\d{1,2}(?:\.\d{1,2})?)$/.exec(word);
    if (match?.[1]) return match[1];
  }
  return undefined;
}

/** Heroku-style `runtime.txt`: `python-3.11.5`. */
function fromRuntimeTxt(text: string): string | undefined {
  return /^\s*python-(3\.\d{1,2}(?:\.\d{1,2})?)\s*$/m.exec(text)?.[1];
}

/** Poetry's `^3.10` / `~3.10` / `>=3.10,<3.13`, as a PEP 440 specifier. */
function poetryToPep440(constraint: string): string {
  return constraint
    .split(',')
    .map((part) => part.trim())
    .map((part) => {
      const caret = /^\^(\d+)\.(\d+)(?:\.\d+)?$/.exec(part);
      if (caret) return `>=${caret[1]}.${caret[2]},<${Number(caret[1]) + 1}`;
      const tilde = /^~(\d+)\.(\d+)(?:\.\d+)?$/.exec(part);
      if (tilde) return `>=${tilde[1]}.${tilde[2]},<${tilde[1]}.${Number(tilde[2]) + 1}`;
      return part;
    })
    .join(',');
}

/** pyproject.toml's `project.requires-python`, else Poetry's `python` dependency, as a PEP 440 specifier. */
function fromPyproject(text: string): string | undefined {
  let document: Record<string, unknown>;
  try {
    document = parseToml(text) as Record<string, unknown>;
  } catch {
    // A pyproject.toml that does not parse says nothing integrate can use; pip will say why.
    return undefined;
  }
  const project = document.project as { 'requires-python'?: unknown } | undefined;
  if (typeof project?.['requires-python'] === 'string') return project['requires-python'];
  const poetry = (document.tool as { poetry?: { dependencies?: { python?: unknown } } } | undefined)?.poetry;
  const python = poetry?.dependencies?.python;
  return typeof python === 'string' ? poetryToPep440(python) : undefined;
}

/** tox.ini's `envlist` (py311, py312) and `[gh-actions] python =` table. */
function fromTox(text: string): string[] {
  const versions = new Set<string>();
  for (const match of text.matchAll(/\bpy3(\d{1,2})\b/g)) versions.add(`3.${match[1]}`);
  for (const match of text.matchAll(/^\s*(3\.\d{1,2})\s*:/gm)) if (match[1]) versions.add(match[1]);
  return [...versions];
}

/** noxfile.py's `python=` arguments: every quoted 3.N inside them. */
function fromNoxfile(text: string): string[] {
  const versions = new Set<string>();
  for (const argument of text.matchAll(/python\s*=\s*(\[[^\]]*\]|\([^)]*\)|"[^"]*"|'[^']*')/g)) {
    for (const match of (argument[1] ?? '').matchAll(/["'](3\.\d{1,2})["']/g)) if (match[1]) versions.add(match[1]);
  }
  return [...versions];
}

/** Every `python-version` a GitHub Actions workflow names: matrices and setup-python inputs. */
function fromWorkflow(text: string): string[] {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch {
    return [];
  }
  const versions = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
    } else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'python-version' || key === 'python') {
          for (const item of Array.isArray(value) ? value : [value]) {
            const match = VERSION_WORD.exec(String(item));
            if (match?.[1]) versions.add(lineOf(match[1]));
          }
        } else {
          visit(value);
        }
      }
    }
  };
  visit(document);
  return [...versions];
}

/** The project's test matrix: tox, nox and GitHub Actions workflows, each version with its file. */
async function testedVersions(projectDir: string): Promise<Named[]> {
  const named: Named[] = [];
  const tox = await readIfPresent(projectDir, 'tox.ini');
  if (tox) for (const version of fromTox(tox)) named.push({ version, file: 'tox.ini' });
  const nox = await readIfPresent(projectDir, 'noxfile.py');
  if (nox) for (const version of fromNoxfile(nox)) named.push({ version, file: 'noxfile.py' });
  const workflows = join(projectDir, '.github', 'workflows');
  if (existsSync(workflows)) {
    for (const name of (await readdir(workflows)).filter((file) => /\.ya?ml$/.test(file)).sort()) {
      const file = `.github/workflows/${name}`;
      for (const version of fromWorkflow(await readFile(join(projectDir, file), 'utf8'))) named.push({ version, file });
    }
  }
  return named;
}

/** A version the project names exactly: pinned as it is, else its line when the manifest pins that line. */
function exact(named: Named, lines: ReturnType<typeof pinnedLines>, manifest: VersionsManifest): ProjectVersion | undefined {
  const said = `${named.file} says ${named.version}`;
  if (manifest.releases.some((release) => release.version === named.version)) {
    return { version: named.version, files: [named.file], reason: said };
  }
  const line = lines.find((candidate) => candidate.line === lineOf(named.version));
  if (!line) return undefined;
  const why = named.version === line.line ? said : `${said} (not pinned here: its line, newest ${line.newest})`;
  return { version: line.line, files: [named.file], reason: why };
}

/**
 * The CPython version a project's own files ask for, for `integrate` to propose when nobody passed
 * --version: an exact version from `.python-version` or `runtime.txt`; else the newest line that
 * the test matrix (tox.ini, noxfile.py, GitHub Actions workflows) runs and `requires-python`
 * (pyproject.toml, Poetry too) allows; else the newest maintained line `requires-python` allows.
 * Only lines the versions manifest pins are proposed; undefined when the files say nothing usable.
 */
export async function projectPythonVersion(
  projectDir: string,
  manifest: VersionsManifest = versionsManifest,
): Promise<ProjectVersion | undefined> {
  const lines = pinnedLines(manifest);
  const pythonVersion = await readIfPresent(projectDir, '.python-version');
  const pinned = pythonVersion === undefined ? undefined : fromPythonVersionFile(pythonVersion);
  if (pinned) {
    const found = exact({ version: pinned, file: '.python-version' }, lines, manifest);
    if (found) return found;
  }
  const runtime = await readIfPresent(projectDir, 'runtime.txt');
  const runtimeVersion = runtime === undefined ? undefined : fromRuntimeTxt(runtime);
  if (runtimeVersion) {
    const found = exact({ version: runtimeVersion, file: 'runtime.txt' }, lines, manifest);
    if (found) return found;
  }
  const pyproject = await readIfPresent(projectDir, 'pyproject.toml');
  const specifier = pyproject === undefined ? undefined : fromPyproject(pyproject);
  const range = specifier && validRange(specifier) ? specifier : undefined;
  const allowed = (line: { newest: string }) => range === undefined || satisfies(line.newest, range);
  const rangeNote = range ? ` that pyproject.toml's requires-python ${range} allows` : '';
  const tested = await testedVersions(projectDir);
  for (const line of lines) {
    const files = [...new Set(tested.filter((named) => named.version === line.line).map((named) => named.file))];
    if (files.length > 0 && allowed(line)) {
      return { version: line.line, files, reason: `${line.line}, the newest line tested in ${files.join(', ')}${rangeNote}` };
    }
  }
  if (range) {
    const line = lines.find((candidate) => candidate.maintained && allowed(candidate)) ?? lines.find(allowed);
    if (line) {
      return {
        version: line.line,
        files: ['pyproject.toml'],
        reason: `${line.line}, the newest pinned line pyproject.toml's requires-python ${range} allows`,
      };
    }
  }
  return undefined;
}

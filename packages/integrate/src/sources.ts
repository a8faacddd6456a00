import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

/**
 * Where else a dev container's Python can come from: places integrate reads but cannot change
 * (a base image, the Dockerfile's package installs), reported instead of being ignored.
 */
export interface Finding {
  /** The file and line, relative to the project: `.devcontainer/Dockerfile:3`. */
  where: string;
  message: string;
  /** This source compiles Python at image build time (for --check). */
  compiles: boolean;
}

/** The parts of a devcontainer.json that say where its image comes from. */
export interface ImageSource {
  image?: unknown;
  build?: { dockerfile?: unknown; context?: unknown };
  /** The old spelling of build.dockerfile. */
  dockerFile?: unknown;
  dockerComposeFile?: unknown;
  service?: unknown;
}

/** `python:3.12-slim`, `docker.io/library/python`, `mcr.microsoft.com/devcontainers/python:3.11`... */
export function isPythonImage(image: string): boolean {
  const repository = image.replace(/@sha256:[0-9a-f]+$/, '').replace(/:[\w][\w.-]*$/, '');
  return /(^|\/)python$/.test(repository.toLowerCase());
}

interface Instruction {
  line: number;
  keyword: string;
  rest: string;
}

/** Dockerfile instructions with continuation lines joined and comment lines dropped. */
export function dockerfileInstructions(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending: { line: number; text: string } | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    if (/^\s*#/.test(raw) || (!pending && raw.trim() === '')) return;
    const continued = /\\\s*$/.test(raw);
    const part = continued ? raw.replace(/\\\s*$/, '') : raw;
    pending = pending ? { line: pending.line, text: `${pending.text} ${part.trim()}` } : { line: index + 1, text: part.trim() };
    if (!continued) {
      const match = /^(\S+)\s*(.*)$/.exec(pending.text);
      if (match?.[1]) instructions.push({ line: pending.line, keyword: match[1].toUpperCase(), rest: match[2] ?? '' });
      pending = undefined;
    }
  });
  return instructions;
}

const INSTALLERS = /\b(apt-get|apt|apk|dnf|yum|microdnf)\s+(?:\S+\s+)*?(install|add)\b/;
const PYTHON_PACKAGE = /^python3?(\.\d+)?(-[\w.+-]+)?(=\S+)?$/;

/** Findings in one Dockerfile; `where` is the Dockerfile's path as the report shows it. */
export function dockerfileFindings(text: string, where: string): Finding[] {
  const findings: Finding[] = [];
  const args = new Map<string, string>();
  const stages = new Set<string>();
  let pythonFromImageOrPackages = false;
  for (const { line, keyword, rest } of dockerfileInstructions(text)) {
    const at = `${where}:${line}`;
    if (keyword === 'ARG') {
      const match = /^([A-Za-z_]\w*)=(?:"([^"]*)"|(\S*))/.exec(rest);
      if (match?.[1]) args.set(match[1], match[2] ?? match[3] ?? '');
    } else if (keyword === 'FROM') {
      const words = rest.split(/\s+/).filter((word) => !word.startsWith('--'));
      const image = (words[0] ?? '').replace(/\$\{?(\w+)\}?/g, (_, name: string) => args.get(name) ?? '');
      if (words[1]?.toLowerCase() === 'as' && words[2]) stages.add(words[2].toLowerCase());
      if (!stages.has(image.toLowerCase()) && isPythonImage(image)) {
        pythonFromImageOrPackages = true;
        findings.push({
          where: at,
          message: `the base image ${image} brings its own Python, which integrate cannot change; the feature installs another one first on PATH: start FROM a plain Debian or Ubuntu image to have only one`,
          compiles: false,
        });
      }
    } else if (keyword === 'RUN') {
      const packages = INSTALLERS.test(rest)
        ? rest
            .split(/[\s;&|]+/)
            .filter((word) => PYTHON_PACKAGE.test(word))
            .filter((word, index, all) => all.indexOf(word) === index)
        : [];
      if (packages.length > 0) {
        pythonFromImageOrPackages = true;
        findings.push({
          where: at,
          message: `installs ${packages.join(', ')} from the distribution, which integrate cannot change; that Python stays beside the feature's (the feature's comes first on PATH): remove it from the Dockerfile if nothing else needs it`,
          compiles: false,
        });
      } else if (/\bpyenv\s+install\b|Python-\d+\.\d+\.\d+\.t(ar\.xz|gz)|python\.org\/ftp\/python/.test(rest)) {
        findings.push({
          where: at,
          message:
            'compiles Python in the Dockerfile, which integrate cannot change: remove this step, the feature installs a prebuilt CPython',
          compiles: true,
        });
      } else if (!pythonFromImageOrPackages && /(^|[\s;&|(])(pip3?|python3?(\.\d+)?)\s/.test(rest)) {
        findings.push({
          where: at,
          message:
            "uses Python before any feature is installed (features are installed after the Dockerfile), so it cannot use the feature's Python: move it to onCreateCommand or postCreateCommand",
          compiles: false,
        });
      }
    }
  }
  return findings;
}

async function readOrNote(path: string, projectDir: string, findings: Finding[]): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    findings.push({
      where: relative(projectDir, path),
      message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}), so where its Python comes from is unknown`,
      compiles: false,
    });
    return undefined;
  }
}

async function fromDockerfile(path: string, projectDir: string, findings: Finding[]): Promise<void> {
  const text = await readOrNote(path, projectDir, findings);
  if (text !== undefined) findings.push(...dockerfileFindings(text, relative(projectDir, path)));
}

function fromImage(image: string, where: string, findings: Finding[]): void {
  if (isPythonImage(image)) {
    findings.push({
      where,
      message: `the image ${image} brings its own Python, which integrate cannot change; the feature installs another one first on PATH: use a plain Debian or Ubuntu image to have only one`,
      compiles: false,
    });
  }
}

interface ComposeService {
  image?: unknown;
  build?: unknown;
}

/** The service as Compose merges it: later files override earlier ones, key by key. */
async function composeService(
  files: string[],
  service: string,
  projectDir: string,
  findings: Finding[],
): Promise<{ service: ComposeService; file: string } | undefined> {
  let merged: ComposeService | undefined;
  let definedIn = '';
  for (const file of files) {
    const text = await readOrNote(file, projectDir, findings);
    if (text === undefined) continue;
    let document: unknown;
    try {
      document = parseYaml(text);
    } catch (error) {
      findings.push({
        where: relative(projectDir, file),
        message: `is not valid YAML (${(error as Error).message.split('\n')[0]})`,
        compiles: false,
      });
      continue;
    }
    const entry = (document as { services?: Record<string, ComposeService> } | null)?.services?.[service];
    if (entry && typeof entry === 'object') {
      merged = { ...merged, ...entry };
      definedIn = file;
    }
  }
  return merged ? { service: merged, file: definedIn } : undefined;
}

/**
 * Where a configuration's image comes from: an image it names (`image`, or a Compose service's
 * `image` without `build`), or a Dockerfile it builds (`build.dockerfile`, or a Compose service's
 * build). `where` names the place for reports. Problems reading Compose files land in `findings`.
 */
export type ImageLocation =
  | { shape: 'image' | 'compose'; image: string; where: string }
  | { shape: 'dockerfile' | 'compose'; dockerfile: string; where: string }
  | { shape: 'unknown'; where: string };

export async function locateImageSource(
  configPath: string,
  config: ImageSource,
  projectDir: string,
  findings: Finding[] = [],
): Promise<ImageLocation> {
  const folder = dirname(configPath);
  const where = relative(projectDir, configPath);
  const dockerfile = config.build?.dockerfile ?? config.dockerFile;
  if (typeof config.image === 'string') return { shape: 'image', image: config.image, where };
  // build.dockerfile is relative to devcontainer.json (the context only changes what COPY sees).
  if (typeof dockerfile === 'string') return { shape: 'dockerfile', dockerfile: resolve(folder, dockerfile), where };
  if (config.dockerComposeFile === undefined) return { shape: 'unknown', where };
  const files = (Array.isArray(config.dockerComposeFile) ? config.dockerComposeFile : [config.dockerComposeFile])
    .filter((file): file is string => typeof file === 'string')
    .map((file) => resolve(folder, file));
  const name = typeof config.service === 'string' ? config.service : '';
  const found = await composeService(files, name, projectDir, findings);
  if (!found) {
    findings.push({
      where,
      message: `service ${JSON.stringify(name)} is not in ${files.map((file) => relative(projectDir, file)).join(', ')}`,
      compiles: false,
    });
    return { shape: 'unknown', where };
  }
  const serviceWhere = `${relative(projectDir, found.file)} (service ${name})`;
  if (typeof found.service.image === 'string' && found.service.build === undefined) {
    return { shape: 'compose', image: found.service.image, where: serviceWhere };
  }
  if (found.service.build === undefined) return { shape: 'unknown', where: serviceWhere };
  const build = found.service.build;
  const spec = typeof build === 'string' ? { context: build } : (build as { context?: unknown; dockerfile?: unknown });
  // Compose resolves relative paths against the first file's folder, whichever file set them.
  const base = dirname(files[0] ?? configPath);
  const context = resolve(base, typeof spec.context === 'string' ? spec.context : '.');
  const file = typeof spec.dockerfile === 'string' ? spec.dockerfile : 'Dockerfile';
  return { shape: 'compose', dockerfile: isAbsolute(file) ? file : join(context, file), where: serviceWhere };
}

/** Findings for one configuration: its image, Dockerfile, or Compose service. */
export async function pythonElsewhere(configPath: string, config: ImageSource, projectDir: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  const location = await locateImageSource(configPath, config, projectDir, findings);
  if ('image' in location) fromImage(location.image, location.where, findings);
  else if ('dockerfile' in location) await fromDockerfile(location.dockerfile, projectDir, findings);
  return findings;
}

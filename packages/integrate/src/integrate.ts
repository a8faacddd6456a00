import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { CpythonPrebuiltError, lineOf } from '@cpython-prebuilt/core';
import { featureOptionProblems } from '@cpython-prebuilt/feature';
import { createTwoFilesPatch } from 'diff';
import { getNodeValue } from 'jsonc-parser';
import {
  type EditResult,
  type EditStatus,
  type FeatureEntry,
  type OptionOutcome,
  parseOrRefuse,
  switchToFeature,
} from './edit.ts';
import { isOurFeature, officialPathsIn } from './official.ts';
import { type ProjectVersion, projectPythonVersion } from './project-version.ts';
import { type Finding, type ImageSource, pythonElsewhere } from './sources.ts';
import { createFileExclusively, replaceFilesAtomically } from './write.ts';

/** write: change the files; dry-run: only the diff; check: change nothing, fail if Python is still compiled. */
export type IntegrateMode = 'write' | 'dry-run' | 'check';

export interface IntegrateProjectInput {
  projectDir: string;
  /** Configurations to switch (relative to projectDir, or absolute); none means every one found. */
  configs: string[];
  entry: FeatureEntry;
  mode: IntegrateMode;
  /**
   * A project with no configuration gets .devcontainer/devcontainer.json from this image, then the
   * feature as for any configuration (write and dry-run; --check never creates).
   */
  createFromImage?: string;
}

/** Where a configuration is created, as the spec's first place to look. */
export const CREATED_CONFIG = '.devcontainer/devcontainer.json';
/** An image reference: registry/name[:tag][@digest], nothing a JSON string or a shell would misread. */
const IMAGE_REFERENCE = /^[a-z0-9][a-z0-9._/:-]*(@sha256:[0-9a-f]{64})?$/;

/** The configuration `--create` starts from: the image, and features for integrate to fill. */
export function createdConfiguration(image: string, projectName: string): string {
  if (!IMAGE_REFERENCE.test(image)) {
    throw new CpythonPrebuiltError('INVALID_INPUT', `"${image}" is not an image reference`, {
      fix: 'give the image the container starts from, as docker pull takes it: lowercase registry/name:tag (a Debian or Ubuntu image: the feature needs glibc)',
    });
  }
  return `${JSON.stringify({ name: projectName, image, features: {} }, null, 2).replace(
    '{\n',
    '{\n  // Made by `cpython-prebuilt integrate --create`: Python comes from the cpython/installer feature.\n',
  )}\n`;
}

export interface ConfigReport {
  /** Relative to the project: `.devcontainer/backend/devcontainer.json`. */
  path: string;
  status: EditStatus;
  action: string;
  options: OptionOutcome[];
  /** Python from places integrate cannot change. */
  findings: Finding[];
  /** As found: what compiles Python at image build time (empty: nothing does). */
  compilesPython: string[];
  changed: boolean;
  /** Unified diff (a/ and b/ prefixes, for `git apply`); empty when unchanged. */
  diff: string;
  /** The file written (a symlinked configuration's target), when mode is write and it changed. */
  writtenTo?: string;
  /**
   * What would break the built container, in the file as it would be written (as it is, for
   * --check): a feature reference with a placeholder, an option value the feature refuses.
   */
  problems: string[];
}

/** A reference that still holds a placeholder such as <owner>: no registry resolves it. */
export function isPlaceholderReference(reference: string): boolean {
  return /[<>]/.test(reference);
}

/** This feature's entries in a configuration's text: each reference with its options. */
function ourEntries(text: string, path: string, requested: string): { reference: string; options: Record<string, unknown> }[] {
  const config = getNodeValue(parseOrRefuse(text, path)) as { features?: Record<string, unknown> };
  const features = config.features && typeof config.features === 'object' ? config.features : {};
  return Object.entries(features)
    .filter(([reference]) => isOurFeature(reference, requested) || isPlaceholderReference(reference))
    .map(([reference, options]) => ({
      reference,
      // The string shorthand ("...installer:1": "3.12") is the version option.
      options:
        typeof options === 'string'
          ? { version: options }
          : options && typeof options === 'object'
            ? (options as Record<string, unknown>)
            : {},
    }));
}

/**
 * When this feature's entry in `text` installs another line than the project's own files ask for:
 * one sentence saying both (a note, not a refusal: the configuration may be right and the file old).
 */
function versionDisagreement(text: string, path: string, requested: string, project: ProjectVersion): string | undefined {
  for (const { options } of ourEntries(text, path, requested)) {
    const version = options.version;
    if (typeof version !== 'string' || version === 'latest' || version === '') continue;
    if (lineOf(version) !== lineOf(project.version)) {
      return `installs ${version}, but ${project.reason}: change one of them (--version ${project.version} sets it here)`;
    }
  }
  return undefined;
}

/** The problems of this feature's entries in `text` (see ConfigReport.problems). */
function entryProblems(text: string, path: string, requested: string): string[] {
  const problems: string[] = [];
  for (const { reference, options } of ourEntries(text, path, requested)) {
    if (isPlaceholderReference(reference)) {
      problems.push(`"${reference}" still holds a placeholder: no registry can resolve it`);
    }
    for (const problem of featureOptionProblems(options)) problems.push(`"${reference}": ${problem.message}`);
  }
  return problems;
}

export interface IntegrateReport {
  projectDir: string;
  mode: IntegrateMode;
  configs: ConfigReport[];
}

/** The places the Dev Container spec looks for configurations, in its order; refuses a project with none. */
export async function findConfigurations(projectDir: string): Promise<string[]> {
  const found = await listConfigurations(projectDir);
  if (found.length === 0) {
    throw new CpythonPrebuiltError(
      'INVALID_INPUT',
      `no dev container configuration in ${projectDir} (looked for .devcontainer/devcontainer.json, .devcontainer.json and .devcontainer/<folder>/devcontainer.json)`,
      {
        fix: 'pass the project folder that holds the dev container configuration, name it with --config, or create one with --create <image> (a Debian or Ubuntu image)',
      },
    );
  }
  return found;
}

async function listConfigurations(projectDir: string): Promise<string[]> {
  const found: string[] = [];
  for (const candidate of ['.devcontainer/devcontainer.json', '.devcontainer.json']) {
    if (existsSync(join(projectDir, candidate))) found.push(candidate);
  }
  const folder = join(projectDir, '.devcontainer');
  const entries = existsSync(folder) ? await readdir(folder, { withFileTypes: true }) : [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const candidate = join('.devcontainer', entry.name, 'devcontainer.json');
    if ((entry.isDirectory() || entry.isSymbolicLink()) && existsSync(join(projectDir, candidate))) found.push(candidate);
  }
  return found;
}

function named(projectDir: string, config: string): string {
  const path = isAbsolute(config) ? config : resolve(projectDir, config);
  if (!existsSync(path)) {
    throw new CpythonPrebuiltError('INVALID_INPUT', `the configuration ${config} does not exist in ${projectDir}`, {
      fix: 'name a devcontainer.json relative to the project folder, e.g. .devcontainer/devcontainer.json',
    });
  }
  return relative(projectDir, path);
}

interface Planned {
  report: ConfigReport;
  absolute: string;
  text: string;
  /** A configuration integrate makes (--create), not one it edits. */
  created: boolean;
}

async function plan(
  projectDir: string,
  path: string,
  entry: FeatureEntry,
  addIfMissing: boolean,
  check: boolean,
  projectVersion: ProjectVersion | undefined,
  created?: string,
): Promise<Planned> {
  const absolute = resolve(projectDir, path);
  const before = created ?? (await readFile(absolute, 'utf8'));
  const edited: EditResult = switchToFeature(before, path, entry, { addIfMissing, projectVersion });
  const config = getNodeValue(parseOrRefuse(before, path)) as ImageSource;
  const findings = await pythonElsewhere(absolute, config, projectDir);
  const disagreement = projectVersion && versionDisagreement(check ? before : edited.text, path, entry.reference, projectVersion);
  if (disagreement) findings.push({ where: path, message: disagreement, compiles: false });
  const installPaths = edited.options.filter((option) => option.option === 'installPath' && typeof option.value === 'string');
  for (const { at, value } of officialPathsIn(
    config,
    installPaths.map((option) => option.value as string),
  )) {
    findings.push({
      where: `${path} (${at})`,
      message: `${JSON.stringify(value)} is in a folder the official feature made; cpython/installer's interpreter is /opt/python-current/bin/python3 (also /usr/local/bin/python3): change this setting`,
      compiles: false,
    });
  }
  const changed = created !== undefined || edited.text !== before;
  return {
    absolute,
    text: edited.text,
    created: created !== undefined,
    report: {
      path,
      problems: entryProblems(check ? before : edited.text, path, entry.reference),
      status: edited.status,
      action: created === undefined ? edited.action : `created from the image ${String(config.image)}; ${edited.action}`,
      options: edited.options,
      findings,
      compilesPython: [
        ...(edited.compiledPython ? ['the official python feature'] : []),
        ...findings.filter((finding) => finding.compiles).map((finding) => finding.where),
      ],
      changed,
      diff: !changed
        ? ''
        : created === undefined
          ? createTwoFilesPatch(`a/${path}`, `b/${path}`, before, edited.text, undefined, undefined)
          : createTwoFilesPatch('/dev/null', `b/${path}`, '', edited.text, undefined, undefined),
    },
  };
}

/**
 * Switches a project's dev container configurations (each one found, or the ones named) to the
 * feature in `entry`. Every file is edited in memory first: if one cannot be, none is written.
 */
export async function integrateProject(input: IntegrateProjectInput): Promise<IntegrateReport> {
  // --create: a project without any configuration gets one (never in --check, never over one found).
  const creating =
    input.createFromImage !== undefined &&
    input.mode !== 'check' &&
    input.configs.length === 0 &&
    (await listConfigurations(input.projectDir)).length === 0
      ? createdConfiguration(input.createFromImage, basename(resolve(input.projectDir)))
      : undefined;
  const paths = creating
    ? [CREATED_CONFIG]
    : input.configs.length > 0
      ? input.configs.map((config) => named(input.projectDir, config))
      : await findConfigurations(input.projectDir);
  // A configuration without any python feature gets one when it was named, or when it is the
  // project's only one (what a first `integrate --feature` on a project means); in a project with
  // several, the others may be services that need no Python.
  const addIfMissing = input.configs.length > 0 || paths.length === 1;
  const planned: Planned[] = [];
  if (input.mode !== 'check' && isPlaceholderReference(input.entry.reference)) {
    throw new CpythonPrebuiltError(
      'INVALID_INPUT',
      `the feature reference "${input.entry.reference}" still holds a placeholder`,
      {
        fix: 'pass --feature with the reference the feature is published under (make publish prints it: <registry>/<owner>/<repo>/cpython/installer:1), or ./installer for a copy made by feature vendor',
      },
    );
  }
  // Without --version, what the project's own files ask for (.python-version, requires-python...).
  const projectVersion = await projectPythonVersion(input.projectDir);
  for (const path of paths) {
    planned.push(await plan(input.projectDir, path, input.entry, addIfMissing, input.mode === 'check', projectVersion, creating));
  }
  // Nothing is written when one configuration would give a container that does not build.
  const broken = planned.flatMap(({ report }) => report.problems.map((problem) => `${report.path}: ${problem}`));
  if (broken.length > 0) {
    throw new CpythonPrebuiltError(
      'INVALID_INPUT',
      `${input.mode === 'check' ? 'the' : 'integrate would write a'} configuration the feature refuses:\n  ${broken.join('\n  ')}`,
      {
        fix: 'correct the values named (features/src/installer/README.md lists every option and what it accepts), then run integrate again; nothing was written',
      },
    );
  }
  if (input.mode === 'check') {
    const compiling = planned.filter(({ report }) => report.compilesPython.length > 0);
    if (compiling.length > 0) {
      const reasons = compiling.map(({ report }) => `${report.path} (${report.compilesPython.join(', ')})`);
      throw new CpythonPrebuiltError('PYTHON_COMPILED', `Python is still compiled at image build time by ${reasons.join(', ')}`, {
        fix: `run \`cpython-prebuilt integrate ${input.projectDir}\` to switch to the prebuilt feature, or remove the compile step it names`,
      });
    }
  }
  if (input.mode === 'write') {
    // All or none: one configuration that cannot be written leaves every other as it was.
    const changed = planned.filter(({ report, created }) => report.changed && !created);
    const written = await replaceFilesAtomically(
      input.projectDir,
      changed.map(({ absolute, text }) => ({ path: absolute, text })),
    );
    changed.forEach(({ report }, index) => {
      report.writtenTo = written[index];
    });
    // A created configuration is the project's only one: nothing else to keep in step with.
    for (const { report, absolute, text } of planned.filter(({ created }) => created)) {
      report.writtenTo = await createFileExclusively(input.projectDir, absolute, text);
    }
  }
  return { projectDir: input.projectDir, mode: input.mode, configs: planned.map(({ report }) => report) };
}

function describeValue(value: unknown): string {
  return value === undefined ? '' : ` ${JSON.stringify(value)}`;
}

/** The report for people: one block per configuration. */
export function formatReport(report: IntegrateReport): string {
  const lines: string[] = [];
  for (const config of report.configs) {
    if (report.mode === 'check') {
      const compiles =
        config.compilesPython.length > 0 ? `compiles Python (${config.compilesPython.join(', ')})` : 'compiles no Python';
      lines.push(`${config.path}: ${compiles}`);
    } else {
      const state = config.changed ? (report.mode === 'write' ? '' : ' (not written)') : ' (no change)';
      lines.push(`${config.path}: ${config.action}${state}`);
      if (config.writtenTo && config.writtenTo !== resolve(report.projectDir, config.path)) {
        lines.push(`  written to ${config.writtenTo} (the link's target)`);
      }
      for (const option of config.options) {
        const verdict = option.outcome === 'kept' || option.outcome === 'set' ? `${option.outcome}, ` : '';
        lines.push(`  ${option.option}${describeValue(option.value)}: ${verdict}${option.reason}`);
      }
    }
    for (const finding of config.findings) lines.push(`  ${finding.where}: ${finding.message}`);
  }
  return `${lines.join('\n')}\n`;
}

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

/** The project's first configuration, where the spec looks for it first. */
export async function findDevcontainerJson(projectDir: string): Promise<string> {
  const [first] = await findConfigurations(projectDir);
  return join(projectDir, first as string);
}

/** One configuration (the first the spec finds), adding the feature if it has none. */
export async function integrate(input: IntegrateInput): Promise<IntegrateResult> {
  const path = await findDevcontainerJson(input.projectDir);
  const report = await integrateProject({
    projectDir: input.projectDir,
    configs: [path],
    entry: input.entry,
    mode: input.dryRun ? 'dry-run' : 'write',
  });
  const [config] = report.configs;
  return { path, action: config?.action ?? '', diff: config?.diff ?? '', changed: config?.changed ?? false };
}

import { CpythonPrebuiltError } from '@cpython-prebuilt/core';
import { type Edit, findNodeAtLocation, getNodeValue, modify, type Node } from 'jsonc-parser';
import { apply, detectFormatting, parseOrRefuse, removeProperty, setProperty } from './jsonc.ts';
import {
  carriesOver,
  DEFAULT_TOOLS_NOTE,
  droppedBecause,
  isOfficialPython,
  isOurFeature,
  isOurVersion,
  officialCompiles,
  untagged,
} from './official.ts';

export { parseOrRefuse } from './jsonc.ts';

export interface FeatureEntry {
  reference: string;
  /** Options to set; every other option already in the entry is kept (see OptionOutcome). */
  options: Record<string, string | boolean>;
}

/** What became of one option of the entry that was rewritten. */
export interface OptionOutcome {
  option: string;
  value?: unknown;
  outcome: 'kept' | 'set' | 'removed' | 'note';
  reason: string;
}

export type EditStatus = 'switched' | 'updated' | 'added' | 'skipped';

export interface EditResult {
  text: string;
  status: EditStatus;
  /** What happened, for people: "replaced ghcr.io/devcontainers/features/python:1 with ./installer". */
  action: string;
  options: OptionOutcome[];
  /** The file, as it was, had the official feature compile Python at image build time. */
  compiledPython: boolean;
}

export interface SwitchOptions {
  /** Add the feature to a file that has no python feature (default true). */
  addIfMissing?: boolean;
  /**
   * The version an added entry gets when `asked` names none: what the project's own files ask for
   * (.python-version, requires-python...), with the reason the report gives.
   */
  projectVersion?: { version: string; reason: string };
}

function keyOf(property: Node): string {
  return String(property.children?.[0]?.value ?? '');
}

function featuresOf(text: string, path: string): Node | undefined {
  const features = findNodeAtLocation(parseOrRefuse(text, path), ['features']);
  if (features && features.type !== 'object') {
    throw new CpythonPrebuiltError('INVALID_INPUT', `"features" in ${path} is not an object`, {
      fix: 'make it an object of feature references',
    });
  }
  return features;
}

function property(text: string, path: string, reference: string): Node | undefined {
  return featuresOf(text, path)?.children?.find((child) => keyOf(child) === reference);
}

/** The official feature's version: from `{ "version": ... }`, or the string shorthand `"python:1": "3.11"`. */
function officialVersion(value: Node | undefined): unknown {
  if (!value) return undefined;
  if (value.type === 'string') return value.value;
  if (value.type === 'object') return getNodeValue(value)?.version;
  return undefined;
}

/**
 * The first official python feature of a devcontainer.json and its options as written: the string
 * shorthand (`"python:1": "3.11"`) reads as `{ version: "3.11" }`. Undefined when there is none.
 */
export function officialPythonOptions(
  text: string,
  path: string,
): { reference: string; options: Record<string, unknown> } | undefined {
  const official = featuresOf(text, path)?.children?.find((child) => isOfficialPython(keyOf(child)));
  if (!official) return undefined;
  const value = official.children?.[1];
  const options =
    value?.type === 'object' ? (getNodeValue(value) as Record<string, unknown>) : { version: officialVersion(value) };
  return { reference: keyOf(official), options };
}

const DIGEST = /@sha256:[0-9a-f]{64}$/;
const tagOf = (reference: string) => /:([\w][\w.-]*)$/.exec(reference.replace(DIGEST, ''))?.[1];

/**
 * The pinned key to keep instead of `asked`: `existing` is pinned by digest, `asked` is not, and
 * both name the same feature with the same tag (or `asked` names no tag).
 */
function keepsDigestPin(existing: string, asked: string): string | undefined {
  if (!DIGEST.test(existing) || DIGEST.test(asked) || untagged(existing) !== untagged(asked)) return undefined;
  const askedTag = tagOf(asked);
  return askedTag === undefined || askedTag === tagOf(existing) ? existing : undefined;
}

/**
 * Points the python feature of a devcontainer.json at `entry`, changing as little as it can:
 * the official feature's key is renamed in place, its `version` (and `additionalVersions`) stay
 * unless `entry.options` sets them, each option cpython/installer does not have is removed and
 * reported, comments stay. On a re-run the existing entry keeps its options (artifactUrl,
 * sha256...) and only `entry.options` are set. Without any python feature, `entry` is added
 * (unless `addIfMissing` is false).
 */
export function switchToFeature(text: string, path: string, asked: FeatureEntry, switchOptions: SwitchOptions = {}): EditResult {
  const formatting = detectFormatting(text);
  const edit = (current: string, edits: Edit[]): string => apply(current, edits);
  const features = featuresOf(text, path);
  const properties = features?.children ?? [];
  const ours = properties.find((child) => isOurFeature(keyOf(child), asked.reference));
  // A digest pin on the same reference and tag stays: the project chose those exact bytes.
  const pinned = ours ? keepsDigestPin(keyOf(ours), asked.reference) : undefined;
  const entry: FeatureEntry = pinned ? { ...asked, reference: pinned } : asked;
  const officials = properties.filter((child) => isOfficialPython(keyOf(child)));
  const compiledPython = officials.some((child) => officialCompiles(officialVersion(child.children?.[1])));
  const outcomes: OptionOutcome[] = [];
  if (pinned) {
    outcomes.push({
      option: 'reference',
      value: pinned,
      outcome: 'note',
      reason: `kept the digest pin (asked for ${asked.reference})`,
    });
  }
  const target = ours ?? officials[0];

  if (!target) {
    if (switchOptions.addIfMissing === false) {
      return {
        text,
        status: 'skipped',
        action: `no python feature: left as it is (name it with --config ${path} to add ${entry.reference})`,
        options: [],
        compiledPython,
      };
    }
    const fromProject = entry.options.version === undefined ? switchOptions.projectVersion : undefined;
    const options = fromProject ? { ...entry.options, version: fromProject.version } : entry.options;
    const added = features
      ? edit(text, setProperty(text, features, ['features'], entry.reference, options, formatting))
      : edit(text, modify(text, ['features', entry.reference], options, { formattingOptions: formatting }));
    for (const [option, value] of Object.entries(entry.options))
      outcomes.push({ option, value, outcome: 'set', reason: 'asked for' });
    if (fromProject) outcomes.push({ option: 'version', value: fromProject.version, outcome: 'set', reason: fromProject.reason });
    return finish(added, path, entry, { status: 'added', action: `added ${entry.reference}`, options: outcomes, compiledPython });
  }

  const targetKey = keyOf(target);
  const targetVersion = officialVersion(target.children?.[1]);
  if (!ours && !officialCompiles(targetVersion) && entry.options.version === undefined) {
    const what = targetVersion === undefined ? 'no version, so os-provided' : `version ${String(targetVersion)}`;
    return {
      text,
      status: 'skipped',
      action: `left ${targetKey} as it is: with ${what} it compiles nothing; pass --version to install a prebuilt CPython instead`,
      options: [],
      compiledPython,
    };
  }
  if (!ours && entry.options.version === undefined && !isOurVersion(String(targetVersion))) {
    throw new CpythonPrebuiltError(
      'INVALID_INPUT',
      `${path}: ${targetKey} asks for version ${JSON.stringify(targetVersion)}, which cpython/installer does not know`,
      {
        fix: 'pass --version with a version cpython/installer has (3.13, 3.13.5 or latest); the file was not changed',
      },
    );
  }

  // 1. Rename the key in place (same position, same comments around it).
  let current = text;
  const key = target.children?.[0];
  if (key && targetKey !== entry.reference) {
    current = edit(current, [{ offset: key.offset, length: key.length, content: JSON.stringify(entry.reference) }]);
  }
  // 2. The string shorthand ("python:1": "3.11") is the version option in this feature too (the
  //    devcontainers CLI gives a string to the option named version): it stays a string unless
  //    options other than version are asked for.
  let value = property(current, path, entry.reference)?.children?.[1];
  const shorthand = value?.type === 'string' && Object.keys(entry.options).every((option) => option === 'version');
  if (shorthand && value) {
    const was = value.value as string;
    const version = entry.options.version ?? was;
    if (version === was) {
      if (!ours) outcomes.push({ option: 'version', value: was, outcome: 'kept', reason: 'cpython/installer has it too' });
    } else {
      current = edit(current, modify(current, ['features', entry.reference], version, { formattingOptions: formatting }));
      outcomes.push({ option: 'version', value: version, outcome: 'set', reason: `asked for (was ${JSON.stringify(was)})` });
    }
  } else if (value && value.type !== 'object') {
    const carried = value.type === 'string' ? { version: value.value as string } : {};
    current = edit(current, modify(current, ['features', entry.reference], carried, { formattingOptions: formatting }));
  }
  // 3. Remove, one by one, what cpython/installer does not have; say why. (An entry of this
  //    feature keeps whatever the user put in it.)
  while (!ours && !shorthand) {
    value = property(current, path, entry.reference)?.children?.[1];
    const children = value?.children ?? [];
    const index = children.findIndex((child) => !carriesOver(keyOf(child)));
    const foreign = children[index];
    if (!foreign) break;
    const optionValue = foreign.children?.[1] ? getNodeValue(foreign.children[1]) : undefined;
    outcomes.push({
      option: keyOf(foreign),
      value: optionValue,
      outcome: 'removed',
      reason: droppedBecause(keyOf(foreign), optionValue),
    });
    current = edit(current, removeProperty(current, value as Node, index));
  }
  if (!ours) {
    const kept = shorthand
      ? null
      : (getNodeValue(value ?? { type: 'null', offset: 0, length: 0 }) as Record<string, unknown> | null);
    for (const [option, optionValue] of Object.entries(kept ?? {})) {
      if (entry.options[option] === undefined)
        outcomes.push({ option, value: optionValue, outcome: 'kept', reason: 'cpython/installer has it too' });
    }
    if (!outcomes.some((outcome) => outcome.option === 'installTools')) {
      outcomes.push({ option: 'installTools', outcome: 'note', reason: DEFAULT_TOOLS_NOTE });
    }
  }
  // 4. Set what was asked for, and only that.
  for (const [option, optionValue] of shorthand ? [] : Object.entries(entry.options)) {
    value = property(current, path, entry.reference)?.children?.[1];
    if (!value) break;
    const before = (getNodeValue(value) as Record<string, unknown>)[option];
    if (before === optionValue) continue;
    current = edit(current, setProperty(current, value, ['features', entry.reference], option, optionValue, formatting));
    outcomes.push({
      option,
      value: optionValue,
      outcome: 'set',
      reason: before === undefined ? 'asked for' : `asked for (was ${JSON.stringify(before)})`,
    });
  }
  // 5. Any other copy of the official feature would install a second Python: remove it.
  for (;;) {
    const now = featuresOf(current, path);
    const index = (now?.children ?? []).findIndex((child) => isOfficialPython(keyOf(child)));
    if (!now || index === -1) break;
    const extra = keyOf(now.children?.[index] as Node);
    outcomes.push({
      option: extra,
      outcome: 'removed',
      reason: `removed: a second python feature (${entry.reference} installs Python)`,
    });
    current = edit(current, removeProperty(current, now, index));
  }
  const action = ours
    ? `updated ${entry.reference}${targetKey !== entry.reference ? ` (was ${targetKey})` : ''}`
    : `replaced ${targetKey} with ${entry.reference}`;
  return finish(current, path, entry, { status: ours ? 'updated' : 'switched', action, options: outcomes, compiledPython });
}

function finish(text: string, path: string, entry: FeatureEntry, result: Omit<EditResult, 'text'>): EditResult {
  const check = parseOrRefuse(text, `${path} (edited)`);
  if (!findNodeAtLocation(check, ['features', entry.reference])) {
    throw new CpythonPrebuiltError('INVALID_INPUT', `editing ${path} did not produce the feature entry`, {
      fix: 'report this with the file attached; the file was not changed',
    });
  }
  return { text, ...result };
}

import { CpythonPrebuiltError } from '@cpython-prebuilt/core';
import {
  applyEdits,
  type Edit,
  type FormattingOptions,
  findNodeAtLocation,
  modify,
  type Node,
  type ParseError,
  parseTree,
  printParseErrorCode,
} from 'jsonc-parser';

/** The official feature, any tag: `ghcr.io/devcontainers/features/python`, `...:1`, `...:1.8.0`. */
const OFFICIAL_PYTHON = /^ghcr\.io\/devcontainers\/features\/python(:[^/]*)?$/;

export interface FeatureEntry {
  reference: string;
  options: Record<string, string | boolean>;
}

export interface EditResult {
  text: string;
  /** What happened, for people: "replaced ghcr.io/devcontainers/features/python:1", "added". */
  action: string;
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

export function parseOrRefuse(text: string, path: string): Node {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  const first = errors[0];
  if (first || !tree) {
    const where = first ? ` at ${lineAndColumn(text, first.offset)}: ${printParseErrorCode(first.error)}` : '';
    throw new CpythonPrebuiltError('INVALID_INPUT', `${path} cannot be parsed as JSON with comments${where}`, {
      fix: 'fix the syntax error (your editor shows it), then run integrate again; the file was not changed',
    });
  }
  if (tree.type !== 'object') {
    throw new CpythonPrebuiltError('INVALID_INPUT', `${path} does not hold a JSON object`, {
      fix: 'a devcontainer.json is one object',
    });
  }
  return tree;
}

/** Indentation as the file already uses it, so the new lines look like their neighbours. */
function detectFormatting(text: string): FormattingOptions {
  const indent = /^([ \t]+)"/m.exec(text)?.[1] ?? '  ';
  return {
    insertSpaces: !indent.includes('\t'),
    tabSize: indent.includes('\t') ? 1 : indent.length,
    eol: text.includes('\r\n') ? '\r\n' : '\n',
  };
}

function renderValue(options: Record<string, string | boolean>, indent: string, depth: number, eol: string): string {
  const entries = Object.entries(options);
  if (entries.length === 0) return '{}';
  const inner = indent.repeat(depth + 1);
  const lines = entries.map(([key, value]) => `${inner}${JSON.stringify(key)}: ${JSON.stringify(value)}`);
  return `{${eol}${lines.join(`,${eol}`)}${eol}${indent.repeat(depth)}}`;
}

/**
 * Replaces the official python feature with `entry` in place (same position, the comments and
 * formatting around it untouched), or adds `entry` to `features` when there is none.
 */
export function switchToFeature(text: string, path: string, entry: FeatureEntry): EditResult {
  const tree = parseOrRefuse(text, path);
  const formatting = detectFormatting(text);
  const indentUnit = formatting.insertSpaces ? ' '.repeat(formatting.tabSize ?? 2) : '\t';
  const features = findNodeAtLocation(tree, ['features']);
  if (features && features.type !== 'object') {
    throw new CpythonPrebuiltError('INVALID_INPUT', `"features" in ${path} is not an object`, {
      fix: 'make it an object of feature references',
    });
  }
  const properties = features?.children ?? [];
  const existing = properties.find((property) => property.children?.[0]?.value === entry.reference);
  const official = properties.filter((property) => OFFICIAL_PYTHON.test(String(property.children?.[0]?.value ?? '')));
  const target = existing ?? official[0];
  let edits: Edit[];
  let action: string;
  if (target?.children?.[0] && target.children[1]) {
    const [key, value] = target.children;
    const depth = lineIndentDepth(text, key.offset, indentUnit);
    edits = [
      {
        offset: value.offset,
        length: value.length,
        content: renderValue(entry.options, indentUnit, depth, formatting.eol ?? '\n'),
      },
      { offset: key.offset, length: key.length, content: JSON.stringify(entry.reference) },
    ];
    action = existing ? `updated ${entry.reference}` : `replaced ${String(key.value)} with ${entry.reference}`;
    // Any further copies of the official feature would install a second Python: remove them.
    for (const extra of official.filter((property) => property !== target)) {
      edits.push(...modify(text, ['features', String(extra.children?.[0]?.value)], undefined, { formattingOptions: formatting }));
    }
  } else {
    edits = modify(text, ['features', entry.reference], entry.options, { formattingOptions: formatting });
    action = `added ${entry.reference}`;
  }
  // applyEdits wants non-overlapping edits applied from the end: sort by offset, descending.
  const result = applyEdits(
    text,
    [...edits].sort((a, b) => b.offset - a.offset),
  );
  const check = parseOrRefuse(result, `${path} (edited)`);
  if (!findNodeAtLocation(check, ['features', entry.reference])) {
    throw new CpythonPrebuiltError('INVALID_INPUT', `editing ${path} did not produce the feature entry`, {
      fix: 'report this with the file attached; the file was not changed',
    });
  }
  return { text: result, action };
}

function lineIndentDepth(text: string, offset: number, unit: string): number {
  const lineStart = text.lastIndexOf('\n', offset) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart, offset))?.[0] ?? '';
  return Math.round(indent.length / Math.max(unit.length, 1));
}

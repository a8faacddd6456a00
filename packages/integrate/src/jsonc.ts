import { CpythonPrebuiltError } from '@cpython-prebuilt/core';
import {
  applyEdits,
  type Edit,
  type FormattingOptions,
  modify,
  type Node,
  type ParseError,
  parseTree,
  printParseErrorCode,
} from 'jsonc-parser';

/**
 * Small, comment-preserving edits of JSON with comments. jsonc-parser's `modify` is used only to
 * replace a value or fill an empty object: removing a property with it also removes the comment
 * after the previous property, and appending moves the last property's trailing comment onto the
 * new one. The helpers below work on whole lines instead.
 */

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

/** Indentation as the file already uses it, so new lines look like their neighbours. */
export function detectFormatting(text: string): FormattingOptions {
  const indent = /^([ \t]+)"/m.exec(text)?.[1] ?? '  ';
  return {
    insertSpaces: !indent.includes('\t'),
    tabSize: indent.includes('\t') ? 1 : indent.length,
    eol: text.includes('\r\n') ? '\r\n' : '\n',
  };
}

export function indentUnit(formatting: FormattingOptions): string {
  return formatting.insertSpaces ? ' '.repeat(formatting.tabSize ?? 2) : '\t';
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function lineEnd(text: string, offset: number): number {
  const end = text.indexOf('\n', offset);
  return end === -1 ? text.length : end;
}

/** The offset of the comma that follows `offset` (past whitespace and comments), if any. */
function commaAfter(text: string, offset: number): number | undefined {
  let at = offset;
  for (;;) {
    const rest = text.slice(at);
    const skip = /^(\s+|\/\/[^\n]*|\/\*[\s\S]*?\*\/)/.exec(rest)?.[0];
    if (skip) {
      at += skip.length;
      continue;
    }
    return rest.startsWith(',') ? at : undefined;
  }
}

function end(node: Node): number {
  return node.offset + node.length;
}

/**
 * Removes property `index` of `object`. A property on its own line goes with its line; if that
 * line ends with a comment, the line is commented out instead, so the comment stays beside what
 * it described. Comment lines above it stay. When the last property goes, the comma before it
 * goes too unless the file used a trailing comma there.
 */
export function removeProperty(text: string, object: Node, index: number): Edit[] {
  const properties = object.children ?? [];
  const property = properties[index];
  if (!property) return [];
  const comma = commaAfter(text, end(property));
  const afterProperty = comma === undefined ? end(property) : comma + 1;
  const start = lineStart(text, property.offset);
  const stop = lineEnd(text, afterProperty);
  const trailing = /^[ \t]*(\/\/.*|\/\*.*\*\/[ \t]*)?\r?$/.exec(text.slice(afterProperty, stop));
  const ownLine = /^[ \t]*$/.test(text.slice(start, property.offset)) && trailing !== null;
  const oneLine = !text.slice(property.offset, afterProperty).includes('\n');
  let edits: Edit[];
  if (ownLine && trailing?.[1] && oneLine) {
    edits = [{ offset: property.offset, length: 0, content: '// ' }];
  } else if (ownLine) {
    edits = [{ offset: start, length: Math.min(stop + 1, text.length) - start, content: '' }];
  } else {
    const spaces = /^[ \t]*/.exec(text.slice(afterProperty))?.[0].length ?? 0;
    edits = [{ offset: property.offset, length: afterProperty - property.offset + spaces, content: '' }];
  }
  const previous = properties[index - 1];
  if (comma === undefined && previous && properties.length - 1 === index) {
    const previousComma = commaAfter(text, end(previous));
    if (previousComma !== undefined) edits.push({ offset: previousComma, length: 1, content: '' });
  }
  return edits;
}

/**
 * Sets `key` to `value` in `object`: replaces the value of an existing key in place; otherwise
 * appends a line after the last property, with its indentation, leaving that property's trailing
 * comment where it was.
 */
export function setProperty(
  text: string,
  object: Node,
  path: (string | number)[],
  key: string,
  value: unknown,
  formatting: FormattingOptions,
): Edit[] {
  const properties = object.children ?? [];
  const existing = properties.find((property) => property.children?.[0]?.value === key);
  if (existing) return modify(text, [...path, key], value, { formattingOptions: formatting });
  const last = properties.at(-1);
  if (!last) return modify(text, [...path, key], value, { formattingOptions: formatting });
  const comma = commaAfter(text, end(last));
  const entry = `${JSON.stringify(key)}: ${JSON.stringify(value)}`;
  const start = lineStart(text, last.offset);
  const indent = text.slice(start, last.offset);
  const after = comma === undefined ? end(last) : comma + 1;
  if (!/^[ \t]*$/.test(indent)) {
    // Properties on one line: the new one goes on that line too.
    return [{ offset: after, length: 0, content: comma === undefined ? `, ${entry}` : ` ${entry},` }];
  }
  // One property per line: a new line after the last one's line (after its trailing comment).
  const eol = formatting.eol ?? '\n';
  const stop = lineEnd(text, after);
  const insertAt = text[stop - 1] === '\r' ? stop - 1 : stop;
  const line = `${eol}${indent}${entry}${comma === undefined ? '' : ','}`;
  if (comma !== undefined) return [{ offset: insertAt, length: 0, content: line }];
  if (insertAt === end(last)) return [{ offset: insertAt, length: 0, content: `,${line}` }];
  return [
    { offset: end(last), length: 0, content: ',' },
    { offset: insertAt, length: 0, content: line },
  ];
}

/** Applies edits computed against `text` (non-overlapping), last first. */
export function apply(text: string, edits: Edit[]): string {
  return applyEdits(text, edits);
}

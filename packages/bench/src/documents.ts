import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const fenced = (command: string): string[] => ['```sh', command, '```', ''];

/** The fenced command a results document ends with, so anyone can measure again. */
export function reproduceBlock(command: string): string[] {
  return ['Reproduce:', '', ...fenced(command)];
}

/** The same command as a section of its own, for documents made of headed sections. */
export function reproduceSection(command: string): string[] {
  return ['## Reproduce', '', ...fenced(command)];
}

/** Where the raw numbers of a results document live: beside it, as .json. */
export function resultsJsonPath(markdownPath: string): string {
  return markdownPath.replace(/\.md$/, '.json');
}

/** The base name a results document's charts start with: docs/benchmarks.md -> "benchmarks". */
export function documentBaseName(markdownPath: string): string {
  return basename(markdownPath).replace(/\.md$/, '');
}

/**
 * Writes a results document and, beside it as .json, the raw numbers it was rendered from, and
 * beside it too any charts (file name -> SVG) the document shows.
 */
export async function writeResults(
  markdownPath: string,
  markdown: string,
  data: unknown,
  charts: Record<string, string> = {},
): Promise<void> {
  await mkdir(dirname(markdownPath), { recursive: true });
  for (const [name, svg] of Object.entries(charts)) await writeFile(join(dirname(markdownPath), name), svg);
  await writeFile(markdownPath, markdown);
  await writeFile(resultsJsonPath(markdownPath), `${JSON.stringify(data, null, 2)}\n`);
}

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The fenced command a results document ends with, so anyone can measure again. */
export function reproduceBlock(command: string): string[] {
  return ['Reproduce:', '', '```sh', command, '```', ''];
}

/** Where the raw numbers of a results document live: beside it, as .json. */
export function resultsJsonPath(markdownPath: string): string {
  return markdownPath.replace(/\.md$/, '.json');
}

/** Writes a results document and, beside it as .json, the raw numbers it was rendered from. */
export async function writeResults(markdownPath: string, markdown: string, data: unknown): Promise<void> {
  await mkdir(dirname(markdownPath), { recursive: true });
  await writeFile(markdownPath, markdown);
  await writeFile(resultsJsonPath(markdownPath), `${JSON.stringify(data, null, 2)}\n`);
}

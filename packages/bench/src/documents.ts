import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The fenced command a results document ends with, so anyone can measure again. */
export function reproduceBlock(command: string): string[] {
  return ['Reproduce:', '', '```sh', command, '```', ''];
}

/** Writes a results document and, beside it as .json, the raw numbers it was rendered from. */
export async function writeResults(markdownPath: string, markdown: string, data: unknown): Promise<void> {
  await mkdir(dirname(markdownPath), { recursive: true });
  await writeFile(markdownPath, markdown);
  await writeFile(markdownPath.replace(/\.md$/, '.json'), `${JSON.stringify(data, null, 2)}\n`);
}

import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Writes rendered feature files into `dir` (created if needed), install.sh executable. */
export async function writeFeatureFiles(dir: string, files: Record<string, string>): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  await chmod(join(dir, 'install.sh'), 0o755);
  return dir;
}

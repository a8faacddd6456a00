import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KEYRING_FILE } from './options.ts';

/** Writes rendered feature files (and the keyring, when given) into `dir` (created if needed), install.sh executable. */
export async function writeFeatureFiles(dir: string, files: Record<string, string>, keyring?: Uint8Array): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  if (keyring) await writeFile(join(dir, KEYRING_FILE), keyring);
  await chmod(join(dir, 'install.sh'), 0o755);
  return dir;
}

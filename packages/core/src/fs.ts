import { access } from 'node:fs/promises';

/** Whether anything exists at `path` (file, directory or link target). */
export async function pathExists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

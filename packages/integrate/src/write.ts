import { chmod, chown, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';

/**
 * Replaces a file's text through a temporary file and one rename, so it is never half-written.
 * A symlinked file is written at its target (the link stays a link), and the file keeps its mode
 * (and, when run as root, its owner).
 */
export async function replaceFileText(path: string, text: string): Promise<string> {
  const target = await realpath(path);
  const before = await stat(target);
  const temporary = `${target}.cpython-prebuilt-${process.pid}.tmp`;
  try {
    await writeFile(temporary, text, { mode: before.mode & 0o7777 });
    // writeFile's mode passes through the umask: set it exactly.
    await chmod(temporary, before.mode & 0o7777);
    if (process.getuid?.() === 0) await chown(temporary, before.uid, before.gid);
    await rename(temporary, target);
  } finally {
    await rm(temporary, { force: true });
  }
  return target;
}

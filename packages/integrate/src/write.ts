import { randomBytes } from 'node:crypto';
import { chmod, chown, type FileHandle, mkdir, open, readFile, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { CpythonPrebuiltError } from '@cpython-prebuilt/core';

export interface FileChange {
  /** The configuration as the project names it (a symlink stays a link: its target is written). */
  path: string;
  text: string;
}

interface Staged {
  change: FileChange;
  target: string;
  temporary: string;
  before: string;
}

/** Whether `path` is `root` or lies below it (both already real paths). */
function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith('/'));
}

async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes `text` to a new file beside `target`, under a name nobody can have planted (random, and
 * created with O_EXCL, so an existing file or symlink of that name is refused, never followed),
 * flushed to disk, with the target's mode (and owner, when run as root).
 */
async function stage(target: string, text: string): Promise<string> {
  const before = await stat(target);
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temporary, 'wx', 0o600);
    await handle.writeFile(text);
    await handle.sync();
  } catch (error) {
    await handle?.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  await chmod(temporary, before.mode & 0o7777);
  if (process.getuid?.() === 0) await chown(temporary, before.uid, before.gid);
  return temporary;
}

/**
 * Replaces the text of a project's configurations all or none: each new text is staged beside its
 * file first (a failure there changes nothing), then each staged file is renamed over its target
 * and the folders are flushed; should a rename fail, the files already replaced get their old text
 * back. A configuration that is (or resolves through a symlink to) a file outside the project is
 * refused before anything is written. Returns the file each change was written to.
 */
export async function replaceFilesAtomically(projectDir: string, changes: FileChange[]): Promise<string[]> {
  const root = await realpath(projectDir);
  const staged: Staged[] = [];
  try {
    for (const change of changes) {
      const target = await realpath(change.path);
      if (!inside(root, target)) {
        throw new CpythonPrebuiltError('INVALID_INPUT', `${change.path} resolves to ${target}, outside the project ${root}`, {
          fix: 'integrate edits only files inside the project: replace the symlink with the file, or run integrate in the project the file belongs to',
        });
      }
      const before = await readFile(target, 'utf8');
      staged.push({ change, target, before, temporary: await stage(target, change.text) });
    }
  } catch (error) {
    for (const { temporary } of staged) await rm(temporary, { force: true });
    if (error instanceof CpythonPrebuiltError) throw error;
    const path = changes[staged.length]?.path;
    throw new CpythonPrebuiltError(
      'INVALID_INPUT',
      `could not write ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)}): no configuration was changed`,
      { fix: 'check that its folder is writable and the disk not full, then run integrate again', cause: error },
    );
  }
  const replaced: Staged[] = [];
  try {
    for (const entry of staged) {
      await rename(entry.temporary, entry.target);
      replaced.push(entry);
    }
    for (const dir of new Set(staged.map((entry) => dirname(entry.target)))) await fsyncDirectory(dir);
  } catch (error) {
    for (const entry of staged) if (!replaced.includes(entry)) await rm(entry.temporary, { force: true });
    for (const entry of replaced) {
      const temporary = await stage(entry.target, entry.before);
      await rename(temporary, entry.target);
    }
    throw new CpythonPrebuiltError(
      'INVALID_INPUT',
      `could not replace ${staged[replaced.length]?.change.path}: no configuration was changed`,
      {
        fix: 'check that the folder is writable and the disk not full, then run integrate again',
        cause: error,
      },
    );
  }
  return staged.map((entry) => entry.target);
}

/**
 * Creates `path` (inside `projectDir`, its folder made as needed) holding `text`, with O_EXCL: a
 * file or symlink that appeared there meanwhile is refused, never overwritten or followed; flushed.
 */
export async function createFileExclusively(projectDir: string, path: string, text: string): Promise<string> {
  const root = await realpath(projectDir);
  try {
    await mkdir(dirname(path), { recursive: true });
    const folder = await realpath(dirname(path));
    if (!inside(root, folder)) {
      throw new CpythonPrebuiltError('INVALID_INPUT', `${dirname(path)} resolves to ${folder}, outside the project ${root}`, {
        fix: 'integrate writes only inside the project: remove the symlink, or run integrate in the project it points to',
      });
    }
    const target = join(folder, basename(path));
    const handle = await open(target, 'wx', 0o644);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fsyncDirectory(folder);
    return target;
  } catch (error) {
    if (error instanceof CpythonPrebuiltError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new CpythonPrebuiltError('INVALID_INPUT', `could not create ${path} (${code}): nothing was written`, {
      fix:
        code === 'EEXIST'
          ? 'a configuration appeared there meanwhile: run integrate again, which then edits it'
          : 'check that the project folder is writable and the disk not full, then run integrate again',
      cause: error,
    });
  }
}

import { lstat, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { create } from 'tar';

/** Every path below `root/topDirectory`, parents before children, siblings in byte order. */
async function sortedEntries(root: string, relative: string): Promise<string[]> {
  const entries = [relative];
  const stat = await lstat(join(root, relative));
  if (!stat.isDirectory()) return entries;
  const children = (await readdir(join(root, relative))).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const child of children) entries.push(...(await sortedEntries(root, `${relative}/${child}`)));
  return entries;
}

export interface PackOptions {
  /** The directory that holds `topDirectory`. */
  root: string;
  topDirectory: string;
  output: string;
  /** Seconds since the epoch stamped on every entry (SOURCE_DATE_EPOCH). */
  mtime: number;
}

/**
 * A deterministic .tgz: sorted entries, one fixed mtime, owner 0:0 with no names, gzip header
 * without file name or time. The same tree always gives the same bytes.
 */
export async function packDeterministic(options: PackOptions): Promise<void> {
  const entries = await sortedEntries(options.root, options.topDirectory);
  const partial = `${options.output}.part`;
  const mtime = new Date(options.mtime * 1000);
  try {
    await create(
      {
        file: partial,
        cwd: options.root,
        gzip: { level: 9 },
        portable: true,
        noDirRecurse: true,
        mtime,
        follow: false,
        // `portable` drops directory mtimes (extracting then stamps "now"); keep the fixed one.
        onWriteEntry: (entry) => {
          entry.noMtime = false;
          entry.mtime = mtime;
        },
      },
      entries,
    );
    await rename(partial, options.output);
  } finally {
    await rm(partial, { force: true });
  }
}

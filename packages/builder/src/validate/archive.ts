import { posix } from 'node:path';
import { list, type ReadEntry } from 'tar';

export interface ArchiveFinding {
  ok: boolean;
  detail: string;
}

/** A symlink target resolved against the link's directory stays below the top directory. */
export function linkStaysInside(topDirectory: string, entryPath: string, target: string): boolean {
  if (posix.isAbsolute(target)) return false;
  const resolved = posix.normalize(posix.join(posix.dirname(entryPath), target));
  return resolved === topDirectory || resolved.startsWith(`${topDirectory}/`);
}

/**
 * The layout every artifact must have: one top directory `python-<version>/`, no absolute or
 * `..` paths, no link pointing out of the tree, and the interpreter where users expect it.
 */
export async function inspectArchive(file: string, topDirectory: string, shortVersion: string): Promise<ArchiveFinding> {
  const problems: string[] = [];
  let entries = 0;
  const seen = new Set<string>();
  await list({
    file,
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      entries++;
      const path = entry.path.replace(/\/$/, '');
      seen.add(path);
      const normalized = posix.normalize(path);
      if (posix.isAbsolute(path) || normalized.split('/').includes('..') || normalized !== path) {
        problems.push(`entry ${entry.path} escapes or is not normalised`);
      } else if (path !== topDirectory && !path.startsWith(`${topDirectory}/`)) {
        problems.push(`entry ${entry.path} is outside ${topDirectory}/`);
      }
      if ((entry.type === 'SymbolicLink' || entry.type === 'Link') && entry.linkpath) {
        const inside =
          entry.type === 'SymbolicLink'
            ? linkStaysInside(topDirectory, path, entry.linkpath)
            : entry.linkpath.startsWith(`${topDirectory}/`) && !entry.linkpath.split('/').includes('..');
        if (!inside)
          problems.push(
            `${entry.type === 'Link' ? 'hard link' : 'symlink'} ${entry.path} -> ${entry.linkpath} points outside the tree`,
          );
      }
      if (!['File', 'OldFile', 'Directory', 'SymbolicLink', 'Link'].includes(entry.type)) {
        problems.push(`entry ${entry.path} has type ${entry.type}, only files, directories and links are allowed`);
      }
      entry.resume();
    },
  });
  // Missing essentials come first: they say most about what is wrong with the archive.
  const required = [
    `${topDirectory}/bin/python3`,
    `${topDirectory}/bin/python${shortVersion}`,
    `${topDirectory}/lib/python${shortVersion}`,
  ];
  problems.unshift(...required.filter((path) => !seen.has(path)).map((path) => `missing ${path}`));
  if (problems.length > 0) {
    const shown = problems.slice(0, 5).join('; ');
    return { ok: false, detail: `${shown}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ''}` };
  }
  return { ok: true, detail: `${entries} entries, all under ${topDirectory}/` };
}

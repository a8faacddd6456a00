/**
 * Native modules an artifact must have, as the import a user writes and the extension module
 * that backs it. A build without any of them fails. dbm.gnu and dbm.ndbm are not among them: their
 * libraries (gdbm) are GPL, and the artifact carries none (schemas/bases.ts).
 */
export const expectedNativeModules = [
  { name: 'ssl', extension: '_ssl' },
  { name: 'hashlib', extension: '_hashlib' },
  { name: 'sqlite3', extension: '_sqlite3' },
  { name: 'lzma', extension: '_lzma' },
  { name: 'bz2', extension: '_bz2' },
  { name: 'zlib', extension: 'zlib' },
  { name: 'ctypes', extension: '_ctypes' },
  { name: 'uuid', extension: '_uuid' },
  { name: 'readline', extension: 'readline' },
  { name: 'curses', extension: '_curses' },
  { name: 'curses.panel', extension: '_curses_panel' },
  { name: 'tkinter', extension: '_tkinter' },
  { name: 'decimal', extension: '_decimal' },
  { name: 'xml.parsers.expat', extension: 'pyexpat' },
  { name: 'ctypes.util', extension: '_ctypes' },
] as const;

/** The imports, as the in-guest scripts take them (one space-separated env var). */
export function expectedImports(): string[] {
  return [...new Set(expectedNativeModules.map((module) => module.name))];
}

export function expectedExtensions(): string[] {
  return [...new Set(expectedNativeModules.map((module) => module.extension))];
}

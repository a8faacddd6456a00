import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CpythonPrebuiltError } from './errors.ts';

/** Overrides the apt sources, as scripts/setup-machine.sh's SETUP_MIRROR does. */
export const DEBIAN_MIRROR_ENV = 'SETUP_MIRROR';

/** The Debian archive keyring every Debian machine has (package debian-archive-keyring). */
export const DEBIAN_ARCHIVE_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

/** The URIs of `deb`/`deb-src` lines (one-line format) and of deb822 `.sources` stanzas. */
function urisIn(text: string, deb822: boolean): string[] {
  if (deb822) {
    return [...text.matchAll(/^URIs:\s*(.+)$/gim)].flatMap((match) => (match[1] ?? '').trim().split(/\s+/));
  }
  const uris: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    // deb [options] uri suite components
    const match = /^deb(?:-src)?\s+(?:\[[^\]]*\]\s+)?(\S+)/.exec(line);
    if (match?.[1]) uris.push(match[1]);
  }
  return uris;
}

/**
 * The Debian archive this machine's apt uses: $SETUP_MIRROR, else the first http(s) URI of
 * /etc/apt/sources.list.d/*.sources and *.list, then /etc/apt/sources.list, that is a Debian
 * archive (its path ends in /debian; a security or other archive is skipped). A user behind a
 * mirror or proxy gets that mirror: no host name is written here.
 */
export function debianMirror(env: NodeJS.ProcessEnv = process.env, aptDir = '/etc/apt'): string {
  const given = env[DEBIAN_MIRROR_ENV];
  if (given) return given.replace(/\/+$/, '');
  const files: [string, boolean][] = [];
  const listDir = join(aptDir, 'sources.list.d');
  if (existsSync(listDir)) {
    for (const name of readdirSync(listDir).sort()) {
      if (name.endsWith('.sources')) files.push([join(listDir, name), true]);
      else if (name.endsWith('.list')) files.push([join(listDir, name), false]);
    }
  }
  if (existsSync(join(aptDir, 'sources.list'))) files.push([join(aptDir, 'sources.list'), false]);
  for (const [path, deb822] of files) {
    const uri = urisIn(readFileSync(path, 'utf8'), deb822).find((candidate) => /^https?:\/\/.+\/debian\/?$/.test(candidate));
    if (uri) return uri.replace(/\/+$/, '');
  }
  throw new CpythonPrebuiltError('INVALID_INPUT', `no Debian archive in the apt sources under ${aptDir}`, {
    fix: `set ${DEBIAN_MIRROR_ENV}=<the Debian archive URL your machine may use, ending in /debian>`,
  });
}

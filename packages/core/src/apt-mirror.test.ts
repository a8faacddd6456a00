import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { debianMirror } from './apt-mirror.ts';

async function aptDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'apt-'));
  await mkdir(join(dir, 'sources.list.d'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

describe('debianMirror: the Debian archive the machine already uses', () => {
  it('reads deb822 .sources, skipping comments and the security archive, and honours SETUP_MIRROR', async () => {
    const dir = await aptDir({
      'sources.list.d/debian.sources':
        'Types: deb\n# http://snapshot.example/archive/debian/20250520T000000Z\nURIs: http://mirror.internal.example/debian-security\nSuites: bookworm-security\n\nTypes: deb\nURIs: http://mirror.internal.example/debian/\nSuites: bookworm\n',
    });
    expect(debianMirror({}, dir)).toBe('http://mirror.internal.example/debian');
    expect(debianMirror({ SETUP_MIRROR: 'https://proxy.example/debian/' }, dir)).toBe('https://proxy.example/debian');
  });

  it('reads one-line sources.list, options included, and names the variable to set when none is found', async () => {
    const list = await aptDir({
      'sources.list':
        '# deb http://old.example/debian bullseye main\ndeb [arch=amd64 signed-by=/k.gpg] http://apt.example/debian bookworm main\n',
    });
    expect(debianMirror({}, list)).toBe('http://apt.example/debian');
    const none = await aptDir({ 'sources.list': 'deb http://ports.example/ubuntu jammy main\n' });
    expect(() => debianMirror({}, none)).toThrow(/no Debian archive in the apt sources/);
  });
});

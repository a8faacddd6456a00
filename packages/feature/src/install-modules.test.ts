import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INSTALL_MODULE_TESTS_DIR, INSTALL_MODULES, INSTALL_MODULES_DIR, installTemplate } from './render.ts';

const moduleText = (name: string) => readFileSync(new URL(`${name}.sh`, INSTALL_MODULES_DIR), 'utf8');
/** name -> the lines of its comment block, for every function a module defines. */
function functionsOf(text: string): { name: string; doc: string[] }[] {
  const lines = text.split('\n');
  const found: { name: string; doc: string[] }[] = [];
  lines.forEach((line, index) => {
    const match = /^([a-z0-9_]+)\(\) \{/.exec(line);
    if (!match?.[1]) return;
    let start = index;
    while (start > 0 && lines[start - 1]?.startsWith('#')) start -= 1;
    found.push({ name: match[1], doc: lines.slice(start, index) });
  });
  return found;
}

describe("install.sh's modules", () => {
  it('are exactly the header and the modules INSTALL_MODULES joins, in that order', () => {
    const files = readdirSync(INSTALL_MODULES_DIR).sort();
    expect(files).toEqual(['header.sh.in', ...INSTALL_MODULES.map((name) => `${name}.sh`)].sort());
    const joined = installTemplate();
    let at = 0;
    for (const name of INSTALL_MODULES) {
      const next = joined.indexOf(moduleText(name), at);
      expect(next, `${name}.sh in order`).toBeGreaterThanOrEqual(at);
      at = next;
    }
  });

  it('define each function once, each documented by a comment that starts with its name', () => {
    const seen = new Map<string, string>();
    for (const name of INSTALL_MODULES) {
      for (const fn of functionsOf(moduleText(name))) {
        expect(seen.get(fn.name), `${fn.name} defined in ${seen.get(fn.name)} and ${name}`).toBeUndefined();
        seen.set(fn.name, name);
        expect(fn.doc[0] ?? '', `${name}.sh: ${fn.name}`).toMatch(new RegExp(`^# ${fn.name}( |:)`));
      }
    }
    expect(seen.size).toBeGreaterThan(50);
  });

  it('run nothing when sourced, except main.sh: a module can be tested alone', () => {
    for (const name of INSTALL_MODULES.filter((module) => module !== 'main')) {
      const lines = moduleText(name).split('\n');
      let depth = 0;
      const topLevel: string[] = [];
      for (const line of lines) {
        if (depth === 0 && line.trim() && !line.startsWith('#') && !/^[a-z0-9_]+\(\) \{/.test(line)) topLevel.push(line);
        if (/^[a-z0-9_]+\(\) \{/.test(line) && !/\}\s*;?\s*$/.test(line)) depth += 1;
        else if (line === '}') depth -= 1;
      }
      expect(topLevel, `${name}.sh`).toEqual([]);
    }
  });

  it('each have bats tests (main.sh is what the end-to-end suites run)', () => {
    for (const name of INSTALL_MODULES.filter((module) => module !== 'main')) {
      const tests = readFileSync(new URL(`${name}.bats`, INSTALL_MODULE_TESTS_DIR), 'utf8').match(/^@test /gm) ?? [];
      expect(tests.length, `${name}.bats`).toBeGreaterThanOrEqual(1);
    }
    const batsFiles = readdirSync(INSTALL_MODULE_TESTS_DIR).filter((file) => file.endsWith('.bats'));
    expect(batsFiles.sort()).toEqual(
      INSTALL_MODULES.filter((module) => module !== 'main')
        .map((name) => `${name}.bats`)
        .sort(),
    );
  });
});

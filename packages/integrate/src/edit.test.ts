import { readFileSync } from 'node:fs';
import { parse } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { switchToFeature } from './edit.ts';

const pilot = readFileSync(new URL('../../../examples/pilot/.devcontainer/devcontainer.json', import.meta.url), 'utf8');
const entry = { reference: './installer', options: { version: '3.13.5' } };

describe('switching a devcontainer.json to the cpython installer', () => {
  it('replaces the official python feature in place and keeps every comment and trailing comma', () => {
    const { text, action } = switchToFeature(pilot, 'devcontainer.json', entry);
    expect(action).toBe('replaced ghcr.io/devcontainers/features/python:1 with ./installer');
    expect(text).not.toContain('ghcr.io/devcontainers/features/python');
    expect(text).toContain('\t\t"./installer": {\n\t\t\t"version": "3.13.5"\n\t\t},');
    for (const comment of [
      '// Pilot project for the procedure',
      '// A plain Debian image',
      '// Compiles Python from source',
      '// shown by the test',
      '/* the interpreter VS Code should pick */',
    ]) {
      expect(text).toContain(comment);
    }
    expect(text).toContain('"greeting": "hola", // shown by the test\n\t\t},\n\t},');
    const before = pilot.split('\n');
    const after = text.split('\n');
    // Only the feature's own lines change: key line and its value line.
    expect(after.length).toBe(before.length);
    expect(after.filter((line, index) => line !== before[index])).toEqual(['\t\t"./installer": {', '\t\t\t"version": "3.13.5"']);
  });

  it('is idempotent: a second run updates the same entry and changes nothing else', () => {
    const once = switchToFeature(pilot, 'devcontainer.json', entry).text;
    const twice = switchToFeature(once, 'devcontainer.json', entry);
    expect(twice.action).toBe('updated ./installer');
    expect(twice.text).toBe(once);
  });

  it('adds the feature when the file has no python feature, creating "features" if needed', () => {
    const text = '{\n  // no features yet\n  "image": "debian:bookworm"\n}\n';
    const result = switchToFeature(text, 'devcontainer.json', {
      reference: 'ghcr.io/o/r/cpython/installer:1',
      options: { version: '3.13' },
    });
    expect(result.action).toBe('added ghcr.io/o/r/cpython/installer:1');
    expect(result.text).toContain('// no features yet');
    expect(parse(result.text)).toEqual({
      image: 'debian:bookworm',
      features: { 'ghcr.io/o/r/cpython/installer:1': { version: '3.13' } },
    });
  });

  it('refuses a file it cannot parse, naming the line and column', () => {
    const broken = '{\n  "image": "debian:bookworm",\n  "features": { "a": }\n}\n';
    expect(() => switchToFeature(broken, 'devcontainer.json', entry)).toThrow(
      /devcontainer.json cannot be parsed as JSON with comments at line 3, column 22: ValueExpected/,
    );
  });
});

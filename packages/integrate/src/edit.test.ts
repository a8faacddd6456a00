import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CpythonPrebuiltError, layout } from '@cpython-prebuilt/core';
import { parse } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { officialPythonOptions, switchToFeature } from './edit.ts';

const pilot = readFileSync(join(layout.pilotDir, '.devcontainer/devcontainer.json'), 'utf8');
const entry = { reference: './installer', options: { version: '3.13.5' } };
const keepVersion = { reference: './installer', options: {} };

/** The lines of `after` that are not in `before`, and the other way round. */
function changedLines(before: string, after: string): { added: string[]; removed: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  return { added: b.filter((line) => !a.includes(line)), removed: a.filter((line) => !b.includes(line)) };
}

function features(text: string): Record<string, unknown> {
  return (parse(text) as { features: Record<string, unknown> }).features;
}

const official = (options: string) => `{
	"image": "local/debian:bookworm",
	"features": {
		// Python for the service
		"ghcr.io/devcontainers/features/python:1": {
${options}
		},
		"./other": {}
	}
}
`;

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

  it("keeps the project's version when no version is asked for (a 3.11 project stays on 3.11)", () => {
    const result = switchToFeature(pilot, 'devcontainer.json', keepVersion);
    expect(features(result.text)['./installer']).toEqual({ version: '3.11' });
    expect(changedLines(pilot, result.text)).toEqual({
      added: ['\t\t"./installer": {'],
      removed: ['\t\t"ghcr.io/devcontainers/features/python:1": {'],
    });
    expect(result.options).toContainEqual({
      option: 'version',
      value: '3.11',
      outcome: 'kept',
      reason: 'cpython/installer has it too',
    });
  });

  it('keeps the comments inside the rewritten entry and changes only the version line', () => {
    const before = official(
      '\t\t\t// pinned for the team\n\t\t\t"version": "3.11", // same as CI\n\t\t\t/* extra */\n\t\t\t"additionalVersions": "3.12"',
    );
    const { text } = switchToFeature(before, 'devcontainer.json', entry);
    for (const comment of ['// Python for the service', '// pinned for the team', '// same as CI', '/* extra */'])
      expect(text).toContain(comment);
    expect(changedLines(before, text)).toEqual({
      added: ['\t\t"./installer": {', '\t\t\t"version": "3.13.5", // same as CI'],
      removed: ['\t\t"ghcr.io/devcontainers/features/python:1": {', '\t\t\t"version": "3.11", // same as CI'],
    });
    expect(features(text)['./installer']).toEqual({ version: '3.13.5', additionalVersions: '3.12' });
  });

  it('removes each official option cpython/installer does not have and says why', () => {
    const before = official(
      [
        '\t\t\t"version": "3.12",',
        '\t\t\t// the linters CI uses',
        '\t\t\t"installTools": true,',
        '\t\t\t"toolsToInstall": "ruff,mypy",',
        '\t\t\t"optimize": true, // slow but fast',
        '\t\t\t"enableShared": true,',
        '\t\t\t"shared": true,',
        '\t\t\t"installPath": "/usr/local/python",',
        '\t\t\t"installJupyterlab": true,',
        '\t\t\t"httpProxy": "http://proxy.invalid:3128"',
      ].join('\n'),
    );
    const result = switchToFeature(before, 'devcontainer.json', keepVersion);
    expect(features(result.text)['./installer']).toEqual({ version: '3.12' });
    // The comment line above a removed option stays, a removed option with a comment of its own is
    // commented out with it, and no comma dangles after the kept version.
    expect(result.text).toContain(
      '\t\t"./installer": {\n\t\t\t"version": "3.12"\n\t\t\t// the linters CI uses\n\t\t\t// "optimize": true, // slow but fast\n\t\t},',
    );
    const removed = Object.fromEntries(result.options.filter((o) => o.outcome === 'removed').map((o) => [o.option, o.reason]));
    expect(Object.keys(removed)).toEqual([
      'installTools',
      'toolsToInstall',
      'optimize',
      'enableShared',
      'shared',
      'installPath',
      'installJupyterlab',
      'httpProxy',
    ]);
    expect(removed.toolsToInstall).toContain('pipx install ruff mypy');
    expect(removed.optimize).toContain('already built with PGO and LTO');
    expect(removed.installPath).toContain('/usr/local/python/<version>');
    expect(removed.httpProxy).toContain('https_proxy');
    expect(removed.shared).toBe(removed.enableShared);
  });

  it('notes that the official default tools are gone when installTools was not set', () => {
    const result = switchToFeature(pilot, 'devcontainer.json', keepVersion);
    expect(result.options).toContainEqual(expect.objectContaining({ option: 'installTools', outcome: 'note' }));
  });

  it("on a re-run keeps the user's own installer options and comments, and sets only what is asked", () => {
    const integrated = official('\t\t\t"version": "3.11"').replace('ghcr.io/devcontainers/features/python:1', './installer');
    const before = integrated.replace(
      '"version": "3.11"',
      '"version": "3.11",\n\t\t\t// our mirror\n\t\t\t"artifactUrl": "https://mirror.invalid/a.tar.gz",\n\t\t\t"sha256": "abc" // from the release page',
    );
    const result = switchToFeature(before, 'devcontainer.json', entry);
    expect(result.action).toBe('updated ./installer');
    expect(features(result.text)['./installer']).toEqual({
      version: '3.13.5',
      artifactUrl: 'https://mirror.invalid/a.tar.gz',
      sha256: 'abc',
    });
    expect(changedLines(before, result.text)).toEqual({
      added: ['\t\t\t"version": "3.13.5",'],
      removed: ['\t\t\t"version": "3.11",'],
    });
  });

  it('adds an asked-for option after the last one, leaving that one its trailing comment', () => {
    const before = official('\t\t\t"version": "3.11" // the team pins this');
    const result = switchToFeature(before, 'devcontainer.json', {
      reference: './installer',
      options: { artifactUrl: 'https://mirror.invalid/a.tar.gz' },
    });
    expect(result.text).toContain(
      '\t\t\t"version": "3.11", // the team pins this\n\t\t\t"artifactUrl": "https://mirror.invalid/a.tar.gz"\n\t\t},',
    );
  });

  it('recognises digest-pinned and tagged references of the official feature', () => {
    const digest = `ghcr.io/devcontainers/features/python@sha256:${'ab'.repeat(32)}`;
    for (const reference of [digest, 'ghcr.io/devcontainers/features/python:1.8.0', 'ghcr.io/devcontainers/features/python']) {
      const before = official('\t\t\t"version": "3.11"').replace('ghcr.io/devcontainers/features/python:1', reference);
      const result = switchToFeature(before, 'devcontainer.json', keepVersion);
      expect(result.action).toBe(`replaced ${reference} with ./installer`);
      expect(Object.keys(features(result.text))).toEqual(['./installer', './other']);
    }
  });

  it('keeps the string shorthand ("python:1": "3.11", the version option) unless other options are asked', () => {
    const before = '{\n  "features": {\n    "ghcr.io/devcontainers/features/python:1": "3.11" // short\n  }\n}\n';
    const kept = switchToFeature(before, 'devcontainer.json', keepVersion);
    expect(kept.text).toBe(before.replace('ghcr.io/devcontainers/features/python:1', './installer'));
    expect(kept.options).toContainEqual({
      option: 'version',
      value: '3.11',
      outcome: 'kept',
      reason: 'cpython/installer has it too',
    });
    expect(features(switchToFeature(before, 'devcontainer.json', entry).text)).toEqual({ './installer': '3.13.5' });
    const pinned = switchToFeature(before, 'devcontainer.json', { reference: './installer', options: { sha256: 'abc' } });
    expect(features(pinned.text)).toEqual({ './installer': { version: '3.11', sha256: 'abc' } });
    expect(pinned.text).toContain('// short');
  });

  it('leaves an official feature that compiles nothing (os-provided, none, no version) unless a version is asked', () => {
    for (const options of ['\t\t\t"version": "os-provided"', '\t\t\t"version": "none"', '']) {
      const before = official(options);
      const skipped = switchToFeature(before, 'devcontainer.json', keepVersion);
      expect(skipped.status).toBe('skipped');
      expect(skipped.compiledPython).toBe(false);
      expect(skipped.text).toBe(before);
      expect(switchToFeature(before, 'devcontainer.json', entry).status).toBe('switched');
    }
  });

  it('refuses a project version cpython/installer does not know, naming it', () => {
    const error = (() => {
      try {
        switchToFeature(official('\t\t\t"version": "lts"'), 'devcontainer.json', keepVersion);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(CpythonPrebuiltError);
    expect((error as CpythonPrebuiltError).message).toContain('version "lts"');
    expect((error as CpythonPrebuiltError).fix).toContain('--version');
  });

  it('removes a second copy of the official feature (it would install another Python)', () => {
    const before = official('\t\t\t"version": "3.11"').replace(
      '"./other": {}',
      '"ghcr.io/devcontainers/features/python:1.8.0": {}',
    );
    const result = switchToFeature(before, 'devcontainer.json', keepVersion);
    expect(features(result.text)).toEqual({ './installer': { version: '3.11' } });
  });

  it('is idempotent: a second run updates the same entry and changes nothing else', () => {
    const once = switchToFeature(pilot, 'devcontainer.json', entry).text;
    const twice = switchToFeature(once, 'devcontainer.json', entry);
    expect(twice.action).toBe('updated ./installer');
    expect(twice.text).toBe(once);
  });

  it('renames an entry of this feature under another reference and keeps its options', () => {
    const once = switchToFeature(pilot, 'devcontainer.json', entry).text;
    const published = switchToFeature(once, 'devcontainer.json', { reference: 'ghcr.io/o/r/cpython/installer:1', options: {} });
    expect(published.action).toBe('updated ghcr.io/o/r/cpython/installer:1 (was ./installer)');
    expect(features(published.text)['ghcr.io/o/r/cpython/installer:1']).toEqual({ version: '3.13.5' });
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

  it('skips a file with no python feature when told not to add one', () => {
    const text = '{ "image": "debian:bookworm", "features": { "./node": {} } }';
    expect(switchToFeature(text, 'devcontainer.json', entry, { addIfMissing: false })).toMatchObject({ status: 'skipped', text });
  });

  it('refuses a file it cannot parse, naming the line and column', () => {
    const broken = '{\n  "image": "debian:bookworm",\n  "features": { "a": }\n}\n';
    expect(() => switchToFeature(broken, 'devcontainer.json', entry)).toThrow(
      /devcontainer.json cannot be parsed as JSON with comments at line 3, column 22: ValueExpected/,
    );
  });

  it('keeps CRLF line endings when it removes and adds options', () => {
    const before = official('\t\t\t"version": "3.11",\n\t\t\t"optimize": true').replaceAll('\n', '\r\n');
    const result = switchToFeature(before, 'devcontainer.json', { reference: './installer', options: { sha256: 'abc' } });
    expect(features(result.text)['./installer']).toEqual({ version: '3.11', sha256: 'abc' });
    expect(result.text.replaceAll('\r\n', '')).not.toContain('\n');
  });

  it('recognises its own entry under a local path from a nested configuration (../installer)', () => {
    const once = switchToFeature(pilot, 'devcontainer.json', { reference: '../installer', options: {} }).text;
    const again = switchToFeature(once, 'devcontainer.json', entry);
    expect(again.action).toBe('updated ./installer (was ../installer)');
  });
});

describe('reading the official python feature of a devcontainer.json', () => {
  it('gives its options as written, the string shorthand as a version, and nothing without the feature', () => {
    const object =
      '{ "features": { "./tools": {}, "ghcr.io/devcontainers/features/python:1": { "version": "3.13", "optimize": true } } }';
    expect(officialPythonOptions(object, 'a.json')).toEqual({
      reference: 'ghcr.io/devcontainers/features/python:1',
      options: { version: '3.13', optimize: true },
    });
    const shorthand = '{ // the worker\n "features": { "ghcr.io/devcontainers/features/python:1.8.0": "3.11" } }';
    expect(officialPythonOptions(shorthand, 'b.json')?.options).toEqual({ version: '3.11' });
    expect(officialPythonOptions('{ "features": { "./installer": { "version": "3.13" } } }', 'c.json')).toBeUndefined();
  });
});

describe('a digest pin on the feature', () => {
  const pin = `@sha256:${'c'.repeat(64)}`;
  const config = (key: string) => `{
  // pinned on purpose
  "image": "debian:bookworm",
  "features": { "${key}": { "version": "3.13" } }
}
`;
  const keys = (text: string) => Object.keys((parse(text) as { features: Record<string, unknown> }).features);

  it('is kept when the same feature and tag is asked for again, and the report says so', () => {
    const pinned = `ghcr.io/octo/repo/cpython/installer:1${pin}`;
    for (const asked of ['ghcr.io/octo/repo/cpython/installer:1', 'ghcr.io/octo/repo/cpython/installer']) {
      const result = switchToFeature(config(pinned), 'devcontainer.json', { reference: asked, options: { version: '3.13.5' } });
      expect(keys(result.text)).toEqual([pinned]);
      expect(result.text).toContain('// pinned on purpose');
      expect(result.options).toContainEqual(expect.objectContaining({ option: 'reference', outcome: 'note', value: pinned }));
    }
  });

  it('gives way to another tag or another digest asked for explicitly', () => {
    const pinned = `ghcr.io/octo/repo/cpython/installer:1${pin}`;
    const major = switchToFeature(config(pinned), 'devcontainer.json', {
      reference: 'ghcr.io/octo/repo/cpython/installer:2',
      options: {},
    });
    expect(keys(major.text)).toEqual(['ghcr.io/octo/repo/cpython/installer:2']);
    const other = `ghcr.io/octo/repo/cpython/installer:1@sha256:${'d'.repeat(64)}`;
    expect(keys(switchToFeature(config(pinned), 'devcontainer.json', { reference: other, options: {} }).text)).toEqual([other]);
  });
});

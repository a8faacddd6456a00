import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArtifactManifest } from '@cpython-prebuilt/core';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { CURRENT_LINK, KEYRING_FILE, MARKER_FILE, optionEnvName, PREFIX_STEM, WORK_PREFIX } from './options.ts';
import { fillTemplate, manifestLines, renderFeature } from './render.ts';

// The official schema (devcontainers/spec, schemas/devContainerFeature.schema.json), as shipped in shared/reference.
const officialSchema = JSON.parse(
  readFileSync(new URL('../vendor-schemas/devContainerFeature.schema.json', import.meta.url), 'utf8'),
);

const manifest: ArtifactManifest = {
  artifacts: [
    {
      version: '3.13.5',
      build: 2,
      base: 'ubuntu20.04',
      arch: 'x86_64',
      glibcMinimum: '2.30',
      file: 'cpython-3.13.5-ubuntu20.04-x86_64-build2.tgz',
      sha256: 'a'.repeat(64),
      url: 'https://example.org/releases/cpython-3.13.5-ubuntu20.04-x86_64-build2.tgz',
      sizeBytes: 47000000,
      location: 'GitHub Release cpython-3.13.5-build2',
      publishedAt: '2026-11-28',
    },
    {
      version: '3.11.2',
      build: 1,
      base: 'ubuntu20.04',
      arch: 'x86_64',
      glibcMinimum: '2.30',
      file: 'cpython-3.11.2-ubuntu20.04-x86_64-build1.tgz',
      sha256: 'b'.repeat(64),
      url: 'https://example.org/releases/cpython-3.11.2-ubuntu20.04-x86_64-build1.tgz',
      sizeBytes: 41000000,
      location: 'GitHub Release cpython-3.11.2-build1',
      publishedAt: '2026-11-28',
    },
  ],
};

describe('rendering the feature', () => {
  const feature = renderFeature({ manifest, featureReference: 'ghcr.io/o/r/cpython/installer:1', version: '1.0.0' });
  const json = JSON.parse(feature.files['devcontainer-feature.json'] ?? '{}');

  it('produces a devcontainer-feature.json that the official schema accepts', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(officialSchema);
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    expect(json).toMatchObject({ id: 'installer', name: 'CPython (prebuilt)' });
  });

  it('defaults version to the newest artifact and proposes versions, minors and latest', () => {
    expect(json.options.version.default).toBe('3.13.5');
    expect(json.options.version.proposals).toEqual(['3.13.5', '3.11.2', '3.13', '3.11', 'latest']);
    expect(json.options.setAsDefault).toEqual(expect.objectContaining({ type: 'boolean', default: true }));
    expect(json.customizations.vscode.settings['python.defaultInterpreterPath']).toBe('/opt/python-current/bin/python3');
  });

  it('reads every option in install.sh from the env var the CLI sets, with the same default', () => {
    const script = feature.files['install.sh'] ?? '';
    for (const option of feature.options) {
      expect(script).toContain(`${option.variable}="\${${optionEnvName(option.id)}:-${String(option.default)}}"`);
    }
    expect(optionEnvName('artifactUrl')).toBe('ARTIFACTURL');
  });

  it('requires signatures by default, names the keyring install.sh checks against, and carries the keyring it is given', () => {
    expect(json.options.requireSignature).toEqual(expect.objectContaining({ type: 'string', default: 'auto' }));
    expect(feature.files['install.sh']).toContain(`KEYRING='${KEYRING_FILE}'`);
    expect(feature.keyring).toEqual(new Uint8Array());
    const keyring = new Uint8Array([0x98, 1, 2]);
    const unsigned = renderFeature({
      manifest,
      featureReference: './installer',
      version: '1.0.0',
      keyring,
      requireSignatureDefault: 'false',
    });
    expect(unsigned.keyring).toBe(keyring);
    expect(JSON.parse(unsigned.files['devcontainer-feature.json'] ?? '{}').options.requireSignature.default).toBe('false');
  });

  it('embeds the manifest, one artifact per line, so a feature version pins the artifact bytes', () => {
    expect(manifestLines(manifest).split('\n')).toEqual([
      `3.13.5 2 ubuntu20.04 x86_64 2.30 ${'a'.repeat(64)} https://example.org/releases/cpython-3.13.5-ubuntu20.04-x86_64-build2.tgz`,
      `3.11.2 1 ubuntu20.04 x86_64 2.30 ${'b'.repeat(64)} https://example.org/releases/cpython-3.11.2-ubuntu20.04-x86_64-build1.tgz`,
    ]);
    expect(feature.files['install.sh']).toContain(`MANIFEST='${manifestLines(manifest)}'`);
  });

  it('writes a POSIX sh install.sh that shellcheck accepts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'feature-'));
    writeFileSync(join(dir, 'install.sh'), feature.files['install.sh'] ?? '');
    expect(() => execFileSync('shellcheck', ['-s', 'sh', join(dir, 'install.sh')], { encoding: 'utf8' })).not.toThrow();
    expect(feature.files['install.sh']?.startsWith('#!/bin/sh\n')).toBe(true);
  });

  it('documents every option in the README table and keeps NOTES.md', () => {
    for (const option of feature.options) expect(feature.files['README.md']).toContain(`| ${option.id} |`);
    expect(feature.files['README.md']).toContain('"ghcr.io/o/r/cpython/installer:1": {}');
    expect(feature.files['README.md']).toContain(feature.files['NOTES.md']?.trimEnd().split('\n')[0] ?? '@@');
    expect(feature.files['README.md']).toContain('## Inputs it refuses');
    expect(feature.files['README.md']).toContain('| `artifactUrl` over plain `http://` without `sha256` |');
  });

  it('refuses manifest fields with characters install.sh cannot carry, naming the entry and the field', () => {
    const [first] = manifest.artifacts;
    if (!first) throw new Error('fixture manifest is empty');
    for (const url of [
      "https://x/a.tgz';rm",
      "https://x/$'a.tgz",
      'https://x/$&.tgz',
      'https://x/a b.tgz',
      'https://x/a\\nb.tgz',
    ]) {
      expect(() => manifestLines({ artifacts: [{ ...first, url }] })).toThrow(
        /manifest artifact cpython-3\.13\.5-ubuntu20\.04-x86_64-build2\.tgz: url .* has characters install\.sh cannot carry/,
      );
    }
    expect(() => manifestLines({ artifacts: [{ ...first, base: 'ubuntu 20.04' }] })).toThrow(
      /: base "ubuntu 20\.04" has characters/,
    );
  });

  it("fills placeholders with a function, so $& and $' in a value stay literal text", () => {
    const template = "A='@X@'\nB=@Y@\n";
    expect(fillTemplate(template, { X: "$&-$'-$`", Y: 'y' })).toBe("A='$&-$'-$`'\nB=y\n");
    expect(() => fillTemplate(template, { X: 'x' })).toThrow('template placeholder @Y@ has no value');
    expect(() => fillTemplate(template, { X: 'x', Y: 'y', Z: 'z' })).toThrow('template has no placeholder for Z');
  });

  it('gives install.sh every constant TypeScript owns, with no placeholder left', () => {
    const script = feature.files['install.sh'] ?? '';
    expect(script).not.toMatch(/@[A-Z][A-Z_]*@/);
    expect(script).toContain(`CURRENT_LINK='${CURRENT_LINK}'`);
    expect(script).toContain(`PREFIX_STEM='${PREFIX_STEM}'`);
    expect(script).toContain(`MARKER='${MARKER_FILE}'`);
    expect(script).toContain(`WORK_PREFIX='${WORK_PREFIX}'`);
    expect(script).toContain('# cpython/installer 1.0.0:');
    expect(PREFIX_STEM).toBe('/opt/python-');
  });
});

describe('lines upstream no longer fixes', () => {
  const lines = [
    { line: '3.9', status: 'end-of-life', endOfLife: '2025-10' },
    { line: '3.13', status: 'maintained', endOfLife: '2029-10' },
    { line: '3.11', status: 'maintained', endOfLife: '2027-10' },
  ] as const;
  const feature = renderFeature({ manifest, featureReference: 'ghcr.io/o/r/cpython/installer:1', version: '1.0.0', lines });
  const script = feature.files['install.sh'] ?? '';

  it('says so in the version option and warns when install.sh installs one, naming the maintained lines', () => {
    const version = feature.options.find((option) => option.id === 'version');
    expect(version?.description).toContain('Lines upstream no longer fixes install with a warning: 3.9 (end of life 2025-10).');
    // The function as generated, run by sh with the constants install.sh carries.
    const constants = script.split('\n').filter((line) => /^(END_OF_LIFE|MAINTAINED_LINES)=/.test(line));
    const fn = /^warn_end_of_life\(\) \{\n[\s\S]*?\n\}$/m.exec(script)?.[0];
    expect(constants).toEqual(["END_OF_LIFE='3.9:2025-10'", "MAINTAINED_LINES='3.11 3.13'"]);
    const said = execFileSync('sh', [
      '-euc',
      `say() { printf '%s\\n' "$*"; }\n${constants.join('\n')}\n${fn}\nwarn_end_of_life 3.9\nwarn_end_of_life 3.13\nwarn_end_of_life 3.90`,
    ]).toString();
    expect(said).toBe(
      'warning: CPython 3.9 reached its end of life upstream in 2025-10: no security fixes any more; move to a maintained line (3.11 3.13)\n',
    );
  });

  it('takes the versions manifest by default: 3.9 is end of life there', () => {
    const current = renderFeature({ manifest, featureReference: 'ghcr.io/o/r/cpython/installer:1', version: '1.0.0' });
    expect(current.files['install.sh']).toMatch(/^END_OF_LIFE='3\.9:2025-10( |')/m);
  });
});

describe('option defaults for a vendored wheelhouse', () => {
  it('sets the defaults in devcontainer-feature.json and install.sh, and nothing else changes', () => {
    const plain = renderFeature({ manifest, featureReference: './installer', version: '1.0.0' });
    const vendored = renderFeature({
      manifest,
      featureReference: './installer',
      version: '1.0.0',
      optionDefaults: { wheelhouseUrl: 'wheelhouse-x-cp313-debian11-x86_64-build1.tgz', wheelhouseSha256: 'b'.repeat(64) },
    });
    const options = JSON.parse(vendored.files['devcontainer-feature.json'] as string).options;
    expect(options.wheelhouseUrl.default).toBe('wheelhouse-x-cp313-debian11-x86_64-build1.tgz');
    expect(options.wheelhouseSha256.default).toBe('b'.repeat(64));
    expect(vendored.files['install.sh']).toContain(
      `WHEELHOUSE_URL="\${WHEELHOUSEURL:-wheelhouse-x-cp313-debian11-x86_64-build1.tgz}"`,
    );
    expect(JSON.parse(plain.files['devcontainer-feature.json'] as string).options.wheelhouseUrl.default).toBe('');
  });
});

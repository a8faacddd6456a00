import { readFileSync } from 'node:fs';
import {
  type ArtifactManifest,
  CpythonPrebuiltError,
  compareVersions,
  defaultVersion as defaultSourceVersion,
  pinnedLibraries,
  type ReleaseLine,
  versionsManifest,
} from '@cpython-prebuilt/core';
import {
  CURRENT_LINK,
  FEATURE_ID,
  type FeatureOption,
  featureOptions,
  KEYRING_FILE,
  MARKER_FILE,
  optionEnvName,
  PREFIX_STEM,
  RECEIPT_FILE,
  UNINSTALLER,
  URL_CHARS,
  WORK_PREFIX,
} from './options.ts';

const templatesDir = new URL('../templates/', import.meta.url);
const template = (name: string) => readFileSync(new URL(name, templatesDir), 'utf8');

/** The folder of install.sh's modules: header.sh.in (the constants filled from TypeScript), then these. */
export const INSTALL_MODULES_DIR = new URL('install/', templatesDir);
/**
 * install.sh's modules in the order they are joined (each POSIX sh, functions only, tested alone by
 * packages/feature/bats/<module>.bats); main.sh, last, is the only one that runs anything.
 */
export const INSTALL_MODULES = [
  'common',
  'checks',
  'resolve',
  'fetch',
  'verify',
  'extract',
  'place',
  'link',
  'install-version',
  'wheelhouse',
  'uninstall',
  'main',
] as const;

/** Each module's bats tests (<module>.bats, helper.bash), run in the base images by test/feature-e2e. */
export const INSTALL_MODULE_TESTS_DIR = new URL('../bats/', import.meta.url);

/** install.sh before its constants are filled: the header and every module, in order. */
export function installTemplate(): string {
  const read = (name: string) => readFileSync(new URL(name, INSTALL_MODULES_DIR), 'utf8');
  return [read('header.sh.in'), ...INSTALL_MODULES.map((name) => read(`${name}.sh`))].join('');
}

/** Values that go inside double quotes in install.sh: nothing a shell would expand. */
const SHELL_SAFE = /^[A-Za-z0-9._:/,+=@-]*$/;

export interface RenderInput {
  manifest: ArtifactManifest;
  /** The feature's semver (features/feature-version.json): publishing moves the 1, 1.0, 1.0.0 tags. */
  version: string;
  /** Shown in the usage snippet: how users reference the published feature. */
  featureReference: string;
  description?: string;
  /** Defaults of string options by id, e.g. a vendored wheelhouse's wheelhouseUrl and wheelhouseSha256. */
  optionDefaults?: Record<string, string>;
  /** The binary keyring (see binaryKeyring) of the keys whose signatures install.sh accepts; none when omitted. */
  keyring?: Uint8Array;
  /** The requireSignature default: a feature vendored with unsigned artifacts says `false` itself. */
  requireSignatureDefault?: 'auto' | 'false';
  /** CPython's lines and their status (the versions manifest's by default): end-of-life ones install with a warning. */
  lines?: readonly ReleaseLine[];
}

export interface RenderedFeature {
  files: Record<string, string>;
  /** The binary keyring, written as KEYRING_FILE beside the text files. */
  keyring: Uint8Array;
  options: FeatureOption[];
}

/**
 * The feature's default CPython: the newest version its manifest publishes. Before anything is
 * published, the default build version; installing it then needs artifactUrl, and install.sh says so.
 */
export function featureDefaultVersion(manifest: ArtifactManifest): string {
  return publishedVersions(manifest)[0] ?? defaultSourceVersion;
}

/** The versions the manifest publishes, newest first. */
function publishedVersions(manifest: ArtifactManifest): string[] {
  return [...new Set(manifest.artifacts.map((artifact) => artifact.version))].sort(compareVersions).reverse();
}

function versionChoices(manifest: ArtifactManifest): { defaultVersion: string; proposals: string[] } {
  const versions = publishedVersions(manifest);
  const defaultVersion = featureDefaultVersion(manifest);
  const minors = [...new Set(versions.map((version) => version.split('.').slice(0, 2).join('.')))];
  const proposals = [...new Set([defaultVersion, ...versions, ...minors, 'latest'])];
  return { defaultVersion, proposals };
}

/**
 * What each manifest field may hold once it is inside install.sh's single-quoted, whitespace-
 * separated MANIFEST: no quote, no whitespace, no `$` or backslash, nothing a shell or awk
 * would read as syntax. The schema already checks the shapes; this is the shell's own fence.
 */
const MANIFEST_FIELD: Record<'version' | 'base' | 'arch' | 'glibcMinimum' | 'sha256' | 'url', RegExp> = {
  version: /^\d+\.\d+\.\d+$/,
  base: /^[a-z0-9.]+$/,
  arch: /^[a-z0-9_]+$/,
  glibcMinimum: /^\d+\.\d+$/,
  sha256: /^[0-9a-f]{64}$/,
  url: /^(https:\/\/|http:\/\/|oci:\/\/)?[A-Za-z0-9._~:/?#@!&+,;=%-]+$/,
};

export function manifestLines(manifest: ArtifactManifest): string {
  return manifest.artifacts
    .map((artifact) => {
      for (const [field, pattern] of Object.entries(MANIFEST_FIELD)) {
        const value = String(artifact[field as keyof typeof MANIFEST_FIELD]);
        if (!pattern.test(value)) {
          throw new CpythonPrebuiltError(
            'INVALID_INPUT',
            `manifest artifact ${artifact.file}: ${field} ${JSON.stringify(value)} has characters install.sh cannot carry (allowed: ${pattern.source})`,
            {
              fix: `fix the ${field} of that entry in the artifact manifest (percent-encode URL characters such as quotes, spaces or $)`,
            },
          );
        }
      }
      return [
        artifact.version,
        artifact.build,
        artifact.base,
        artifact.arch,
        artifact.glibcMinimum,
        artifact.sha256,
        artifact.url,
      ].join(' ');
    })
    .join('\n');
}

function optionDefaults(options: FeatureOption[]): string {
  return options
    .map((option) => {
      const value = String(option.default);
      if (!SHELL_SAFE.test(value)) throw new Error(`default of option ${option.id} is not shell-safe: ${value}`);
      return `${option.variable}="\${${optionEnvName(option.id)}:-${value}}"`;
    })
    .join('\n');
}

function featureJson(options: FeatureOption[], description: string, version: string): object {
  return {
    id: FEATURE_ID,
    version,
    name: 'CPython (prebuilt)',
    description,
    options: Object.fromEntries(
      options.map((option) => [
        option.id,
        option.type === 'string'
          ? {
              type: 'string',
              ...(option.proposals ? { proposals: option.proposals } : {}),
              default: option.default,
              description: option.description,
            }
          : { type: 'boolean', default: option.default, description: option.description },
      ]),
    ),
    containerEnv: {
      PYTHON_PREBUILT_HOME: CURRENT_LINK,
      PATH: `${CURRENT_LINK}/bin:\${PATH}`,
    },
    customizations: {
      vscode: {
        extensions: ['ms-python.python'],
        settings: { 'python.defaultInterpreterPath': `${CURRENT_LINK}/bin/python3` },
      },
    },
    // No installsAfter: the CLI resolves every referenced feature from its registry even when
    // it is not used, which fails offline and air-gapped (devcontainers CLI 0.89.0).
  };
}

/** What the artifact carries and under which licences (the pins are the one home of the versions). */
function licencesSection(): string[] {
  const pinned = pinnedLibraries.map((library) => `${library.name} ${library.version} (${library.license})`).join(', ');
  return [
    '## Licences and what is inside',
    '',
    "CPython is under the PSF License (`share/licenses/cpython/LICENSE.txt` in the installed tree). The tree also carries the libraries CPython's modules link, so that it runs on a bare image:",
    '',
    `- built from pinned, signature-checked upstream sources with the same compiler as CPython: ${pinned}; licence texts in \`share/licenses/<name>/\`;`,
    "- copied from the build base's Debian/Ubuntu packages (libffi, SQLite, expat, xz, zlib, bzip2, libuuid, ncurses, libedit, Tcl/Tk and the X11 libraries Tk uses): MIT, BSD, public-domain, zlib and similar permissive licences; each package's copyright file in `share/licenses/<package>/`.",
    '',
    'No GPL library is inside: the `readline` module uses libedit, and `dbm.gnu`/`dbm.ndbm` (gdbm) are left out (`dbm.sqlite3` and `dbm.dumb` remain). `share/sbom/cpython.cdx.json` is a CycloneDX SBOM of the tree: every bundled file with its sha256, version, source and licence; `cpython-prebuilt sbom <artifact>` prints it as a table.',
    '',
    "OpenSSL looks for CA certificates where Debian and Ubuntu keep them (`/etc/ssl/certs`, what `update-ca-certificates` maintains): install `ca-certificates` in the image, and add a private CA the distribution's way (`/usr/local/share/ca-certificates/*.crt`, then `update-ca-certificates`). `SSL_CERT_FILE` and `SSL_CERT_DIR` override it, as with any OpenSSL.",
  ];
}

function readme(options: FeatureOption[], input: RenderInput, description: string): string {
  const rows = options.map(
    (option) =>
      `| ${option.id} | ${option.description.replaceAll('|', '\\|')} | ${option.type} | ${option.default === '' ? '-' : String(option.default)} |`,
  );
  return [
    '# CPython (prebuilt) (installer)',
    '',
    description,
    '',
    '## Example Usage',
    '',
    '```json',
    '"features": {',
    `    "${input.featureReference}": {}`,
    '}',
    '```',
    '',
    '## Options',
    '',
    '| Options Id | Description | Type | Default Value |',
    '|-----|-----|-----|-----|',
    ...rows,
    '',
    template('NOTES.md').trimEnd(),
    '',
    ...licencesSection(),
    '',
    '',
    '---',
    '',
    '_Note: This file was auto-generated from the [devcontainer-feature.json](devcontainer-feature.json) and NOTES.md by `pnpm generate`. Edit packages/feature instead._',
    '',
  ].join('\n');
}

/**
 * Fills every `@NAME@` of a template. A function replacement, not a replacement string: with a
 * string, `$&`, `$'` or `` $` `` inside a value would splice template text into the script.
 */
export function fillTemplate(text: string, values: Record<string, string>): string {
  const used = new Set<string>();
  const filled = text.replace(/@([A-Z][A-Z_]*)@/g, (whole: string, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`template placeholder ${whole} has no value`);
    used.add(name);
    return value;
  });
  const unused = Object.keys(values).filter((name) => !used.has(name));
  if (unused.length > 0) throw new Error(`template has no placeholder for ${unused.join(', ')}`);
  return filled;
}

/** Constants TypeScript owns, as install.sh receives them (inside single quotes). */
/** A constant that goes inside single quotes in install.sh: anything but a quote or a line break. */
function singleQuotedConstant(name: string, value: string): string {
  if (/['\n]/.test(value)) throw new Error(`${name} cannot go inside single quotes: ${value}`);
  return value;
}

/** Words install.sh splits on spaces (`for entry in $NAME`): each shell-safe and glob-free, inside single quotes. */
function wordsConstant(name: string, words: string[]): string {
  for (const word of words) if (!/^[A-Za-z0-9._:-]+$/.test(word)) throw new Error(`${name}: "${word}" is not a plain word`);
  return words.join(' ');
}

function shellConstant(name: string, value: string): string {
  if (!SHELL_SAFE.test(value)) throw new Error(`${name} is not shell-safe: ${value}`);
  return value;
}

/** Every file of the feature folder, as text. Pure: the same input gives the same files. */
export function renderFeature(input: RenderInput): RenderedFeature {
  const { defaultVersion, proposals } = versionChoices(input.manifest);
  const lines = [...(input.lines ?? versionsManifest.lines)].sort((a, b) => compareVersions(a.line, b.line));
  const ended = lines.filter((line) => line.status === 'end-of-life');
  const maintained = lines.filter((line) => line.status === 'maintained').map((line) => line.line);
  const options = featureOptions(defaultVersion, proposals, input.requireSignatureDefault, ended).map((option) => {
    const override = input.optionDefaults?.[option.id];
    return override !== undefined && option.type === 'string' ? { ...option, default: override } : option;
  });
  const description =
    input.description ??
    'Installs a precompiled, PGO+LTO optimised, relocatable CPython in seconds: sha256-verified, checked before it is moved into place, no compiler in your image.';
  const installSh = fillTemplate(installTemplate(), {
    FEATURE_VERSION: shellConstant('FEATURE_VERSION', input.version),
    OPTION_DEFAULTS: optionDefaults(options),
    CURRENT_LINK: shellConstant('CURRENT_LINK', CURRENT_LINK),
    PREFIX_STEM: shellConstant('PREFIX_STEM', PREFIX_STEM),
    MARKER: shellConstant('MARKER', MARKER_FILE),
    RECEIPT: shellConstant('RECEIPT', RECEIPT_FILE),
    WORK_PREFIX: shellConstant('WORK_PREFIX', WORK_PREFIX),
    UNINSTALLER: shellConstant('UNINSTALLER', UNINSTALLER),
    KEYRING: shellConstant('KEYRING', KEYRING_FILE),
    URL_CHARS: singleQuotedConstant('URL_CHARS', URL_CHARS),
    MANIFEST: manifestLines(input.manifest),
    END_OF_LIFE: wordsConstant(
      'END_OF_LIFE',
      ended.map((line) => `${line.line}:${line.endOfLife}`),
    ),
    MAINTAINED_LINES: wordsConstant('MAINTAINED_LINES', maintained),
  });
  return {
    options,
    files: {
      'devcontainer-feature.json': `${JSON.stringify(featureJson(options, description, input.version), null, 2)}\n`,
      'install.sh': installSh,
      'NOTES.md': template('NOTES.md'),
      'README.md': readme(options, input, description),
    },
    keyring: input.keyring ?? new Uint8Array(),
  };
}

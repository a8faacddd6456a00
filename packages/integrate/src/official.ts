import { featureOptions } from '@cpython-prebuilt/feature';

/**
 * The official python feature (devcontainers/features, src/python) and what becomes of each of
 * its options when a project switches to cpython/installer.
 */

/** `ghcr.io/devcontainers/features/python` with any tag and/or a digest pin. */
const OFFICIAL_PYTHON = /^ghcr\.io\/devcontainers\/features\/python(:[\w][\w.-]*)?(@sha256:[0-9a-f]{64})?$/;

export function isOfficialPython(reference: string): boolean {
  return OFFICIAL_PYTHON.test(reference);
}

/** A reference without its tag or digest: `ghcr.io/o/r/cpython/installer:1@sha256:...` -> `ghcr.io/o/r/cpython/installer`. */
export function untagged(reference: string): string {
  const withoutDigest = reference.replace(/@sha256:[0-9a-f]{64}$/, '');
  return withoutDigest.replace(/:[\w][\w.-]*$/, '');
}

/**
 * This feature under any reference: the one asked for, a published `.../cpython/installer`, or the
 * vendored `./installer` (or `../installer`), with any tag or digest. A re-run with another `--feature` renames it.
 */
export function isOurFeature(reference: string, requested: string): boolean {
  const bare = untagged(reference);
  return bare === untagged(requested) || /(^|\/)cpython\/installer$/.test(bare) || /^\.\.?\/(.*\/)?installer$/.test(bare);
}

/** Options this feature declares (from its option table, the single source). */
export const OUR_OPTIONS: ReadonlySet<string> = new Set(featureOptions('0.0.0', []).map((option) => option.id));

/**
 * Options of the official feature that carry over as they are. installPath has the same name here
 * but another meaning (the official feature adds /<version> to it), so it is not carried.
 */
export function carriesOver(option: string): boolean {
  return OUR_OPTIONS.has(option) && option !== 'installPath';
}

/**
 * What the official feature does with its `version`: absent means its default, `os-provided`
 * (the distribution's python3 from apt), `none` installs nothing; anything else is compiled.
 */
export function officialCompiles(version: unknown): boolean {
  return typeof version === 'string' && version !== 'os-provided' && version !== 'none';
}

/** Versions cpython/installer accepts. */
export function isOurVersion(version: string): boolean {
  return version === 'latest' || /^\d+\.\d+(\.\d+)?$/.test(version);
}

/** Why an official option is not carried over, given its value. */
export function droppedBecause(option: string, value: unknown): string {
  switch (option) {
    case 'installTools':
      return value === false
        ? 'removed: cpython/installer installs no tools, as installTools false asked'
        : 'removed: cpython/installer installs no tools (the official feature pipx-installs flake8, black, mypy, pytest and others); install the ones you use, e.g. `pipx install black` in postCreateCommand';
    case 'toolsToInstall':
      return `removed: install them yourself, e.g. \`pipx install ${String(value).split(',').join(' ')}\` in postCreateCommand`;
    case 'optimize':
      return value === true
        ? 'removed: nothing is compiled any more; the prebuilt interpreter is already built with PGO and LTO'
        : 'removed: nothing is compiled any more';
    case 'enableShared':
    case 'shared': // its name before 1.4
      return 'removed: the prebuilt interpreter always ships libpython3.X.so (built with --enable-shared)';
    case 'installPath':
      return `removed: the official feature installs under ${String(value)}/<version>, cpython/installer under /opt/python-<version> with /opt/python-current; set cpython/installer's installPath (the exact folder) yourself if you need a fixed place`;
    case 'installJupyterlab':
    case 'configureJupyterlabAllowOrigin':
      return value === false || value === ''
        ? 'removed: nothing to carry'
        : 'removed: cpython/installer does not install JupyterLab; `pip install jupyterlab` in postCreateCommand does';
    case 'httpProxy':
      return 'removed: cpython/installer fetches no GPG keys; its downloads use curl or wget, which honour https_proxy and http_proxy in the build environment';
    default:
      return 'removed: not an option of cpython/installer';
  }
}

/** The official feature installs these tools when installTools is left at its default (true). */
export const DEFAULT_TOOLS_NOTE =
  'not set, so the official feature installed its default tools (flake8, black, mypy, pytest and others); cpython/installer installs none: install the ones you use in postCreateCommand';

/**
 * Settings that still point into the official feature's folders (its default installPath
 * /usr/local/python or the one it was given, and /usr/local/py-utils for its pipx tools), e.g. VS Code's python.defaultInterpreterPath
 * set to /usr/local/python/current/bin/python: as JSON paths (`customizations.vscode.settings...`).
 */
export function officialPathsIn(config: unknown, installPaths: string[]): { at: string; value: string }[] {
  const prefixes = [...new Set(['/usr/local/python', '/usr/local/py-utils', ...installPaths])].map((path) =>
    path.replace(/\/+$/, ''),
  );
  const found: { at: string; value: string }[] = [];
  const walk = (value: unknown, at: string[]): void => {
    if (typeof value === 'string') {
      if (prefixes.some((prefix) => value === prefix || value.includes(`${prefix}/`))) found.push({ at: at.join('.'), value });
    } else if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) walk(item, [...at, String(index)]);
    } else if (value && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) if (key !== 'features' || at.length > 0) walk(item, [...at, key]);
    }
  };
  walk(config, []);
  return found;
}

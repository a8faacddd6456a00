import { type Arch, defaultPrefix } from '@cpython-prebuilt/core';
import { z } from 'zod';

export const FEATURE_ID = 'installer';
/**
 * The architectures the feature claims: install.sh's detect_arch accepts exactly these (a unit
 * test holds them together), and publishing refuses a feature that has no default artifact for one.
 */
export const FEATURE_ARCHITECTURES = ['x86_64', 'aarch64'] as const satisfies readonly Arch[];
/** A stable path to the default interpreter, for containerEnv and VS Code settings. */
export const CURRENT_LINK = '/opt/python-current';
/** A version's default prefix is this stem plus the version: /opt/python-3.13.5. */
export const PREFIX_STEM = defaultPrefix('');
/** The file in a prefix (and in CURRENT_LINK) that says this feature made it; it holds the artifact's sha256. */
export const MARKER_FILE = '.cpython-prebuilt';
/**
 * The receipt in a prefix: what this feature installed there (version, sha256, source, key, time)
 * and, for the default one, the links it made. Root's alone, like the marker; an archive holding
 * a file of either name is refused.
 */
export const RECEIPT_FILE = '.cpython-installer.json';
/** Name stem of the work folders install.sh makes beside a prefix (and sweeps when an install was killed). */
export const WORK_PREFIX = '.cpython-installer';
/** Where every install puts its uninstaller (a copy of install.sh; run under this name it removes installs by their receipts). */
export const UNINSTALLER = '/usr/local/bin/cpython-installer-uninstall';
/** The binary OpenPGP keyring in the feature folder that gpgv checks artifact signatures against. */
export const KEYRING_FILE = 'trusted-keys.gpg';
/**
 * The characters a URL or path option (artifactUrl, wheelhouseUrl...) may hold, as a bracket
 * expression body: install.sh's check_source refuses any other, and integrate checks the same set
 * before it writes an option.
 */
export const URL_CHARS = 'A-Za-z0-9._~:/?#@!&+,;=%-';
/** Seconds a download may take in all, retries included, unless the downloadTimeout option says otherwise. */
export const DEFAULT_DOWNLOAD_TIMEOUT_S = 900;

const Common = {
  id: z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/),
  /** The install.sh variable that holds the value. */
  variable: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  description: z.string().min(10),
};

export const FeatureOption = z.discriminatedUnion('type', [
  z.object({ ...Common, type: z.literal('string'), default: z.string(), proposals: z.array(z.string()).optional() }),
  z.object({ ...Common, type: z.literal('boolean'), default: z.boolean() }),
]);
export type FeatureOption = z.infer<typeof FeatureOption>;

/** How the devcontainers CLI passes an option to install.sh: upper-cased, non-word characters as `_`. */
export function optionEnvName(id: string): string {
  return id.replace(/[^\w]/g, '_').toUpperCase();
}

/** The option table: the single source of devcontainer-feature.json options and install.sh defaults. */
export function featureOptions(
  defaultVersion: string,
  versionProposals: string[],
  requireSignatureDefault: 'auto' | 'false' = 'auto',
  endOfLife: readonly { line: string; endOfLife: string }[] = [],
): FeatureOption[] {
  const ended =
    endOfLife.length > 0
      ? ` Lines upstream no longer fixes install with a warning: ${endOfLife.map((line) => `${line.line} (end of life ${line.endOfLife})`).join(', ')}.`
      : '';
  return z.array(FeatureOption).parse([
    {
      id: 'version',
      variable: 'VERSION',
      type: 'string',
      default: defaultVersion,
      proposals: versionProposals,
      description: `CPython version: a full version (3.13.5), a minor version (3.13, the newest 3.13.x known to this feature version), latest, or none (as the official feature: no default CPython from this feature, only additionalVersions; os-provided means the same).${ended}`,
    },
    {
      id: 'artifactUrl',
      variable: 'ARTIFACT_URL',
      type: 'string',
      default: '',
      description:
        'Install this artifact instead of the one the manifest names: an https URL, an http URL with sha256, an absolute path inside the image build, or a path relative to the feature folder. Needs sha256, or a .sha256 file beside it (https only).',
    },
    {
      id: 'sha256',
      variable: 'SHA256',
      type: 'string',
      default: '',
      description: 'sha256 of artifactUrl. Without it, <artifactUrl>.sha256 is used; without either, the install fails.',
    },
    {
      id: 'artifactBaseUrl',
      variable: 'ARTIFACT_BASE_URL',
      type: 'string',
      default: '',
      description:
        'Mirror for air-gapped networks: fetch manifest artifacts from <artifactBaseUrl>/<file> instead of their published URL. The pinned sha256 still applies.',
    },
    {
      id: 'requireSignature',
      variable: 'REQUIRE_SIGNATURE',
      type: 'string',
      default: requireSignatureDefault,
      proposals: ['auto', 'true', 'false'],
      description: `OpenPGP signature (<artifact>.asc) checked with gpgv against the keys this feature version trusts (${KEYRING_FILE}), before extracting. auto: required, except for an artifactUrl whose bytes the sha256 option pins (then checked when present); true: always required; false: not checked. The same for the wheelhouse (<wheelhouseUrl>.asc), pinned by wheelhouseSha256.`,
    },
    {
      id: 'installPath',
      variable: 'INSTALL_PATH',
      type: 'string',
      default: '',
      description: `Where to install the version option. Empty means ${PREFIX_STEM}<version>.`,
    },
    {
      id: 'setAsDefault',
      variable: 'SET_AS_DEFAULT',
      type: 'boolean',
      default: true,
      description: `Link python3, python, pip3 and pip in /usr/local/bin and ${CURRENT_LINK} to this version, for every shell and later Dockerfile RUN steps. Links this feature did not make are kept (see replaceExisting).`,
    },
    {
      id: 'replaceExisting',
      variable: 'REPLACE_EXISTING',
      type: 'boolean',
      default: false,
      description: `With setAsDefault: also replace python3, pip3... in /usr/local/bin and ${CURRENT_LINK} when something else made them (such as a Python the base image ships); a file or folder replaced is kept as <path>.before-cpython-installer, never deleted. Off, they are kept and the install warns.`,
    },
    {
      id: 'additionalVersions',
      variable: 'ADDITIONAL_VERSIONS',
      type: 'string',
      default: '',
      description: `Comma-separated extra versions installed side by side under ${PREFIX_STEM}<version> (not made default).`,
    },
    {
      id: 'wheelhouseUrl',
      variable: 'WHEELHOUSE_URL',
      type: 'string',
      default: '',
      description:
        'A wheelhouse to install after the interpreter (cpython-prebuilt wheelhouse build): the same forms as artifactUrl. Its wheels are installed offline with pip --require-hashes from its requirements.lock.',
    },
    {
      id: 'wheelhouseSha256',
      variable: 'WHEELHOUSE_SHA256',
      type: 'string',
      default: '',
      description:
        'sha256 of wheelhouseUrl. Without it, <wheelhouseUrl>.sha256 is used (https only) and, with requireSignature auto, the wheelhouse must carry a valid signature, <wheelhouseUrl>.asc; without either digest, the install fails.',
    },
    {
      id: 'wheelhouseTarget',
      variable: 'WHEELHOUSE_TARGET',
      type: 'string',
      default: 'interpreter',
      proposals: ['interpreter', '/opt/venv'],
      description:
        "Where the wheelhouse goes: interpreter (the version option's site-packages) or an absolute path for a virtual environment owned by the remote user.",
    },
    {
      id: 'downloadTimeout',
      variable: 'DOWNLOAD_TIMEOUT',
      type: 'string',
      default: String(DEFAULT_DOWNLOAD_TIMEOUT_S),
      description:
        'Seconds each download (artifact, .sha256, metadata) may take in all, retries included, before the install fails.',
    },
  ]);
}

import { featureOptions, URL_CHARS } from './options.ts';

/** One option value install.sh would refuse at image build time, said before anything is written. */
export interface OptionProblem {
  option: string;
  value: unknown;
  message: string;
}

/** install.sh's is_version: latest, 3.N or 3.N.N. */
const VERSION = /^(latest|3\.\d{1,2}(\.\d{1,2})?)$/;
const SHA256 = /^[0-9a-f]{64}$/;
/** install.sh's check_source: only these characters in a URL or path (the same constant fills it). */
const URL_PATTERN = new RegExp(`^[${URL_CHARS}]*$`);

/** install.sh's check_source: which schemes are safe depends on where the digest comes from. */
function sourceProblem(option: string, value: string, digestOption: string, digest: unknown): string | undefined {
  if (value === '') return undefined;
  if (!URL_PATTERN.test(value)) return `${option} contains characters a URL or path does not need (spaces, quotes, $, \`...)`;
  const hasDigest = typeof digest === 'string' && digest !== '';
  if (value.startsWith('https://') || value.startsWith('/')) return undefined;
  if (value.startsWith('http://')) {
    return hasDigest
      ? undefined
      : `${option} is plain http and ${digestOption} is not set: the digest would come from the same unauthenticated server`;
  }
  if (value.startsWith('oci://')) return hasDigest ? undefined : `an oci:// ${option} needs ${digestOption} (the layer digest)`;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1];
  if (scheme)
    return `${option} has an unsupported scheme ${scheme}: use https://, http:// or oci:// with ${digestOption}, or an absolute path`;
  return undefined;
}

/**
 * What install.sh would refuse among a feature entry's options (the same rules, checked when the
 * configuration is written instead of when the image is built): versions, sources and digests,
 * booleans. Options the feature does not have are not judged here (integrate keeps them).
 */
export function featureOptionProblems(options: Record<string, unknown>): OptionProblem[] {
  const known = new Map(featureOptions('3.13.5', []).map((option) => [option.id, option]));
  const problems: OptionProblem[] = [];
  const problem = (option: string, message: string | undefined) => {
    if (message) problems.push({ option, value: options[option], message });
  };
  for (const [id, value] of Object.entries(options)) {
    const option = known.get(id);
    if (!option) continue;
    if (option.type === 'boolean') {
      if (typeof value !== 'boolean' && value !== 'true' && value !== 'false') problem(id, `${id} is a boolean: true or false`);
      continue;
    }
    if (typeof value !== 'string') {
      problem(id, `${id} is a string`);
      continue;
    }
    switch (id) {
      case 'version':
        if (value === 'none' || value === 'os-provided') {
          if (options.artifactUrl) problem(id, `version ${value} with artifactUrl: nothing would install the artifact`);
          if (options.wheelhouseUrl)
            problem(id, `version ${value} with wheelhouseUrl: there is no CPython of this feature to install the wheels into`);
        } else if (!VERSION.test(value))
          problem(
            id,
            `version "${value}" is not a CPython version: use latest, a minor version such as 3.13, a full one such as 3.13.5, or none`,
          );
        break;
      case 'additionalVersions':
        for (const extra of value
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean)) {
          if (!VERSION.test(extra))
            problem(
              id,
              `additionalVersions entry "${extra}" is not a CPython version: use a comma-separated list such as 3.12,3.11.2`,
            );
        }
        break;
      case 'sha256':
      case 'wheelhouseSha256':
        if (value !== '' && !SHA256.test(value))
          problem(id, `${id} is not a sha256 digest: the 64 lowercase hex characters sha256sum prints`);
        break;
      case 'artifactUrl':
        problem(id, sourceProblem(id, value, 'sha256', options.sha256));
        break;
      case 'wheelhouseUrl':
        problem(id, sourceProblem(id, value, 'wheelhouseSha256', options.wheelhouseSha256));
        break;
      case 'downloadTimeout':
        if (!/^[1-9]\d*$/.test(value)) problem(id, `downloadTimeout "${value}" is not a positive whole number of seconds`);
        break;
    }
  }
  return problems;
}

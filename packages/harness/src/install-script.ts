import { run } from '@cpython-prebuilt/core';
import { optionEnvName } from '@cpython-prebuilt/feature';

export interface InstallRunInput {
  /** A feature folder (vendored or generated). */
  featureDir: string;
  image: string;
  options: Record<string, string | boolean>;
  /** `host` reaches a loopback HTTP server; the default is no network at all. */
  network?: 'none' | 'host';
  /** Extra read-only mounts, host path -> container path. */
  mounts?: Record<string, string>;
  /** tmpfs mounts, container path -> docker's tmpfs options (`size=64m`, `ro`): a small or read-only disk. */
  tmpfs?: Record<string, string>;
  /** Shell commands run before install.sh, e.g. to put something in its way. */
  beforeInstall?: string;
  /** Shell commands run after a successful install, e.g. to use the interpreter. */
  afterInstall?: string;
  /** Shell commands run after install.sh whatever its exit status, e.g. to see what a failure left. */
  afterRun?: string;
  /** Extra environment variables for install.sh (not options), e.g. CURL_CA_BUNDLE. */
  env?: Record<string, string>;
  /** Prepended to PATH inside the container (fake tools for failure cases). */
  pathPrefix?: string;
}

export interface InstallRunResult {
  exitCode: number;
  output: string;
  /** What install.sh left in the directories it may write: prefixes, temp dirs, links. */
  leftovers: string[];
}

/**
 * Runs install.sh as the devcontainers CLI does (root, options as upper-cased env vars), in a
 * throwaway container, then lists anything it left behind. For failure cases: a failing feature
 * aborts `devcontainer features test` without a report.
 */
export async function runInstallScript(input: InstallRunInput): Promise<InstallRunResult> {
  const env = [
    ...Object.entries(input.options).map(([id, value]) => `${optionEnvName(id)}=${String(value)}`),
    ...Object.entries(input.env ?? {}).map(([name, value]) => `${name}=${value}`),
  ].flatMap((assignment) => ['--env', assignment]);
  const mounts = [
    ...Object.entries(input.mounts ?? {}).flatMap(([host, target]) => ['--volume', `${host}:${target}:ro`]),
    ...Object.entries(input.tmpfs ?? {}).flatMap(([target, options]) => ['--tmpfs', options ? `${target}:${options}` : target]),
  ];
  // The feature folder is copied, as the CLI copies it into the build context.
  const script = [
    'cp -r /feature-src /tmp/feature',
    ...(input.beforeInstall ? [input.beforeInstall] : []),
    `${input.pathPrefix ? `PATH="${input.pathPrefix}:$PATH" ` : ''}sh /tmp/feature/install.sh; status=$?`,
    ...(input.afterInstall ? [`if [ "$status" = 0 ]; then ${input.afterInstall}; fi`] : []),
    ...(input.afterRun ? [input.afterRun] : []),
    'echo "@@leftovers"',
    'find /opt /usr/local/lib /usr/local/bin -mindepth 1 -maxdepth 1 \\( -name "python*" -o -name ".cpython-installer*" -o -name "cpython*" -o -name pip\\* \\) 2>/dev/null',
    'exit $status',
  ].join('\n');
  const result = await run(
    'docker',
    [
      'run',
      '--rm',
      '--network',
      input.network ?? 'none',
      '--volume',
      `${input.featureDir}:/feature-src:ro`,
      ...mounts,
      ...env,
      input.image,
      'sh',
      '-c',
      script,
    ],
    { allowExitCodes: [1, 2, 126, 127, 130] },
  );
  const [output = '', leftovers = ''] = `${result.stderr}\n${result.stdout}`.split('@@leftovers');
  return {
    exitCode: result.exitCode,
    output,
    leftovers: leftovers
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean),
  };
}

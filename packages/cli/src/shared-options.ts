import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BOLT_TRAININGS,
  type BoltTraining,
  type BuildBackend,
  type BuildInput,
  COMPILERS,
  type Compiler,
  DEFAULT_BOLT_IMAGE,
  DEFAULT_GCC14_IMAGE,
  DockerBackend,
  defaultVagrantProvider,
  PGO_TRAININGS,
  type PgoTraining,
  REQUIRED_FREE_BYTES,
  STRINGOP_STRATEGIES,
  type StringopStrategy,
  VagrantBackend,
  type VagrantProvider,
  vagrantProviders,
} from '@cpython-prebuilt/builder';
import {
  ARCH_WORDS,
  type Arch,
  archFromAlias,
  buildBases,
  CpythonPrebuiltError,
  DEFAULT_BUILD_BASE,
  defaultVersion,
  hostArch,
  layout,
  lineOf,
  readArmoredKeys,
  relativeToRoot,
  requireTrustedSigner,
  resolveRelease,
  SIGNING_KEY_ENV,
  SIGNING_PASSPHRASE_ENV,
  type Signer,
  signerFromEnvironment,
  sourceDateEpoch,
  versionFromRequest,
  versionsManifest,
} from '@cpython-prebuilt/core';
import type { GitHubTarget } from '@cpython-prebuilt/pipelines';
import { githubToken } from '@cpython-prebuilt/release';
import { type Command, InvalidArgumentError, Option } from 'commander';

/** Helpers every command shares: argument parsers, the build options, the reproduce line, GitHub credentials. */

/** GitHub's REST API, or GITHUB_API_URL (GitHub Enterprise, a test server); empty counts as unset. */
export function githubApiUrl(): string {
  return process.env.GITHUB_API_URL?.trim() || 'https://api.github.com';
}

export function parsePositiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('expected a positive whole number');
  return Number(value);
}

/** The command that reproduces a measurement: the make line when make ran us, else the CLI line. */
export function reproduceCommand(subcommand: string): string {
  return (
    process.env.CPYTHON_PREBUILT_REPRODUCE?.trim() ||
    // Arguments with spaces (labels such as "PGO+LTO gcc 14") stay one argument when pasted back.
    `pnpm exec cpython-prebuilt ${subcommand} ${process.argv
      .slice(3)
      .map((arg) => (/\s/.test(arg) ? `"${arg}"` : arg))
      .join(' ')}`.trim()
  );
}

/** --compiler-image, for `build` and `bench`. */
export const COMPILER_IMAGE_HELP = `Debian trixie, GCC 14 comes from (default: the base image with trixie for its Debian codename, local/debian:bullseye -> local/debian:trixie; else ${DEFAULT_GCC14_IMAGE})`;

export interface BuildFlags {
  version: string;
  build: number;
  base: string;
  baseImage?: string;
  arch: Arch;
  emulate: boolean;
  source?: string;
  sourceUrl?: string;
  sha256?: string;
  allowUnverifiedSource: boolean;
  optimize: boolean;
  keepTests: boolean;
  staticInterpreter: boolean;
  pgoTraining: PgoTraining;
  boltTraining: BoltTraining;
  stringopStrategy: StringopStrategy;
  pie: boolean;
  splitDebug: boolean;
  bolt?: boolean;
  boltImage?: string;
  compiler?: Compiler;
  compilerImage?: string;
  jobs?: number;
  backend: 'docker' | 'vagrant';
  vagrantProvider: VagrantProvider;
  outputDir: string;
  minFreeGb?: number;
  measureFullInstall: boolean;
  json: boolean;
}

/** The build options, shared by `build` and `phase3`. */
export function buildOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--version <version>', 'CPython version: full (3.13.5), or a line (3.13) for its newest pinned patch')
        .argParser(parseCpythonVersion)
        .default(defaultVersion),
    )
    .addOption(
      new Option('--build <n>', 'build number of this version (rebuilds increase it)').default(1).argParser(parsePositiveInteger),
    )
    .addOption(new Option('--base <id>', 'build base').choices(buildBases.map((base) => base.id)).default(DEFAULT_BUILD_BASE))
    .option('--base-image <ref>', "image to start from instead of the base's own (mirrors, local debootstrap images)")
    .addOption(
      new Option(
        '--arch <arch>',
        "architecture of the artifact (x86_64 or aarch64; amd64 and arm64 are taken too); another than the host's is cross-compiled (--no-optimize, Debian bases) unless --emulate",
      )
        .argParser(parseArch)
        .default(hostArch()),
    )
    .option(
      '--emulate',
      'build another --arch in an image of that architecture under qemu-user-static instead of cross-compiling (hours: configure alone took over 50 minutes here)',
      false,
    )
    .option('--source <path>', 'use this local source tarball (verified against the pinned sha256)')
    .option('--source-url <url>', 'download the source from this mirror instead of python.org (same pin)')
    .option('--sha256 <digest>', 'sha256 of the source, required for versions the manifest does not pin')
    .option(
      '--allow-unverified-source',
      "build when upstream's OpenPGP signature (<tarball>.asc) is missing or no release manager's key is pinned for the line; a bad signature still stops the build",
      false,
    )
    .option('--no-optimize', 'skip PGO and LTO (a quick build, about 6x faster)')
    .option('--keep-tests', 'keep the test suite, test extension modules and static library', false)
    .option(
      '--no-static-interpreter',
      "link bin/python3.X against libpython3.X.so instead of libpython's objects (slower; copied venvs cannot start)",
    )
    .addOption(
      new Option(
        '--pgo-training <task>',
        "PGO training: the whole regression suite, or CPython's own selection of about 40 tests (cpython: a build about 12 minutes shorter here)",
      )
        .choices(PGO_TRAININGS)
        .default('extended'),
    )
    .addOption(
      new Option(
        '--bolt-training <task>',
        "what BOLT's instrumented interpreter trains on, then start-up and imports: CPython's PGO task, as --enable-bolt does (about 2 minutes), or the whole suite but the tests that crash or fork without end under instrumentation (about 15 minutes)",
      )
        .choices(BOLT_TRAININGS)
        .default('cpython'),
    )
    .addOption(
      new Option(
        '--stringop-strategy <how>',
        "x86: memcpy/memset GCC 10 would inline as rep movsq/stosq (expected size over 32 bytes) call glibc's (no-rep), or GCC decides (compiler)",
      )
        .choices(STRINGOP_STRATEGIES)
        .default('no-rep'),
    )
    .option('--no-split-debug', 'keep debug information in the artifact instead of the .debug.tgz symbols archive')
    .option(
      '--no-pie',
      'link bin/python3.X as a position-dependent executable (-no-pie; with LTO its code is then generated without PIC), as Debian does',
    )
    .option(
      '--bolt',
      'rewrite bin/python3.X with llvm-bolt from a profile of the PGO task (default: on for PGO+LTO x86_64 builds with the docker backend)',
    )
    .option('--no-bolt', 'leave the PGO+LTO interpreter as the compiler linked it')
    .option(
      '--bolt-image <ref>',
      `Debian bookworm or newer, for the BOLT stage (default: the base image with bookworm for its Debian codename, local/debian:bullseye -> local/debian:bookworm; else ${DEFAULT_BOLT_IMAGE})`,
    )
    .addOption(
      new Option(
        '--compiler <name>',
        "C compiler: GCC 14 from Debian trixie run inside the build base (the base's headers and libraries, so the same glibc floor), or the base's own (default: gcc-14 for PGO+LTO x86_64 builds with the docker backend, else base)",
      ).choices(COMPILERS),
    )
    .option('--compiler-image <ref>', COMPILER_IMAGE_HELP)
    .addOption(new Option('--jobs <n>', 'parallel make jobs (default: all cores)').argParser(parsePositiveInteger))
    .addOption(
      new Option('--backend <name>', 'isolated build environment: a container, or the Vagrant VM iact-cpython-builder')
        .choices(['docker', 'vagrant'])
        .default('docker'),
    )
    .addOption(
      new Option('--vagrant-provider <name>', 'provider of the Vagrant VM (default: VAGRANT_DEFAULT_PROVIDER, else virtualbox)')
        .choices(vagrantProviders)
        .default(defaultVagrantProvider()),
    )
    .option('--output-dir <dir>', 'where the artifact, .sha256 and metadata go', layout.artifactsDir)
    .addOption(
      new Option(
        '--min-free-gb <n>',
        `refuse to start with less free disk (default: the measured peak with a margin, ${REQUIRED_FREE_BYTES.optimized / 1024 ** 3} GiB for PGO+LTO builds, ${REQUIRED_FREE_BYTES.plain / 1024 ** 3} GiB without)`,
      ).argParser(parsePositiveInteger),
    )
    .option(
      '--measure-full-install',
      'also record the size of the unpruned make-install tree and of a plain tar czf of it (metadata sizes.fullInstall)',
      false,
    );
}

/** --arch: x86_64 or aarch64, or the other names people type for them (amd64, arm64). */
/**
 * Where a command that measures writes its results document: --output, else the committed
 * document with --write-docs (what the make targets pass), else a scratch copy under
 * .cache/results/, so trying a command never rewrites the repository's docs.
 */
/** The scratch copy of a committed results document, under .cache/results/. */
function scratchResults(committed: string): string {
  return join(layout.cacheDir, 'results', relativeToRoot(committed));
}

export function resultsOutputOption(committed: string, what: string): Option {
  return new Option(
    '--output <file>',
    `${what} (default: ${relativeToRoot(scratchResults(committed))}; with --write-docs, ${relativeToRoot(committed)})`,
  );
}

export function writeDocsOption(committed: string): Option {
  return new Option('--write-docs', `write the results into the committed ${relativeToRoot(committed)} (the make target does)`)
    .default(false)
    .conflicts('output');
}

export function resultsOutput(flags: { output?: string; writeDocs?: boolean }, committed: string): string {
  return flags.output ?? (flags.writeDocs ? committed : scratchResults(committed));
}

/** --version: a full version, or a line (3.13) meaning its newest pinned patch. */
export function parseCpythonVersion(value: string): string {
  const version = versionFromRequest(value);
  if (version) return version;
  const lines = [...new Set(versionsManifest.releases.map((release) => lineOf(release.version)))].join(', ');
  throw new InvalidArgumentError(
    /^3\.\d{1,2}$/.test(value)
      ? `no ${value}.x is pinned in infrastructure/cpython/versions.json (pinned lines: ${lines}): give a full version with --sha256, or pin one with make versions-update`
      : `"${value}" is not a CPython version: give a full one such as 3.13.5, or a line such as 3.13 (its newest pinned patch)`,
  );
}

/** The same for a repeatable --version. */
export function collectCpythonVersions(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), parseCpythonVersion(value)];
}

export function parseArch(value: string): Arch {
  const arch = archFromAlias(value);
  if (!arch) throw new InvalidArgumentError(`"${value}" is not an architecture: give one of ${ARCH_WORDS.join(', ')}`);
  return arch;
}

export function backendFromFlags(flags: Pick<BuildFlags, 'backend' | 'vagrantProvider'>): BuildBackend {
  return flags.backend === 'vagrant' ? new VagrantBackend(flags.vagrantProvider) : new DockerBackend();
}

export function buildInputFromFlags(flags: BuildFlags): BuildInput {
  const release = resolveRelease(flags.version, flags.sha256);
  return {
    version: flags.version,
    build: flags.build,
    baseId: flags.base,
    baseImage: flags.baseImage,
    arch: flags.arch,
    emulate: flags.emulate,
    sourcePath: flags.source,
    sourceUrl: flags.sourceUrl,
    sha256: flags.sha256,
    allowUnverifiedSource: flags.allowUnverifiedSource,
    optimize: flags.optimize,
    keepTests: flags.keepTests,
    staticInterpreter: flags.staticInterpreter,
    pgoTraining: flags.pgoTraining,
    boltTraining: flags.boltTraining,
    stringopStrategy: flags.stringopStrategy,
    pie: flags.pie,
    splitDebug: flags.splitDebug,
    bolt: flags.bolt,
    boltImage: flags.boltImage,
    compiler: flags.compiler,
    compilerImage: flags.compilerImage,
    jobs: flags.jobs,
    outputDir: flags.outputDir,
    logsDir: layout.logsDir,
    cacheDir: layout.cacheDir,
    sourceDateEpoch: sourceDateEpoch(release),
    ...(flags.minFreeGb ? { minFreeBytes: flags.minFreeGb * 1024 ** 3 } : {}),
    measureFullInstall: flags.measureFullInstall,
  };
}

/** The GitHub token from the environment: GITHUB_TOKEN, else GH_TOKEN; an empty variable counts as unset. */
export function githubTokenFromEnv(): string | undefined {
  return githubToken();
}

/** A GitHub repository to release to, with the token it needs; refuses a missing token or a malformed name. */
export function githubTargetFromFlags(
  repository: string,
  apiUrl = githubApiUrl(),
  missingTokenFix = 'export GITHUB_TOKEN=<a token with contents:write>, or drop --repo/REPO= to rehearse against the local release target',
): GitHubTarget {
  const [owner, repo, ...rest] = repository.split('/');
  if (!owner || !repo || rest.length > 0) {
    throw new CpythonPrebuiltError('INVALID_INPUT', `--repo "${repository}" is not <owner>/<name>`, {
      fix: 'pass e.g. --repo octo/cpython-prebuilt',
    });
  }
  const token = githubTokenFromEnv();
  if (!token) {
    throw new CpythonPrebuiltError(
      'INVALID_INPUT',
      `--repo ${repository} needs a GitHub token, and GITHUB_TOKEN and GH_TOKEN are unset`,
      { fix: missingTokenFix },
    );
  }
  return { owner, repo, token, apiUrl };
}

/**
 * The release signer, from the environment only (SIGNING_KEY_ENV names an armored private key
 * file; a key or passphrase on a command line would land in shell history and process lists).
 * Missing, it is an error unless the command was told --unsigned.
 */
export async function releaseSigner(unsigned: boolean, signerKeys = layout.keysDir): Promise<Signer | undefined> {
  if (unsigned) return undefined;
  const signer = await signerFromEnvironment();
  if (!signer) {
    throw new CpythonPrebuiltError('SIGNING_KEY_INVALID', `no signing key: ${SIGNING_KEY_ENV} is unset`, {
      fix: `export ${SIGNING_KEY_ENV}=<path to the team's armored private key> (and ${SIGNING_PASSPHRASE_ENV} when it has one), or pass --unsigned to publish without signatures (features refuse unsigned manifest artifacts)`,
    });
  }
  // Only committed keys (or those a maintainer names on the command line): never the environment's extra keys.
  await requireTrustedSigner(signer, await readTrustedKeys(signerKeys), signerKeys);
  return signer;
}

/** The armored public keys of --signer-keys: every .asc of a folder, or one file. */
export async function readTrustedKeys(path: string): Promise<string[]> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ? readArmoredKeys(path) : [await readFile(path, 'utf8')];
}

/** The --signer-keys option of the commands that sign: whose keys may sign (default: the committed ones). */
export const signerKeysOption = () =>
  new Option('--signer-keys <path>', 'the public keys a signer must be one of: a folder of .asc files, or one file').default(
    layout.keysDir,
    'infrastructure/keys, the committed keys',
  );

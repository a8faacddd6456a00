import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root: packages/core/src/ is three levels below it. */
export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

const infrastructure = join(repoRoot, 'infrastructure');
const cpython = join(infrastructure, 'cpython');
const docs = join(repoRoot, 'docs');
const cacheDir = process.env.CPYTHON_PREBUILT_CACHE ?? join(repoRoot, '.cache');

/**
 * Where everything lives in this repository: the one home of every path. Other modules take
 * paths from here (or from a flag whose default comes from here), never spell them again.
 */
export const layout = {
  root: repoRoot,
  /** Built artifacts, their .sha256, metadata and validation reports. */
  artifactsDir: join(cpython, 'artifacts'),
  /** Full build logs, named by errors. */
  logsDir: join(cpython, 'logs'),
  /** The in-guest scripts every backend runs. */
  scriptsDir: join(cpython, 'scripts'),
  /** The in-container script that builds a wheelhouse's wheels (wheelhouse build). */
  wheelhouseScriptsDir: join(infrastructure, 'wheelhouse/scripts'),
  /** The Vagrantfile's folder, /vagrant in the builder VM. */
  vagrantDir: cpython,
  /** The docker provider's "box" definition. */
  vagrantDockerDir: join(cpython, 'vagrant/docker'),
  /** The pinned CPython releases (data of schemas/versions.ts; `versions update` rewrites it). */
  versionsData: join(repoRoot, 'packages/core/src/schemas/versions.data.json'),
  /** The pins of the libraries built from source (libraries update rewrites it). */
  librariesData: join(repoRoot, 'packages/core/src/schemas/libraries.data.json'),
  /** Generated JSON: versions.json, build-bases.json and the JSON schemas. */
  cpythonDir: cpython,
  schemasDir: join(cpython, 'schemas'),
  /** Every published artifact; the feature embeds it. ARTIFACTS.md is always written beside it. */
  manifest: join(infrastructure, 'artifacts/manifest.json'),
  /** The feature's semver ({"version": "1.2.3"}), bumped by the release job. */
  featureVersion: join(repoRoot, 'features/feature-version.json'),
  /** GitHub Actions workflows (linted by `cpython-prebuilt lint-workflows`). */
  workflowsDir: join(repoRoot, '.github/workflows'),
  /** Public keys the feature trusts for artifact signatures (*.asc, armored); `pnpm generate` embeds them. */
  keysDir: join(infrastructure, 'keys'),
  /** Release managers' public keys for upstream CPython tarballs, with a README naming their source. */
  upstreamKeysDir: join(infrastructure, 'keys/upstream'),
  /** python.org's Sigstore bundles of the pinned tarballs (<file>.sigstore), checked before a build. */
  sigstoreBundlesDir: join(cpython, 'sigstore'),
  /** The feature collection: generated src/ and its test/ suite. */
  featuresSrcDir: join(repoRoot, 'features/src'),
  featuresTestDir: join(repoRoot, 'features/test'),
  /** Example projects; the pilot is the procedure's. */
  examplesDir: join(repoRoot, 'examples'),
  pilotDir: join(repoRoot, 'examples/pilot'),
  docsDir: docs,
  /** The README: its figures are quoted from the results JSON (pnpm generate). */
  readme: join(repoRoot, 'README.md'),
  /** Results documents: markdown, with the raw numbers beside them as .json. */
  results: {
    phase3: join(docs, 'infraestructura/cpython_precompilado/fase-3-resultados.md'),
    /** Fase 4: the pilot and the example projects, each built before and after the feature. */
    phase4: join(docs, 'phase4-results.md'),
    benchmarks: join(docs, 'benchmarks.md'),
    interpreters: join(docs, 'benchmarks-interpreters.md'),
    wheelhouse: join(docs, 'benchmarks-wheelhouse.md'),
    /** The default build's time, disk and phases (`build-budget --write-docs`): what the README quotes. */
    defaultBuild: join(docs, 'default-build.md'),
  },
  /** Downloads, sources fetched by setup, test fixtures. Never committed. */
  cacheDir,
  /** Debian's pristine upstream tarballs (python3.13_3.13.5.orig.tar.xz...), fetched by setup. */
  sourcesDir: join(cacheDir, 'sources'),
} as const;

/** ARTIFACTS.md, the human view of a manifest, lives beside it. */
export function artifactsMdPath(manifestPath: string): string {
  return join(manifestPath, '..', 'ARTIFACTS.md');
}

/** Generated files by path relative to the root (for generate and its freshness check). */
export function relativeToRoot(path: string): string {
  return path.startsWith(`${repoRoot}/`) ? path.slice(repoRoot.length + 1) : path;
}

/** The procedure passes bare names (ARTIFACT=cpython-...tgz): those live in the artifacts folder. */
export function resolveArtifactPath(artifact: string): string {
  if (existsSync(artifact) || artifact.includes('/')) return artifact;
  return join(layout.artifactsDir, artifact);
}

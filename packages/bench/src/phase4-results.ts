import { reproduceSection } from './documents.ts';
import type { MeasuredArtifact, Measurement, ProjectMeasurement, VariantResult } from './project-build.ts';
import { checksPassed, duration, failedBuilds, mib, shared, speedup } from './results-format.ts';

export interface BuildTotals {
  /** Configurations whose before and after builds both succeeded at least once: the sums are over these. */
  counted: number;
  /** Configurations left out of the sums because a variant never built. */
  leftOut: string[];
  beforeSeconds: number;
  afterSeconds: number;
  /** Checks passed and run in every "after" image, all configurations. */
  afterChecks: { passed: number; total: number };
}

/** A variant's median, or why there is none: its builds failed, or were not run (yet). */
function timeCell(variant: VariantResult): string {
  if (variant.runs.length === 0) return 'not run';
  return variant.seconds.runs === 0 ? 'failed' : duration(variant.seconds.median);
}

/** The builds a measurement still lacks: a run stopped early, or the document of a run in progress. */
export function missingBuilds(measurement: Measurement): string[] {
  return measurement.projects.flatMap((project) =>
    (['before', 'after'] as const)
      .filter((variant) => project[variant].runs.length < measurement.runs)
      .map((variant) => `${configName(project)} ${variant} (${project[variant].runs.length} of ${measurement.runs} runs)`),
  );
}

/** How an artifact was built, in the builder's own words (make build_cpython's OPTIMIZE=). */
const artifactKind = (artifact: MeasuredArtifact): string =>
  artifact.pgo && artifact.lto ? 'PGO+LTO' : artifact.pgo ? 'PGO' : 'OPTIMIZE=0';

const built = (project: ProjectMeasurement) => project.before.seconds.runs > 0 && project.after.seconds.runs > 0;
const configName = (project: ProjectMeasurement) => `${project.name} ${project.config}`;

/** The totals row: median build times summed over the configurations that built both ways. */
export function buildTotals(projects: ProjectMeasurement[]): BuildTotals {
  const counted = projects.filter(built);
  const checks = projects.flatMap((project) => project.after.runs);
  return {
    counted: counted.length,
    leftOut: projects.filter((project) => !built(project)).map(configName),
    beforeSeconds: counted.reduce((sum, project) => sum + project.before.seconds.median, 0),
    afterSeconds: counted.reduce((sum, project) => sum + project.after.seconds.median, 0),
    afterChecks: {
      passed: checks.reduce((sum, run) => sum + run.checksPassed, 0),
      total: checks.reduce((sum, run) => sum + run.checksTotal, 0),
    },
  };
}

/** How the configuration asks for Python: `version 3.13, optimize true` (the official feature's own options). */
export function describeRequest(requested: Record<string, unknown>): string {
  const parts = Object.entries(requested).map(
    ([option, value]) => `${option} ${typeof value === 'string' ? value : JSON.stringify(value)}`,
  );
  return parts.length > 0 ? parts.join(', ') : '(defaults)';
}

function projectRow(project: ProjectMeasurement): string {
  const { before, after } = project;
  return [
    '',
    project.name,
    `\`${project.config}\``,
    project.shape,
    `${describeRequest(project.requested)} -> ${project.version}${project.optimize ? ' (PGO)' : ''}`,
    timeCell(before),
    timeCell(after),
    speedup(before.seconds.median, after.seconds.median),
    checksPassed(after),
    '',
  ]
    .join(' | ')
    .trim();
}

/** The Fase 4 results document: one row per project configuration, and the totals, from one measured run. */
/** One sentence of a Fase 4 run's totals, for the README (which quotes the committed JSON). */
export function describePhase4Totals(measurement: Measurement): string {
  const totals = buildTotals(measurement.projects);
  const missing = missingBuilds(measurement);
  return (
    `The committed run (${measurement.date.slice(0, 10)}, ${measurement.runs} build${measurement.runs === 1 ? '' : 's'} each way, load average ` +
    `${measurement.load.start} at the start${shared(measurement.load.start) ? ': shared with other work' : ''}): ` +
    `${totals.counted} configuration${totals.counted === 1 ? '' : 's'} took **${duration(totals.beforeSeconds)}** to build compiling Python ` +
    `and **${duration(totals.afterSeconds)}** with the feature (**${speedup(totals.beforeSeconds, totals.afterSeconds)}**), ` +
    `${totals.afterChecks.passed}/${totals.afterChecks.total} checks passing after` +
    `${missing.length > 0 ? `; incomplete, not built: ${missing.join('; ')}` : ''}.`
  );
}

export function renderPhase4Results(measurement: Measurement, command: string): string {
  const totals = buildTotals(measurement.projects);
  const leftOut = totals.leftOut.length > 0 ? `; left out, a variant not built: ${totals.leftOut.join('; ')}` : '';
  const missing = missingBuilds(measurement);
  return [
    '# Fase 4 - Results: the pilot and three more projects',
    '',
    `<!-- GENERATED by \`${command}\`; numbers are measurements, not targets. -->`,
    '',
    `Measured ${measurement.date.slice(0, 10)} on ${measurement.machine}. Load average (1, 5, 15 min)`,
    `${measurement.load.start} at the start and ${measurement.load.end} at the end${
      shared(measurement.load.start)
        ? ': the machine was shared with other work, so absolute times are longer than on an idle machine'
        : ' (idle when the run started; the builds themselves load it afterwards)'
    }; both variants of every configuration ran in the same run, interleaved, so they shared its conditions.`,
    '',
    ...(missing.length > 0
      ? [
          `**Incomplete run**: these builds had not run when this document was written (the run was stopped, or was`,
          `still going): ${missing.join('; ')}.`,
          '',
        ]
      : []),
    `## Dev container build time (median of ${measurement.runs} run${measurement.runs === 1 ? '' : 's'} each way)`,
    '',
    '| Project | Configuration | Shape | Python asked -> built | Before | After | Speed-up | Checks after |',
    '|---|---|---|---|---|---|---|---|',
    ...measurement.projects.map(projectRow),
    `| **Total** (${totals.counted} configuration${totals.counted === 1 ? '' : 's'}${leftOut}) | | | | **${duration(totals.beforeSeconds)}** | **${duration(totals.afterSeconds)}** | **${speedup(totals.beforeSeconds, totals.afterSeconds)}** | ${totals.afterChecks.passed}/${totals.afterChecks.total} |`,
    '',
    '## What was measured',
    '',
    '- **Before**: the project as committed, its official python feature (`ghcr.io/devcontainers/features/python`)',
    '  replaced by `python-from-source`, which does what the official feature does for a version it does not',
    '  find in the distribution: configure, `make -j`, `make install` inside the image build, with',
    '  `--enable-optimizations` when the configuration sets `optimize: true`. The official feature cannot be',
    '  fetched here (no internet), and neither can python.org: the source is the verified CPython tarball',
    "  copied into the feature's folder, and the build starts from the project's image with compilers and",
    '  -dev packages already in it (for a Dockerfile or Compose build, its `FROM` line names that image',
    '  instead). That is kind to the old way: no download, no GPG keyserver and no apt-get of build',
    '  dependencies is timed.',
    '- **After**: the same configuration switched by `cpython-prebuilt integrate` to the `installer` feature,',
    "  vendored (the artifact inside the feature folder) next to the configuration, from the project's own",
    '  image, Dockerfile or Compose service, unchanged.',
    `  Artifacts: ${measurement.artifacts
      .map(
        (artifact) =>
          `\`${artifact.name}\` (${artifactKind(artifact)}, ${mib(artifact.compressedBytes)}, sha256 \`${artifact.sha256.slice(0, 12)}...\`)`,
      )
      .join('; ')}.`,
    '- Each build is `devcontainer build --no-cache --config <configuration>` (devcontainers CLI) of a copy of',
    "  the project; for Compose that builds the service's image and the features on top of it. Images are",
    '  removed after each run.',
    '- Checks, in each built image (`docker run`, no network): `python3 --version` is the version built,',
    '  `python3` is on PATH, `sys.prefix` is the prefix that way installs to (`/usr/local/python/current`',
    '  before, `/opt/python-<version>` after), the native modules ssl, sqlite3, lzma, bz2, ctypes, zlib import,',
    '  and `pip3 --version` works.',
    '- A repository with two configurations counts each one: a team builds both.',
    '',
    ...reproduceSection(command),
    '## Runs',
    '',
    '| Configuration | Variant | Run | Seconds | Image | Checks |',
    '|---|---|---|---|---|---|',
    ...measurement.projects.flatMap((project) =>
      (['before', 'after'] as const).flatMap((variant) =>
        project[variant].runs.map(
          (run, index) =>
            `| ${configName(project)} | ${variant} | ${index + 1} | ${run.seconds.toFixed(1)} | ${run.ok ? mib(run.imageBytes) : 'failed'} | ${run.checksPassed}/${run.checksTotal} |`,
        ),
      ),
    ),
    '',
    `Failed builds: ${measurement.projects.map((project) => `${configName(project)} ${failedBuilds(project.before)} before, ${failedBuilds(project.after)} after`).join('; ')}.`,
    '',
  ].join('\n');
}

import { type Benchmarks, INTERPRETER_LABELS } from './benchmarks.ts';
import { reproduceBlock } from './documents.ts';
import type { InterpreterSpeed } from './interpreter-speed.ts';
import type { Summary } from './stats.ts';
import { barChartSvg } from './svg-chart.ts';

/** What pybench.py's import measurement imports (its IMPORTS constant). */
const IMPORTS_DESCRIPTION = 'argparse, asyncio, dataclasses, decimal, email.message, http.client, json, logging, typing';

const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
const secs = (value: number) => (value >= 120 ? `${(value / 60).toFixed(1)} min` : `${value.toFixed(2)} s`);
const spread = (summary: Summary) => (summary.runs > 1 ? `${secs(summary.min)} - ${secs(summary.max)}` : 'one run, no spread');
const row = (label: string, summary: Summary) => `| ${label} | ${secs(summary.median)} | ${spread(summary)} | ${summary.runs} |`;
const ratio = (numerator: number, denominator: number) => (numerator / denominator).toFixed(2);

/** The targets the project set itself; the document says where the time goes when one is missed. */
export const TARGETS = {
  fromSourceOverFeature: 10,
  featureOverTar: 1.3,
  featureSeconds: 3,
  compressedMiB: 30,
  installedMiB: 100,
  /** The artifact's geometric-mean speed-up at least the distribution's, times this. */
  speedupOverDistro: 1,
  /** No workload slower than the distribution's by more than this fraction. */
  workloadBehindDistro: 0.1,
} as const;

interface TargetRow {
  what: string;
  target: string;
  measured: string;
  holds: boolean;
}

/** Every target of the project against this run's numbers, for the table at the top of the document. */
export function targetRows(results: Benchmarks): TargetRow[] {
  const { imageInstall: install, sizes, interpreter } = results;
  const rows: TargetRow[] = [
    {
      what: 'compile from source / our feature, (b)/(a)',
      target: `at least ${TARGETS.fromSourceOverFeature}x`,
      measured: `${(install.fromSource.median / install.feature.median).toFixed(1)}x`,
      holds: install.fromSource.median / install.feature.median >= TARGETS.fromSourceOverFeature,
    },
    {
      what: "the feature's install step, (a) median",
      target: `at most ${TARGETS.featureSeconds} s`,
      measured: secs(install.feature.median),
      holds: install.feature.median <= TARGETS.featureSeconds,
    },
    {
      what: 'the install step over a bare extraction, (a)/(c)',
      target: `at most ${TARGETS.featureOverTar}x`,
      measured: `${ratio(install.feature.median, install.tarOnly.median)}x`,
      holds: install.feature.median / install.tarOnly.median <= TARGETS.featureOverTar,
    },
    {
      what: 'artifact, compressed',
      target: `at most ${TARGETS.compressedMiB} MiB`,
      measured: mib(sizes.compressedBytes),
      holds: sizes.compressedBytes <= TARGETS.compressedMiB * 1024 ** 2,
    },
    {
      what: 'artifact, installed',
      target: `at most ${TARGETS.installedMiB} MiB`,
      measured: mib(sizes.installedBytes),
      holds: sizes.installedBytes <= TARGETS.installedMiB * 1024 ** 2,
    },
  ];
  const startup = (label: string) => interpreter.process[label]?.startup;
  const [ourStartup, previousStartup] = [startup(INTERPRETER_LABELS.optimized), startup(INTERPRETER_LABELS.previous)];
  if (ourStartup !== undefined && previousStartup !== undefined) {
    rows.push({
      what: `startup (\`python3 -c pass\`), ours against the previous default artifact \`${results.artifacts.previous?.name}\``,
      target: 'no slower',
      measured: `${(ourStartup * 1000).toFixed(2)} ms vs ${(previousStartup * 1000).toFixed(2)} ms`,
      holds: ourStartup <= previousStartup,
    });
  }
  const ours = interpreter.geometricMean[INTERPRETER_LABELS.optimized];
  const distro = interpreter.geometricMean[INTERPRETER_LABELS.distro];
  if (ours !== undefined && distro !== undefined) {
    rows.push({
      what: `geometric-mean speed-up over the ${interpreter.baseline}, ours against the distribution's python3`,
      target: "at least the distribution's",
      measured: `${ours.toFixed(2)}x vs ${distro.toFixed(2)}x`,
      holds: ours >= distro * TARGETS.speedupOverDistro,
    });
    const workloads = Object.keys(interpreter.speedup[INTERPRETER_LABELS.optimized] ?? {});
    const behind = workloads
      .map((workload) => ({
        workload,
        // Our speed relative to the distribution's on this workload: below 1 is behind.
        relative:
          (interpreter.speedup[INTERPRETER_LABELS.optimized]?.[workload] ?? 0) /
          (interpreter.speedup[INTERPRETER_LABELS.distro]?.[workload] ?? 1),
      }))
      .sort((a, b) => a.relative - b.relative)[0];
    if (behind)
      rows.push({
        what: "the workload furthest behind the distribution's python3",
        target: `at most ${(TARGETS.workloadBehindDistro * 100).toFixed(0)}% slower`,
        measured: `${behind.workload}: ${behind.relative >= 1 ? `${((behind.relative - 1) * 100).toFixed(0)}% faster` : `${((1 - behind.relative) * 100).toFixed(0)}% slower`}`,
        holds: behind.relative >= 1 - TARGETS.workloadBehindDistro,
      });
  }
  return rows;
}

const range = ([low, high]: readonly [number, number]) => `${low.toFixed(2)}-${high.toFixed(2)}`;
const ms = (seconds: number) => `${(seconds * 1000).toFixed(1)} ms`;

/** File names of section 3's charts, beside the document whose base name (no .md) is given. */
export function interpreterChartNames(documentBaseName: string): { speed: string; process: string } {
  return { speed: `${documentBaseName}-speed.svg`, process: `${documentBaseName}-startup.svg` };
}

/** Section 3's charts: speed-up per workload and geometric mean, and startup and import times. */
export function interpreterCharts(interpreter: InterpreterSpeed): { speed: string; process: string } {
  const labels = Object.keys(interpreter.seconds);
  const workloads = Object.keys(interpreter.seconds[labels[0] ?? ''] ?? {});
  const speed = barChartSvg({
    title: `Speed-up over the ${interpreter.baseline} (higher is faster)`,
    axisLabel: `baseline time / interpreter time; whiskers: lowest and highest of ${interpreter.runs} runs`,
    reference: { value: 1, label: interpreter.baseline },
    groups: ['geometric mean', ...workloads].map((workload) => ({
      label: workload,
      bars: labels.map((label) =>
        workload === 'geometric mean'
          ? { series: label, value: interpreter.geometricMean[label] ?? 0, range: interpreter.geometricMeanRange[label] }
          : {
              series: label,
              value: interpreter.speedup[label]?.[workload] ?? 0,
              range: interpreter.speedupRange[label]?.[workload],
            },
      ),
    })),
  });
  // In milliseconds, so the axis ticks read in the unit of the labels.
  const process = barChartSvg({
    title: 'Fresh interpreter processes (lower is faster)',
    axisLabel: 'CPU milliseconds, best of all runs',
    format: (value) => `${value.toFixed(1)} ms`,
    groups: [
      {
        label: 'startup (-c pass)',
        bars: labels.map((label) => ({ series: label, value: (interpreter.process[label]?.startup ?? 0) * 1000 })),
      },
      {
        label: "import a tool's modules",
        bars: labels.map((label) => ({ series: label, value: (interpreter.process[label]?.import ?? 0) * 1000 })),
      },
    ],
  });
  return { speed, process };
}

/** Section 3's tables: each workload on each interpreter, and how each interpreter was built. */
export function interpreterTables(interpreter: InterpreterSpeed, documentBaseName?: string): string[] {
  const labels = Object.keys(interpreter.seconds);
  const workloads = Object.keys(interpreter.seconds[labels[0] ?? ''] ?? {});
  const charts = documentBaseName ? interpreterChartNames(documentBaseName) : undefined;
  return [
    `packages/bench/workloads/pybench.py, ${interpreter.runs} runs per interpreter (fresh container each, interleaved) in`,
    `\`${interpreter.image}\`; each workload is the best of 5 repetitions per run, best over runs, in CPU seconds (user +`,
    'system: waiting for a core on a busy machine is not counted). Speed-up is the',
    `${interpreter.baseline}'s time divided by the interpreter's: above 1 is faster. In brackets: the lowest and`,
    "highest speed-up of one run over the baseline's run of the same round.",
    '',
    ...(charts ? [`![speed-up per workload](${charts.speed})`, ''] : []),
    `| workload | ${labels.map((label) => `${label} (${interpreter.versions[label]})`).join(' | ')} |`,
    `|---|${labels.map(() => '---').join('|')}|`,
    ...workloads.map(
      (workload) =>
        `| ${workload} | ${labels
          .map((label) => {
            const spread = interpreter.speedupRange[label]?.[workload];
            return `${(interpreter.seconds[label]?.[workload] ?? 0).toFixed(3)} s, ${(interpreter.speedup[label]?.[workload] ?? 0).toFixed(2)}x${spread ? ` (${range(spread)})` : ''}`;
          })
          .join(' | ')} |`,
    ),
    `| **geometric mean speed-up** | ${labels
      .map((label) => {
        const spread = interpreter.geometricMeanRange[label];
        return `**${(interpreter.geometricMean[label] ?? 0).toFixed(2)}x**${spread ? ` (${range(spread)})` : ''}`;
      })
      .join(' | ')} |`,
    '',
    'Fresh processes (CPU time, best of 20 per run, best over runs): startup is `python3 -c pass`; import is a process',
    `that imports what a typical tool does (\`${IMPORTS_DESCRIPTION}\`).`,
    '',
    ...(charts ? [`![startup and import times](${charts.process})`, ''] : []),
    `| process | ${labels.join(' | ')} |`,
    `|---|${labels.map(() => '---').join('|')}|`,
    `| startup | ${labels.map((label) => ms(interpreter.process[label]?.startup ?? 0)).join(' | ')} |`,
    `| import | ${labels.map((label) => ms(interpreter.process[label]?.import ?? 0)).join(' | ')} |`,
    '',
    '| how each was built (as it reports) | compiler | libpython | configure flags (CONFIG_ARGS) | BOLT (artifact metadata) |',
    '|---|---|---|---|---|',
    ...labels.map((label) => {
      const build = interpreter.builds[label];
      if (!build) return `| ${label} | - | - | - | - |`;
      const flags = [
        build.enableOptimizations && '--enable-optimizations',
        build.withLto && '--with-lto',
        ...(build.nodistFlags ?? []).map((flag) => `\`${flag}\``),
      ].filter(Boolean);
      const bolt = build.bolt === undefined ? '-' : build.bolt ? 'yes' : 'no';
      return `| ${label} | ${build.compiler} | ${build.sharedLibpython ? 'shared (--enable-shared)' : 'static, in the executable'} | ${flags.join(' ') || 'neither'} | ${bolt} |`;
    }),
  ];
}

/** What the run can say when the distribution's python3 beats the artifact, from facts it measured. */
function distroComparison(results: Benchmarks): string[] {
  const { interpreter } = results;
  const ours = interpreter.geometricMean[INTERPRETER_LABELS.optimized];
  const distro = interpreter.geometricMean[INTERPRETER_LABELS.distro];
  const oursBuild = interpreter.builds[INTERPRETER_LABELS.optimized];
  const distroBuild = interpreter.builds[INTERPRETER_LABELS.distro];
  if (!ours || !distro || !oursBuild || !distroBuild) return [];
  if (distro <= ours)
    return [
      `Our PGO+LTO artifact is as fast as or faster than the distribution's python3 (${ours.toFixed(2)}x vs ${distro.toFixed(2)}x).`,
      '',
    ];
  const differences: string[] = [];
  if (oursBuild.compiler !== distroBuild.compiler)
    differences.push(
      `the compiler (ours ${oursBuild.compiler}, from the oldest base for its glibc floor; theirs ${distroBuild.compiler})`,
    );
  if (oursBuild.sharedLibpython !== distroBuild.sharedLibpython)
    differences.push(
      `libpython (ours ${oursBuild.sharedLibpython ? 'a shared library, position-independent code' : 'linked into the executable'}; theirs ${distroBuild.sharedLibpython ? 'a shared library' : 'linked into the executable'})`,
    );
  return [
    `The distribution's python3 is faster than our PGO+LTO artifact here (${distro.toFixed(2)}x vs ${ours.toFixed(2)}x).`,
    differences.length > 0
      ? `What differs between the two builds: ${differences.join('; ')}.`
      : 'This run sees no difference in compiler or libpython linkage between the two builds.',
    'What else differs (the profile task), what the compiler is worth, and what a build on a newer base gains:',
    '[interpreter-speed.md](interpreter-speed.md).',
    '',
  ];
}

/** Section 2: the artifact's sizes, beside the full `make install` tree when the run measured it. */
function sizeSection(sizes: Benchmarks['sizes']): string[] {
  const lines = [
    '| what | size |',
    '|---|---|',
    `| our artifact \`${sizes.artifact}\`, compressed | ${mib(sizes.compressedBytes)} |`,
    `| our artifact, installed | ${mib(sizes.installedBytes)} |`,
  ];
  const { fullInstallTarGzBytes: fullTarGz, fullInstallBytes: full } = sizes;
  if (fullTarGz === undefined || full === undefined) {
    return [
      ...lines,
      '',
      'The full `make install` tree is measured only when this run builds the artifact itself. Its debug',
      'information is in the separate symbols archive (`.debug.tgz`, see [builder.md](builder.md)).',
      '',
    ];
  }
  return [
    ...lines,
    `| plain \`tar czf\` of the full \`make install\` tree of the same build | ${mib(fullTarGz)} |`,
    `| that full \`make install\` tree, installed | ${mib(full)} |`,
    '',
    `The artifact is ${ratio(fullTarGz, sizes.compressedBytes)}x smaller compressed and`,
    `${ratio(full, sizes.installedBytes)}x smaller installed: it leaves out the test suite, the test`,
    'extension modules and the static libpython (`--keep-tests` keeps them); it adds the shared libraries it',
    'bundles (OpenSSL, libffi, ...). Its debug information is in the separate symbols archive (`.debug.tgz`, see',
    '[builder.md](builder.md)); the full `make install` tree keeps it.',
    '',
  ];
}

/** docs/benchmarks.md, rendered from one run of every benchmark. */
/** The targets table the document opens with (the README quotes it too, from the same JSON). */
export function targetsTable(results: Benchmarks): string[] {
  return [
    '| what | target | this run | |',
    '|---|---|---|---|',
    ...targetRows(results).map(
      (row) => `| ${row.what} | ${row.target} | ${row.measured} | ${row.holds ? 'holds' : '**missed**'} |`,
    ),
  ];
}

export function renderBenchmarks(results: Benchmarks, command: string, chartBaseName = 'benchmarks'): string {
  const install = results.imageInstall;
  const { sizes, interpreter, builder } = results;
  const fromSourceOverFeature = install.fromSource.median / install.feature.median;
  const featureOverTar = install.feature.median / install.tarOnly.median;
  const phaseNames = [...new Set([...Object.keys(builder.plain.phases), ...Object.keys(builder.optimized.phases)])];
  return [
    '# Benchmarks',
    '',
    `<!-- GENERATED by \`${command}\`; numbers are measurements, not targets. Raw numbers: benchmarks.json -->`,
    '',
    `Measured ${results.date.slice(0, 10)} on ${results.machine}, all in one run of the command at the end.`,
    `CPython ${results.version}, build base \`${results.base}\`. Quick measurements ran ${results.runs} times, the ones`,
    `that compile CPython ${results.slowRuns} times (each is minutes; \`--slow-runs\` raises it). Medians, with min - max.`,
    '',
    '## Targets',
    '',
    ...targetsTable(results),
    '',
    `## 1. Getting CPython ${results.version} into an image`,
    '',
    `Every variant runs in a fresh container of the same image (\`${install.image}\`: the base plus`,
    'the build packages, which only (b) needs), with no network and no cache; container start-up is not counted.',
    '',
    '| variant | median | min - max | runs |',
    '|---|---|---|---|',
    row('(a) our feature: install.sh (verify sha256, check archive, extract, smoke test, move, links)', install.feature),
    row('(b) compile from source as the official feature does (configure, make -j, make install)', install.fromSource),
    row('(b) the same with `--enable-optimizations` (its optimize option: PGO, no LTO)', install.fromSourceOptimized),
    row('(c) the floor: a bare `tar -xzf` of the same artifact', install.tarOnly),
    '',
    `- (b)/(a) = **${fromSourceOverFeature.toFixed(1)}x** (with --enable-optimizations: ${(install.fromSourceOptimized.median / install.feature.median).toFixed(1)}x).`,
    `- (a)/(c) = **${featureOverTar.toFixed(2)}**.`,
    '',
    'Where the install step spends its time (medians, each step alone in a fresh container; the',
    'rest of (a) is the smoke test, the move into place and the links):',
    '',
    '| step | seconds |',
    '|---|---|',
    ...Object.entries(install.steps).map(([name, seconds]) => `| ${name} | ${seconds.toFixed(2)} |`),
    '',
    '(b) is kind to the old way: the build packages are already in the image (the official feature',
    'apt-installs them in the same layer) and no download or GPG step is timed. It uses',
    '`make -j "$(nproc)"` (the official feature passes `-j 8`; this machine has fewer cores than that).',
    '',
    '## 2. Artifact size',
    '',
    ...sizeSection(sizes),
    '## 3. Interpreter speed',
    '',
    ...interpreterTables(interpreter, chartBaseName),
    '',
    ...distroComparison(results),
    `Artifacts: \`${results.artifacts.optimized.name}\` PGO+LTO (sha256 \`${results.artifacts.optimized.sha256.slice(0, 12)}...\`)`,
    `and \`${results.artifacts.plain.name}\` OPTIMIZE=0 (sha256 \`${results.artifacts.plain.sha256.slice(0, 12)}...\`)${
      results.artifacts.previous
        ? `; the previous default \`${results.artifacts.previous.name}\` (sha256 \`${results.artifacts.previous.sha256.slice(0, 12)}...\`), passed in`
        : ''
    }; section 4 says`,
    'which this run built.',
    '',
    '## 4. The builder',
    '',
    'Wall time of `cpython-prebuilt build` with the Docker backend: source check, container, configure,',
    'compile, install, module check, prune, library bundling, packing (the size measurement of section 2',
    'is left out).',
    '',
    '| build | median | min - max | runs |',
    '|---|---|---|---|',
    row(`OPTIMIZE=0${results.prebuilt?.plain ? ' (built before this run: from its metadata)' : ''}`, builder.plain.seconds),
    row(
      `PGO+LTO (default)${results.prebuilt?.optimized ? ' (built before this run: from its metadata)' : ''}`,
      builder.optimized.seconds,
    ),
    '',
    '| in-guest phase (median seconds) | OPTIMIZE=0 | PGO+LTO |',
    '|---|---|---|',
    ...phaseNames.map(
      (phase) => `| ${phase} | ${builder.plain.phases[phase] ?? '-'} | ${builder.optimized.phases[phase] ?? '-'} |`,
    ),
    '',
    ...reproduceBlock(command),
  ].join('\n');
}

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Benchmarks,
  documentBaseName,
  interpreterChartNames,
  interpreterCharts,
  renderBenchmarks,
  resultsJsonPath,
  runBenchmarks,
  writeResults,
} from '@cpython-prebuilt/bench';
import { CpythonPrebuiltError, findBase, type Logger, layout } from '@cpython-prebuilt/core';

export interface BenchmarkRunInput {
  version: string;
  baseId: string;
  /** Image the build base starts from; the base's own when omitted. */
  baseImage?: string;
  /** Debian bookworm or newer, for the PGO+LTO build's BOLT stage. */
  boltImage?: string;
  /** Debian trixie, for the PGO+LTO build's GCC 14. */
  compilerImage?: string;
  sourcePath?: string;
  /** Image whose distribution python3 joins the interpreter comparison. */
  distroImage: string;
  runs: number;
  slowRuns: number;
  /** Results document; the raw numbers go beside it as .json. */
  output: string;
  /** Artifacts built earlier, measured instead of built in this run. */
  prebuilt?: { plain?: string; optimized?: string };
  /** The default artifact before this one, compared in the same run (startup target). */
  previousArtifact?: string;
  /** Measure nothing: render the document again from the .json beside it. */
  renderOnly: boolean;
  /** The command that reproduces this run, written into the document. */
  reproduce: string;
  logger: Logger;
}

/** Every benchmark in one run (or a re-render of the last one) into docs/benchmarks.md and .json. */
export async function runBenchmarkSuite(input: BenchmarkRunInput): Promise<string> {
  const jsonPath = resultsJsonPath(input.output);
  if (input.renderOnly) {
    const text = await readFile(jsonPath, 'utf8').catch((error: unknown) => {
      throw new CpythonPrebuiltError(
        'INVALID_INPUT',
        `--render-only needs the raw numbers in ${jsonPath}, which cannot be read`,
        {
          fix: 'run the benchmarks once without --render-only',
          cause: error,
        },
      );
    });
    const previous = JSON.parse(text) as Benchmarks & { command?: string };
    await writeResults(
      input.output,
      renderBenchmarks(previous, previous.command ?? input.reproduce, documentBaseName(input.output)),
      previous,
      chartFiles(input.output, previous),
    );
    input.logger.info(`rendered ${input.output} from ${jsonPath}`);
    return input.output;
  }
  const results = await runBenchmarks({
    version: input.version,
    baseId: input.baseId,
    baseImage: input.baseImage ?? findBase(input.baseId).image,
    boltImage: input.boltImage,
    compilerImage: input.compilerImage,
    sourcePath: input.sourcePath,
    distroImage: input.distroImage,
    runs: input.runs,
    slowRuns: input.slowRuns,
    workDir: join(layout.cacheDir, 'bench'),
    logsDir: layout.logsDir,
    cacheDir: layout.cacheDir,
    prebuilt: input.prebuilt,
    previousArtifact: input.previousArtifact,
    logger: input.logger,
  });
  await writeResults(
    input.output,
    renderBenchmarks(results, input.reproduce, documentBaseName(input.output)),
    { ...results, command: input.reproduce },
    chartFiles(input.output, results),
  );
  input.logger.info(`results: ${input.output}`);
  return input.output;
}

/** Section 3's charts under the file names the document links to. */
function chartFiles(output: string, results: Benchmarks): Record<string, string> {
  const names = interpreterChartNames(documentBaseName(output));
  const charts = interpreterCharts(results.interpreter);
  return { [names.speed]: charts.speed, [names.process]: charts.process };
}

export { type Benchmarks, type BenchmarksInput, distroPythonImage, INTERPRETER_LABELS, runBenchmarks } from './benchmarks.ts';
export {
  interpreterChartNames,
  interpreterCharts,
  interpreterTables,
  renderBenchmarks,
  targetsTable,
} from './benchmarks-report.ts';
export { type TimedResult, type TimedScript, timeInContainer } from './container-timing.ts';
export { DefaultBuildRecord, defaultBuildRecord, describeDefaultBuild, renderDefaultBuild } from './default-build.ts';
export { documentBaseName, reproduceBlock, resultsJsonPath, writeResults } from './documents.ts';
export { type ImageInstall, type ImageInstallInput, measureImageInstall } from './image-install.ts';
export {
  type Interpreter,
  type InterpreterSpeed,
  type InterpreterSpeedInput,
  measureInterpreterSpeed,
  summarizeSpeed,
} from './interpreter-speed.ts';
export { type MainJobFigures, renderResults } from './phase3-results.ts';
export { type BuildTotals, buildTotals, describePhase4Totals, describeRequest, renderPhase4Results } from './phase4-results.ts';
export {
  describeMachine,
  type MeasureInput,
  type Measurement,
  measureProjects,
  OFFICIAL_FEATURE_BUILD_PACKAGES,
  type ProjectMeasurement,
  type ProjectToMeasure,
  type RunResult,
  type VariantResult,
} from './project-build.ts';
export { type Summary, summarize } from './stats.ts';
export { type BarChart, barChartSvg, type ChartBar, type ChartGroup } from './svg-chart.ts';
export { measureWheelhouseRound, type WheelhouseRound, type WheelhouseRoundInput } from './wheelhouse-install.ts';
export {
  renderWheelhouseBenchmark,
  summarizeWheelhouse,
  type WheelhouseBenchmark,
  type WheelhouseSummary,
  wheelhouseChart,
} from './wheelhouse-report.ts';

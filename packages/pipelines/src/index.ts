export { type BenchmarkRunInput, runBenchmarkSuite } from './benchmark-run.ts';
export { compareInterpreters, type InterpreterComparisonInput } from './interpreter-comparison.ts';
export { type GitHubTarget, type Phase3Input, type Phase3Result, runPhase3 } from './phase3.ts';
export { measurePilotBuilds, type PilotMeasurementInput } from './pilot-measurement.ts';
export { type PublishArtifactInput, type PublishFeatureInput, publishArtifact, publishFeatureCollection } from './publish.ts';
export {
  type FeatureReleaseInput,
  type FeatureReleaseResult,
  releasedArtifacts,
  releaseFeature,
} from './release-feature.ts';
export { type GenerateInput, generateRepositoryFiles, repositoryFiles } from './repository-files.ts';

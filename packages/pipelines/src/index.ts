export { type BenchmarkRunInput, runBenchmarkSuite } from './benchmark-run.ts';
export { type BuildBudgetInput, type BuildBudgetResult, checkBuildBudget } from './build-budget.ts';
export {
  exampleProjects,
  measurePilotBuilds,
  measureProjectBuilds,
  type PilotMeasurementInput,
  type ProjectsMeasurementInput,
} from './build-measurement.ts';
export {
  checkAgainstDebian,
  compareLibrariesWithDebian,
  compareWithDebian,
  cpythonReleasesIn,
  DEFAULT_DEBIAN_SUITES,
  type DebianCheck,
  type DebianComparison,
  type DebianCpythonRelease,
  type DebianLibraryRelease,
  debianCpythonReleases,
  debianSourceIndex,
  debianUpdateDue,
  describeDebianCheck,
  describeDebianComparison,
  type LibraryComparison,
  libraryReleasesIn,
  releaseDigests,
  requireAgreement,
} from './debian-index.ts';
export { DEBIAN_WHEELS_DIR, DEMO_REQUIREMENTS, DEMO_SDISTS, type DebianSdist, prepareDebianSdists } from './debian-sdists.ts';
export {
  type DefaultStatus,
  type DefaultStatusInput,
  defaultBehindError,
  describeDefaultStatus,
  featureDefaultStatus,
} from './feature-default.ts';
export { compareInterpreters, type InterpreterComparisonInput } from './interpreter-comparison.ts';
export { type CreatedTeamKey, type CreateTeamKeyInput, createTeamKey, MIN_KEY_DAYS } from './keys.ts';
export {
  describeLibrariesUpdate,
  type LibrariesUpdateInput,
  type LibrariesUpdateResult,
  type LibraryBump,
  librariesPullRequestBody,
  updateLibraries,
} from './libraries-update.ts';
export { type LocalPythonOrg, type LocalRelease, startLocalPythonOrg } from './local-python-org.ts';
export { type GitHubTarget, type Phase3Input, type Phase3Result, runPhase3 } from './phase3.ts';
export {
  type PublishArtifactInput,
  type PublishFeatureInput,
  type PublishWheelhouseInput,
  publishArtifact,
  publishFeatureCollection,
  publishWheelhouse,
} from './publish.ts';
export {
  DEFAULT_PYTHON_ORG_URL,
  DEFAULT_RELEASE_CYCLE_URL,
  PythonOrgRelease,
  PythonOrgReleaseFile,
  ReleaseCycle,
  type ReleaseFeeds,
} from './python-releases.ts';
export {
  type FeatureReleaseInput,
  type FeatureReleaseResult,
  releasedArtifacts,
  releaseFeature,
} from './release-feature.ts';
export { type GenerateInput, generateRepositoryFiles, repositoryFiles } from './repository-files.ts';
export {
  checkVersions,
  describePlan,
  endOfLifeWarnings,
  type LineChange,
  type NewRelease,
  planVersionsUpdate,
  updateDueError,
  updateVersions,
  type VersionsCheckInput,
  type VersionsPlan,
  type VersionsUpdateInput,
  type VersionsUpdateResult,
} from './versions-update.ts';
export { benchmarkWheelhouse, type WheelhouseBenchmarkInput } from './wheelhouse-benchmark.ts';
export { buildWheelhouse, type WheelhouseBuildInput, type WheelhouseBuildOutput } from './wheelhouse-build.ts';
export { normalizeProjectName, parseWheelFileName, renderLock } from './wheelhouse-lock.ts';

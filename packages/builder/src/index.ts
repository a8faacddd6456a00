export type { BuildBackend, GuestBuildRequest } from './backends/backend.ts';
export { DockerBackend, runScriptInContainer } from './backends/docker-backend.ts';
export {
  defaultVagrantProvider,
  ensureVagrant,
  VAGRANT_MACHINE,
  VagrantBackend,
  VagrantMachine,
  type VagrantMachineOptions,
  type VagrantProvider,
  vagrantProviders,
} from './backends/vagrant-backend.ts';
export {
  BOLT_PACKAGES,
  BOLT_TRAINING_REPORT,
  BOLT_TRAININGS,
  type BoltProfileLimits,
  type BoltTraining,
  boltImageFor,
  boltInterpreter,
  boltWanted,
  DEFAULT_BOLT_IMAGE,
  prepareBoltImage,
} from './bolt.ts';
export { BUILD_BUDGET, type BudgetLine, buildBudgetLines, requireWithinBudget } from './budget.ts';
export {
  type BuildInput,
  type BuildOutput,
  buildArtifact,
  PGO_TRAININGS,
  type PgoTraining,
  STRINGOP_STRATEGIES,
  type StringopStrategy,
} from './build.ts';
export { type BuildRoute, buildRoute, crossBuildPackages, gnuTriplet, requireCrossBuildable } from './cross.ts';
export { REQUIRED_FREE_BYTES, requiredFreeBytes, watchDiskUse } from './disk-use.ts';
export {
  buildBaseDockerfile,
  buildBaseTag,
  dockerEnv,
  ensureBuildBaseImage,
  ensureDocker,
  imageArchitecture,
  imageId,
  requireImage,
  siblingDebianImage,
} from './docker-images.ts';
export { type ObtainedLibrary, obtainLibrarySources } from './library-sources.ts';
export { packDeterministic } from './pack.ts';
export { artifactSbom, readArtifactSbom, SBOM_PATH, type SbomRow, sbomTable } from './sbom.ts';
export { obtainSource } from './source.ts';
export {
  COMPILERS,
  type Compiler,
  compilerFor,
  DEFAULT_GCC14_IMAGE,
  ensureGcc14BuildImage,
  GCC14_DIR,
  gcc14Dockerfile,
  gcc14ImageFor,
  prepareGcc14Image,
} from './toolchain.ts';
export {
  committedSigstoreBundle,
  SIGSTORE_SIGNERS,
  type VerifyPythonOrgBundleInput,
  verifyPythonOrgBundle,
} from './upstream-sigstore.ts';
export { inspectArchive, linkStaysInside } from './validate/archive.ts';
export { parseCheckLines, validateArtifact } from './validate/validate.ts';

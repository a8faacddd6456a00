export {
  GITHUB_ACTIONS_ISSUER,
  PROVENANCE_PREDICATE,
  type ProvenanceCheck,
  type ProvenanceVerified,
  RELEASE_WORKFLOW_FILE,
  verifyProvenanceAttestation,
} from './attestation.ts';
export {
  devcontainer,
  devcontainerBin,
  FeaturePublishError,
  featureManifest,
  type PublishedFeature,
  publishFeatures,
} from './devcontainers-cli.ts';
export {
  GitHubApiError,
  type GitHubAttestation,
  GitHubClient,
  type GitHubClientOptions,
  GitHubUnreachableError,
} from './github.ts';
export { type LocalRegistry, LocalRegistryError, type RegistryOptions, startRegistry } from './local-registry.ts';
export { ManifestReadError, readManifest, renderArtifactsMd, withArtifact, writeManifest } from './manifest.ts';
export { releaseNotes, releaseTag, releaseTitle } from './notes.ts';
export {
  ARTIFACT_TYPE,
  formatOciReference,
  LAYER_MEDIA_TYPE,
  OciClient,
  OciError,
  type OciReference,
  parseOciReference,
  SIGNATURE_ARTIFACT_TYPE,
} from './oci.ts';
export { ReleaseError, type ReleaseInput, type ReleaseResult, releaseArtifact } from './release.ts';
export { repositoryFromGitRemote } from './repository.ts';
export { artifactSignature, fileSignature, signatureName, signedArtifactFiles } from './signing.ts';
export { GITHUB_TOKEN_VARIABLES, githubToken, requireGitHubToken } from './token.ts';
export { formatLintResult, lintWorkflows, NEWER_THAN_LINTER, requireValidWorkflows, type WorkflowLint } from './workflow-lint.ts';

export { devcontainer, devcontainerBin, featureManifest, type PublishedFeature, publishFeatures } from './devcontainers-cli.ts';
export { GitHubApiError, GitHubClient, type GitHubClientOptions } from './github.ts';
export { type LocalRegistry, startRegistry } from './local-registry.ts';
export { readManifest, renderArtifactsMd, withArtifact, writeManifest } from './manifest.ts';
export { releaseNotes, releaseTag, releaseTitle } from './notes.ts';
export {
  ARTIFACT_TYPE,
  formatOciReference,
  LAYER_MEDIA_TYPE,
  OciClient,
  type OciReference,
  parseOciReference,
  SIGNATURE_ARTIFACT_TYPE,
} from './oci.ts';
export { type ReleaseInput, type ReleaseResult, releaseArtifact } from './release.ts';
export { repositoryFromGitRemote } from './repository.ts';
export { artifactSignature, signatureName } from './signing.ts';

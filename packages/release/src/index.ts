export { GitHubApiError, GitHubClient, type GitHubClientOptions } from './github.ts';
export { readManifest, renderArtifactsMd, withArtifact, writeManifest } from './manifest.ts';
export { releaseNotes, releaseTag, releaseTitle } from './notes.ts';
export { type ReleaseInput, type ReleaseResult, releaseArtifact } from './release.ts';
export { repositoryFromGitRemote } from './repository.ts';

import type { LoadedArtifact } from '@cpython-prebuilt/core';

const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;

export const releaseTag = (version: string, build: number) => `cpython-${version}-build${build}`;

export function releaseTitle(version: string, build: number): string {
  return `CPython ${version} (prebuilt) - build ${build}`;
}

/** Release notes from the artifact's metadata: what users check before they trust a binary. */
export function releaseNotes(artifact: LoadedArtifact, downloadUrl: string): string {
  const { metadata } = artifact;
  const { pgo, lto, bolt } = metadata.optimizations;
  const optimisations = pgo && lto ? `PGO + LTO${bolt ? ' + BOLT' : ''}` : 'none (OPTIMIZE=0 build)';
  return [
    `## CPython ${metadata.version} (prebuilt) - build ${metadata.build}`,
    '',
    `- **Version**: Python ${metadata.version}`,
    `- **Optimisations**: ${optimisations}`,
    `- **Base**: ${metadata.base} (built in \`${metadata.baseImage}\`), runs on glibc ${metadata.glibcMinimum} or newer`,
    `- **Architecture**: ${metadata.arch}`,
    `- **Prefix**: ${metadata.prefix} (relocatable)`,
    `- **Sizes**: ${mib(metadata.sizes.compressedBytes)} compressed, ${mib(metadata.sizes.installedBytes)} installed`,
    `- **sha256**: \`${artifact.sha256}\``,
    `- **Source**: ${metadata.source.url} (sha256 \`${metadata.source.sha256}\`)`,
    '',
    '### Bundled native libraries',
    '',
    metadata.bundledLibraries.map((library) => `\`${library.name}\``).join(', '),
    '',
    '### Usage',
    '',
    '```json',
    '"features": {',
    '    "ghcr.io/<owner>/<repo>/cpython/installer:1": {',
    `        "version": "${metadata.version}",`,
    `        "artifactUrl": "${downloadUrl}",`,
    `        "sha256": "${artifact.sha256}"`,
    '    }',
    '}',
    '```',
    '',
    '### Verification',
    '',
    '```sh',
    `curl -LO ${downloadUrl}`,
    `curl -LO ${downloadUrl}.sha256`,
    `sha256sum -c ${artifact.name}.sha256`,
    '```',
    '',
  ].join('\n');
}

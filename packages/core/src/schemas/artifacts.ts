import { z } from 'zod';
import { Arch, GlibcVersion, PythonVersion, Sha256 } from './common.ts';

/**
 * One artifact that consumers can fetch. `url` is an https URL, or a path relative to the
 * feature folder for vendored copies. The feature embeds these entries in install.sh, so a
 * pinned feature version pins the artifact bytes.
 */
export const PublishedArtifact = z.object({
  version: PythonVersion,
  build: z.number().int().positive(),
  base: z.string(),
  arch: Arch,
  glibcMinimum: GlibcVersion,
  file: z.string().regex(/^cpython-[^/\s]+\.tgz$/),
  sha256: Sha256,
  url: z.string().regex(/^\S+$/, 'a URL or path without spaces'),
  sizeBytes: z.number().int().positive(),
  /** Where it lives, for people: "GitHub Release cpython-3.13.5-build1", "vendored". */
  location: z.string(),
  publishedAt: z.iso.date(),
});
export type PublishedArtifact = z.infer<typeof PublishedArtifact>;

export const ArtifactManifest = z.object({
  $schema: z.string().optional(),
  artifacts: z.array(PublishedArtifact),
});
export type ArtifactManifest = z.infer<typeof ArtifactManifest>;

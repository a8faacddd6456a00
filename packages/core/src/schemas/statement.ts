import { z } from 'zod';
import type { LoadedArtifact } from '../artifact-files.ts';
import { Arch, PythonVersion, Sha256 } from './common.ts';

/** in-toto's Statement type, which the statement follows (https://in-toto.io/Statement/v1). */
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
/** What the predicate says: this project's release of one artifact. */
export const RELEASE_PREDICATE_TYPE = 'urn:cpython-prebuilt:release:v1';

/**
 * The release's signed statement about one artifact (`<artifact>.statement.json`, signed as
 * `<artifact>.statement.json.asc`): the file name bound to its bytes, version and build. install.sh
 * reads it where the artifact's sha256 came from the server that serves it, so an older build
 * served under a newer name (rollback) is refused. One subject, one field per line: install.sh
 * reads `"name"`, `"sha256"` and `"version"` with sed.
 */
export const ArtifactStatement = z.object({
  _type: z.literal(STATEMENT_TYPE),
  subject: z.tuple([z.object({ name: z.string().regex(/^cpython-[^/\s"]+\.tgz$/), digest: z.object({ sha256: Sha256 }) })]),
  predicateType: z.literal(RELEASE_PREDICATE_TYPE),
  predicate: z.object({
    version: PythonVersion,
    build: z.number().int().positive(),
    base: z.string(),
    arch: Arch,
    /** The day it was first signed for release. */
    released: z.iso.date(),
  }),
});
export type ArtifactStatement = z.infer<typeof ArtifactStatement>;

/** The file name of an artifact's statement: `<artifact>.statement.json`. */
export const statementName = (artifactName: string) => `${artifactName}.statement.json`;

export function artifactStatement(artifact: LoadedArtifact, released: string): ArtifactStatement {
  const { metadata } = artifact;
  return ArtifactStatement.parse({
    _type: STATEMENT_TYPE,
    subject: [{ name: artifact.name, digest: { sha256: artifact.sha256 } }],
    predicateType: RELEASE_PREDICATE_TYPE,
    predicate: { version: metadata.version, build: metadata.build, base: metadata.base, arch: metadata.arch, released },
  });
}

/** The statement's bytes: two-space JSON, one field per line, a final newline. */
export function formatStatement(statement: ArtifactStatement): string {
  return `${JSON.stringify(ArtifactStatement.parse(statement), null, 2)}\n`;
}

/** What a statement must say of an artifact to be about it. */
export interface StatedArtifact {
  name: string;
  sha256: string;
  version: string;
  build: number;
}

/** A loaded artifact as the statement must describe it. */
export const statedArtifact = (artifact: LoadedArtifact): StatedArtifact => ({
  name: artifact.name,
  sha256: artifact.sha256,
  version: artifact.metadata.version,
  build: artifact.metadata.build,
});

/** Whether `text` is a statement about exactly this artifact (name, sha256, version and build). */
export function statementDescribes(text: string, artifact: StatedArtifact): boolean {
  const parsed = ArtifactStatement.safeParse(
    (() => {
      try {
        return JSON.parse(text);
      } catch {
        return undefined;
      }
    })(),
  );
  if (!parsed.success) return false;
  const [subject] = parsed.data.subject;
  return (
    subject.name === artifact.name &&
    subject.digest.sha256 === artifact.sha256 &&
    parsed.data.predicate.version === artifact.version &&
    parsed.data.predicate.build === artifact.build
  );
}

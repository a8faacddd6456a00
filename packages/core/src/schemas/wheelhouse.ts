import { z } from 'zod';
import { Arch, GlibcVersion, PythonVersion, Sha256 } from './common.ts';

/** One wheel in a wheelhouse, as the lock pins it. */
export const WheelhouseWheel = z.object({
  /** The normalized project name (PEP 503): markupsafe, idna. */
  name: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
  version: z.string().min(1),
  file: z.string().regex(/^[^/\s]+\.whl$/),
  sha256: Sha256,
});
export type WheelhouseWheel = z.infer<typeof WheelhouseWheel>;

/**
 * A wheelhouse's metadata (wheelhouse-...-build<N>.json beside the .tgz): the interpreter it was
 * built with and every wheel it holds. The lock (requirements.lock) is derived from `wheels`.
 */
export const WheelhouseMetadata = z.object({
  $schema: z.string().optional(),
  schemaVersion: z.literal(1),
  wheelhouse: z.string().regex(/^wheelhouse-[^/\s]+\.tgz$/),
  sha256: Sha256,
  name: z.string(),
  build: z.number().int().positive(),
  /** cp313: wheels with compiled code only run on this CPython minor version. */
  pythonTag: z.string().regex(/^cp3\d+$/),
  pythonVersion: PythonVersion,
  base: z.string(),
  arch: Arch,
  glibcMinimum: GlibcVersion,
  /** The interpreter artifact the wheels were built with. */
  artifact: z.object({ file: z.string(), sha256: Sha256 }),
  /** The single top directory of the archive (the file name without .tgz). */
  topDirectory: z.string(),
  /** sha256 of the requirements file the wheelhouse was built from. */
  requirementsSha256: Sha256,
  wheels: z.array(WheelhouseWheel).min(1),
  /** none: built from local sources only (pip --no-index); host: pip could reach its index. */
  network: z.enum(['none', 'host']),
  sourceDateEpoch: z.number().int().nonnegative(),
  buildSeconds: z.number().nonnegative(),
});
export type WheelhouseMetadata = z.infer<typeof WheelhouseMetadata>;

import { z } from 'zod';
import { Arch, GlibcVersion, PythonVersion, Sha256 } from './common.ts';

export const BundledLibrary = z.object({
  /** The file name inside the artifact's lib/. */
  name: z.string(),
  /** Where it came from in the build environment. */
  from: z.string(),
  /**
   * The distribution package that installed it there (dpkg): what the SBOM names, and whose
   * copyright file is shipped in share/licenses/<name>/. Absent in builds before it was recorded.
   */
  package: z
    .object({
      /** name[:arch], as dpkg gives it (libssl1.1:amd64). */
      name: z.string().min(1),
      version: z.string(),
      /** The source package and its version: what security trackers and CVE feeds name. */
      source: z.string(),
      sourceVersion: z.string(),
    })
    .optional(),
  /**
   * The pinned library it was built from in the build environment (schemas/libraries.ts), instead
   * of copied from a package: its source URL, sha256 and licence are the pin's.
   */
  pinned: z.object({ name: z.string().min(1), version: z.string().min(1) }).optional(),
});
export type BundledLibrary = z.infer<typeof BundledLibrary>;

/** What the in-guest build reports about the tree it made (build-facts.json). */
export const BuildFacts = z.object({
  version: PythonVersion,
  prefix: z.string(),
  configureArgs: z.string(),
  compiler: z.string(),
  glibcMinimum: GlibcVersion,
  extensionModules: z.array(z.string()),
  bundledLibraries: z.array(BundledLibrary),
  installedBytes: z.number().int().nonnegative(),
  fileCount: z.number().int().positive(),
  phaseSeconds: z.record(z.string(), z.number().nonnegative()),
});
export type BuildFacts = z.infer<typeof BuildFacts>;

/** The unpruned `make install` tree, measured on request (build --measure-full-install). */
export const FullInstallSize = z.object({
  installedBytes: z.number().int().positive(),
  /** A plain `tar czf` of that tree, what a naive packaging would ship. */
  tarGzBytes: z.number().int().positive(),
});
export type FullInstallSize = z.infer<typeof FullInstallSize>;

/** What BOLT's training profile came to (bolt_python.sh's bolt-training.json, written by bolt_train.py). */
export const BoltTrainingReport = z.object({
  /** Per-process profiles folded into the merged one. */
  merged: z.number().int().nonnegative(),
  /** Profiles left out: over the per-process limit (their writers killed) or unreadable. */
  discarded: z.array(z.object({ file: z.string(), bytes: z.number().int().nonnegative(), reason: z.string() })),
  /** The most the profile folder held at one time. */
  peakFolderBytes: z.number().int().nonnegative(),
  /** The merged profile llvm-bolt read. */
  mergedBytes: z.number().int().nonnegative(),
  /** Set when a training command ran over its time limit (seconds) and was stopped. */
  timedOutSeconds: z.number().int().positive().optional(),
});
export type BoltTrainingReport = z.infer<typeof BoltTrainingReport>;

/** Disk the build used: free space on the filesystems it wrote to, sampled while it ran. */
export const BuildDiskUse = z.object({
  /** Free space at the start less the lowest free space seen, summed over those filesystems. */
  peakBytes: z.number().int().nonnegative(),
  freeAtStartBytes: z.number().int().nonnegative(),
  /** The free space the build asked for before it started. */
  requiredBytes: z.number().int().nonnegative(),
});
export type BuildDiskUse = z.infer<typeof BuildDiskUse>;

export const ArtifactMetadata = z.object({
  $schema: z.string().optional(),
  schemaVersion: z.literal(1),
  artifact: z.string(),
  sha256: Sha256,
  version: PythonVersion,
  build: z.number().int().positive(),
  base: z.string(),
  baseImage: z.string(),
  arch: Arch,
  prefix: z.string(),
  topDirectory: z.string(),
  glibcMinimum: GlibcVersion,
  configureArgs: z.string(),
  compiler: z.string(),
  optimizations: z.object({
    pgo: z.boolean(),
    lto: z.boolean(),
    /** bin/python3.X rewritten by llvm-bolt from a profile of the PGO task (absent: artifacts from before BOLT). */
    bolt: z.boolean().optional(),
    /** What BOLT trained on (bolt.ts BOLT_TRAININGS) and what its profile came to (absent: before issue 27). */
    boltTraining: z.object({ set: z.string(), profile: BoltTrainingReport }).optional(),
  }),
  keepTests: z.boolean(),
  extensionModules: z.array(z.string()),
  bundledLibraries: z.array(BundledLibrary),
  source: z.object({
    url: z.string(),
    sha256: Sha256,
    /** Checks the source passed before the build: `sha256` (the pin), `openpgp:<fingerprint>` (upstream's signature). */
    checks: z.array(z.string()).optional(),
  }),
  sizes: z.object({
    compressedBytes: z.number().int().positive(),
    installedBytes: z.number().int().positive(),
    fileCount: z.number().int().positive(),
    fullInstall: FullInstallSize.optional(),
  }),
  buildSeconds: z.number().nonnegative(),
  phaseSeconds: z.record(z.string(), z.number().nonnegative()),
  /** Peak disk use while building (absent: artifacts built before it was recorded). */
  disk: BuildDiskUse.optional(),
  backend: z.enum(['docker', 'vagrant']),
  sourceDateEpoch: z.number().int().nonnegative(),
});
export type ArtifactMetadata = z.infer<typeof ArtifactMetadata>;

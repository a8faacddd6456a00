import { stat, statfs } from 'node:fs/promises';
import { CpythonPrebuiltError, formatGib } from '@cpython-prebuilt/core';

const GIB = 1024 ** 3;

/**
 * Free disk a build asks for before it starts: the peak it was measured to use (docs/builder.md,
 * "Time and disk budget"), with a margin. PGO+LTO+BOLT: 2.9 GiB at its fullest (the default
 * build of 2026-12-06 on a fresh machine: GCC 14's and the build base's images, the build tree,
 * the staged tree, BOLT's copy of it and its bounded profile, the packed artifact and symbols),
 * so 5 GiB; OPTIMIZE=0 builds need about a third of that, so 2 GiB.
 */
export const REQUIRED_FREE_BYTES = { optimized: 5 * GIB, plain: 2 * GIB } as const;

export function requiredFreeBytes(optimize: boolean, given?: number): number {
  return given ?? (optimize ? REQUIRED_FREE_BYTES.optimized : REQUIRED_FREE_BYTES.plain);
}

async function freeBytes(path: string): Promise<number> {
  const fs = await statfs(path);
  return fs.bavail * fs.bsize;
}

/** Refuses to start with less than `required` free under `path`, naming both numbers. */
export async function requireFreeSpace(path: string, required: number): Promise<void> {
  const free = await freeBytes(path);
  if (free < required) {
    throw new CpythonPrebuiltError(
      'NOT_ENOUGH_DISK',
      `only ${formatGib(free)} free under ${path}, the build needs ${formatGib(required)}`,
      {
        fix: 'free disk space (docker system prune removes old build images), or set the requirement with --min-free-gb',
      },
    );
  }
}

export interface DiskUseWatch {
  /** Stops sampling: the most the watched filesystems lost at one time, and what they had free at the start. */
  stop(): Promise<{ peakBytes: number; freeAtStartBytes: number }>;
}

/**
 * Samples free space on each filesystem holding one of `paths` (each counted once) until stopped.
 * The peak is free-at-start less the lowest free seen, per filesystem, summed: what the build
 * needed at its fullest moment (others writing to the same disk meanwhile count too).
 */
export async function watchDiskUse(paths: string[], intervalMs = 2000): Promise<DiskUseWatch> {
  const filesystems = new Map<number, { path: string; start: number; lowest: number }>();
  for (const path of paths) {
    const device = await stat(path).then(
      (info) => info.dev,
      () => undefined,
    );
    if (device === undefined || filesystems.has(device)) continue;
    const free = await freeBytes(path);
    filesystems.set(device, { path, start: free, lowest: free });
  }
  const sample = async () => {
    for (const entry of filesystems.values()) {
      const free = await freeBytes(entry.path).catch(() => entry.lowest);
      entry.lowest = Math.min(entry.lowest, free);
    }
  };
  let pending: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    pending = pending.then(sample);
  }, intervalMs);
  timer.unref();
  let stopped: Promise<{ peakBytes: number; freeAtStartBytes: number }> | undefined;
  const stop = async () => {
    clearInterval(timer);
    await pending;
    await sample();
    let peakBytes = 0;
    let freeAtStartBytes = 0;
    for (const entry of filesystems.values()) {
      peakBytes += Math.max(0, entry.start - entry.lowest);
      freeAtStartBytes += entry.start;
    }
    return { peakBytes, freeAtStartBytes };
  };
  // Idempotent: the build reads the peak for its metadata, and stops it again when it ends.
  return {
    stop() {
      stopped ??= stop();
      return stopped;
    },
  };
}

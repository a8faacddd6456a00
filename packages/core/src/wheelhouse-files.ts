import { basename, dirname, join, resolve } from 'node:path';
import { loadBuildFiles } from './artifact-files.ts';
import { wheelhouseLockFileName } from './naming.ts';
import { WheelhouseMetadata } from './schemas/wheelhouse.ts';

/** A wheelhouse with its .sha256, metadata and lock beside it, checked against each other. */
export interface LoadedWheelhouse {
  path: string;
  name: string;
  sha256: string;
  sha256Path: string;
  metadataPath: string;
  lockPath: string;
  metadata: WheelhouseMetadata;
}

export async function loadWheelhouse(wheelhousePath: string): Promise<LoadedWheelhouse> {
  const path = resolve(wheelhousePath);
  const lockPath = join(dirname(path), wheelhouseLockFileName(basename(path)));
  const loaded = await loadBuildFiles(path, {
    schema: WheelhouseMetadata,
    noun: 'wheelhouse',
    extraPaths: [lockPath],
    missingFix:
      'use a wheelhouse made by cpython-prebuilt wheelhouse build: the .tgz, its .sha256, .json and .requirements.lock side by side',
    mismatchFix: 'the metadata belongs to another build: build again, or take the files of one build together',
  });
  return { ...loaded, lockPath };
}

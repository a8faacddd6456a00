import { access, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { readSha256For, verifySha256 } from './checksum.ts';
import { CpythonPrebuiltError } from './errors.ts';
import { metadataFileName, sha256FileName, wheelhouseLockFileName } from './naming.ts';
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
  const name = basename(path);
  const metadataPath = join(dirname(path), metadataFileName(name));
  const sha256Path = join(dirname(path), sha256FileName(name));
  const lockPath = join(dirname(path), wheelhouseLockFileName(name));
  for (const required of [path, sha256Path, metadataPath, lockPath]) {
    await access(required).catch(() => {
      throw new CpythonPrebuiltError('ARTIFACT_INVALID', `${required} is missing`, {
        fix: 'use a wheelhouse made by cpython-prebuilt wheelhouse build: the .tgz, its .sha256, .json and .requirements.lock side by side',
      });
    });
  }
  const metadata = WheelhouseMetadata.parse(JSON.parse(await readFile(metadataPath, 'utf8')));
  const sha256 = await readSha256For(sha256Path, name);
  await verifySha256(path, sha256, name);
  if (metadata.sha256 !== sha256) {
    throw new CpythonPrebuiltError(
      'CHECKSUM_MISMATCH',
      `${metadataPath} records sha256 ${metadata.sha256}, the wheelhouse has ${sha256}`,
      {
        fix: 'the metadata belongs to another build: build again, or take the files of one build together',
      },
    );
  }
  return { path, name, sha256, sha256Path, metadataPath, lockPath, metadata };
}

import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FEATURE_ID, vendorFeature } from '@cpython-prebuilt/feature';

export interface CollectionInput {
  artifactPaths: string[];
  /** The committed features/test/installer folder. */
  testDir: string;
  /** Files the test scripts need beside them (make_test_wheel.py). */
  extraTestFiles: string[];
}

/**
 * A feature collection as `devcontainer features test` expects it (src/<id>, test/<id>), with
 * the artifacts vendored so the containers need no network.
 */
export async function assembleCollection(input: CollectionInput): Promise<{ root: string; dispose: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'cpython-collection-'));
  await vendorFeature({ artifactPaths: input.artifactPaths, outputDir: join(root, 'src', FEATURE_ID), force: false });
  const testDir = join(root, 'test', FEATURE_ID);
  await mkdir(testDir, { recursive: true });
  await cp(input.testDir, testDir, { recursive: true });
  for (const file of input.extraTestFiles) await cp(file, join(testDir, file.split('/').at(-1) ?? file));
  return { root, dispose: () => rm(root, { recursive: true, force: true }) };
}

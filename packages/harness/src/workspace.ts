import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '@cpython-prebuilt/core';
import { FEATURE_ID, vendorFeature } from '@cpython-prebuilt/feature';
import { devcontainer } from '@cpython-prebuilt/release';

export interface WorkspaceInput {
  image: string;
  /** Vendored into .devcontainer/installer and referenced as ./installer ... */
  artifactPaths: string[];
  /** ... unless the feature is referenced from a registry instead. */
  featureReference?: string;
  options?: Record<string, string | boolean>;
}

export interface DevcontainerWorkspace {
  folder: string;
  /** Builds the image with the feature, tagged `imageName`. */
  build(imageName: string): Promise<void>;
  /** Starts the container; exec runs commands in it as the CLI does for users. */
  up(): Promise<string>;
  exec(command: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  dispose(): Promise<void>;
}

/** A project folder whose .devcontainer/devcontainer.json uses the vendored feature locally. */
export async function createWorkspace(input: WorkspaceInput): Promise<DevcontainerWorkspace> {
  const folder = await mkdtemp(join(tmpdir(), 'cpython-workspace-'));
  await mkdir(join(folder, '.devcontainer'));
  const reference = input.featureReference ?? `./${FEATURE_ID}`;
  if (!input.featureReference) {
    await vendorFeature({
      artifactPaths: input.artifactPaths,
      outputDir: join(folder, '.devcontainer', FEATURE_ID),
      force: false,
    });
  }
  await writeFile(
    join(folder, '.devcontainer', 'devcontainer.json'),
    `${JSON.stringify({ image: input.image, features: { [reference]: input.options ?? {} } }, null, 2)}\n`,
  );
  return openWorkspace(folder, { removeFolder: true });
}

/** Drives the devcontainers CLI on an existing project folder (e.g. a copy of the pilot). */
export function openWorkspace(folder: string, options: { removeFolder: boolean; config?: string }): DevcontainerWorkspace {
  const images: string[] = [];
  let containerId: string | undefined;
  // A configuration other than the default one (e.g. .devcontainer/<folder>/devcontainer.json).
  const config = options.config ? ['--config', join(folder, options.config)] : [];
  return {
    folder,
    async build(imageName) {
      await devcontainer(['build', '--workspace-folder', folder, ...config, '--image-name', imageName]);
      images.push(imageName);
    },
    async up() {
      const result = await devcontainer(['up', '--workspace-folder', folder, ...config, '--remove-existing-container']);
      const outcome = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as { containerId?: string; outcome?: string };
      if (outcome.outcome !== 'success' || !outcome.containerId) throw new Error(`devcontainer up failed: ${result.stdout}`);
      containerId = outcome.containerId;
      return containerId;
    },
    async exec(command) {
      const result = await devcontainer(['exec', '--workspace-folder', folder, ...config, ...command], true);
      return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
    },
    async dispose() {
      if (process.env.CPYTHON_PREBUILT_KEEP_CONTAINERS === '1') return;
      if (containerId) await run('docker', ['rm', '--force', containerId], { allowExitCodes: [1] });
      for (const image of images) await run('docker', ['rmi', '--force', image], { allowExitCodes: [1] });
      if (options.removeFolder) await rm(folder, { recursive: true, force: true });
    },
  };
}

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root: packages/builder/src/ is three levels below it. */
export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

export const projectPaths = {
  artifactsDir: join(repoRoot, 'infrastructure/cpython/artifacts'),
  logsDir: join(repoRoot, 'infrastructure/cpython/logs'),
  scriptsDir: join(repoRoot, 'infrastructure/cpython/scripts'),
  /** The Vagrantfile's folder, /vagrant in the builder VM. */
  vagrantDir: join(repoRoot, 'infrastructure/cpython'),
  cacheDir: process.env.CPYTHON_PREBUILT_CACHE ?? join(repoRoot, '.cache'),
};

/** The procedure passes bare names (ARTIFACT=cpython-...tgz): those live in the artifacts folder. */
export function resolveArtifactPath(artifact: string): string {
  if (existsSync(artifact) || artifact.includes('/')) return artifact;
  return join(projectPaths.artifactsDir, artifact);
}

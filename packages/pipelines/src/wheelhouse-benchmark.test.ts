import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, loadArtifact } from '@cpython-prebuilt/core';
import { makeTestArtifact } from '@cpython-prebuilt/core/test-artifact';
import { describe, expect, it, onTestFinished } from 'vitest';
import { benchmarkWheelhouse, type WheelhouseBenchmarkInput } from './wheelhouse-benchmark.ts';

/** Inputs whose project is wrong: the benchmark must refuse before it starts a container. */
async function inputWith(project: WheelhouseBenchmarkInput['project']): Promise<WheelhouseBenchmarkInput> {
  const root = await mkdtemp(join(tmpdir(), 'bench-wheelhouse-'));
  onTestFinished(() => rm(root, { recursive: true, force: true }));
  const made = await makeTestArtifact({ dir: root });
  return {
    artifact: await loadArtifact(made.path),
    project,
    runs: 1,
    output: join(root, 'docs', 'benchmarks-wheelhouse.md'),
    reproduce: 'test',
    workDir: join(root, 'work'),
    logsDir: join(root, 'logs'),
    cacheDir: join(root, 'cache'),
    sourcesDir: join(root, 'sources'),
    logger: createLogger('test'),
  };
}

describe('benchmarkWheelhouse refuses bad inputs before measuring', () => {
  it('refuses requirements without a folder of sdists (it runs with no network)', async () => {
    const input = await inputWith(undefined);
    const requirementsPath = join(input.workDir, '..', 'requirements.txt');
    await writeFile(requirementsPath, 'idna\n');
    await expect(benchmarkWheelhouse({ ...input, project: { requirementsPath, findLinks: [] } })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('--find-links'),
    });
  });

  it('names a requirements file or sdists folder that does not exist', async () => {
    const input = await inputWith(undefined);
    const missing = join(input.workDir, '..', 'no-such-folder');
    const requirementsPath = join(input.workDir, '..', 'requirements.txt');
    await writeFile(requirementsPath, 'idna\n');
    await expect(benchmarkWheelhouse({ ...input, project: { requirementsPath, findLinks: [missing] } })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: `${missing} does not exist`,
    });
  });

  it("without a project, needs the demo project's Debian sources and says how to get them", async () => {
    await expect(benchmarkWheelhouse(await inputWith(undefined))).rejects.toMatchObject({
      code: 'SOURCE_NOT_FOUND',
      fix: expect.stringContaining('make setup'),
    });
  });
});

import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { layout } from '@cpython-prebuilt/core';
import { parse, visit } from 'jsonc-parser';
import { describe, expect, it, onTestFinished } from 'vitest';
import { integrateProject } from './integrate.ts';
import { isOfficialPython } from './official.ts';

/**
 * Before and after `integrate` of every example project: each comment and each unrelated setting
 * stays, only the python feature changes, and the diff is the one committed beside this test.
 */

const examplesDir = layout.examplesDir;
const entry = { reference: './installer', options: {} };

function comments(text: string): string[] {
  const found: string[] = [];
  visit(text, { onComment: (offset, length) => found.push(text.slice(offset, offset + length)) }, { allowTrailingComma: true });
  return found;
}

async function allFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

type Config = { features?: Record<string, unknown> } & Record<string, unknown>;

const expected: Record<string, Record<string, { status: string; installer: unknown; removed: string[] }>> = {
  pilot: {
    '.devcontainer/devcontainer.json': { status: 'switched', installer: { version: '3.11' }, removed: [] },
  },
  'dockerfile-build': {
    '.devcontainer/devcontainer.json': {
      status: 'switched',
      installer: { version: '3.13' },
      removed: ['installTools', 'optimize', 'enableShared'],
    },
  },
  'compose-service': {
    '.devcontainer/devcontainer.json': {
      status: 'switched',
      installer: { version: '3.13' },
      removed: ['installJupyterlab', 'toolsToInstall'],
    },
  },
  'two-configs': {
    '.devcontainer/devcontainer.json': { status: 'switched', installer: { version: '3.13' }, removed: ['installPath'] },
    '.devcontainer/worker/devcontainer.json': { status: 'switched', installer: '3.13', removed: [] },
  },
};

describe('integrate on the example projects', () => {
  it('covers every example', async () => {
    expect((await readdir(examplesDir)).sort()).toEqual(Object.keys(expected).sort());
  });

  for (const [example, configs] of Object.entries(expected)) {
    it(`switches ${example}, keeping every comment and unrelated setting`, async () => {
      const project = await mkdtemp(join(tmpdir(), `${example}-`));
      onTestFinished(() => rm(project, { recursive: true, force: true }));
      const source = join(examplesDir, example);
      await cp(source, project, { recursive: true });

      const report = await integrateProject({ projectDir: project, configs: [], entry, mode: 'write' });
      expect(report.configs.map((config) => config.path)).toEqual(Object.keys(configs));
      for (const config of report.configs) {
        const want = configs[config.path];
        expect(config.status).toBe(want?.status);
        expect(config.options.filter((option) => option.outcome === 'removed').map((option) => option.option)).toEqual(
          want?.removed,
        );
        expect(config.findings).toEqual([]);

        const before = await readFile(join(source, config.path), 'utf8');
        const after = await readFile(join(project, config.path), 'utf8');
        // A removed option that carried a comment is commented out with it: every comment stays.
        const commentsAfter = comments(after).join('\n');
        for (const comment of comments(before)) expect(commentsAfter).toContain(comment);
        const { features: featuresBefore = {}, ...restBefore } = parse(before) as Config;
        const { features: featuresAfter = {}, ...restAfter } = parse(after) as Config;
        expect(restAfter).toEqual(restBefore);
        const unrelated = Object.fromEntries(
          Object.entries(featuresBefore).filter(([reference]) => !isOfficialPython(reference)),
        );
        expect(featuresAfter).toEqual({ ...unrelated, './installer': want?.installer });
        // The exact change, for review.
        await expect(config.diff).toMatchFileSnapshot(`__snapshots__/${example}${config.path.replaceAll('/', '_')}.diff`);
      }
      // Nothing but the configurations changed (Dockerfiles, Compose files, local features).
      for (const file of await allFiles(source)) {
        if (!(file in configs))
          expect(await readFile(join(project, file), 'utf8')).toBe(await readFile(join(source, file), 'utf8'));
      }
      // Nothing compiles Python any more; a second run changes nothing.
      const checked = await integrateProject({ projectDir: project, configs: [], entry, mode: 'check' });
      expect(checked.configs.map((config) => config.changed)).toEqual(Object.keys(configs).map(() => false));
    });
  }
});

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ArtifactManifest } from '@cpython-prebuilt/core';
import { renderFeature, writeFeatureFiles } from '@cpython-prebuilt/feature';
import { runInstallScript } from '@cpython-prebuilt/harness';
import { startGitHubApiStandIn } from '@cpython-prebuilt/release/github-api-standin';
import { cpythonPrebuilt } from '@cpython-prebuilt/test-fixtures';
import { describe, expect, inject, it, onTestFinished } from 'vitest';

describe('release -> manifest -> feature -> container, against the GitHub API stand-in', () => {
  it('publishes the real artifact, and the generated feature installs it from the release URL', async () => {
    const github = await startGitHubApiStandIn();
    onTestFinished(() => github.close());
    const work = await mkdtemp(join(tmpdir(), 'release-e2e-'));
    onTestFinished(() => rm(work, { recursive: true, force: true }));
    const artifactPath = inject('artifacts').python313;
    const name = basename(artifactPath);
    const manifestPath = join(work, 'manifest.json');
    const args = [
      'release',
      artifactPath,
      '--repo',
      `${github.owner}/${github.repo}`,
      '--api-url',
      github.url,
      '--manifest',
      manifestPath,
    ];

    const first = await cpythonPrebuilt(args, { GITHUB_TOKEN: github.token });
    expect(first.exitCode, first.stderr).toBe(0);
    const url = `${github.url}/${github.owner}/${github.repo}/releases/download/cpython-3.13.5-build1/${name}`;
    expect(first.stdout.trim()).toBe(url);
    expect(first.stderr).toContain('cpython-3.13.5-build1: uploaded 4 asset(s), verified 4 by download');
    expect(await readFile(join(work, 'ARTIFACTS.md'), 'utf8')).toContain(`[${name}](${url})`);

    const again = await cpythonPrebuilt(args, { GITHUB_TOKEN: github.token });
    expect(again.stderr).toContain('cpython-3.13.5-build1: uploaded 0 asset(s), verified 4 by download');

    const manifest = ArtifactManifest.parse(JSON.parse(await readFile(manifestPath, 'utf8')));
    const feature = await writeFeatureFiles(
      join(work, 'installer'),
      renderFeature({ manifest, featureReference: './installer', version: '1.0.0' }).files,
    );
    const installed = await runInstallScript({
      featureDir: feature,
      image: 'local/debian:bookworm-curl',
      network: 'host',
      options: { version: '3.13' },
      afterInstall: 'python3 -c "import sys, ssl; print(sys.prefix)"',
    });
    expect(installed.exitCode, installed.output).toBe(0);
    expect(installed.output).toContain(`cpython-installer: CPython 3.13.5 from ${url}`);
    expect(installed.output).toContain('sha256 verified against the manifest embedded in this feature');
    expect(installed.output).toContain('/opt/python-3.13.5');
  });

  it('takes GH_TOKEN when GITHUB_TOKEN is set but empty (an empty variable does not hide the other)', async () => {
    const github = await startGitHubApiStandIn();
    onTestFinished(() => github.close());
    const work = await mkdtemp(join(tmpdir(), 'release-e2e-'));
    onTestFinished(() => rm(work, { recursive: true, force: true }));
    const result = await cpythonPrebuilt(
      [
        'release',
        inject('artifacts').python313,
        '--repo',
        `${github.owner}/${github.repo}`,
        '--api-url',
        github.url,
        '--manifest',
        join(work, 'manifest.json'),
      ],
      { GITHUB_TOKEN: '', GH_TOKEN: github.token },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain('cpython-3.13.5-build1: uploaded 4 asset(s), verified 4 by download');
  });

  it('with --dry-run prints the requests it would send on stdout and sends none', async () => {
    const github = await startGitHubApiStandIn();
    onTestFinished(() => github.close());
    const result = await cpythonPrebuilt(
      ['release', inject('artifacts').python313, '--repo', 'octo/cpython-prebuilt', '--api-url', github.url, '--dry-run'],
      { GITHUB_TOKEN: '', GH_TOKEN: '' },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(`GET ${github.url}/repos/octo/cpython-prebuilt/releases/tags/cpython-3.13.5-build1\n`);
    expect(result.stdout).toContain(`?name=${basename(inject('artifacts').python313)}`);
    expect(github.requests).toEqual([]);
  });

  it('without a token says which variable to set', async () => {
    const result = await cpythonPrebuilt(['release', inject('artifacts').python313, '--repo', 'octo/x'], {
      GITHUB_TOKEN: '',
      GH_TOKEN: '',
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('error [INVALID_INPUT]: no GitHub token: GITHUB_TOKEN and GH_TOKEN are both unset');
  });
});

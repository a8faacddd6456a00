import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ArtifactManifest, binaryKeyring, layout, verifyDetached } from '@cpython-prebuilt/core';
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

    // Signed with the suite's key (made at test time), named by the environment as in CI. It is
    // not a committed key: release refuses it, uploading nothing, until --signer-keys trusts it.
    const { testKey } = inject('artifacts');
    const env = { GITHUB_TOKEN: github.token, CPYTHON_PREBUILT_SIGNING_KEY: testKey.privatePath };
    const foreign = await cpythonPrebuilt(args, env);
    expect(foreign.exitCode).toBe(4);
    expect(foreign.stderr).toContain(
      `error [SIGNING_KEY_INVALID]: the signing key ${testKey.fingerprint} is not one of the 1 trusted keys in ${layout.keysDir}`,
    );
    expect(github.requests).toEqual([]);
    args.push('--signer-keys', testKey.publicPath);
    const first = await cpythonPrebuilt(args, env);
    expect(first.exitCode, first.stderr).toBe(0);
    const base = `${github.url}/${github.owner}/${github.repo}/releases/download/cpython-3.13.5-build1`;
    const url = `${base}/${name}`;
    expect(first.stdout.trim()).toBe(url);
    // The artifact, its .sha256, metadata, .asc, signed statement and its .asc, SHA256SUMS and its .asc.
    expect(first.stderr).toContain('cpython-3.13.5-build1: uploaded 8 asset(s), verified 8 by download');
    expect(await readFile(join(work, 'ARTIFACTS.md'), 'utf8')).toContain(`[${name}](${url})`);
    const publicKey = await readFile(testKey.publicPath, 'utf8');
    for (const file of [name, `${name}.statement.json`, 'SHA256SUMS']) {
      const bytes = Buffer.from(await (await fetch(`${base}/${file}`)).arrayBuffer());
      const signature = await (await fetch(`${base}/${file}.asc`)).text();
      expect(await verifyDetached(bytes, signature, [publicKey], file)).toBe(testKey.fingerprint);
    }

    const again = await cpythonPrebuilt(args, env);
    expect(again.stderr).toContain('cpython-3.13.5-build1: uploaded 0 asset(s), verified 8 by download');

    const unsigned = await cpythonPrebuilt(args, { GITHUB_TOKEN: github.token, CPYTHON_PREBUILT_SIGNING_KEY: '' });
    expect(unsigned.exitCode).toBe(4);
    expect(unsigned.stderr).toContain('error [SIGNING_KEY_INVALID]: no signing key: CPYTHON_PREBUILT_SIGNING_KEY is unset');

    const manifest = ArtifactManifest.parse(JSON.parse(await readFile(manifestPath, 'utf8')));
    // The feature as `pnpm generate` makes it, trusting the suite's key instead of the team's.
    const rendered = renderFeature({
      manifest,
      featureReference: './installer',
      version: '1.0.0',
      keyring: await binaryKeyring([publicKey]),
    });
    const feature = await writeFeatureFiles(join(work, 'installer'), rendered.files, rendered.keyring);
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
    expect(installed.output).toContain(`cpython-installer: OpenPGP signature verified: signed by key ${testKey.fingerprint}`);
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
        '--signer-keys',
        inject('artifacts').testKey.publicPath,
      ],
      { GITHUB_TOKEN: '', GH_TOKEN: github.token, CPYTHON_PREBUILT_SIGNING_KEY: inject('artifacts').testKey.privatePath },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain('cpython-3.13.5-build1: uploaded 8 asset(s), verified 8 by download');
  });

  it('with --dry-run prints the requests it would send on stdout and sends none', async () => {
    const github = await startGitHubApiStandIn();
    onTestFinished(() => github.close());
    const result = await cpythonPrebuilt(
      [
        'release',
        inject('artifacts').python313,
        '--repo',
        'octo/cpython-prebuilt',
        '--api-url',
        github.url,
        '--dry-run',
        '--signer-keys',
        inject('artifacts').testKey.publicPath,
      ],
      { GITHUB_TOKEN: '', GH_TOKEN: '', CPYTHON_PREBUILT_SIGNING_KEY: inject('artifacts').testKey.privatePath },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(`${basename(inject('artifacts').python313)}.asc`);
    expect(result.stdout).toContain(`GET ${github.url}/repos/octo/cpython-prebuilt/releases/tags/cpython-3.13.5-build1\n`);
    expect(result.stdout).toContain(`?name=${basename(inject('artifacts').python313)}`);
    expect(github.requests).toEqual([]);
  });

  it('without a token says which variable to set', async () => {
    const result = await cpythonPrebuilt(['release', inject('artifacts').python313, '--repo', 'octo/x'], {
      GITHUB_TOKEN: '',
      GH_TOKEN: '',
    });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('error [INVALID_INPUT]: no GitHub token: GITHUB_TOKEN and GH_TOKEN are both unset');
  });
});

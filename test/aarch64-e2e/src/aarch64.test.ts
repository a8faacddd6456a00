import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layout, ValidationReport } from '@cpython-prebuilt/core';
import { FEATURE_ID, featureCoverage, readFeatureVersion, vendorFeature } from '@cpython-prebuilt/feature';
import { createWorkspace, runInstallScript, startRegistry } from '@cpython-prebuilt/harness';
import { featureManifest } from '@cpython-prebuilt/release';
import { startGitHubApiStandIn } from '@cpython-prebuilt/release/github-api-standin';
import { ARM64_IMAGES, cpythonPrebuilt } from '@cpython-prebuilt/test-fixtures';
import { extract } from 'tar';
import { describe, expect, inject, it, onTestFinished } from 'vitest';

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('the aarch64 fixture on the arm64 images the fast checks leave out', () => {
  it('passes validate-cpython on arm64 bookworm and trixie', async () => {
    // bullseye-arm64 (the glibc floor) is validated by every `make test` (aarch64-cross.test.ts).
    const images = ARM64_IMAGES.filter((image) => image !== 'local/debian:bullseye-arm64');
    const result = await cpythonPrebuilt([
      'validate',
      inject('artifacts').python313Aarch64,
      ...images.flatMap((image) => ['--image', image]),
      '--json',
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    const report = ValidationReport.parse(JSON.parse(result.stdout));
    expect(report.runs.map((run) => [run.image, run.ok])).toEqual([['host', true], ...images.map((image) => [image, true])]);
  });
});

/** The feature as the registry serves it: the single layer of <ref>, unpacked. */
async function pullFeature(host: string, repository: string, tag: string, into: string): Promise<string> {
  const manifest = (await (
    await fetch(`http://${host}/v2/${repository}/manifests/${tag}`, {
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    })
  ).json()) as { layers: { digest: string }[] };
  const digest = manifest.layers[0]?.digest;
  if (!digest) throw new Error(`${host}/${repository}:${tag} has no layer`);
  const blob = Buffer.from(await (await fetch(`http://${host}/v2/${repository}/blobs/${digest}`)).arrayBuffer());
  await mkdir(into, { recursive: true });
  await writeFile(join(into, '..', 'feature.tar'), blob);
  await extract({ file: join(into, '..', 'feature.tar'), cwd: into });
  return into;
}

describe('the release job, run locally: local GitHub API stand-in and a real local registry', () => {
  it('publishes a feature that installs by default on x86_64 and aarch64', async () => {
    const github = await startGitHubApiStandIn();
    onTestFinished(() => github.close());
    const registry = await startRegistry();
    onTestFinished(() => registry.stop());
    const work = await tempDir('release-job-');
    const repo = `${github.owner}/${github.repo}`;
    // Signed with the suite's key, as CI signs with the team's (the features the suites make trust it).
    const env = { GITHUB_TOKEN: github.token, CPYTHON_PREBUILT_SIGNING_KEY: inject('artifacts').testKey.privatePath };

    // The build matrix: each runner releases its artifact (make release-cpython).
    for (const artifact of [inject('artifacts').python313, inject('artifacts').python313Aarch64]) {
      const released = await cpythonPrebuilt(
        [
          'release',
          artifact,
          ...['--repo', repo, '--api-url', github.url, '--manifest', join(work, 'runner.json')],
          ...['--signer-keys', inject('artifacts').testKey.publicPath],
        ],
        env,
      );
      expect(released.exitCode, released.stderr).toBe(0);
    }

    // The feature job (make release-feature, then make publish), on scratch copies of the repo files.
    const manifest = join(work, 'manifest.json');
    const versionFile = join(work, 'feature-version.json');
    await copyFile(layout.featureVersion, versionFile);
    const before = JSON.parse(await readFile(versionFile, 'utf8')).version as string;
    const src = join(work, 'src');
    const recorded = await cpythonPrebuilt(
      ['release-feature', '--version', '3.13.5', '--build', '1', '--repo', repo, '--api-url', github.url].concat([
        '--manifest',
        manifest,
        '--feature-version-file',
        versionFile,
        '--src',
        src,
        '--signer-keys',
        inject('artifacts').testKey.publicPath,
      ]),
      env,
    );
    expect(recorded.exitCode, recorded.stderr).toBe(0);
    const [major = 0, minor = 0] = before.split('.').map(Number);
    const bumped = `${major}.${minor + 1}.0`;
    expect(recorded.stdout.trim()).toBe(bumped);
    expect(await featureCoverage(join(src, 'installer'))).toMatchObject({ featureVersion: bumped, missing: [] });
    expect(await readFile(join(work, 'ARTIFACTS.md'), 'utf8')).toContain('cpython-3.13.5-debian11-aarch64-build1.tgz');

    const namespace = 'octo/cpython-prebuilt/cpython';
    const published = await cpythonPrebuilt([
      'publish-feature',
      '--registry',
      registry.host,
      '--namespace',
      namespace,
      '--src',
      src,
    ]);
    expect(published.exitCode, published.stderr).toBe(0);
    expect(published.stdout.trim()).toBe(`${registry.host}/${namespace}/installer:${major}`);
    expect(published.stderr).toContain(`published installer ${bumped} as`);

    // Users get it from the registry with default options: `version` defaults to 3.13.5.
    const feature = await pullFeature(registry.host, `${namespace}/installer`, String(major), join(work, 'pulled', 'installer'));
    for (const [image, machine] of [
      ['local/debian:bookworm-curl', 'x86_64'],
      ['local/debian:bookworm-curl-arm64', 'aarch64'],
    ] as const) {
      const installed = await runInstallScript({
        featureDir: feature,
        image,
        network: 'host',
        options: {},
        afterInstall: 'python3 -c "import platform, sys; print(platform.machine(), sys.version.split()[0])"',
      });
      expect(installed.exitCode, installed.output).toBe(0);
      expect(installed.output).toContain(
        `CPython 3.13.5 from ${github.url}/${repo}/releases/download/cpython-3.13.5-build1/cpython-3.13.5-debian11-${machine}-build1.tgz`,
      );
      expect(installed.output).toContain(`${machine} 3.13.5`);
    }
  });
});

describe('the feature published to a real local registry', () => {
  it('publishes semver tags, reads the manifest back, and a devcontainer.json referencing it builds a working container', async () => {
    const registry = await startRegistry();
    onTestFinished(() => registry.stop());
    const { host } = registry;
    const collection = await tempDir('collection-');
    await vendorFeature({
      artifactPaths: [inject('artifacts').python313, inject('artifacts').python313Aarch64],
      outputDir: join(collection, 'src', FEATURE_ID),
      force: false,
    });
    const namespace = 'octo/cpython-prebuilt/cpython';
    const result = await cpythonPrebuilt([
      'publish-feature',
      '--registry',
      host,
      '--namespace',
      namespace,
      '--src',
      join(collection, 'src'),
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    const version = await readFeatureVersion(layout.featureVersion);
    const [major, minor] = version.split('.');
    expect(result.stdout.trim()).toBe(`${host}/${namespace}/installer:${major}`);
    expect(result.stderr).toContain(`published installer ${version} as ${major}, ${major}.${minor}, ${version}, latest`);
    const manifest = await featureManifest(`${host}/${namespace}/installer:${version}`);
    expect(JSON.parse(manifest.annotations?.['dev.containers.metadata'] ?? '{}')).toMatchObject({
      id: 'installer',
      version,
    });

    const workspace = await createWorkspace({
      image: 'local/debian:bookworm',
      artifactPaths: [],
      featureReference: `${host}/${namespace}/installer:${major}`,
    });
    onTestFinished(() => workspace.dispose());
    await workspace.up();
    const python = await workspace.exec(['python3', '--version']);
    expect(python.stdout.trim()).toBe('Python 3.13.5');
    const prefix = await workspace.exec(['python3', '-c', 'import sys, ssl, sqlite3; print(sys.prefix)']);
    expect(prefix.stdout.trim()).toBe('/opt/python-3.13.5');
  });
});

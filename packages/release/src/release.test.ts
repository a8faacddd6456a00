import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ArtifactMetadata,
  createKeyPair,
  createLogger,
  formatSha256Line,
  signerFromArmored,
  verifyDetached,
} from '@cpython-prebuilt/core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { GitHubApiError, GitHubClient } from './github.ts';
import { type FakeGitHub, startFakeGitHub } from './local-github.ts';
import { readManifest } from './manifest.ts';
import { releaseArtifact } from './release.ts';

const logger = createLogger('test');
const NAME = 'cpython-3.13.5-debian11-x86_64-build1.tgz';

/** A small stand-in artifact with schema-valid metadata and .sha256 beside it. */
async function makeArtifact(content = 'pretend this is a CPython tree'): Promise<{ dir: string; path: string; sha256: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'release-'));
  const path = join(dir, NAME);
  const bytes = Buffer.from(content);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await writeFile(path, bytes);
  await writeFile(`${path}.sha256`, formatSha256Line(sha256, NAME));
  const metadata: ArtifactMetadata = {
    schemaVersion: 1,
    artifact: NAME,
    sha256,
    version: '3.13.5',
    build: 1,
    base: 'debian11',
    baseImage: 'local/debian:bullseye',
    arch: 'x86_64',
    prefix: '/opt/python-3.13.5',
    topDirectory: 'python-3.13.5',
    glibcMinimum: '2.30',
    configureArgs: '--enable-shared',
    compiler: 'GCC 10.2.1',
    optimizations: { pgo: true, lto: true },
    keepTests: false,
    extensionModules: ['_ssl'],
    bundledLibraries: [{ name: 'libssl.so.1.1', from: '/usr/lib/x86_64-linux-gnu/libssl.so.1.1' }],
    source: { url: 'https://www.python.org/ftp/python/3.13.5/Python-3.13.5.tar.xz', sha256: '9'.repeat(64) },
    sizes: { compressedBytes: bytes.length, installedBytes: 100, fileCount: 1 },
    buildSeconds: 1,
    phaseSeconds: {},
    backend: 'docker',
    sourceDateEpoch: 1749600000,
  };
  await writeFile(join(dir, NAME.replace('.tgz', '.json')), JSON.stringify(metadata));
  return { dir, path, sha256 };
}

async function fakeGitHub(): Promise<FakeGitHub> {
  const github = await startFakeGitHub();
  onTestFinished(() => github.close());
  return github;
}

function client(github: FakeGitHub, overrides: { token?: string; dryRun?: boolean } = {}): GitHubClient {
  return new GitHubClient({
    apiUrl: github.url,
    token: overrides.token ?? github.token,
    owner: github.owner,
    repo: github.repo,
    logger,
    dryRun: overrides.dryRun ?? false,
  });
}

const release = (
  github: FakeGitHub,
  artifact: { dir: string; path: string },
  overrides: { token?: string; dryRun?: boolean } = {},
) =>
  releaseArtifact({
    artifactPath: artifact.path,
    client: client(github, overrides),
    manifestPath: join(artifact.dir, 'manifest.json'),
    artifactsMdPath: join(artifact.dir, 'ARTIFACTS.md'),
    logger,
    dryRun: overrides.dryRun ?? false,
  });

describe('release to GitHub Releases (against a loopback stand-in of the REST API)', () => {
  it('creates a pre-release for build 1, uploads four assets, verifies them and records the artifact', async () => {
    const github = await fakeGitHub();
    const artifact = await makeArtifact();
    const result = await release(github, artifact);
    expect(result.tag).toBe('cpython-3.13.5-build1');
    expect(result.uploaded).toEqual([NAME, `${NAME}.sha256`, NAME.replace('.tgz', '.json'), 'SHA256SUMS']);
    expect(result.verified.sort()).toEqual([NAME, `${NAME}.sha256`, NAME.replace('.tgz', '.json'), 'SHA256SUMS'].sort());
    const [created] = github.releases;
    expect(created?.prerelease).toBe(true);
    expect(created?.name).toBe('CPython 3.13.5 (prebuilt) - build 1');
    expect(created?.body).toContain(`- **sha256**: \`${artifact.sha256}\``);
    expect(created?.body).toContain('- **Optimisations**: PGO + LTO');
    const sums = created?.assets.find((asset) => asset.name === 'SHA256SUMS')?.bytes.toString();
    expect(sums).toContain(`${artifact.sha256}  ${NAME}\n`);
    expect(sums?.trim().split('\n')).toHaveLength(3);
    const manifest = await readManifest(join(artifact.dir, 'manifest.json'));
    expect(manifest.artifacts).toEqual([
      expect.objectContaining({
        version: '3.13.5',
        sha256: artifact.sha256,
        url: `${github.url}/${github.owner}/${github.repo}/releases/download/cpython-3.13.5-build1/${NAME}`,
        location: 'GitHub Release cpython-3.13.5-build1',
      }),
    ]);
    expect(await readFile(join(artifact.dir, 'ARTIFACTS.md'), 'utf8')).toContain(`| 3.13.5 | debian11 | x86_64 | build1 |`);
  });

  it('uploads nothing when run again for the same artifact', async () => {
    const github = await fakeGitHub();
    const artifact = await makeArtifact();
    await release(github, artifact);
    const posts = () => github.requests.filter((line) => line.startsWith('POST')).length;
    const before = posts();
    const again = await release(github, artifact);
    expect(again.uploaded).toEqual([]);
    expect(posts()).toBe(before);
  });

  it('refuses to replace a different asset with the same name', async () => {
    const github = await fakeGitHub();
    await release(github, await makeArtifact('first bytes'));
    const other = await makeArtifact('other bytes');
    await expect(release(github, other)).rejects.toThrow(`release cpython-3.13.5-build1 already has a different ${NAME}`);
    expect((await readManifest(join(other.dir, 'manifest.json'))).artifacts).toEqual([]);
  });

  it('fails loudly when a downloaded asset differs from what was uploaded, and records nothing', async () => {
    const github = await fakeGitHub();
    github.corruptDownloadsOf(NAME);
    const artifact = await makeArtifact();
    await expect(release(github, artifact)).rejects.toThrow(`downloaded ${NAME} from release cpython-3.13.5-build1 has sha256`);
    expect((await readManifest(join(artifact.dir, 'manifest.json'))).artifacts).toEqual([]);
  });

  it('reports bad credentials with the variable to set', async () => {
    const github = await fakeGitHub();
    const outcome = await release(github, await makeArtifact(), { token: 'wrong' }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(outcome).toBeInstanceOf(GitHubApiError);
    expect((outcome as GitHubApiError).message).toContain('answered 401: Bad credentials');
    expect((outcome as GitHubApiError).fix).toContain('GITHUB_TOKEN');
  });

  it('waits out a rate limit with retry-after and then succeeds', async () => {
    const github = await fakeGitHub();
    github.rateLimitNext(1, 1);
    const started = Date.now();
    const result = await release(github, await makeArtifact());
    expect(result.uploaded).toHaveLength(4);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('with --dry-run prints the requests and sends none', async () => {
    const github = await fakeGitHub();
    const artifact = await makeArtifact();
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    try {
      await release(github, artifact, { dryRun: true });
    } finally {
      process.stdout.write = write;
    }
    expect(github.requests).toEqual([]);
    expect(lines.join('')).toContain(`GET ${github.url}/repos/octo/cpython-prebuilt/releases/tags/cpython-3.13.5-build1`);
    expect(lines.join('')).toContain(`POST ${github.url}/repos/octo/cpython-prebuilt/releases`);
    expect(lines.join('')).toContain(`?name=${NAME}`);
  });
});

describe('signed releases', () => {
  it('publishes <artifact>.asc and SHA256SUMS.asc that verify with the signing key, and re-running uploads nothing', async () => {
    const github = await fakeGitHub();
    const artifact = await makeArtifact();
    const pair = await createKeyPair({ name: 'release test', email: 'release@example.invalid' });
    const signer = await signerFromArmored(pair.privateArmored);
    const signed = () =>
      releaseArtifact({
        artifactPath: artifact.path,
        client: client(github),
        manifestPath: join(artifact.dir, 'manifest.json'),
        artifactsMdPath: join(artifact.dir, 'ARTIFACTS.md'),
        logger,
        dryRun: false,
        signer,
      });
    const result = await signed();
    expect(result.uploaded).toEqual([
      NAME,
      `${NAME}.sha256`,
      NAME.replace('.tgz', '.json'),
      `${NAME}.asc`,
      'SHA256SUMS',
      'SHA256SUMS.asc',
    ]);
    expect(result.verified).toContain('SHA256SUMS.asc');
    const asset = (name: string) => github.releases[0]?.assets.find((candidate) => candidate.name === name)?.bytes as Buffer;
    expect(await verifyDetached(asset(NAME), asset(`${NAME}.asc`).toString(), [pair.publicArmored], NAME)).toBe(pair.fingerprint);
    expect(await verifyDetached(asset('SHA256SUMS'), asset('SHA256SUMS.asc').toString(), [pair.publicArmored], 'sums')).toBe(
      pair.fingerprint,
    );
    // The signature is kept beside the artifact, for feature vendor and for the next run.
    expect(await readFile(`${artifact.path}.asc`)).toEqual(asset(`${NAME}.asc`));
    expect((await signed()).uploaded).toEqual([]);
  });
});

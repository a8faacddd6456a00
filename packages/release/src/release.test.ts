import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactStatement, createKeyPair, createLogger, signerFromArmored, verifyDetached } from '@cpython-prebuilt/core';
import { makeTestArtifact } from '@cpython-prebuilt/core/test-artifact';
import { describe, expect, it, onTestFinished } from 'vitest';
import { GitHubApiError, GitHubClient } from './github.ts';
import { type GitHubApiStandIn, startGitHubApiStandIn } from './github-api-standin.ts';
import { ManifestReadError, readManifest } from './manifest.ts';
import { releaseArtifact } from './release.ts';
import { githubToken } from './token.ts';

const logger = createLogger('test');
const NAME = 'cpython-3.13.5-debian11-x86_64-build1.tgz';

const makeArtifact = makeTestArtifact;

async function fakeGitHub(): Promise<GitHubApiStandIn> {
  const github = await startGitHubApiStandIn();
  onTestFinished(() => github.close());
  return github;
}

interface Overrides {
  token?: string;
  dryRun?: boolean;
  maxAttempts?: number;
}

function client(github: GitHubApiStandIn, overrides: Overrides = {}): GitHubClient {
  return new GitHubClient({
    maxAttempts: overrides.maxAttempts ?? 4,
    retryBaseDelayMs: 10,
    apiUrl: github.url,
    token: overrides.token ?? github.token,
    owner: github.owner,
    repo: github.repo,
    logger,
    dryRun: overrides.dryRun ?? false,
  });
}

const release = (github: GitHubApiStandIn, artifact: { dir: string; path: string }, overrides: Overrides = {}) =>
  releaseArtifact({
    artifactPath: artifact.path,
    client: client(github, overrides),
    manifestPath: join(artifact.dir, 'manifest.json'),
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
    await release(github, await makeArtifact({ content: 'first bytes' }));
    const other = await makeArtifact({ content: 'other bytes' });
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

  it('with --dry-run returns the requests it would send, sends none and prints nothing', async () => {
    const github = await fakeGitHub();
    const artifact = await makeArtifact();
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    let plan: string[];
    try {
      plan = (await release(github, artifact, { dryRun: true })).plan;
    } finally {
      process.stdout.write = write;
    }
    expect(github.requests).toEqual([]);
    expect(lines).toEqual([]);
    expect(plan).toContain(`GET ${github.url}/repos/octo/cpython-prebuilt/releases/tags/cpython-3.13.5-build1`);
    expect(plan).toContainEqual(expect.stringContaining(`POST ${github.url}/repos/octo/cpython-prebuilt/releases`));
    expect(plan).toContainEqual(expect.stringContaining(`?name=${NAME}`));
  });
});

describe('release when GitHub fails part-way', () => {
  const sumsOf = (github: GitHubApiStandIn) =>
    github.releases[0]?.assets.find((asset) => asset.name === 'SHA256SUMS')?.bytes.toString() ?? '';

  it('recovers a half-finished upload left by an earlier run (state "starter") instead of blocking every re-run', async () => {
    const github = await fakeGitHub();
    const artifact = await makeArtifact();
    github.halfUploadNext(NAME);
    // A run whose connection dies during the upload and which has no attempts left.
    await expect(release(github, artifact, { maxAttempts: 1 })).rejects.toThrow(/failed 1 time/);
    expect(github.releases[0]?.assets.find((asset) => asset.name === NAME)?.state).toBe('starter');

    const again = await release(github, artifact);
    expect(again.uploaded).toContain(NAME);
    const assets = github.releases[0]?.assets ?? [];
    expect(assets.filter((asset) => asset.name === NAME).map((asset) => asset.state)).toEqual(['uploaded']);
    expect(assets.find((asset) => asset.name === NAME)?.bytes.toString()).toBe('pretend this is a CPython tree');
    expect(github.requests).toContainEqual(
      expect.stringMatching(/^DELETE \/repos\/octo\/cpython-prebuilt\/releases\/assets\/\d+$/),
    );
  });

  it('recovers when its own upload is cut off and the retry finds the name taken by the half upload', async () => {
    const github = await fakeGitHub();
    const artifact = await makeArtifact();
    github.halfUploadNext(`${NAME}.sha256`);
    const result = await release(github, artifact);
    expect(result.verified).toContain(`${NAME}.sha256`);
    expect(github.releases[0]?.assets.every((asset) => asset.state === 'uploaded')).toBe(true);
  });

  it('retries 5xx answers with backoff and succeeds', async () => {
    const github = await fakeGitHub();
    github.failRequest(1, 502, 2);
    github.failRequest(6, 503);
    const result = await release(github, await makeArtifact());
    expect(result.uploaded).toHaveLength(4);
    expect(github.requests[0]).toBe(github.requests[2]);
  });

  it('retries a reset connection and succeeds', async () => {
    const github = await fakeGitHub();
    github.resetNext(2);
    const result = await release(github, await makeArtifact());
    expect(result.verified).toHaveLength(4);
  });

  it('gives up after a bounded number of attempts with a typed error', async () => {
    const github = await fakeGitHub();
    github.failRequest(1, 500, 100);
    const artifact = await makeArtifact();
    const outcome = await release(github, artifact, { maxAttempts: 3 }).catch((caught: unknown) => caught);
    expect(outcome).toBeInstanceOf(GitHubApiError);
    expect((outcome as GitHubApiError).status).toBe(500);
    expect(github.requests).toHaveLength(3);
    expect((await readManifest(join(artifact.dir, 'manifest.json'))).artifacts).toEqual([]);
  });

  it('does not retry a token refused mid-run, and says which variable to fix', async () => {
    const github = await fakeGitHub();
    const artifact = await makeArtifact();
    github.failRequest(4, 401);
    const outcome = await release(github, artifact).catch((caught: unknown) => caught);
    expect(outcome).toBeInstanceOf(GitHubApiError);
    expect((outcome as GitHubApiError).fix).toContain('GITHUB_TOKEN');
    expect(github.requests).toHaveLength(4);
    github.revokeToken();
    await expect(release(github, artifact)).rejects.toThrow('answered 401: Bad credentials');
    expect((await readManifest(join(artifact.dir, 'manifest.json'))).artifacts).toEqual([]);
  });

  it('keeps every line of SHA256SUMS when two bases are released to one tag at the same time', async () => {
    const github = await fakeGitHub();
    github.setLatency(15);
    const first = await makeArtifact({ content: 'debian11 tree', base: 'debian11' });
    const second = await makeArtifact({ content: 'debian12 tree', base: 'debian12' });
    const [a, b] = await Promise.all([release(github, first), release(github, second)]);
    expect(a.tag).toBe(b.tag);
    const lines = sumsOf(github).trim().split('\n').sort();
    expect(lines).toHaveLength(6);
    expect(lines).toContain(`${first.sha256}  ${first.name}`);
    expect(lines).toContain(`${second.sha256}  ${second.name}`);
    expect(github.releases[0]?.assets.map((asset) => asset.name)).not.toContain('SHA256SUMS.lock');
  });

  it('breaks a SHA256SUMS lock left by a run that died', async () => {
    const github = await fakeGitHub();
    const artifact = await makeArtifact();
    await release(github, artifact);
    const [created] = github.releases;
    created?.assets.push({
      id: 999,
      name: 'SHA256SUMS.lock',
      bytes: Buffer.from('x'),
      state: 'uploaded',
      createdAt: new Date(0),
    });
    const other = await makeArtifact({ content: 'debian12 tree', base: 'debian12' });
    await releaseArtifact({
      artifactPath: other.path,
      client: client(github),
      manifestPath: join(other.dir, 'manifest.json'),
      logger,
      dryRun: false,
      sumsLockStaleMs: 60_000,
    });
    expect(sumsOf(github).trim().split('\n')).toHaveLength(6);
    expect(created?.assets.map((asset) => asset.name)).not.toContain('SHA256SUMS.lock');
  });
});

describe('the artifact manifest and the token', () => {
  it('reads a missing manifest as empty, and refuses any other read error naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'manifest-'));
    expect(await readManifest(join(dir, 'absent.json'))).toEqual({ artifacts: [] });
    await mkdir(join(dir, 'a-directory.json'));
    await expect(readManifest(join(dir, 'a-directory.json'))).rejects.toThrow(ManifestReadError);
    await expect(readManifest(join(dir, 'a-directory.json'))).rejects.toThrow(`${join(dir, 'a-directory.json')}: EISDIR`);
    await writeFile(join(dir, 'broken.json'), '{"artifacts": [');
    await expect(readManifest(join(dir, 'broken.json'))).rejects.toThrow(/broken\.json: not JSON/);
    await writeFile(join(dir, 'wrong.json'), '{"artifacts": 3}');
    await expect(readManifest(join(dir, 'wrong.json'))).rejects.toThrow(/wrong\.json: not a valid manifest \(artifacts:/);
  });

  it('takes GH_TOKEN when GITHUB_TOKEN is set but empty', () => {
    expect(githubToken({ GITHUB_TOKEN: '', GH_TOKEN: 'from-gh' })).toBe('from-gh');
    expect(githubToken({ GITHUB_TOKEN: ' ', GH_TOKEN: 'from-gh' })).toBe('from-gh');
    expect(githubToken({ GITHUB_TOKEN: 'first', GH_TOKEN: 'second' })).toBe('first');
    expect(githubToken({ GITHUB_TOKEN: '', GH_TOKEN: '' })).toBeUndefined();
  });
});

describe('release with wheelhouses built with the artifact', () => {
  it('uploads the extra files as assets, covers them in SHA256SUMS and verifies them by download', async () => {
    const github = await fakeGitHub();
    const artifact = await makeArtifact();
    const wheelhouse = join(artifact.dir, 'wheelhouse-demo-cp313-debian11-x86_64-build1.tgz');
    await writeFile(wheelhouse, 'pretend these are wheels');
    await writeFile(wheelhouse.replace('.tgz', '.requirements.lock'), 'idna==3.10 \\\n    --hash=sha256:00\n');
    const extras = [wheelhouse, wheelhouse.replace('.tgz', '.requirements.lock')];
    const result = await releaseArtifact({
      artifactPath: artifact.path,
      extraPaths: extras,
      client: client(github),
      manifestPath: join(artifact.dir, 'manifest.json'),
      logger,
      dryRun: false,
    });
    const names = extras.map((path) => path.split('/').at(-1) as string);
    expect(result.uploaded).toEqual(expect.arrayContaining(names));
    expect(result.verified).toEqual(expect.arrayContaining(names));
    const sums = github.releases[0]?.assets.find((asset) => asset.name === 'SHA256SUMS')?.bytes.toString();
    expect(sums).toContain(`${createHash('sha256').update('pretend these are wheels').digest('hex')}  ${names[0]}\n`);
    // Only the artifact is recorded in the manifest: wheelhouses belong to projects.
    expect((await readManifest(join(artifact.dir, 'manifest.json'))).artifacts).toHaveLength(1);
  });
});

describe('signed releases', () => {
  it('publishes <artifact>.asc, its signed statement and SHA256SUMS.asc that verify with the signing key, and re-running uploads nothing', async () => {
    const github = await fakeGitHub();
    const artifact = await makeArtifact();
    const pair = await createKeyPair({ name: 'release test', email: 'release@example.invalid' });
    const signer = await signerFromArmored(pair.privateArmored);
    const signed = () =>
      releaseArtifact({
        artifactPath: artifact.path,
        client: client(github),
        manifestPath: join(artifact.dir, 'manifest.json'),
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
      `${NAME}.statement.json`,
      `${NAME}.statement.json.asc`,
      'SHA256SUMS',
      'SHA256SUMS.asc',
    ]);
    expect(result.verified).toContain('SHA256SUMS.asc');
    const asset = (name: string) => github.releases[0]?.assets.find((candidate) => candidate.name === name)?.bytes as Buffer;
    expect(await verifyDetached(asset(NAME), asset(`${NAME}.asc`).toString(), [pair.publicArmored], NAME)).toBe(pair.fingerprint);
    expect(await verifyDetached(asset('SHA256SUMS'), asset('SHA256SUMS.asc').toString(), [pair.publicArmored], 'sums')).toBe(
      pair.fingerprint,
    );
    // The statement binds this name to these bytes, version and build, signed by the same key.
    const statement = ArtifactStatement.parse(JSON.parse(asset(`${NAME}.statement.json`).toString()));
    expect(statement.subject).toEqual([{ name: NAME, digest: { sha256: artifact.sha256 } }]);
    expect(statement.predicate).toMatchObject({ version: '3.13.5', build: 1 });
    expect(
      await verifyDetached(
        asset(`${NAME}.statement.json`),
        asset(`${NAME}.statement.json.asc`).toString(),
        [pair.publicArmored],
        'statement',
      ),
    ).toBe(pair.fingerprint);
    // The signature is kept beside the artifact, for feature vendor and for the next run.
    expect(await readFile(`${artifact.path}.asc`)).toEqual(asset(`${NAME}.asc`));
    expect((await signed()).uploaded).toEqual([]);
  });
});

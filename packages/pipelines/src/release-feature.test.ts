import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Arch,
  binaryKeyring,
  createKeyPair,
  createLogger,
  type Signer,
  sha256Buffer,
  signerFromArmored,
} from '@cpython-prebuilt/core';
import { makeTestArtifact } from '@cpython-prebuilt/core/test-artifact';
import { featureCoverage, KEYRING_FILE } from '@cpython-prebuilt/feature';
import { GitHubClient, releaseArtifact } from '@cpython-prebuilt/release';
import { type GitHubApiStandIn, startGitHubApiStandIn } from '@cpython-prebuilt/release/github-api-standin';
import { describe, expect, it, onTestFinished } from 'vitest';
import { releaseFeature } from './release-feature.ts';

const logger = createLogger('test');

/** A small stand-in artifact (schema-valid metadata, .sha256 beside it) for one architecture. */
async function makeArtifact(dir: string, arch: Arch): Promise<string> {
  const made = await makeTestArtifact({
    dir,
    arch,
    base: 'ubuntu20.04',
    baseImage: 'ubuntu:20.04',
    compiler: 'GCC 9.4.0',
    content: `pretend this is a CPython tree for ${arch}`,
    bundledLibraries: [],
  });
  return made.path;
}

interface Scratch {
  signer: Signer;
  publicKey: string;
  github: GitHubApiStandIn;
  client: GitHubClient;
  dir: string;
  manifestPath: string;
  featureVersionPath: string;
  srcDir: string;
}

async function scratch(): Promise<Scratch> {
  const github = await startGitHubApiStandIn();
  onTestFinished(() => github.close());
  const dir = await mkdtemp(join(tmpdir(), 'release-feature-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'feature-version.json'), '{"version": "1.0.0"}\n');
  const client = new GitHubClient({
    apiUrl: github.url,
    token: github.token,
    owner: github.owner,
    repo: github.repo,
    logger,
    dryRun: false,
  });
  const pair = await createKeyPair({ name: 'release team', email: 'team@example.invalid' });
  return {
    signer: await signerFromArmored(pair.privateArmored),
    publicKey: pair.publicArmored,
    github,
    client,
    dir,
    manifestPath: join(dir, 'manifest.json'),
    featureVersionPath: join(dir, 'feature-version.json'),
    srcDir: join(dir, 'src'),
  };
}

async function release(s: Scratch, arch: Arch, signer: Signer | 'unsigned' = s.signer): Promise<void> {
  // Each release job records into its own runner's manifest, which is thrown away.
  await releaseArtifact({
    artifactPath: await makeArtifact(s.dir, arch),
    client: s.client,
    manifestPath: join(s.dir, `runner-${arch}.json`),
    logger,
    dryRun: false,
    signer: signer === 'unsigned' ? undefined : signer,
  });
}

const run = (s: Scratch) =>
  releaseFeature({
    client: s.client,
    tags: ['cpython-3.13.5-build1'],
    manifestPath: s.manifestPath,
    featureVersionPath: s.featureVersionPath,
    srcDir: s.srcDir,
    level: 'minor',
    logger,
    trustedKeys: [s.publicKey],
  });

/** The release's asset of that name, to tamper with it as a server could. */
function asset(s: Scratch, name: string) {
  const found = s.github.releases[0]?.assets.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`the release has no ${name}`);
  return found;
}

describe('releaseFeature: the release job after the build matrix', () => {
  it('records both architectures from the release, bumps the version once, and writes a feature that covers both', async () => {
    const s = await scratch();
    await release(s, 'x86_64');
    await release(s, 'aarch64');
    const first = await run(s);
    expect(first.recorded.map((entry) => entry.arch).sort()).toEqual(['aarch64', 'x86_64']);
    expect(first.version).toEqual({ from: '1.0.0', to: '1.1.0' });
    expect(first.recorded[0]?.url).toMatch(new RegExp(`^${s.github.url}/.*/releases/download/cpython-3.13.5-build1/`));
    expect(await featureCoverage(first.featureDir)).toMatchObject({
      featureVersion: '1.1.0',
      defaultVersion: '3.13.5',
      missing: [],
    });
    expect(await readFile(join(s.dir, 'ARTIFACTS.md'), 'utf8')).toContain('cpython-3.13.5-ubuntu20.04-aarch64-build1.tgz');

    const again = await run(s);
    expect(again.version).toEqual({ from: '1.1.0', to: '1.1.0' });
  });

  it('refuses, before any commit, a release with no aarch64 artifact for the default version', async () => {
    const s = await scratch();
    await release(s, 'x86_64');
    await expect(run(s)).rejects.toMatchObject({
      code: 'MANIFEST_INCOMPLETE',
      message: expect.stringContaining('default version 3.13.5 on aarch64'),
    });
  });

  it('names a release that does not exist', async () => {
    const s = await scratch();
    await expect(run(s)).rejects.toMatchObject({
      code: 'RELEASE_MISSING',
      message: 'the GitHub release cpython-3.13.5-build1 does not exist',
    });
  });

  it('refuses an artifact whose release checksum list disagrees with its metadata', async () => {
    const s = await scratch();
    await release(s, 'x86_64');
    await release(s, 'aarch64');
    const sums = s.github.releases[0]?.assets.find((asset) => asset.name === 'SHA256SUMS');
    if (!sums) throw new Error('the release has no SHA256SUMS');
    sums.bytes = Buffer.from(
      sums.bytes
        .toString('utf8')
        .replace(/^[0-9a-f]{64}(?= {2}cpython-3\.13\.5-ubuntu20\.04-aarch64-build1\.tgz$)/m, 'f'.repeat(64)),
    );
    await expect(run(s)).rejects.toMatchObject({ code: 'ARTIFACT_INVALID', message: expect.stringContaining('does not agree') });
  });

  it('refuses the whole bump, naming the file, when an artifact was replaced after its metadata and sums were written', async () => {
    const s = await scratch();
    await release(s, 'x86_64');
    await release(s, 'aarch64');
    const artifact = asset(s, 'cpython-3.13.5-ubuntu20.04-aarch64-build1.tgz');
    // Same size, other bytes: only hashing the download tells.
    artifact.bytes = Buffer.alloc(artifact.bytes.length, 'x');
    await expect(run(s)).rejects.toMatchObject({
      code: 'CHECKSUM_MISMATCH',
      message: expect.stringContaining('cpython-3.13.5-ubuntu20.04-aarch64-build1.tgz downloads with sha256'),
    });
    expect(await readFile(s.featureVersionPath, 'utf8')).toContain('"1.0.0"');
  });

  it("asks GitHub for each artifact's provenance attestations, and refuses the whole bump for one that is not this repository's release workflow's", async () => {
    const name = 'cpython-3.13.5-ubuntu20.04-aarch64-build1.tgz';
    // A real attestation (tflint-ruleset-aws's release workflow, in Sigstore's log) stored for our artifact's digest.
    const foreign = JSON.parse(
      await readFile(
        join(
          import.meta.dirname,
          '../../release/src/testdata/attestations/tflint-ruleset-aws-v0.35.0-checksums.txt.sigstore.json',
        ),
        'utf8',
      ),
    ) as unknown;
    for (const inline of [true, false]) {
      const s = await scratch();
      await release(s, 'x86_64');
      await release(s, 'aarch64');
      const digest = sha256Buffer(asset(s, name).bytes);
      s.github.addAttestation(digest, foreign, { inline });
      const refused = run(s);
      await expect(refused).rejects.toMatchObject({
        code: 'SIGNATURE_INVALID',
        message: expect.stringMatching(
          new RegExp(
            `^the attestation \\S+ does not verify as the build provenance of ${name.replaceAll('.', '\\.')}: UNTRUSTED_SIGNER_ERROR: .*expected signer https://github\\.com/octo/cpython-prebuilt/\\.github/workflows/release\\.yml@refs/\\.\\.\\.`,
          ),
        ),
      });
      // Where the bundle came from: the listing itself, or GitHub's storage (snappy-compressed, no token).
      await expect(refused).rejects.toMatchObject({
        message: expect.stringContaining(inline ? `/attestations/sha256:${digest}` : '/attestation-storage/'),
      });
      expect(await readFile(s.featureVersionPath, 'utf8')).toContain('"1.0.0"');
    }

    // No attestation at all (a release made outside the workflow): GitHub answers 404, the artifacts are recorded.
    const plain = await scratch();
    await release(plain, 'x86_64');
    await release(plain, 'aarch64');
    await run(plain);
    const asked = plain.github.requests.filter((request) => /\/attestations\/sha256:[0-9a-f]{64}/.test(request));
    expect(asked).toHaveLength(2);
  });

  it('refuses an artifact signed by a key that is not trusted, or not signed at all', async () => {
    const s = await scratch();
    const other = await createKeyPair({ name: 'someone else', email: 'other@example.invalid' });
    await release(s, 'x86_64', await signerFromArmored(other.privateArmored));
    await release(s, 'aarch64');
    await expect(run(s)).rejects.toMatchObject({
      code: 'SIGNATURE_INVALID',
      message: expect.stringContaining('cpython-3.13.5-build1/cpython-3.13.5-ubuntu20.04-x86_64-build1.tgz is signed by key'),
    });

    const unsigned = await scratch();
    await release(unsigned, 'x86_64', 'unsigned');
    await release(unsigned, 'aarch64', 'unsigned');
    await expect(run(unsigned)).rejects.toMatchObject({ code: 'SIGNATURE_MISSING' });
  });

  it("refuses an artifact whose signed statement is missing, altered, or another build's", async () => {
    const name = 'cpython-3.13.5-ubuntu20.04-aarch64-build1.tgz';
    const missing = await scratch();
    await release(missing, 'x86_64');
    await release(missing, 'aarch64');
    const releaseAssets = missing.github.releases[0]?.assets ?? [];
    releaseAssets.splice(releaseAssets.indexOf(asset(missing, `${name}.statement.json`)), 1);
    await expect(run(missing)).rejects.toMatchObject({
      code: 'SIGNATURE_MISSING',
      message: expect.stringContaining(`${name} has no signed statement (${name}.statement.json and its .asc)`),
    });

    // The x86_64 statement (validly signed) served as the aarch64 one: it names another file.
    const swapped = await scratch();
    await release(swapped, 'x86_64');
    await release(swapped, 'aarch64');
    const x86Statement = asset(swapped, 'cpython-3.13.5-ubuntu20.04-x86_64-build1.tgz.statement.json');
    asset(swapped, `${name}.statement.json`).bytes = x86Statement.bytes;
    asset(swapped, `${name}.statement.json.asc`).bytes = asset(swapped, `${x86Statement.name}.asc`).bytes;
    await expect(run(swapped)).rejects.toMatchObject({
      code: 'CHECKSUM_MISMATCH',
      message: expect.stringContaining(`${name}.statement.json does not describe ${name}`),
    });

    const altered = await scratch();
    await release(altered, 'x86_64');
    await release(altered, 'aarch64');
    const statement = asset(altered, `${name}.statement.json`);
    statement.bytes = Buffer.from(statement.bytes.toString('utf8').replace('"build": 1', '"build": 2'));
    await expect(run(altered)).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
    expect(await readFile(altered.featureVersionPath, 'utf8')).toContain('"1.0.0"');
  });

  it('writes a feature whose keyring is exactly the trusted keys', async () => {
    const s = await scratch();
    await release(s, 'x86_64');
    await release(s, 'aarch64');
    const result = await run(s);
    const keyring = await readFile(join(result.featureDir, KEYRING_FILE)).catch(() => undefined);
    expect(keyring?.length ?? 0).toBeGreaterThan(0);
    expect(Buffer.compare(keyring ?? Buffer.alloc(0), Buffer.from(await binaryKeyring([s.publicKey])))).toBe(0);
  });
});

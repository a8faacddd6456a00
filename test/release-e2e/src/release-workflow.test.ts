import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import {
  ArtifactManifest,
  createKeyPair,
  layout,
  metadataFileName,
  relativeToRoot,
  repoRoot,
  sha256FileName,
} from '@cpython-prebuilt/core';
import { runInstallScript, startRegistry } from '@cpython-prebuilt/harness';
import { startGitHubApiStandIn } from '@cpython-prebuilt/release/github-api-standin';
import { execa } from 'execa';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { runWorkflow } from './workflow-runner.ts';

// release.yml itself, job by job in its `needs` order, every `run:` step as the workflow writes it
// (make targets with the job's env), each job in a fresh clone: build -> attest -> release ->
// feature, then the published feature installs the released artifact in a container with its
// default options. Differences from GitHub's runners are the test's, named here:
// - the team key is a throwaway made now and committed to the test's repository (as a key
//   rotation would commit it), handed to the release job as the workflow's secrets;
// - GitHub's API is the loopback stand-in (GITHUB_API_URL), ghcr.io a real local registry;
// - there is no ubuntu:20.04 image here: the base is debian11, and `make build_cpython` (a
//   PGO+LTO+BOLT build, an hour) is the suite's OPTIMIZE=0 artifact, built by the same command;
// - the aarch64 entries take the suite's cross-compiled artifact, validated under qemu by
//   aarch64-cross.test.ts rather than here; the provenance attestation needs GitHub's OIDC token
//   and is not run.
describe('the release workflow, run here job by job', () => {
  it('builds, attests, releases with the team key, records, commits and publishes a feature that installs the signed artifact', async () => {
    const work = await mkdtemp(join(tmpdir(), 'release-workflow-'));
    onTestFinished(() => rm(work, { recursive: true, force: true }));
    const github = await startGitHubApiStandIn();
    onTestFinished(() => github.close());
    const registry = await startRegistry();
    onTestFinished(() => registry.stop());

    // The repository the jobs check out: this one, with a throwaway team key committed in place of the real one.
    const passphrase = 'release workflow test';
    const team = await createKeyPair({ name: 'release workflow test', email: 'team@example.invalid', passphrase });
    const seed = join(work, 'seed');
    await execa('git', ['clone', '--quiet', repoRoot, seed]);
    const keysDir = join(seed, 'infrastructure', 'keys');
    await execa('git', ['-C', seed, 'rm', '--quiet', '-r', '--', ...(await teamKeys(keysDir))]);
    await writeFile(join(keysDir, `team-${team.fingerprint.slice(-16)}.asc`), team.publicArmored);
    await execa('pnpm', ['install', '--frozen-lockfile', '--prefer-offline'], { cwd: seed });
    await execa('pnpm', ['generate'], { cwd: seed });
    const git = ['-c', 'user.name=maintainer', '-c', 'user.email=maintainer@example.invalid'];
    await execa('git', ['-C', seed, 'add', '-A', 'infrastructure', 'features']);
    await execa('git', ['-C', seed, ...git, 'commit', '--quiet', '-m', 'rotate the team key (test)']);
    const origin = join(work, 'origin.git');
    await execa('git', ['clone', '--quiet', '--bare', seed, origin]);
    const seeded = (await execa('git', ['-C', origin, 'rev-parse', 'HEAD'])).stdout;

    const fixtures = inject('artifacts');
    const artifactName = basename(fixtures.python313);
    const records = await runWorkflow({
      // The workflow of the commit the jobs check out (a change to it is tested once committed).
      workflowPath: join(seed, '.github', 'workflows', 'release.yml'),
      repository: origin,
      inputs: { versions: '["3.13.5"]', build: '1', level: 'minor' },
      secrets: {
        GITHUB_TOKEN: github.token,
        CPYTHON_PREBUILT_SIGNING_KEY: team.privateArmored,
        CPYTHON_PREBUILT_SIGNING_PASSPHRASE: passphrase,
      },
      github: { actor: 'octo-bot', repository: `${github.owner}/${github.repo}` },
      envOverrides: {
        GITHUB_API_URL: github.url,
        // Validation in one local image (the workflow pulls five).
        IMAGES: 'local/debian:bookworm',
      },
      replacements: [
        ['ubuntu20.04', 'debian11'],
        ['ghcr.io', registry.host],
      ],
      substitute: (job, matrix, step) => {
        const built = matrix.arch === 'aarch64' ? fixtures.python313Aarch64 : fixtures.python313;
        if (job === 'build' && step === 'make build_cpython (PGO+LTO+BOLT)') {
          return {
            reason: "the suite's OPTIMIZE=0 artifact, made by the same build command",
            run: async (jobDir) => {
              const artifacts = join(jobDir, 'infrastructure', 'cpython', 'artifacts');
              await mkdir(artifacts, { recursive: true });
              // What the build wrote (artifact, .debug.tgz, .sha256s, metadata), not the suite's signatures.
              const stem = basename(built).replace(/\.tgz$/, '');
              const made = (await readdir(dirname(built))).filter(
                (file) => file.startsWith(stem) && !file.endsWith('.asc') && !file.includes('.statement.'),
              );
              expect(made).toEqual(
                expect.arrayContaining([basename(built), sha256FileName(basename(built)), metadataFileName(basename(built))]),
              );
              for (const file of made) await copyFile(join(dirname(built), file), join(artifacts, file));
            },
          };
        }
        if (job === 'build' && matrix.arch === 'aarch64' && step === 'make validate-cpython') {
          return { reason: 'validated under qemu by aarch64-cross.test.ts (minutes under emulation)', run: async () => {} };
        }
        return undefined;
      },
      workDir: join(work, 'runner'),
      // Outside the run's folder, which goes with the test: a failing step's log outlives it.
      logsDir: join(layout.logsDir, 'release-workflow'),
    });

    // Every job ran in the workflow's order, each step as written, but the two named above.
    expect([...new Set(records.map((record) => record.job.split(' ')[0]))]).toEqual(['build', 'attest', 'release', 'feature']);
    const provenance = records.find((record) => record.step.startsWith('build-provenance'))?.step;
    expect(records.filter((record) => record.outcome !== 'ran').map((record) => `${record.job}: ${record.step}`)).toEqual([
      'build (3.13.5, x86_64, ubuntu-24.04): make build_cpython (PGO+LTO+BOLT)',
      'build (3.13.5, aarch64, ubuntu-24.04-arm): make build_cpython (PGO+LTO+BOLT)',
      'build (3.13.5, aarch64, ubuntu-24.04-arm): make validate-cpython',
      `attest (3.13.5, x86_64): ${provenance}`,
      `attest (3.13.5, aarch64): ${provenance}`,
    ]);
    expect(records.map((record) => record.step)).toEqual(
      expect.arrayContaining([
        'make validate-cpython',
        'make verify-artifact (sha256 against .sha256 and metadata, after the hand-over)',
        'make release-cpython (signs with the committed team key, uploads, reads back)',
        'make release-feature (record the releases, bump, regenerate)',
        'make release-commit (commit and push)',
        'make publish',
      ]),
    );

    // The release holds the artifact signed by the team key (the secret), read back by the job.
    const base = `${github.url}/${github.owner}/${github.repo}/releases/download/cpython-3.13.5-build1`;
    const asc = await fetch(`${base}/${artifactName}.asc`);
    expect(asc.status).toBe(200);

    // The feature job committed the manifest and the regenerated feature, and pushed them.
    const log = await execa('git', ['-C', origin, 'log', '--format=%an|%s', `${seeded}..HEAD`]);
    expect(log.stdout).toMatch(/^github-actions\[bot\]\|Record released CPython artifacts; feature \d+\.\d+\.\d+$/);
    const manifest = ArtifactManifest.parse(
      JSON.parse((await execa('git', ['-C', origin, 'show', `HEAD:${relativeToRoot(layout.manifest)}`])).stdout),
    );
    expect(manifest.artifacts.map((artifact) => artifact.url).sort()).toEqual(
      [`${base}/${artifactName}`, `${base}/${basename(fixtures.python313Aarch64)}`].sort(),
    );
    // ... and the README's table of what is published, so the commit leaves generated files fresh.
    const readme = (await execa('git', ['-C', origin, 'show', 'HEAD:README.md'])).stdout;
    expect(readme).toMatch(
      /^\| 3\.13 \| [\d.]+ \| maintained until [\d-]+ \| 3\.13\.5 \(debian11\) \| 3\.13\.5 \(debian11\) \|$/m,
    );

    // The feature as published: pulled from the registry, installed with its default options.
    const feature = await pullFeature(
      registry.host,
      `${github.owner}/${github.repo}/cpython/installer`,
      '1',
      join(work, 'published'),
    );
    const installed = await runInstallScript({
      featureDir: feature,
      image: 'local/debian:bookworm-curl',
      network: 'host',
      options: {},
      afterInstall: 'python3 -c "import ssl, sys; print(sys.version.split()[0])"',
    });
    expect(installed.exitCode, installed.output).toBe(0);
    expect(installed.output).toContain(`cpython-installer: CPython 3.13.5 from ${base}/${artifactName}`);
    expect(installed.output).toContain('sha256 verified against the manifest embedded in this feature');
    expect(installed.output).toContain(`OpenPGP signature verified: signed by key ${team.fingerprint}`);
  });
});

/** The committed team keys (infrastructure/keys/team-*.asc), as paths relative to the repository. */
async function teamKeys(keysDir: string): Promise<string[]> {
  const listed = await execa('git', ['-C', dirname(dirname(keysDir)), 'ls-files', 'infrastructure/keys']);
  return listed.stdout.split('\n').filter((path) => /\/team-[^/]+\.asc$/.test(path));
}

/** A feature as `devcontainer features publish` pushed it: its manifest's one layer, a tar of the feature folder. */
async function pullFeature(host: string, repository: string, tag: string, dir: string): Promise<string> {
  const api = `http://${host.replace(/^localhost:/, '127.0.0.1:')}/v2/${repository}`;
  const manifest = (await (
    await fetch(`${api}/manifests/${tag}`, { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } })
  ).json()) as { layers: { digest: string }[] };
  const layer = manifest.layers[0]?.digest;
  if (!layer) throw new Error(`${repository}:${tag} has no layer`);
  await mkdir(dir, { recursive: true });
  const blob = join(dir, 'feature.tar');
  await writeFile(blob, Buffer.from(await (await fetch(`${api}/blobs/${layer}`)).arrayBuffer()));
  await execa('tar', ['-xf', blob, '-C', dir]);
  await rm(blob);
  return dir;
}

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, loadArtifact, verifyDetached } from '@cpython-prebuilt/core';
import { FEATURE_ID, renderFeature, vendorFeature, writeFeatureFiles } from '@cpython-prebuilt/feature';
import { createWorkspace, runInstallScript, startRegistry } from '@cpython-prebuilt/harness';
import { featureManifest, OciClient, parseOciReference, SIGNATURE_ARTIFACT_TYPE } from '@cpython-prebuilt/release';
import { cpythonPrebuilt } from '@cpython-prebuilt/test-fixtures';
import { describe, expect, inject, it, onTestFinished } from 'vitest';

const logger = createLogger('test');

async function registry() {
  const started = await startRegistry();
  onTestFinished(() => started.stop());
  return started;
}

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('the artifact as an OCI artifact in a real local registry', () => {
  it('pushes one layer whose digest is the sha256, pulls it back verified, and the feature installs from oci://', async () => {
    const { host } = await registry();
    const artifact = await loadArtifact(inject('artifacts').python313);
    const ref = parseOciReference(`oci://${host}/octo/cpython-artifacts:3.13.5-debian11-x86_64-build1`);
    const client = new OciClient({ logger });
    await client.pushArtifact(ref, artifact);
    const manifest = await client.getManifest(ref);
    expect(manifest.artifactType).toBe('application/vnd.cpython-prebuilt.artifact.v1');
    expect(manifest.layers).toEqual([
      expect.objectContaining({
        digest: `sha256:${artifact.sha256}`,
        annotations: { 'org.opencontainers.image.title': artifact.name },
      }),
    ]);
    expect(manifest.annotations?.['dev.cpython-prebuilt.glibc-minimum']).toBe(artifact.metadata.glibcMinimum);
    const work = await tempDir('oci-');
    expect(await client.pullArtifact(ref, join(work, 'pulled.tgz'), artifact.sha256)).toBe(artifact.sha256);

    // The feature as users get it from the registry: no artifact inside.
    const feature = await writeFeatureFiles(
      join(work, 'installer'),
      renderFeature({ manifest: { artifacts: [] }, featureReference: './installer' }).files,
    );
    const result = await runInstallScript({
      featureDir: feature,
      image: 'local/debian:bookworm-curl',
      network: 'host',
      options: {
        version: '3.13.5',
        artifactUrl: `oci://127.0.0.1:${host.split(':')[1]}/octo/cpython-artifacts:3.13.5-debian11-x86_64-build1`,
        sha256: artifact.sha256,
      },
      afterInstall: 'python3 --version',
    });
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain('sha256 verified against the sha256 option');
    expect(result.output).toContain('Python 3.13.5');
  });

  it('publish-artifact signs: the signature is a referrer tagged <tag>.asc that verifies; without a key it refuses', async () => {
    const { host } = await registry();
    const { python313, testKey } = inject('artifacts');
    const ref = parseOciReference(`oci://${host}/octo/cpython-artifacts:3.13.5-debian11-x86_64-build1`);
    const args = [
      'publish-artifact',
      python313,
      '--to',
      `oci://${host}/octo/cpython-artifacts:3.13.5-debian11-x86_64-build1`,
      '--no-record',
    ];
    const signed = await cpythonPrebuilt(args, { CPYTHON_PREBUILT_SIGNING_KEY: testKey.privatePath });
    expect(signed.exitCode, signed.stderr).toBe(0);
    expect(signed.stderr).toContain(
      `signed by key ${testKey.fingerprint}: oci://${host}/octo/cpython-artifacts:3.13.5-debian11-x86_64-build1.asc`,
    );
    const client = new OciClient({ logger });
    const referrer = await client.getManifest(OciClient.signatureReference(ref));
    expect(referrer.artifactType).toBe(SIGNATURE_ARTIFACT_TYPE);
    const signature = (await client.pullSignature(ref)).toString();
    expect(
      await verifyDetached(await readFile(python313), signature, [await readFile(testKey.publicPath, 'utf8')], 'artifact'),
    ).toBe(testKey.fingerprint);

    const unsigned = await cpythonPrebuilt(args, { CPYTHON_PREBUILT_SIGNING_KEY: '' });
    expect(unsigned.exitCode).toBe(1);
    expect(unsigned.stderr).toContain('error [SIGNING_KEY_INVALID]: no signing key: CPYTHON_PREBUILT_SIGNING_KEY is unset');
  });

  it('publish-artifact refuses a reference that is not oci://registry/repository[:tag]', async () => {
    const result = await cpythonPrebuilt([
      'publish-artifact',
      inject('artifacts').python313,
      '--to',
      'not a reference',
      '--no-record',
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('error [INVALID_INPUT]: "not a reference" is not an OCI reference');
  });
});

describe('the feature published to a real local registry', () => {
  it('publishes semver tags, reads the manifest back, and a devcontainer.json referencing it builds a working container', async () => {
    const { host } = await registry();
    const collection = await tempDir('collection-');
    await vendorFeature({
      artifactPaths: [inject('artifacts').python313],
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
    expect(result.stdout.trim()).toBe(`${host}/${namespace}/installer:1`);
    expect(result.stderr).toContain('published installer 1.0.0 as 1, 1.0, 1.0.0, latest');
    const manifest = await featureManifest(`${host}/${namespace}/installer:1.0.0`);
    expect(JSON.parse(manifest.annotations?.['dev.containers.metadata'] ?? '{}')).toMatchObject({
      id: 'installer',
      version: '1.0.0',
    });

    const workspace = await createWorkspace({
      image: 'local/debian:bookworm',
      artifactPaths: [],
      featureReference: `${host}/${namespace}/installer:1`,
    });
    onTestFinished(() => workspace.dispose());
    await workspace.up();
    const version = await workspace.exec(['python3', '--version']);
    expect(version.stdout.trim()).toBe('Python 3.13.5');
    const prefix = await workspace.exec(['python3', '-c', 'import sys, ssl, sqlite3; print(sys.prefix)']);
    expect(prefix.stdout.trim()).toBe('/opt/python-3.13.5');
  });
});

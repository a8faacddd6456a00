import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, loadArtifact, verifyDetached } from '@cpython-prebuilt/core';
import { FEATURE_ID, renderFeature, vendorFeature, writeFeatureFiles } from '@cpython-prebuilt/feature';
import { runInstallScript, startRegistry } from '@cpython-prebuilt/harness';
import { OciClient, OciError, parseOciReference, SIGNATURE_ARTIFACT_TYPE } from '@cpython-prebuilt/release';
import { cpythonPrebuilt } from '@cpython-prebuilt/test-fixtures';
import { describe, expect, inject, it, onTestFinished } from 'vitest';

const logger = createLogger('test');

async function registry(options: Parameters<typeof startRegistry>[0] = {}) {
  const started = await startRegistry(options);
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
      renderFeature({ manifest: { artifacts: [] }, featureReference: './installer', version: '1.0.0' }).files,
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
      '--signer-keys',
      testKey.publicPath,
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
    expect(unsigned.exitCode).toBe(4);
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
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('error [INVALID_INPUT]: "not a reference" is not an OCI reference');
  });
});

describe('a real local registry with token auth (distribution auth: token, as ghcr.io)', () => {
  it('pushes with Basic credentials at the token service, pulls anonymously, and install.sh finds the realm in WWW-Authenticate', async () => {
    const { host, port, tokenServer } = await registry({ tokenAuth: true });
    if (!tokenServer) throw new Error('no token server');
    const artifact = await loadArtifact(inject('artifacts').python313);
    const ref = parseOciReference(`oci://${host}/octo/cpython-artifacts:3.13.5-debian11-x86_64-build1`);

    // Without credentials the token service grants pull only: the push is refused.
    await expect(new OciClient({ logger }).pushArtifact(ref, artifact)).rejects.toThrow(OciError);
    const pusher = new OciClient({ logger, username: tokenServer.username, password: tokenServer.password });
    await pusher.pushArtifact(ref, artifact);
    const basic = `Basic ${Buffer.from(`${tokenServer.username}:${tokenServer.password}`).toString('base64')}`;
    expect(tokenServer.requests.some((request) => request.authorization === basic)).toBe(true);

    const work = await tempDir('oci-token-');
    expect(await new OciClient({ logger }).pullArtifact(ref, join(work, 'pulled.tgz'), artifact.sha256)).toBe(artifact.sha256);

    const feature = await writeFeatureFiles(
      join(work, 'installer'),
      renderFeature({ manifest: { artifacts: [] }, featureReference: './installer', version: '1.0.0' }).files,
    );
    const before = tokenServer.requests.length;
    // curl as install.sh runs it, its command line written down first: what `ps` shows anyone.
    const logArgv =
      'mkdir -p /argv && printf \'#!/bin/sh\\nprintf "%%s\\\\n" "$*" >>/tmp/curl-argv\\nexec /usr/bin/curl "$@"\\n\' >/argv/curl && chmod 755 /argv/curl';
    const result = await runInstallScript({
      featureDir: feature,
      image: 'local/debian:bookworm-curl',
      network: 'host',
      options: {
        version: '3.13.5',
        artifactUrl: `oci://127.0.0.1:${port}/octo/cpython-artifacts:3.13.5-debian11-x86_64-build1`,
        sha256: artifact.sha256,
      },
      beforeInstall: logArgv,
      pathPrefix: '/argv',
      afterInstall: 'python3 --version',
      afterRun: 'echo "curl calls: $(wc -l </tmp/curl-argv)"; cat /tmp/curl-argv',
    });
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain('Python 3.13.5');
    // Three curl runs (the 401, the token, the blob); the token went through a config file, never argv.
    expect(result.output).toContain('curl calls: 3');
    expect(result.output).toMatch(/--config \/opt\/\.cpython-installer\.[^/\s]+\/http\.conf\.\w+ -o /);
    expect(result.output).not.toMatch(/Bearer|eyJ/);
    // install.sh asked the realm the registry named, anonymously, for pull only.
    const asked = tokenServer.requests.slice(before);
    expect(asked).toEqual([
      {
        url: `/token?scope=repository:octo/cpython-artifacts:pull&service=${tokenServer.service}`,
        authorization: undefined,
      },
    ]);
  });

  it('does not send Basic credentials to a token service on another host', async () => {
    // The registry is reached as localhost:<port> but names 127.0.0.1 as its token service.
    const { host, tokenServer } = await registry({ tokenAuth: { realmHost: '127.0.0.1' } });
    if (!tokenServer) throw new Error('no token server');
    const client = new OciClient({ logger, username: tokenServer.username, password: tokenServer.password });
    const ref = parseOciReference(`oci://${host}/octo/cpython-artifacts:withheld`);
    await expect(client.pushArtifact(ref, await loadArtifact(inject('artifacts').python313))).rejects.toThrow(OciError);
    expect(tokenServer.requests.length).toBeGreaterThan(0);
    expect(tokenServer.requests.map((request) => request.authorization)).toEqual(tokenServer.requests.map(() => undefined));
  });
});

describe('tags in a real local registry', () => {
  it('refuses to move a tag to another artifact unless forced, and re-pushing the same artifact is a no-op', async () => {
    const { host } = await registry();
    const ref = parseOciReference(`oci://${host}/octo/cpython-artifacts:moving`);
    const client = new OciClient({ logger });
    const first = await client.pushArtifact(ref, await loadArtifact(inject('artifacts').python313));
    expect(await client.pushArtifact(ref, await loadArtifact(inject('artifacts').python313))).toBe(first);
    const other = await loadArtifact(inject('artifacts').python311);
    const outcome = await client.pushArtifact(ref, other).catch((caught: unknown) => caught);
    expect(outcome).toBeInstanceOf(OciError);
    expect((outcome as OciError).message).toContain(`already names another manifest (${first}); refusing to overwrite it`);
    expect((await client.getManifest(ref)).layers[0]?.digest).not.toBe(`sha256:${other.sha256}`);
    const forced = await client.pushArtifact(ref, other, { force: true });
    expect(forced).not.toBe(first);
    expect((await client.getManifest(ref)).layers[0]?.digest).toBe(`sha256:${other.sha256}`);
  });
});

describe('the feature published to a real local registry', () => {
  it('refuses a collection whose default version has no aarch64 artifact, before pushing anything', async () => {
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
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      'error [MANIFEST_INCOMPLETE]: feature installer 1.0.0 has no artifact for its default version 3.13.5 on aarch64 (its embedded manifest holds 3.13.5 x86_64)',
    );
    // Nothing reached the registry: the feature's repository has no tags.
    const tags = await fetch(`http://${host}/v2/${namespace}/installer/tags/list`);
    expect(tags.status).toBe(404);
  });
});

import { X509Certificate } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isCpythonPrebuiltError, layout, lineOf, versionsManifest } from '@cpython-prebuilt/core';
import { describe, expect, it } from 'vitest';
import { committedSigstoreBundle, SIGSTORE_SIGNERS, verifyPythonOrgBundle } from './upstream-sigstore.ts';

// The pristine tarballs `make setup` fetched (byte-identical to python.org's) and python.org's own
// bundles for them, as committed.
const TARBALLS = [
  { version: '3.13.5', file: 'Python-3.13.5.tar.xz', source: 'python3.13_3.13.5.orig.tar.xz' },
  { version: '3.11.2', file: 'Python-3.11.2.tgz', source: 'python3.11_3.11.2.orig.tar.gz' },
] as const;

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isCpythonPrebuiltError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error('not refused');
}

describe("python.org's Sigstore bundles, verified offline", () => {
  it.each(TARBALLS)('verifies $file against its bundle and its line’s release manager', async ({ version, file, source }) => {
    const bundlePath = committedSigstoreBundle(file);
    const verified = await verifyPythonOrgBundle({
      data: await readFile(join(layout.sourcesDir, source)),
      bundleText: await readFile(bundlePath, 'utf8'),
      what: file,
      bundlePath,
      signer: SIGSTORE_SIGNERS[lineOf(version)] ?? { identity: '', issuer: '' },
    });
    expect(verified.identity).toBe(version.startsWith('3.13') ? 'thomas@python.org' : 'pablogsal@python.org');
    expect(verified.issuer).toBe('https://accounts.google.com');
    expect(Number(verified.logIndex)).toBeGreaterThan(0);
  });

  const thomas = { identity: 'thomas@python.org', issuer: 'https://accounts.google.com' };
  const check = async (overrides: { data?: Buffer; bundleText?: string; signer?: typeof thomas; trustedRoot?: string }) => {
    const bundlePath = committedSigstoreBundle('Python-3.13.5.tar.xz');
    return verifyPythonOrgBundle({
      data: overrides.data ?? (await readFile(join(layout.sourcesDir, 'python3.13_3.13.5.orig.tar.xz'))),
      bundleText: overrides.bundleText ?? (await readFile(bundlePath, 'utf8')),
      what: 'Python-3.13.5.tar.xz',
      bundlePath,
      signer: overrides.signer ?? thomas,
      trustedRoot: overrides.trustedRoot,
    });
  };

  it('refuses other bytes, naming both digests, and a bundle for another file', async () => {
    const other = await readFile(join(layout.sourcesDir, 'python3.11_3.11.2.orig.tar.gz'));
    expect(await refusal(check({ data: other }))).toMatch(
      /^SIGNATURE_INVALID: the Sigstore bundle \S+Python-3\.13\.5\.tar\.xz\.sigstore does not verify Python-3\.13\.5\.tar\.xz: it signs sha256 93e583f2\w+, these bytes are 2411c74b\w+$/,
    );
    const tampered = Buffer.from(await readFile(join(layout.sourcesDir, 'python3.13_3.13.5.orig.tar.xz')));
    tampered[1000] = (tampered[1000] ?? 0) ^ 1;
    expect(await refusal(check({ data: tampered }))).toContain('it signs sha256 93e583f2');
  });

  it('refuses another signer and another identity provider: a valid Sigstore signature is not enough', async () => {
    expect(await refusal(check({ signer: { identity: 'hugo@python.org', issuer: thomas.issuer } }))).toMatch(
      /UNTRUSTED_SIGNER_ERROR: .*expected signer hugo@python\.org via https:\/\/accounts\.google\.com/,
    );
    // Unanchored, the library would take thomas@python.org for any identity containing it.
    expect(await refusal(check({ signer: { identity: 'python.org', issuer: thomas.issuer } }))).toContain(
      'UNTRUSTED_SIGNER_ERROR',
    );
    expect(await refusal(check({ signer: { identity: thomas.identity, issuer: 'https://github.com/login/oauth' } }))).toContain(
      'UNTRUSTED_SIGNER_ERROR',
    );
  });

  it('refuses a bundle whose log entry was altered, one that is not a bundle, and a trust root without the log keys', async () => {
    const bundle = JSON.parse(await readFile(committedSigstoreBundle('Python-3.13.5.tar.xz'), 'utf8'));
    const entry = bundle.verificationMaterial.tlogEntries[0];
    entry.integratedTime = String(Number(entry.integratedTime) + 1);
    expect(await refusal(check({ bundleText: JSON.stringify(bundle) }))).toContain('TLOG_INCLUSION_PROMISE_ERROR');
    expect(await refusal(check({ bundleText: '{"mediaType": "text/plain"}' }))).toContain('it is not a Sigstore bundle');
    const root = JSON.parse(await readFile(join(layout.upstreamKeysDir, 'sigstore-trusted-root.json'), 'utf8'));
    expect(await refusal(check({ trustedRoot: JSON.stringify({ ...root, tlogs: [] }) }))).toContain('SIGNATURE_INVALID');
  });

  it('holds a bundle for pinned tarballs only, each signing exactly the pinned sha256, by its line’s signer', async () => {
    const files = (await readdir(layout.sigstoreBundlesDir)).filter((name) => name.endsWith('.sigstore'));
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const name of files) {
      const tarball = name.replace(/\.sigstore$/, '');
      const release = versionsManifest.releases.find((candidate) => candidate.url.endsWith(`/${tarball}`));
      expect(release, `${name}: no pinned release has the tarball ${tarball}`).toBeDefined();
      const bundle = JSON.parse(await readFile(join(layout.sigstoreBundlesDir, name), 'utf8'));
      const digest = Buffer.from(bundle.messageSignature.messageDigest.digest, 'base64').toString('hex');
      expect(digest, name).toBe(release?.sha256);
      // The signing certificate names the line's release manager (the whole chain is verified at build time).
      const signer = SIGSTORE_SIGNERS[lineOf(release?.version ?? '')];
      const material = bundle.verificationMaterial;
      const certificate = material.certificate?.rawBytes ?? material.x509CertificateChain?.certificates?.[0]?.rawBytes;
      expect(new X509Certificate(Buffer.from(certificate, 'base64')).subjectAltName, name).toBe(`email:${signer?.identity}`);
    }
  });
});

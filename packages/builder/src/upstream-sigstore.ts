import { join } from 'node:path';
import { exactIdentity, layout, type SigstoreVerified, verifySigstoreBundle } from '@cpython-prebuilt/core';

/**
 * Who signs each CPython line's Sigstore bundles (python.org's "Sigstore information" page, which
 * PEP 761 makes the reference): the release manager's identity and the OIDC provider that issued
 * the signing certificate. A bundle signed by anyone else, or through another provider, is refused.
 */
export const SIGSTORE_SIGNERS: Readonly<Record<string, { identity: string; issuer: string }>> = {
  '3.9': { identity: 'lukasz@langa.pl', issuer: 'https://github.com/login/oauth' },
  '3.10': { identity: 'pablogsal@python.org', issuer: 'https://accounts.google.com' },
  '3.11': { identity: 'pablogsal@python.org', issuer: 'https://accounts.google.com' },
  '3.12': { identity: 'thomas@python.org', issuer: 'https://accounts.google.com' },
  '3.13': { identity: 'thomas@python.org', issuer: 'https://accounts.google.com' },
  '3.14': { identity: 'hugo@python.org', issuer: 'https://github.com/login/oauth' },
  '3.15': { identity: 'hugo@python.org', issuer: 'https://github.com/login/oauth' },
};

/** python.org's bundle for a tarball, as the repository records it: infrastructure/cpython/sigstore/<file>.sigstore. */
export const committedSigstoreBundle = (tarballFileName: string): string =>
  join(layout.sigstoreBundlesDir, `${tarballFileName}.sigstore`);

export interface VerifyPythonOrgBundleInput {
  /** The bytes the bundle must sign. */
  data: Buffer;
  /** The bundle file's text. */
  bundleText: string;
  /** For messages: what was checked, and the bundle's path. */
  what: string;
  bundlePath: string;
  /** The line's release manager and identity provider (SIGSTORE_SIGNERS). */
  signer: { identity: string; issuer: string };
  /** The trust root's JSON (the committed one by default). */
  trustedRoot?: string;
}

/**
 * Verifies python.org's Sigstore bundle of a source tarball (core's verifySigstoreBundle, offline):
 * signed over exactly these bytes by exactly the line's release manager through the identity
 * provider python.org lists.
 */
export async function verifyPythonOrgBundle(input: VerifyPythonOrgBundleInput): Promise<SigstoreVerified> {
  let bundle: unknown = input.bundleText;
  try {
    bundle = JSON.parse(input.bundleText);
  } catch {
    // Not JSON: verifySigstoreBundle refuses it as "not a Sigstore bundle".
  }
  return verifySigstoreBundle({
    bundle,
    data: input.data,
    what: input.what,
    bundlePath: input.bundlePath,
    signer: {
      identityPattern: exactIdentity(input.signer.identity),
      issuer: input.signer.issuer,
      describe: input.signer.identity,
    },
    fix: 'the tarball or its bundle is not what python.org published: fetch both again, never build from it',
    trustedRoot: input.trustedRoot,
  });
}

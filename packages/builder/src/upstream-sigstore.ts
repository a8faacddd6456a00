import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CpythonPrebuiltError, layout } from '@cpython-prebuilt/core';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';

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

/** The Sigstore public-good trust root the bundles are checked against (infrastructure/keys/upstream/README.md says where it came from). */
export const SIGSTORE_TRUSTED_ROOT = {
  file: 'sigstore-trusted-root.json',
  sha256: '6494e21ea73fa7ee769f85f57d5a3e6a08725eae1e38c755fc3517c9e6bc0b66',
} as const;

/** python.org's bundle for a tarball, as the repository records it: infrastructure/cpython/sigstore/<file>.sigstore. */
export const committedSigstoreBundle = (tarballFileName: string): string =>
  join(layout.sigstoreBundlesDir, `${tarballFileName}.sigstore`);

export interface SigstoreVerification {
  identity: string;
  issuer: string;
  /** The transparency log entry that records the signature. */
  logIndex: string;
  integratedTime: string;
}

export interface VerifySigstoreInput {
  /** The bytes the bundle must sign. */
  data: Buffer;
  /** The bundle file's text. */
  bundleText: string;
  /** For messages: what was checked, and the bundle's path. */
  what: string;
  bundlePath: string;
  signer: { identity: string; issuer: string };
  /** The trust root's JSON (the committed one by default, checked against its pinned sha256). */
  trustedRoot?: string;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function committedTrustedRoot(): Promise<string> {
  const path = join(layout.upstreamKeysDir, SIGSTORE_TRUSTED_ROOT.file);
  const bytes = await readFile(path);
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== SIGSTORE_TRUSTED_ROOT.sha256) {
    throw new CpythonPrebuiltError(
      'SIGNATURE_INVALID',
      `${path} is not the pinned Sigstore trust root: sha256 ${digest}, pinned ${SIGSTORE_TRUSTED_ROOT.sha256}`,
      {
        fix: `restore it from the repository (git checkout -- ${path}); a new trust root is a reviewed change to SIGSTORE_TRUSTED_ROOT`,
      },
    );
  }
  return bytes.toString('utf8');
}

/**
 * Verifies a Sigstore bundle over `data`, offline: the certificate chains to Sigstore's CA in the
 * trust root, carries a certificate-transparency receipt, was issued to exactly `signer.identity`
 * by `signer.issuer`, the signature over the bytes holds, and the transparency-log entry's signed
 * timestamp and inclusion proof verify. Any failure throws SIGNATURE_INVALID naming the check.
 */
export async function verifySigstoreBundle(input: VerifySigstoreInput): Promise<SigstoreVerification> {
  const refuse = (why: string, cause?: unknown): never => {
    throw new CpythonPrebuiltError(
      'SIGNATURE_INVALID',
      `the Sigstore bundle ${input.bundlePath} does not verify ${input.what}: ${why}`,
      {
        fix: 'the tarball or its bundle is not what python.org published: fetch both again, never build from it',
        cause,
      },
    );
  };
  let bundle: ReturnType<typeof bundleFromJSON>;
  try {
    bundle = bundleFromJSON(JSON.parse(input.bundleText));
  } catch (error) {
    return refuse(`it is not a Sigstore bundle (${(error as Error).message})`, error);
  }
  // A bundle over a digest says which bytes it signs: other bytes are refused before any crypto, by name.
  if (bundle.content.$case === 'messageSignature') {
    const signed = bundle.content.messageSignature.messageDigest;
    const actual = createHash('sha256').update(input.data).digest();
    if (signed && !actual.equals(Buffer.from(signed.digest))) {
      refuse(`it signs sha256 ${Buffer.from(signed.digest).toString('hex')}, these bytes are ${actual.toString('hex')}`);
    }
  }
  const trustedRoot = input.trustedRoot ?? (await committedTrustedRoot());
  const verifier = new Verifier(toTrustMaterial(TrustedRoot.fromJSON(JSON.parse(trustedRoot))), {
    tlogThreshold: 1,
    ctlogThreshold: 1,
  });
  try {
    // The identity is matched as a regular expression by the library: anchored, dots literal.
    const signer = verifier.verify(toSignedEntity(bundle, input.data), {
      subjectAlternativeName: `^${escapeRegExp(input.signer.identity)}$`,
      extensions: { issuer: input.signer.issuer },
    });
    const entry = bundle.verificationMaterial.tlogEntries[0];
    return {
      identity: signer.identity?.subjectAlternativeName ?? input.signer.identity,
      issuer: signer.identity?.extensions?.issuer ?? input.signer.issuer,
      logIndex: entry?.logIndex ?? '',
      integratedTime: entry ? new Date(Number(entry.integratedTime) * 1000).toISOString() : '',
    };
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    return refuse(
      `${code ? `${code}: ` : ''}${message} (expected signer ${input.signer.identity} via ${input.signer.issuer})`,
      error,
    );
  }
}

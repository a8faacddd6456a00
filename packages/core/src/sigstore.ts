import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { CpythonPrebuiltError } from './errors.ts';
import { layout } from './layout.ts';

/**
 * The Sigstore public-good trust root every bundle is checked against: python.org's signatures of
 * CPython's tarballs and GitHub's provenance attestations of public repositories
 * (infrastructure/keys/upstream/README.md says where it came from).
 */
export const SIGSTORE_TRUSTED_ROOT = {
  file: 'sigstore-trusted-root.json',
  sha256: '6494e21ea73fa7ee769f85f57d5a3e6a08725eae1e38c755fc3517c9e6bc0b66',
} as const;

/** A regular expression (as @sigstore/verify takes identities) matching exactly `identity`. */
export const exactIdentity = (identity: string): string => `^${escapeRegExp(identity)}$`;

export const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface SigstoreSigner {
  /**
   * The certificate's subject alternative name, as an anchored regular expression (the library
   * matches it unanchored: `thomas@python.org` alone would accept look-alikes). exactIdentity()
   * makes one for a single identity.
   */
  identityPattern: string;
  /** The OIDC provider that must have issued the certificate. */
  issuer: string;
  /** The signer as messages name it. */
  describe: string;
}

export interface SigstoreBundleCheck {
  /** The bundle, parsed JSON. */
  bundle: unknown;
  /** For a message signature: the bytes it must sign. A DSSE envelope signs its own payload. */
  data?: Buffer;
  /** For messages: what was checked, and where the bundle came from. */
  what: string;
  bundlePath: string;
  /** What messages call the bundle: "the Sigstore bundle" unless told ("the attestation"). */
  called?: string;
  signer: SigstoreSigner;
  /** What the user should do when it does not verify. */
  fix: string;
  /** The trust root's JSON (the committed one by default, checked against its pinned sha256). */
  trustedRoot?: string;
}

export interface SigstoreVerified {
  identity: string;
  issuer: string;
  /** The transparency log entry that records the signature. */
  logIndex: string;
  integratedTime: string;
  /** A DSSE envelope's payload and its type (an in-toto statement), once its signature holds. */
  envelope?: { payloadType: string; payload: Buffer };
}

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
 * Verifies a Sigstore bundle offline: the certificate chains to Sigstore's CA in the trust root,
 * carries a certificate-transparency receipt, was issued to the signer's identity by its issuer;
 * the signature holds (over `data` for a message signature, over the envelope's payload for
 * DSSE); the transparency-log entry's signed timestamp and inclusion proof verify. Any failure
 * throws SIGNATURE_INVALID naming the check.
 */
export async function verifySigstoreBundle(input: SigstoreBundleCheck): Promise<SigstoreVerified> {
  const refuse = (why: string, cause?: unknown): never => {
    throw new CpythonPrebuiltError(
      'SIGNATURE_INVALID',
      `${input.called ?? 'the Sigstore bundle'} ${input.bundlePath} does not verify ${input.what}: ${why}`,
      {
        fix: input.fix,
        cause,
      },
    );
  };
  let bundle: ReturnType<typeof bundleFromJSON>;
  try {
    bundle = bundleFromJSON(input.bundle);
  } catch (error) {
    return refuse(`it is not a Sigstore bundle (${(error as Error).message})`, error);
  }
  const content = bundle.content;
  if (content.$case === 'messageSignature') {
    if (!input.data) return refuse('it signs a message, and no bytes were given to check it against');
    // A bundle over a digest says which bytes it signs: other bytes are refused before any crypto, by name.
    const signed = content.messageSignature.messageDigest;
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
    const signer = verifier.verify(toSignedEntity(bundle, content.$case === 'messageSignature' ? input.data : undefined), {
      subjectAlternativeName: input.signer.identityPattern,
      extensions: { issuer: input.signer.issuer },
    });
    const entry = bundle.verificationMaterial.tlogEntries[0];
    return {
      identity: signer.identity?.subjectAlternativeName ?? '',
      issuer: signer.identity?.extensions?.issuer ?? input.signer.issuer,
      logIndex: entry?.logIndex ?? '',
      integratedTime: entry ? new Date(Number(entry.integratedTime) * 1000).toISOString() : '',
      ...(content.$case === 'dsseEnvelope'
        ? { envelope: { payloadType: content.dsseEnvelope.payloadType, payload: Buffer.from(content.dsseEnvelope.payload) } }
        : {}),
    };
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    return refuse(
      `${code ? `${code}: ` : ''}${message} (expected signer ${input.signer.describe} via ${input.signer.issuer})`,
      error,
    );
  }
}

import { CpythonPrebuiltError, escapeRegExp, verifySigstoreBundle } from '@cpython-prebuilt/core';

/** The workflow (under .github/workflows/) whose runs attest every released artifact's provenance. */
export const RELEASE_WORKFLOW_FILE = 'release.yml';
/** The OIDC issuer of every certificate GitHub Actions' tokens obtain from Sigstore. */
export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';
/** What actions/attest-build-provenance attests: SLSA build provenance in an in-toto statement. */
export const PROVENANCE_PREDICATE = 'https://slsa.dev/provenance/v1';
const IN_TOTO_PAYLOAD = 'application/vnd.in-toto+json';
const IN_TOTO_STATEMENT = 'https://in-toto.io/Statement/v1';

export interface ProvenanceCheck {
  /** The attestation: a Sigstore bundle (parsed JSON) as GitHub's attestations API returns it. */
  bundle: unknown;
  /** Where it came from, for messages. */
  source: string;
  /** The artifact it must be about. */
  artifact: { name: string; sha256: string };
  /** The workflow that must have made it: `owner/repo` and its file under .github/workflows/. */
  workflow: { repository: string; file: string };
  /** The trust root's JSON (the committed one by default). */
  trustedRoot?: string;
}

export interface ProvenanceVerified {
  /** The signing workflow with the ref it ran from: https://github.com/owner/repo/.github/workflows/release.yml@refs/... */
  workflowRef: string;
  logIndex: string;
  integratedTime: string;
}

interface InTotoStatement {
  _type?: unknown;
  predicateType?: unknown;
  subject?: { name?: unknown; digest?: Record<string, unknown> }[];
}

/**
 * Verifies a GitHub artifact attestation of `artifact`, offline, as `gh attestation verify` does:
 * a Sigstore bundle whose DSSE envelope is signed by a certificate Sigstore's CA issued to a GitHub
 * Actions run of exactly `workflow` (any branch or tag of that repository, through GitHub's OIDC
 * issuer), recorded in the transparency log; its payload an in-toto statement of SLSA build
 * provenance whose subjects include the artifact's sha256. Anything else throws
 * SIGNATURE_INVALID naming the check.
 */
export async function verifyProvenanceAttestation(input: ProvenanceCheck): Promise<ProvenanceVerified> {
  const { artifact, workflow } = input;
  const what = `as the build provenance of ${artifact.name}`;
  const fix = `the artifact was not built and attested by ${workflow.repository}'s ${workflow.file}, or the attestation was replaced: do not publish it; run the release workflow again for it`;
  const refuse = (why: string): never => {
    throw new CpythonPrebuiltError('SIGNATURE_INVALID', `the attestation ${input.source} does not verify ${what}: ${why}`, {
      fix,
    });
  };
  const verified = await verifySigstoreBundle({
    bundle: input.bundle,
    what,
    bundlePath: input.source,
    called: 'the attestation',
    signer: {
      identityPattern: `^https://github\\.com/${escapeRegExp(workflow.repository)}/\\.github/workflows/${escapeRegExp(workflow.file)}@refs/(heads|tags)/[^\\s]+$`,
      issuer: GITHUB_ACTIONS_ISSUER,
      describe: `https://github.com/${workflow.repository}/.github/workflows/${workflow.file}@refs/...`,
    },
    fix,
    trustedRoot: input.trustedRoot,
  });
  // The signature holds over the payload: now what it says is trusted, and checked.
  if (!verified.envelope) return refuse('it signs a message, not an in-toto statement (a DSSE envelope)');
  if (verified.envelope.payloadType !== IN_TOTO_PAYLOAD) {
    return refuse(`its payload is ${verified.envelope.payloadType}, not ${IN_TOTO_PAYLOAD}`);
  }
  let statement: InTotoStatement;
  try {
    statement = JSON.parse(verified.envelope.payload.toString('utf8')) as InTotoStatement;
  } catch {
    return refuse('its payload is not JSON');
  }
  if (statement._type !== IN_TOTO_STATEMENT)
    return refuse(`its statement type is ${String(statement._type)}, not ${IN_TOTO_STATEMENT}`);
  if (statement.predicateType !== PROVENANCE_PREDICATE) {
    return refuse(`it attests ${String(statement.predicateType)}, not build provenance (${PROVENANCE_PREDICATE})`);
  }
  const digests = (statement.subject ?? [])
    .map((subject) => subject.digest?.sha256)
    .filter((digest) => typeof digest === 'string');
  if (!digests.includes(artifact.sha256)) {
    return refuse(`it is about sha256 ${digests.join(', ') || '(none)'}, and ${artifact.name} is ${artifact.sha256}`);
  }
  return { workflowRef: verified.identity, logIndex: verified.logIndex, integratedTime: verified.integratedTime };
}

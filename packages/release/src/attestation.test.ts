import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isCpythonPrebuiltError, sha256Buffer } from '@cpython-prebuilt/core';
import { describe, expect, it } from 'vitest';
import { verifyProvenanceAttestation } from './attestation.ts';

const DATA = join(import.meta.dirname, 'testdata', 'attestations');
const read = async (file: string) => JSON.parse(await readFile(join(DATA, file), 'utf8')) as unknown;

/** tflint-ruleset-aws v0.35.0's real attestation of its checksums.txt (testdata/attestations/README.md). */
const TFLINT = {
  bundle: 'tflint-ruleset-aws-v0.35.0-checksums.txt.sigstore.json',
  subject: 'tflint-ruleset-aws-v0.35.0-checksums.txt',
  workflow: { repository: 'terraform-linters/tflint-ruleset-aws', file: 'release.yml' },
} as const;

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isCpythonPrebuiltError(error)) return `${error.code}: ${error.message} | fix: ${error.fix}`;
    throw error;
  }
  throw new Error('not refused');
}

describe('GitHub provenance attestations, verified offline', () => {
  const tflint = async (overrides: { bundle?: unknown; sha256?: string; workflow?: { repository: string; file: string } } = {}) =>
    verifyProvenanceAttestation({
      bundle: overrides.bundle ?? (await read(TFLINT.bundle)),
      source: TFLINT.bundle,
      artifact: { name: 'checksums.txt', sha256: overrides.sha256 ?? sha256Buffer(await readFile(join(DATA, TFLINT.subject))) },
      workflow: overrides.workflow ?? TFLINT.workflow,
    });

  it("verifies a real attest-build-provenance bundle of the file's bytes, made by the repository's release workflow", async () => {
    const verified = await tflint();
    expect(verified.workflowRef).toBe(
      'https://github.com/terraform-linters/tflint-ruleset-aws/.github/workflows/release.yml@refs/tags/v0.35.0',
    );
    expect(verified.logIndex).toBe('149329939');
    expect(verified.integratedTime).toBe('2024-11-17T09:21:47.000Z');
  });

  it('refuses it for other bytes, naming both digests', async () => {
    const other = sha256Buffer(Buffer.from('another artifact'));
    expect(await refusal(tflint({ sha256: other }))).toMatch(
      new RegExp(
        `^SIGNATURE_INVALID: the attestation \\S+ does not verify as the build provenance of checksums.txt: it is about sha256 6ce2c206\\w+, and checksums.txt is ${other}`,
      ),
    );
  });

  it('refuses it as the provenance of another repository, or of another workflow of the same repository', async () => {
    const ours = await refusal(tflint({ workflow: { repository: 'octo/cpython-prebuilt', file: 'release.yml' } }));
    expect(ours).toContain('UNTRUSTED_SIGNER_ERROR');
    expect(ours).toContain('expected signer https://github.com/octo/cpython-prebuilt/.github/workflows/release.yml@refs/...');
    expect(ours).toContain("fix: the artifact was not built and attested by octo/cpython-prebuilt's release.yml");
    // The pattern is anchored and its dots literal: a look-alike repository name does not pass.
    expect(
      await refusal(tflint({ workflow: { repository: 'terraform-linters/tflint-ruleset', file: 'release.yml' } })),
    ).toContain('UNTRUSTED_SIGNER_ERROR');
    expect(await refusal(tflint({ workflow: { ...TFLINT.workflow, file: 'build.yml' } }))).toContain('UNTRUSTED_SIGNER_ERROR');
  });

  it('refuses a certificate from another OIDC issuer and a reusable workflow of another repository', async () => {
    // Real bundles: an enterprise's own issuer (…/hammer-time), and a run of a workflow pinned by commit elsewhere.
    const customIssuer = await refusal(
      verifyProvenanceAttestation({
        bundle: await read('custom-issuer.sigstore.json'),
        source: 'custom-issuer.sigstore.json',
        artifact: { name: 'artifact', sha256: 'afa27b44d43b02a9fea41d13cedc2e4016cfcf87c5dbf990e593669aa8ce286d' },
        workflow: { repository: 'too-legit/attest', file: 'integration.yml' },
      }),
    );
    expect(customIssuer).toContain('UNTRUSTED_SIGNER_ERROR');
    expect(customIssuer).toContain('via https://token.actions.githubusercontent.com');
    const reusable = await refusal(
      verifyProvenanceAttestation({
        bundle: await read('reusable-workflow-attestation.sigstore.json'),
        source: 'reusable-workflow-attestation.sigstore.json',
        artifact: {
          name: 'github_provenance_demo-0.0.0-py3-none-any.whl',
          sha256: '49a3aa6075e0f49f82843e74b5baa614ad2a588e6675612bf108a0a008c5ac25',
        },
        workflow: { repository: 'malancas/attest-demo', file: 'attest.yml' },
      }),
    );
    expect(reusable).toContain('UNTRUSTED_SIGNER_ERROR');
  });

  it('refuses a statement with no sha256 of the artifact (npm provenance names a sha512 only)', async () => {
    const npm = await refusal(
      verifyProvenanceAttestation({
        bundle: await read('sigstore-js-2.1.0.sigstore.json'),
        source: 'sigstore-js-2.1.0.sigstore.json',
        artifact: { name: 'sigstore-2.1.0.tgz', sha256: sha256Buffer(Buffer.from('x')) },
        workflow: { repository: 'sigstore/sigstore-js', file: 'release.yml' },
      }),
    );
    expect(npm).toContain('it is about sha256 (none), and sigstore-2.1.0.tgz is');
  });

  it('refuses an altered statement, an altered log entry, and what is not a Sigstore bundle', async () => {
    const statement = (await read(TFLINT.bundle)) as { dsseEnvelope: { payload: string } };
    const payload = JSON.parse(Buffer.from(statement.dsseEnvelope.payload, 'base64').toString('utf8'));
    payload.subject[0].digest.sha256 = sha256Buffer(Buffer.from('swapped'));
    statement.dsseEnvelope.payload = Buffer.from(JSON.stringify(payload)).toString('base64');
    // Signed bytes changed: refused before its claim is read, whatever it claims.
    expect(await refusal(tflint({ bundle: statement, sha256: sha256Buffer(Buffer.from('swapped')) }))).toMatch(
      /SIGNATURE_INVALID: .*(SIGNATURE_ERROR|TLOG_BODY_ERROR)/,
    );
    const entry = (await read(TFLINT.bundle)) as { verificationMaterial: { tlogEntries: { integratedTime: string }[] } };
    const first = entry.verificationMaterial.tlogEntries[0];
    if (first) first.integratedTime = String(Number(first.integratedTime) + 1);
    expect(await refusal(tflint({ bundle: entry }))).toContain('TLOG_INCLUSION_PROMISE_ERROR');
    expect(await refusal(tflint({ bundle: { attestation: 'trust me' } }))).toContain('it is not a Sigstore bundle');
  });
});

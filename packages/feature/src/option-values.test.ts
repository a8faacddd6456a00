import { describe, expect, it } from 'vitest';
import { featureOptionProblems } from './option-values.ts';
import { URL_CHARS } from './options.ts';
import { renderFeature } from './render.ts';

const problems = (options: Record<string, unknown>) => featureOptionProblems(options).map((problem) => problem.message);

describe("featureOptionProblems: install.sh's refusals, said before a configuration is written", () => {
  it('passes what install.sh accepts', () => {
    expect(
      problems({
        version: '3.13',
        additionalVersions: '3.12, 3.11.2',
        artifactUrl: 'http://mirror.example/cpython-3.13.5-ubuntu20.04-x86_64-build1.tgz',
        sha256: 'a'.repeat(64),
        wheelhouseUrl: 'oci://localhost:5000/octo/wheelhouses:app',
        wheelhouseSha256: 'b'.repeat(64),
        setAsDefault: 'true',
        replaceExisting: false,
        downloadTimeout: '900',
        somethingElse: 'unknown options are not judged',
      }),
    ).toEqual([]);
    expect(problems({ version: 'latest', artifactUrl: 'https://example.invalid/a.tgz?X-Amz-Signature=1' })).toEqual([]);
    // The official feature's none and os-provided: no default CPython, additional versions only.
    expect(problems({ version: 'none', additionalVersions: '3.12' })).toEqual([]);
    expect(problems({ version: 'os-provided' })).toEqual([]);
  });

  it('refuses none with an artifact or a wheelhouse that nothing would install', () => {
    expect(problems({ version: 'none', artifactUrl: 'https://example.invalid/a.tgz', sha256: 'a'.repeat(64) })).toEqual([
      'version none with artifactUrl: nothing would install the artifact',
    ]);
    expect(problems({ version: 'os-provided', wheelhouseUrl: 'https://example.invalid/w.tgz' })[0]).toContain(
      'version os-provided with wheelhouseUrl',
    );
  });

  it('names each value install.sh would refuse', () => {
    expect(
      problems({
        version: 'banana',
        additionalVersions: '3.12,*',
        artifactUrl: 'ftp://mirror.example/a.tgz',
        sha256: 'ABC',
        wheelhouseUrl: 'http://plain.example/w.tgz',
        setAsDefault: 'yes',
        downloadTimeout: '0',
      }),
    ).toEqual([
      'version "banana" is not a CPython version: use latest, a minor version such as 3.13, a full one such as 3.13.5, or none',
      'additionalVersions entry "*" is not a CPython version: use a comma-separated list such as 3.12,3.11.2',
      'artifactUrl has an unsupported scheme ftp: use https://, http:// or oci:// with sha256, or an absolute path',
      'sha256 is not a sha256 digest: the 64 lowercase hex characters sha256sum prints',
      'wheelhouseUrl is plain http and wheelhouseSha256 is not set: the digest would come from the same unauthenticated server',
      'setAsDefault is a boolean: true or false',
      'downloadTimeout "0" is not a positive whole number of seconds',
    ]);
    expect(problems({ artifactUrl: 'https://example.invalid/a b.tgz' })[0]).toContain(
      'contains characters a URL or path does not need',
    );
  });

  it('checks URLs against the same characters install.sh does (one constant fills both)', () => {
    const installSh = renderFeature({
      manifest: { artifacts: [] },
      version: '1.0.0',
      featureReference: './installer',
    }).files['install.sh'];
    expect(installSh).toContain(`URL_CHARS='${URL_CHARS}'`);
  });
});

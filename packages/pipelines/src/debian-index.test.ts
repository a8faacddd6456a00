import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type PinnedLibrary, pinnedLibraries, type VersionsManifest } from '@cpython-prebuilt/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compareLibrariesWithDebian,
  compareWithDebian,
  debianCpythonReleases,
  debianUpdateDue,
  type LibraryComparison,
  libraryReleasesIn,
  requireAgreement,
} from './debian-index.ts';
import { type LocalDebianArchive, startLocalDebianArchive } from './local-debian-archive.ts';

// A Sources index with python3.13 and python3.15, published by a Debian archive in miniature on
// loopback (local-debian-archive.ts: InRelease clear-signed by a throwaway archive key).
const sha = (digest: string) => digest.repeat(64).slice(0, 64);
const sources = `Package: python3.13
Version: 3.13.18-1
Directory: pool/main/p/python3.13
Checksums-Sha256:
 ${sha('1')} 2000 python3.13_3.13.18-1.dsc
 ${sha('a')} 22000000 python3.13_3.13.18.orig.tar.xz
 ${sha('2')} 300000 python3.13_3.13.18-1.debian.tar.xz

Package: python3.15
Version: 3.15.2-1
Directory: pool/main/p/python3.15
Checksums-Sha256:
 ${sha('b')} 23000000 python3.15_3.15.2.orig.tar.xz

Package: python3-defaults
Version: 3.13.7-1
Directory: pool/main/p/python3-defaults
Checksums-Sha256:
 ${sha('c')} 100 python3-defaults_3.13.7.tar.gz
`;

let archive: LocalDebianArchive;
let work: string;
let url: string;

beforeAll(async () => {
  archive = await startLocalDebianArchive();
  url = archive.mirror;
  work = await mkdtemp(join(tmpdir(), 'debian-index-'));
}, 120_000);

afterAll(async () => {
  await archive?.close();
  await rm(work, { recursive: true, force: true });
});

const read = () => debianCpythonReleases({ mirror: url, suite: 'sid', keyring: archive.keyring, workDir: work });

describe("Debian's signed source index as a record of CPython releases", () => {
  it('reads each python3.X orig tarball and its sha256 through InRelease -> Sources.xz', async () => {
    archive.publish('sid', sources);
    expect(await read()).toEqual([
      {
        package: 'python3.13',
        version: '3.13.18',
        origFile: 'python3.13_3.13.18.orig.tar.xz',
        sha256: sha('a'),
        url: `${url}/pool/main/p/python3.13/python3.13_3.13.18.orig.tar.xz`,
      },
      {
        package: 'python3.15',
        version: '3.15.2',
        origFile: 'python3.15_3.15.2.orig.tar.xz',
        sha256: sha('b'),
        url: `${url}/pool/main/p/python3.15/python3.15_3.15.2.orig.tar.xz`,
      },
    ]);
  });

  it('warns when the signed index is past its Valid-Until (a frozen mirror), and still reads its digests', async () => {
    const warnings: string[] = [];
    const logger = { ...createLogger('test'), warn: (message: string) => warnings.push(message) };
    archive.publish('sid', sources, { validUntil: new Date(Date.now() + 86_400_000) });
    await debianCpythonReleases({ mirror: url, suite: 'sid', keyring: archive.keyring, workDir: work, logger });
    expect(warnings).toEqual([]);
    archive.publish('sid', sources, { validUntil: new Date('2026-11-06T08:08:01Z') });
    const releases = await debianCpythonReleases({ mirror: url, suite: 'sid', keyring: archive.keyring, workDir: work, logger });
    expect(releases.map((release) => release.version)).toEqual(['3.13.18', '3.15.2']);
    expect(warnings).toEqual([
      `${url}/dists/sid/InRelease expired on 2026-11-06T08:08:01.000Z (its Valid-Until; made 2026-10-30T08:08:01.000Z): the mirror serves an index the archive no longer vouches for as current, so a release after that date may be missing from it; the digests it lists are still the archive's (signature and hashes checked). Use an up-to-date mirror (SETUP_MIRROR=)`,
    ]);
  });

  it('refuses an InRelease signed by a key outside the archive keyring', async () => {
    archive.publish('sid', sources, { signer: 'intruder' });
    await expect(read()).rejects.toMatchObject({
      code: 'SIGNATURE_INVALID',
      message: expect.stringContaining('does not carry a valid signature'),
    });
  });

  it('refuses a Sources.xz whose sha256 is not the one the signed InRelease gives', async () => {
    archive.publish('sid', sources, { sourcesSha256: sha('e') });
    await expect(read()).rejects.toMatchObject({
      code: 'CHECKSUM_MISMATCH',
      message: expect.stringContaining(`the signed InRelease says ${sha('e')}`),
    });
  });

  it('compares the pins with it: behind, current, and a disagreeing digest refused with both values', async () => {
    archive.publish('sid', sources);
    const debian = await read();
    const pin = (version: string, digest: string) => ({
      version,
      sha256: digest,
      url: `https://www.python.org/ftp/python/${version}/Python-${version}.tar.xz`,
      released: '2026-12-01',
      mirrors: [],
      digestSources: [],
    });
    const manifest = { lines: [], releases: [pin('3.13.15', sha('f')), pin('3.15.2', sha('b'))] } as unknown as VersionsManifest;
    expect(compareWithDebian(manifest, debian).map((entry) => [entry.line, entry.pinned, entry.state, entry.digest])).toEqual([
      ['3.13', '3.13.15', 'behind', 'not pinned'],
      ['3.15', '3.15.2', 'current', 'agrees'],
    ]);
    expect(requireAgreement(manifest, debian)).toEqual(['3.15.2']);
    const wrong = { lines: [], releases: [pin('3.13.18', sha('9'))] } as unknown as VersionsManifest;
    expect(() => requireAgreement(wrong, debian)).toThrow(
      `the manifest pins sha256 ${sha('9')}, Debian's signed index gives ${sha('a')}`,
    );
  });
});

describe("Debian's source index as a record of the pinned libraries (security rebuilds)", () => {
  const pin = pinnedLibraries.find((library) => library.name === 'openssl') as PinnedLibrary;
  const index = (...entries: [version: string, digest: string][]) =>
    entries
      .map(
        ([version, digest]) => `Package: openssl
Version: ${version}-1
Directory: pool/main/o/openssl
Checksums-Sha256:
 ${sha('9')} 2700 openssl_${version}-1.dsc
 ${digest} 53000000 openssl_${version}.orig.tar.gz
 ${sha('8')} 833 openssl_${version}.orig.tar.gz.asc
`,
      )
      .join('\n');
  const read = (text: string) => libraryReleasesIn(text, 'http://mirror.invalid/debian', [pin]);

  it("reads each orig tarball of the pin's source package, not its signature or other packages", () => {
    expect(read(`${index(['3.5.7', pin.sha256])}\n${sources}`)).toEqual([
      {
        library: 'openssl',
        version: '3.5.7',
        origFile: 'openssl_3.5.7.orig.tar.gz',
        sha256: pin.sha256,
        url: 'http://mirror.invalid/debian/pool/main/o/openssl/openssl_3.5.7.orig.tar.gz',
        source: { package: 'openssl', version: '3.5.7-1', suite: 'sid' },
      },
    ]);
  });

  it('is current when Debian records nothing newer in the line; a newer line (3.6) is not a rebuild', () => {
    const [comparison] = compareLibrariesWithDebian([pin], read(index(['3.5.7', pin.sha256], ['3.6.3', sha('6')])));
    expect(comparison).toMatchObject({ library: 'openssl', pinned: '3.5.7', state: 'current', digest: 'agrees' });
    const check = { mirror: '', suites: ['sid'], agreed: [], comparisons: [], libraries: [comparison as LibraryComparison] };
    expect(debianUpdateDue(check)).toBeUndefined();
  });

  it('reports a newer patch release of the line as a security rebuild due, naming library, versions and the fix', () => {
    const comparisons = compareLibrariesWithDebian([pin], read(index(['3.5.7', pin.sha256], ['3.5.9', sha('5')])));
    expect(comparisons[0]).toMatchObject({ state: 'behind', debian: { version: '3.5.9' } });
    const error = debianUpdateDue({ mirror: '', suites: ['sid'], agreed: [], comparisons: [], libraries: comparisons });
    expect(error).toMatchObject({
      code: 'UPDATE_DUE',
      message: 'Debian records security rebuilds due, bundled libraries behind their line: openssl 3.5.9 (pinned 3.5.7)',
      fix: expect.stringContaining('rebuild every artifact with the next build number'),
    });
  });

  it('refuses a record of the pinned file whose sha256 differs from the pin, with both values', () => {
    expect(() => compareLibrariesWithDebian([pin], read(index(['3.5.7', sha('d')])))).toThrow(
      expect.objectContaining({
        code: 'CHECKSUM_MISMATCH',
        message: `openssl 3.5.7: the pin is sha256 ${pin.sha256}, Debian's signed index gives ${sha('d')} for openssl_3.5.7.orig.tar.gz`,
      }),
    );
  });
});

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VersionsManifest } from '@cpython-prebuilt/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareWithDebian, debianCpythonReleases, requireAgreement } from './debian-index.ts';

// A Debian archive in miniature, served on loopback: a Sources index with python3.13 and
// python3.15, xz-compressed, listed with its sha256 and size in a Release file that a throwaway
// archive key clear-signs into InRelease, as Debian's archive does (and gpgv checks the same way).
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

let dir: string;
let gnupg: string;
let url: string;
let close: () => void;
const files = new Map<string, Buffer>();

function gpg(args: string[], input?: string): Buffer {
  return execFileSync(
    'gpg',
    ['--homedir', gnupg, '--batch', '--quiet', '--pinentry-mode', 'loopback', '--passphrase', '', ...args],
    {
      input,
    },
  );
}

async function publish(release: (sourcesXz: Buffer) => string, signer = 'archive@example.invalid'): Promise<void> {
  const sourcesXz = execFileSync('xz', ['--compress', '--stdout'], { input: sources });
  files.set('/debian/dists/sid/main/source/Sources.xz', sourcesXz);
  files.set('/debian/dists/sid/InRelease', gpg(['--local-user', signer, '--clearsign'], release(sourcesXz)));
}

const releaseOf = (xz: Buffer, digest = createHash('sha256').update(xz).digest('hex')) =>
  `Origin: Debian\nSuite: unstable\nCodename: sid\nSHA256:\n ${sha('d')} 1234 main/binary-amd64/Packages.xz\n ${digest} ${xz.length} main/source/Sources.xz\n`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'debian-index-'));
  gnupg = join(dir, 'gnupg');
  await mkdir(gnupg, { mode: 0o700 });
  for (const email of ['archive@example.invalid', 'intruder@example.invalid']) {
    gpg(['--quick-generate-key', `test archive <${email}>`, 'ed25519', 'sign', '1y']);
  }
  await writeFile(join(dir, 'archive.gpg'), gpg(['--export', 'archive@example.invalid']));
  const server = createServer((request, response) => {
    const body = files.get(request.url ?? '');
    response.writeHead(body ? 200 : 404).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/debian`;
  close = () => server.close();
}, 120_000);

afterAll(async () => {
  close?.();
  await rm(dir, { recursive: true, force: true });
});

const read = () =>
  debianCpythonReleases({ mirror: url, suite: 'sid', keyring: join(dir, 'archive.gpg'), workDir: join(dir, 'work') });

describe("Debian's signed source index as a record of CPython releases", () => {
  it('reads each python3.X orig tarball and its sha256 through InRelease -> Sources.xz', async () => {
    await publish((xz) => releaseOf(xz));
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

  it('refuses an InRelease signed by a key outside the archive keyring', async () => {
    await publish((xz) => releaseOf(xz), 'intruder@example.invalid');
    await expect(read()).rejects.toMatchObject({
      code: 'SIGNATURE_INVALID',
      message: expect.stringContaining('does not carry a valid signature'),
    });
  });

  it('refuses a Sources.xz whose sha256 is not the one the signed InRelease gives', async () => {
    await publish((xz) => releaseOf(xz, sha('e')));
    await expect(read()).rejects.toMatchObject({
      code: 'CHECKSUM_MISMATCH',
      message: expect.stringContaining(`the signed InRelease says ${sha('e')}`),
    });
  });

  it('compares the pins with it: behind, current, and a disagreeing digest refused with both values', async () => {
    await publish((xz) => releaseOf(xz));
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

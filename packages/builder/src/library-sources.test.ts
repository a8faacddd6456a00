import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyPair, createLogger, type PinnedLibrary, pinnedLibraries, signerFromArmored } from '@cpython-prebuilt/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { obtainLibrarySources } from './library-sources.ts';

const logger = createLogger('test');
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

describe('obtainLibrarySources', () => {
  let work: string;
  let keysDir: string;
  let mirror: string;
  let upstream: string;
  const tarball = Buffer.from('openssl 9.9.9 source bytes');
  /** Path -> body served on loopback; each request is counted. */
  const served = new Map<string, Buffer | string>();
  const requests: string[] = [];
  let pin: PinnedLibrary;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'library-sources-'));
    keysDir = join(work, 'keys');
    const projectKey = await createKeyPair({ name: 'library release key', email: 'release@example.invalid' });
    await mkdir(keysDir, { recursive: true });
    await writeFile(join(keysDir, 'release.asc'), projectKey.publicArmored);
    const signature = await (await signerFromArmored(projectKey.privateArmored)).sign(tarball);
    const server = createServer((request, response) => {
      requests.push(request.url ?? '');
      // /slow/...: the same files, a byte every 2 ms, so that two downloads surely overlap.
      const slow = request.url?.startsWith('/slow/') ?? false;
      const body = served.get(slow ? (request.url ?? '').slice('/slow'.length) : (request.url ?? ''));
      if (body === undefined) response.writeHead(404).end();
      else if (!slow) response.writeHead(200).end(body);
      else {
        const bytes = Buffer.from(body);
        response.writeHead(200, { 'content-length': bytes.length });
        let sent = 0;
        const timer = setInterval(() => {
          if (sent < bytes.length) response.write(bytes.subarray(sent, ++sent));
          else {
            clearInterval(timer);
            response.end();
          }
        }, 2);
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    mirror = `${root}/debian`;
    upstream = `${root}/upstream/openssl-9.9.9.tar.gz`;
    pin = {
      ...(pinnedLibraries[0] as PinnedLibrary),
      version: '9.9.9',
      sha256: sha256(tarball),
      url: upstream,
      debian: { directory: 'pool/main/o/openssl', file: 'openssl_9.9.9.orig.tar.gz', repack: false },
      signingKey: { file: 'release.asc', fingerprint: projectKey.fingerprint.toUpperCase() },
    };
    served.set('/debian/pool/main/o/openssl/openssl_9.9.9.orig.tar.gz', tarball);
    served.set('/debian/pool/main/o/openssl/openssl_9.9.9.orig.tar.gz.asc', signature);
    served.set('/upstream/openssl-9.9.9.tar.gz', tarball);
    served.set('/upstream/openssl-9.9.9.tar.gz.asc', signature);
    return async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(work, { recursive: true, force: true });
    };
  });

  const sourcesDir = async () => mkdtemp(join(work, 'sources-'));

  it('fetches a missing tarball and its signature from the Debian mirror, verifies both, keeps them, and uses them next time', async () => {
    const dir = await sourcesDir();
    const before = requests.length;
    const [obtained] = await obtainLibrarySources({ sourcesDir: dir, mirror, keysDir, libraries: [pin], logger });
    expect(obtained?.path).toBe(join(dir, 'openssl_9.9.9.orig.tar.gz'));
    expect(obtained?.checks).toEqual(['sha256', `openpgp:${pin.signingKey.fingerprint}`]);
    expect(requests.slice(before)).toEqual([
      '/debian/pool/main/o/openssl/openssl_9.9.9.orig.tar.gz',
      '/debian/pool/main/o/openssl/openssl_9.9.9.orig.tar.gz.asc',
    ]);
    expect(await readFile(join(dir, 'openssl_9.9.9.orig.tar.gz'))).toEqual(tarball);
    const again = requests.length;
    await obtainLibrarySources({ sourcesDir: dir, mirror, keysDir, libraries: [pin], logger });
    expect(requests.length).toBe(again);
  });

  it('gives two builds fetching the same tarball at once (the test fixtures do) the verified file each, and leaves no partial file', async () => {
    const dir = await sourcesDir();
    const slowMirror = mirror.replace('/debian', '/slow/debian');
    const both = await Promise.all(
      [1, 2].map(() => obtainLibrarySources({ sourcesDir: dir, mirror: slowMirror, keysDir, libraries: [pin], logger })),
    );
    for (const [obtained] of both) expect(obtained?.checks).toEqual(['sha256', `openpgp:${pin.signingKey.fingerprint}`]);
    expect(await readFile(join(dir, 'openssl_9.9.9.orig.tar.gz'))).toEqual(tarball);
    expect((await readdir(dir)).sort()).toEqual(['openssl_9.9.9.orig.tar.gz', 'openssl_9.9.9.orig.tar.gz.asc']);
  });

  it("takes upstream's copy when the mirror serves other bytes, and keeps none of the mirror's", async () => {
    const dir = await sourcesDir();
    served.set('/debian/pool/main/o/openssl/openssl_9.9.9.orig.tar.gz', 'tampered');
    try {
      const before = requests.length;
      const [obtained] = await obtainLibrarySources({ sourcesDir: dir, mirror, keysDir, libraries: [pin], logger });
      expect(await readFile(obtained?.path ?? '')).toEqual(tarball);
      expect(requests.slice(before)).toContain('/upstream/openssl-9.9.9.tar.gz');
      expect((await readdir(dir)).sort()).toEqual(['openssl_9.9.9.orig.tar.gz', 'openssl_9.9.9.orig.tar.gz.asc']);
    } finally {
      served.set('/debian/pool/main/o/openssl/openssl_9.9.9.orig.tar.gz', tarball);
    }
  });

  it('refuses a local tarball that differs from the pin, naming the file and the fix', async () => {
    const dir = await sourcesDir();
    await writeFile(join(dir, 'openssl_9.9.9.orig.tar.gz'), 'other bytes');
    await expect(obtainLibrarySources({ sourcesDir: dir, mirror, keysDir, libraries: [pin], logger })).rejects.toMatchObject({
      code: 'CHECKSUM_MISMATCH',
      message: expect.stringContaining(`${join(dir, 'openssl_9.9.9.orig.tar.gz')} has sha256 ${sha256('other bytes')}`),
      fix: expect.stringContaining('delete'),
    });
  });

  it('refuses a tarball whose signature was made by another key', async () => {
    const dir = await sourcesDir();
    const stranger = await createKeyPair({ name: 'stranger', email: 'x@example.invalid' });
    await writeFile(join(dir, 'openssl_9.9.9.orig.tar.gz'), tarball);
    await writeFile(
      join(dir, 'openssl_9.9.9.orig.tar.gz.asc'),
      await (await signerFromArmored(stranger.privateArmored)).sign(tarball),
    );
    await expect(obtainLibrarySources({ sourcesDir: dir, mirror, keysDir, libraries: [pin], logger })).rejects.toMatchObject({
      code: 'SIGNATURE_INVALID',
    });
  });

  it('fails naming every source tried when none serves the pinned bytes', async () => {
    const dir = await sourcesDir();
    const missing = { ...pin, debian: { ...pin.debian, file: 'openssl_9.9.8.orig.tar.gz' }, url: `${upstream}.gone` };
    await expect(obtainLibrarySources({ sourcesDir: dir, mirror, keysDir, libraries: [missing], logger })).rejects.toMatchObject({
      code: 'DOWNLOAD_FAILED',
      message: expect.stringMatching(/openssl_9\.9\.8\.orig\.tar\.gz: .*HTTP 404.*openssl-9\.9\.9\.tar\.gz\.gone: .*HTTP 404/),
    });
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('the pinned OpenSSL', () => {
  it("is the tarball OpenSSL signed, verified with the OpenSSL project's key (expired 2026-09-08, after it signed)", async () => {
    // Fetched from the machine's Debian mirror into the sources folder when missing.
    const [openssl] = await obtainLibrarySources({ logger });
    expect(openssl?.pin).toMatchObject({ name: 'openssl', version: expect.stringMatching(/^3\.5\.\d+$/) });
    expect(openssl?.checks).toEqual(['sha256', 'openpgp:BA5473A2B0587B07FB27CF2D216094DFD0CB81EF']);
  }, 300_000);
});

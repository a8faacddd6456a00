import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CpythonPrebuiltError, createLogger } from '@cpython-prebuilt/core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { obtainSource } from './source.ts';

const PAYLOAD = Buffer.from('not really a tarball, but bytes with a known digest\n'.repeat(5000));
const PAYLOAD_SHA256 = createHash('sha256').update(PAYLOAD).digest('hex');
const logger = createLogger('test');

/** The CpythonPrebuiltError a promise rejects with; fails the test if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<CpythonPrebuiltError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof CpythonPrebuiltError)) throw new Error(`expected a CpythonPrebuiltError, got ${String(outcome)}`);
  return outcome;
}

/** A real HTTP server on loopback; `routes` maps a path to a handler step list. */
async function serve(handler: (path: string, hits: number) => { status: number; body?: Buffer }): Promise<string> {
  const hits = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    const path = request.url ?? '/';
    const count = (hits.get(path) ?? 0) + 1;
    hits.set(path, count);
    const { status, body } = handler(path, count);
    response.writeHead(status, body ? { 'content-length': body.length } : {});
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('obtaining the source', () => {
  it("takes Debian's pristine tarball from the sources folder when its bytes match the pin, and nothing else", async () => {
    const sourcesDir = await mkdtemp(join(tmpdir(), 'sources-'));
    const cacheDir = await mkdtemp(join(tmpdir(), 'cache-'));
    // A look-alike with other bytes is skipped: the .gz candidate is tried next and matches.
    await writeFile(join(sourcesDir, 'python3.99_3.99.0.orig.tar.xz'), 'other bytes');
    await writeFile(join(sourcesDir, 'python3.99_3.99.0.orig.tar.gz'), PAYLOAD);
    const source = await obtainSource({ version: '3.99.0', sha256: PAYLOAD_SHA256, cacheDir, sourcesDir, logger });
    expect(source.path).toBe(join(sourcesDir, 'python3.99_3.99.0.orig.tar.gz'));
    expect(source.sha256).toBe(PAYLOAD_SHA256);
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('downloads from a mirror URL, verifies the pin and reuses the cache afterwards', async () => {
    let downloads = 0;
    const url = await serve(() => {
      downloads++;
      return { status: 200, body: PAYLOAD };
    });
    const cacheDir = await mkdtemp(join(tmpdir(), 'cache-'));
    const request = { version: '3.99.0', sha256: PAYLOAD_SHA256, sourceUrl: `${url}/Python-3.99.0.tar.xz`, cacheDir, logger };
    const first = await obtainSource(request);
    expect(first.sha256).toBe(PAYLOAD_SHA256);
    expect(await readFile(first.path)).toEqual(PAYLOAD);
    const second = await obtainSource(request);
    expect(second.path).toBe(first.path);
    expect(downloads).toBe(1);
  });

  it('retries a 503 and succeeds on the next attempt', async () => {
    const url = await serve((_path, hits) => (hits === 1 ? { status: 503 } : { status: 200, body: PAYLOAD }));
    const cacheDir = await mkdtemp(join(tmpdir(), 'cache-'));
    const source = await obtainSource({
      version: '3.99.0',
      sha256: PAYLOAD_SHA256,
      sourceUrl: `${url}/x.tar.xz`,
      cacheDir,
      logger,
    });
    expect(source.sha256).toBe(PAYLOAD_SHA256);
  });

  it('stops at once on a 404 and says so', async () => {
    let hits = 0;
    const url = await serve(() => {
      hits++;
      return { status: 404 };
    });
    const cacheDir = await mkdtemp(join(tmpdir(), 'cache-'));
    const error = await rejection(
      obtainSource({ version: '3.99.0', sha256: PAYLOAD_SHA256, sourceUrl: `${url}/missing.tar.xz`, cacheDir, logger }),
    );
    expect(error.code).toBe('DOWNLOAD_FAILED');
    expect(error.message).toBe(`GET ${url}/missing.tar.xz answered HTTP 404`);
    expect(hits).toBe(1);
  });

  it('removes a download that fails verification and reports both digests', async () => {
    const url = await serve(() => ({ status: 200, body: Buffer.from('evil') }));
    const cacheDir = await mkdtemp(join(tmpdir(), 'cache-'));
    const error = await rejection(
      obtainSource({ version: '3.99.0', sha256: PAYLOAD_SHA256, sourceUrl: `${url}/x.tar.xz`, cacheDir, logger }),
    );
    expect(error.code).toBe('CHECKSUM_MISMATCH');
    expect(error.message).toContain(`expected ${PAYLOAD_SHA256}, actual `);
    expect(await readdir(join(cacheDir, 'downloads'))).toEqual([]);
  });

  it('verifies a local file against the pin and never deletes it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'local-'));
    const path = join(dir, 'Python-3.13.5.tar.xz');
    await writeFile(path, 'wrong bytes');
    const error = await rejection(obtainSource({ version: '3.13.5', sourcePath: path, cacheDir: dir, logger }));
    expect(error.code).toBe('CHECKSUM_MISMATCH');
    expect(existsSync(path)).toBe(true);
    const missing = await rejection(
      obtainSource({ version: '3.13.5', sourcePath: join(dir, 'nope.tar.xz'), cacheDir: dir, logger }),
    );
    expect(missing.code).toBe('SOURCE_NOT_FOUND');
  });
});

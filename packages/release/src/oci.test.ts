import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, loadArtifact } from '@cpython-prebuilt/core';
import { makeTestArtifact } from '@cpython-prebuilt/core/test-artifact';
import { describe, expect, it, onTestFinished } from 'vitest';
import { mayReceiveCredentials, OciClient, OciError, parseOciReference } from './oci.ts';

const logger = createLogger('test');
const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  bytes: number;
}

/** A loopback HTTP server recording what it was sent; `handle` answers (after the body is read). */
async function server(
  handle: (request: IncomingMessage, body: Buffer, response: ServerResponse, port: number) => void,
): Promise<{ port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  let port = 0;
  const http = createServer(async (request, response) => {
    const body = await readBody(request);
    seen.push({
      method: request.method ?? '',
      url: request.url ?? '',
      authorization: request.headers.authorization,
      bytes: body.length,
    });
    handle(request, body, response, port);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  port = (http.address() as AddressInfo).port;
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  );
  return { port, seen };
}

/**
 * A registry stand-in on 127.0.0.1 with Bearer token auth (its token service on the same
 * server), misbehaving on request: a token that expires at the first blob PUT, an upload
 * Location on another host, a manifest that does not match the digest asked for.
 */
async function registryStandIn(options: { expireAtFirstPut?: boolean; uploadTo?: string; wrongManifest?: boolean }) {
  const manifests = new Map<string, Buffer>();
  let putsRefused = 0;
  const blobs = new Map<string, number>();
  const registry = await server((request, body, response, port) => {
    const url = new URL(request.url ?? '/', 'http://x');
    if (url.pathname === '/token') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: 'good-token' }));
      return;
    }
    const challenge = () =>
      response
        .writeHead(401, {
          'www-authenticate': `Bearer realm="http://127.0.0.1:${port}/token",service="stand-in",scope="repository:octo/a:pull,push"`,
        })
        .end();
    if (request.headers.authorization !== 'Bearer good-token') return challenge();
    if (request.method === 'HEAD') return response.writeHead(404).end();
    if (request.method === 'POST' && url.pathname.endsWith('/blobs/uploads/')) {
      response.writeHead(202, { location: options.uploadTo ?? `/v2/octo/a/blobs/uploads/1` }).end();
      return;
    }
    if (request.method === 'PUT' && url.pathname.includes('/blobs/uploads/')) {
      if (options.expireAtFirstPut && putsRefused === 0) {
        putsRefused++;
        return challenge();
      }
      const digest = url.searchParams.get('digest') ?? '';
      if (sha256(body) !== digest) return response.writeHead(400).end('DIGEST_INVALID');
      blobs.set(digest, body.length);
      return response.writeHead(201).end();
    }
    const manifest = /^\/v2\/octo\/a\/manifests\/(.+)$/.exec(url.pathname)?.[1];
    if (manifest && request.method === 'PUT') {
      manifests.set(manifest, body);
      manifests.set(sha256(body), body);
      return response.writeHead(201).end();
    }
    if (manifest && request.method === 'GET') {
      const stored = manifests.get(manifest);
      if (!stored) return response.writeHead(404).end();
      const served = options.wrongManifest
        ? Buffer.from(stored.toString().replace('"schemaVersion":2', '"schemaVersion":2 '))
        : stored;
      return response.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end(served);
    }
    response.writeHead(404).end();
  });
  return { ...registry, blobs, manifests };
}

async function artifact() {
  const made = await makeTestArtifact({ content: 'x'.repeat(200_000) });
  onTestFinished(() => rm(made.dir, { recursive: true, force: true }));
  return loadArtifact(made.path);
}

describe('OciClient against a misbehaving registry on loopback', () => {
  it('re-sends the whole blob from a fresh stream when the token expires during the upload', async () => {
    const registry = await registryStandIn({ expireAtFirstPut: true });
    const loaded = await artifact();
    const client = new OciClient({ logger });
    await client.pushArtifact(parseOciReference(`oci://127.0.0.1:${registry.port}/octo/a:t1`), loaded);
    const puts = registry.seen.filter(
      (request) => request.method === 'PUT' && request.url.includes(`digest=sha256%3A${loaded.sha256}`),
    );
    expect(puts.map((request) => request.bytes)).toEqual([200_000, 200_000]);
    expect(registry.blobs.get(`sha256:${loaded.sha256}`)).toBe(200_000);
  });

  it('does not send the bearer token to an upload Location on another host', async () => {
    const storage = await server((_request, _body, response) => response.writeHead(201).end());
    const registry = await registryStandIn({ uploadTo: `http://localhost:${storage.port}/upload/1` });
    const client = new OciClient({ logger });
    await client.pushArtifact(parseOciReference(`oci://127.0.0.1:${registry.port}/octo/a:t1`), await artifact());
    expect(storage.seen.length).toBeGreaterThan(0);
    expect(storage.seen.map((request) => request.authorization)).toEqual(storage.seen.map(() => undefined));
    // The registry itself did get it.
    expect(registry.seen.some((request) => request.authorization === 'Bearer good-token')).toBe(true);
  });

  it('refuses a digest-pinned manifest whose bytes have another digest', async () => {
    const registry = await registryStandIn({ wrongManifest: true });
    const client = new OciClient({ logger });
    const digest = await client.pushArtifact(parseOciReference(`oci://127.0.0.1:${registry.port}/octo/a:t1`), await artifact());
    const pinned = parseOciReference(`oci://127.0.0.1:${registry.port}/octo/a@${digest}`);
    const outcome = await client.getManifest(pinned).catch((caught: unknown) => caught);
    expect(outcome).toBeInstanceOf(OciError);
    expect((outcome as OciError).code).toBe('CHECKSUM_MISMATCH');
    expect((outcome as OciError).message).toContain(
      `the manifest of oci://127.0.0.1:${registry.port}/octo/a@${digest} has digest sha256:`,
    );
    const work = await mkdtemp(join(tmpdir(), 'oci-'));
    onTestFinished(() => rm(work, { recursive: true, force: true }));
    await expect(client.pullArtifact(pinned, join(work, 'a.tgz'))).rejects.toThrow(OciError);
  });
});

describe('where Basic credentials may go', () => {
  it('only to a token service on the registry host, over https (plain http only on this machine)', () => {
    expect(mayReceiveCredentials('ghcr.io', 'https://ghcr.io/token')).toBe(true);
    expect(mayReceiveCredentials('ghcr.io', 'http://ghcr.io/token')).toBe(false);
    expect(mayReceiveCredentials('ghcr.io', 'https://evil.example/token')).toBe(false);
    expect(mayReceiveCredentials('ghcr.io', 'https://ghcr.io.evil.example/token')).toBe(false);
    expect(mayReceiveCredentials('registry.example:5000', 'https://registry.example:5001/token')).toBe(true);
    expect(mayReceiveCredentials('localhost:5000', 'http://localhost:5001/token')).toBe(true);
    expect(mayReceiveCredentials('localhost:5000', 'http://127.0.0.1:5001/token')).toBe(false);
    expect(mayReceiveCredentials('[::1]:5000', 'http://[::1]:5001/token')).toBe(true);
    expect(mayReceiveCredentials('ghcr.io', 'not a url')).toBe(false);
  });
});

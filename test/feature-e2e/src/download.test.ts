import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { binaryKeyring, layout, run, trustedKeysWithExtra } from '@cpython-prebuilt/core';
import { renderFeature, writeFeatureFiles } from '@cpython-prebuilt/feature';
import { runInstallScript } from '@cpython-prebuilt/harness';
import { beforeAll, describe, expect, inject, it } from 'vitest';

interface LoopbackServer {
  url: string;
  requests: string[];
  close: () => Promise<void>;
}

/** /presigned/<file> answers only with this query token, as a presigned S3/GCS/SAS URL does. */
const PRESIGNED_TOKEN = 's3cret-query-token';

/**
 * Serves the fixture directory, plus failure routes: /redirect-http/<file> answers 302 to the
 * plain http server, /error500/<file> answers 500, /stall/<file> sends headers and ten bytes,
 * then nothing.
 */
function handler(dir: string, requests: string[], httpUrl: () => string) {
  return async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://x');
    const path = decodeURIComponent(url.pathname);
    requests.push(path);
    const [, route = '', ...rest] = path.split('/');
    if (route === 'presigned' && url.searchParams.get('token') !== PRESIGNED_TOKEN) {
      response.writeHead(403).end('the presigned token is missing');
      return;
    }
    if (route === 'redirect-http') {
      response.writeHead(302, { location: `${httpUrl()}/${rest.join('/')}` }).end();
      return;
    }
    if (route === 'error500') {
      response.writeHead(500).end('broken');
      return;
    }
    if (route === 'stall') {
      response.writeHead(200, { 'content-length': 1_000_000 });
      response.write(Buffer.alloc(10));
      return;
    }
    const file = join(dir, basename(path));
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, { 'content-length': info.size });
    createReadStream(file).pipe(response);
  };
}

/**
 * A forward proxy on loopback that tunnels CONNECT requests (what curl and wget send for an https
 * URL through a proxy), recording each `host:port` asked for.
 */
function connectProxy(seen: string[]): Server {
  const server = createServer((_request, response) => response.writeHead(405).end('CONNECT only'));
  server.on('connect', (request: IncomingMessage, socket, head: Buffer) => {
    seen.push(request.url ?? '');
    const [host = '', port = ''] = (request.url ?? '').split(':');
    const upstream = connectTcp(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  return server;
}

async function listen(server: Server, scheme: 'http' | 'https', requests: string[]): Promise<LoopbackServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A self-signed certificate for 127.0.0.1, made for this run, in `dir` (mounted as /certs); the
 * container trusts it through CURL_CA_BUNDLE (curl) and a wgetrc naming it (wget).
 */
async function makeCertificate(dir: string): Promise<{ cert: string; key: string }> {
  await mkdir(dir, { recursive: true });
  const cert = join(dir, 'ca.pem');
  const key = join(dir, 'key.pem');
  await writeFile(join(dir, 'wgetrc'), 'ca_certificate = /certs/ca.pem\n');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  return { cert, key };
}

describe('downloading the artifact from loopback HTTP and HTTPS servers', () => {
  let http: LoopbackServer;
  let https: LoopbackServer;
  let feature: string;
  let certificates: string;
  let proxy: LoopbackServer;
  const name = () => basename(inject('artifacts').python313);
  const digest = async () => (await readFile(`${inject('artifacts').python313}.sha256`, 'utf8')).split(' ')[0] ?? '';

  beforeAll(async () => {
    const dir = inject('artifacts').dir;
    const work = await mkdtemp(join(tmpdir(), 'download-'));
    certificates = join(work, 'certs');
    const { cert, key } = await makeCertificate(certificates);
    const httpRequests: string[] = [];
    http = await listen(createServer(handler(dir, httpRequests, () => http.url)), 'http', httpRequests);
    const httpsRequests: string[] = [];
    https = await listen(
      createHttpsServer(
        { cert: await readFile(cert), key: await readFile(key) },
        handler(dir, httpsRequests, () => http.url),
      ),
      'https',
      httpsRequests,
    );
    const proxyRequests: string[] = [];
    proxy = await listen(connectProxy(proxyRequests), 'http', proxyRequests);
    // The committed feature as users get it: no vendored artifact; it trusts the suite's signing
    // key, so the .asc the server has beside the artifact is checked.
    const rendered = renderFeature({
      manifest: { artifacts: [] },
      featureReference: './installer',
      version: '1.0.0',
      keyring: await binaryKeyring(await trustedKeysWithExtra(layout.keysDir)),
    });
    feature = await writeFeatureFiles(join(work, 'installer'), rendered.files, rendered.keyring);
    return async () => {
      await http.close();
      await https.close();
      await proxy.close();
      await rm(work, { recursive: true, force: true });
    };
  });

  const install = (options: Record<string, string>, image = 'local/debian:bookworm-curl', env: Record<string, string> = {}) =>
    runInstallScript({
      featureDir: feature,
      image,
      network: 'host',
      options: { version: '3.13.5', ...options },
      mounts: { [certificates]: '/certs' },
      env: { CURL_CA_BUNDLE: '/certs/ca.pem', WGETRC: '/certs/wgetrc', ...env },
      afterInstall: 'python3 -c "import ssl, sqlite3; print(\'works\')"',
    });

  it('installs from an https artifactUrl with the .sha256 published beside it, using curl', async () => {
    const result = await install({ artifactUrl: `${https.url}/${name()}` });
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain(`cpython-installer: sha256 verified against ${https.url}/${name()}.sha256`);
    expect(result.output).toContain(`OpenPGP signature verified: signed by key ${inject('artifacts').testKey.fingerprint}`);
    expect(result.output).toContain('works');
    expect(https.requests).toEqual(
      expect.arrayContaining([`/${name()}.sha256`, `/${name().replace('.tgz', '.json')}`, `/${name()}`, `/${name()}.asc`]),
    );
  });

  it('installs over plain http when the sha256 option pins the digest', async () => {
    const result = await install({ artifactUrl: `${http.url}/${name()}`, sha256: await digest() });
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain('cpython-installer: sha256 verified against the sha256 option');
    expect(result.output).toContain('works');
  });

  it('refuses an https to http redirect when the digest is not pinned', async () => {
    const result = await install({ artifactUrl: `${https.url}/redirect-http/${name()}` });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(`cpython-installer: error: cannot fetch ${https.url}/redirect-http/${name()}.sha256 (`);
    expect(result.output).toContain('only https redirects are followed), and the sha256 option is not set');
    expect(result.leftovers).toEqual([]);
  });

  it('fails on an HTTP 404 with the status and the URL in the error, leaving nothing behind', async () => {
    const result = await install({ artifactUrl: `${http.url}/missing.tgz`, sha256: 'a'.repeat(64) });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(`cpython-installer: error: downloading ${http.url}/missing.tgz failed (HTTP 404)`);
    expect(result.leftovers).toEqual([]);
  });

  it('never prints the credentials of an artifactUrl', async () => {
    const withCredentials = http.url.replace('http://', 'http://someone:s3cret-token@');
    const result = await install({ artifactUrl: `${withCredentials}/missing.tgz`, sha256: 'a'.repeat(64) });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(`cpython-installer: CPython 3.13.5 from ${http.url}/missing.tgz`);
    expect(result.output).toContain(`cpython-installer: error: downloading ${http.url}/missing.tgz failed (HTTP 404)`);
    expect(result.output).not.toContain('s3cret-token');
  });

  it("keeps a presigned URL's query on the .sha256, metadata and .asc beside the artifact, and never prints it", async () => {
    const result = await install({ artifactUrl: `${https.url}/presigned/${name()}?token=${PRESIGNED_TOKEN}` });
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain(`sha256 verified against ${https.url}/presigned/${name()}.sha256?<query hidden>`);
    expect(result.output).toContain(`OpenPGP signature verified: signed by key ${inject('artifacts').testKey.fingerprint}`);
    expect(result.output).not.toContain(PRESIGNED_TOKEN);
    expect(https.requests).toEqual(
      expect.arrayContaining([
        `/presigned/${name()}.sha256`,
        `/presigned/${name().replace('.tgz', '.json')}`,
        `/presigned/${name()}.asc`,
      ]),
    );
  });

  it('tells a missing .sha256 from one it cannot fetch', async () => {
    const missing = await install({ artifactUrl: `${https.url}/missing.tgz` });
    expect(missing.exitCode).toBe(1);
    expect(missing.output).toContain(
      `cpython-installer: error: no sha256 for ${https.url}/missing.tgz: the sha256 option is not set and ${https.url}/missing.tgz.sha256 does not exist (HTTP 404)`,
    );
    const broken = await install({ artifactUrl: `${https.url}/error500/${name()}` });
    expect(broken.exitCode).toBe(1);
    expect(broken.output).toContain(
      `cpython-installer: error: cannot fetch ${https.url}/error500/${name()}.sha256 (HTTP 500), and the sha256 option is not set`,
    );
  });

  it('gives up on a stalled download at the downloadTimeout deadline', { timeout: 120_000 }, async () => {
    const started = Date.now();
    const result = await install({ artifactUrl: `${http.url}/stall/${name()}`, sha256: 'a'.repeat(64), downloadTimeout: '3' });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(
      `cpython-installer: error: downloading ${http.url}/stall/${name()} failed (no complete answer within downloadTimeout (3 s))`,
    );
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(result.leftovers).toEqual([]);
  });

  // Docker, CI systems and corporate images set the upper-case names; wget reads only the
  // lower-case ones (it went straight to the server, past the proxy, before proxies_from_env).
  for (const [tool, image] of [
    ['curl', 'local/debian:bookworm-curl'],
    ['wget', 'local/debian:bookworm-wget'],
  ] as const) {
    it(`goes through the proxy HTTPS_PROXY names with ${tool}, and straight to a host NO_PROXY names`, async () => {
      const target = new URL(https.url).host;
      proxy.requests.length = 0;
      const proxied = await install({ artifactUrl: `${https.url}/${name()}` }, image, { HTTPS_PROXY: proxy.url });
      expect(proxied.exitCode, proxied.output).toBe(0);
      expect(proxied.output).toContain('works');
      // The artifact, its .sha256, metadata, .asc and signed statement: all through the tunnel.
      expect(proxy.requests.length).toBeGreaterThanOrEqual(4);
      expect(new Set(proxy.requests)).toEqual(new Set([target]));
      proxy.requests.length = 0;
      const direct = await install({ artifactUrl: `${https.url}/${name()}` }, image, {
        HTTPS_PROXY: proxy.url,
        NO_PROXY: '127.0.0.1',
      });
      expect(direct.exitCode, direct.output).toBe(0);
      expect(proxy.requests).toEqual([]);
    });
  }

  describe('with wget instead of curl', () => {
    const WGET = 'local/debian:bookworm-wget';

    it('installs from an https artifactUrl with the .sha256 published beside it', async () => {
      const result = await install({ artifactUrl: `${https.url}/${name()}` }, WGET);
      expect(result.exitCode, result.output).toBe(0);
      expect(result.output).toContain(`cpython-installer: sha256 verified against ${https.url}/${name()}.sha256`);
      expect(result.output).toContain('works');
    });

    it('refuses an https to http redirect when the digest is not pinned', async () => {
      const result = await install({ artifactUrl: `${https.url}/redirect-http/${name()}` }, WGET);
      expect(result.exitCode).toBe(1);
      expect(result.output).toContain(
        `cpython-installer: error: cannot fetch ${https.url}/redirect-http/${name()}.sha256 (the server redirected to plain http: ${http.url}/${name()}.sha256, refused), and the sha256 option is not set`,
      );
      expect(result.leftovers).toEqual([]);
    });

    it('fails on an HTTP 404 with the status and the URL in the error', async () => {
      const result = await install({ artifactUrl: `${http.url}/missing.tgz`, sha256: 'a'.repeat(64) }, WGET);
      expect(result.exitCode).toBe(1);
      expect(result.output).toContain(`cpython-installer: error: downloading ${http.url}/missing.tgz failed (HTTP 404)`);
      expect(result.leftovers).toEqual([]);
    });

    it('gives up on a stalled download at the downloadTimeout deadline', { timeout: 120_000 }, async () => {
      const started = Date.now();
      const result = await install(
        { artifactUrl: `${http.url}/stall/${name()}`, sha256: 'a'.repeat(64), downloadTimeout: '3' },
        WGET,
      );
      expect(result.exitCode).toBe(1);
      expect(result.output).toContain('(no complete answer within downloadTimeout (3 s))');
      expect(Date.now() - started).toBeLessThan(60_000);
      expect(result.leftovers).toEqual([]);
    });
  });

  it('names curl and wget when the image has neither', async () => {
    const result = await install({ artifactUrl: `${http.url}/x.tgz`, sha256: 'a'.repeat(64) }, 'local/debian:bookworm');
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain('cpython-installer: error: neither curl nor wget is installed, so');
    expect(result.leftovers).toEqual([]);
  });
});

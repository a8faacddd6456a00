import { createSign, generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '@cpython-prebuilt/core';

/**
 * A token service for a local registry, on 127.0.0.1: the Docker/OCI token protocol
 * (https://distribution.github.io/distribution/spec/auth/token/) that ghcr.io speaks. It answers
 * `GET /token?service=..&scope=repository:<name>:pull,push` with a JWT (RS256) that distribution's
 * `auth: token:` verifies: signed by a key whose self-signed certificate (made by openssl) is the
 * registry's `rootcertbundle`, carried in the JWT's `x5c` header. Anonymous callers get pull
 * access only; push needs the Basic credentials given here, as on ghcr.io.
 */
export interface RegistryTokenServer {
  /** e.g. http://localhost:<port>/token */
  realm: string;
  port: number;
  service: string;
  issuer: string;
  /** PEM file for the registry's `rootcertbundle`. */
  certPath: string;
  username: string;
  password: string;
  /** Every token request: the query and the Authorization header it carried, if any. */
  requests: { url: string; authorization: string | undefined }[];
  stop(): Promise<void>;
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export async function startRegistryTokenServer(
  options: { realmHost?: string; username?: string; password?: string } = {},
): Promise<RegistryTokenServer> {
  const dir = await mkdtemp(join(tmpdir(), 'registry-token-'));
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  await writeFile(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  await run('openssl', [
    'req',
    '-new',
    '-x509',
    '-key',
    keyPath,
    '-out',
    certPath,
    '-days',
    '2',
    '-subj',
    '/CN=cpython-prebuilt test token issuer',
  ]);
  const certDer = Buffer.from((await readFile(certPath, 'utf8')).replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, ''), 'base64');
  const service = 'cpython-prebuilt-local-registry';
  const issuer = 'cpython-prebuilt-test-token-issuer';
  const username = options.username ?? 'octo';
  const password = options.password ?? 'test-password';
  const requests: RegistryTokenServer['requests'] = [];

  const sign = (access: { type: string; name: string; actions: string[] }[]) => {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', x5c: [certDer.toString('base64')] };
    const claims = { iss: issuer, sub: 'test', aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomUUID(), access };
    const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const signature = createSign('RSA-SHA256').update(input).sign(privateKey);
    return `${input}.${base64url(signature)}`;
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    requests.push({ url: request.url ?? '/', authorization: request.headers.authorization });
    if (url.pathname !== '/token') {
      response.writeHead(404).end();
      return;
    }
    const authorization = request.headers.authorization;
    const authenticated = authorization === `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    if (authorization && !authenticated) {
      response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ details: 'bad credentials' }));
      return;
    }
    // scope=repository:octo/x:pull,push (repeatable); anonymous callers get pull only.
    const access = url.searchParams.getAll('scope').flatMap((scope) => {
      const match = /^repository:([^:]+):(.+)$/.exec(scope);
      if (!match?.[1] || !match[2]) return [];
      const actions = match[2].split(',').filter((action) => authenticated || action === 'pull');
      return [{ type: 'repository', name: match[1], actions }];
    });
    const token = sign(access);
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://${options.realmHost ?? 'localhost'}:${port}/token`,
    port,
    service,
    issuer,
    certPath,
    username,
    password,
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

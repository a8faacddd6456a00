import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { compress } from 'snappyjs';

/**
 * A stand-in for the GitHub REST endpoints `release` uses, on 127.0.0.1 (used by the tests and by
 * `phase3` when no GitHub account is given), following GitHub's documented contract
 * (https://docs.github.com/en/rest/releases): status codes, JSON shapes, the upload_url template,
 * 302 asset downloads, asset `state` ("uploaded", or "starter" for an upload that never finished),
 * and its error bodies (401 Bad credentials, 404 Not Found, 422 Validation Failed/already_exists,
 * rate limits with retry-after); and the attestations of a subject digest
 * (https://docs.github.com/en/rest/repos/attestations: each bundle inline, or at a bundle_url in
 * storage, snappy-compressed; 404 for a digest with none). It can fail part-way, as the real service does: a 5xx on the Nth
 * request, dropped connections, a half-finished upload, a token that stops working.
 * GitHub cannot be reached from these machines; the client under test is the production one.
 */
export interface StandInAsset {
  id: number;
  name: string;
  bytes: Buffer;
  /** "uploaded", or "starter" for an upload whose connection dropped. */
  state: 'uploaded' | 'starter';
  createdAt: Date;
}

export interface StandInRelease {
  id: number;
  tag_name: string;
  name: string;
  body: string;
  prerelease: boolean;
  assets: StandInAsset[];
}

export interface GitHubApiStandIn {
  url: string;
  owner: string;
  repo: string;
  token: string;
  releases: StandInRelease[];
  /** "METHOD /path?query" of every request, in arrival order. */
  requests: string[];
  /** The next `count` requests get a rate-limit answer with retry-after `seconds`. */
  rateLimitNext(count: number, seconds: number): void;
  /** Downloads of `name` return other bytes (a corrupted upload). */
  corruptDownloadsOf(name: string): void;
  /** The `nth` request from now (1 = the next one), and the `count - 1` after it, answer `status`. */
  failRequest(nth: number, status: number, count?: number): void;
  /** The next `count` requests lose their connection before an answer (ECONNRESET at the client). */
  resetNext(count: number): void;
  /** The next upload of `name` stores a "starter" asset and drops the connection, as a killed upload does. */
  halfUploadNext(name: string): void;
  /** From now on the token is refused with 401 Bad credentials (revoked or expired mid-run). */
  revokeToken(): void;
  /** Every API request waits this long first, so concurrent clients interleave. */
  setLatency(ms: number): void;
  /**
   * Stores an attestation (a Sigstore bundle) of the artifact with this sha256, as
   * actions/attest-build-provenance does; `inline: false` lists it by bundle_url only.
   */
  addAttestation(sha256: string, bundle: unknown, options?: { inline?: boolean }): void;
  close(): Promise<void>;
}

const json = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
};

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const alreadyExists = (resource: string, field: string) => ({
  message: 'Validation Failed',
  errors: [{ resource, code: 'already_exists', field }],
  documentation_url: 'https://docs.github.com/rest/releases/assets#upload-a-release-asset',
});

export async function startGitHubApiStandIn(
  options: { owner?: string; repo?: string; token?: string } = {},
): Promise<GitHubApiStandIn> {
  const owner = options.owner ?? 'octo';
  const repo = options.repo ?? 'cpython-prebuilt';
  const token = options.token ?? 'test-token';
  const releases: StandInRelease[] = [];
  const requests: string[] = [];
  let nextId = 1;
  let rateLimited = 0;
  let rateLimitSeconds = 1;
  let revoked = false;
  let latencyMs = 0;
  let resets = 0;
  /** Request numbers (1-based, counted over all requests) that answer a given status. */
  const failures = new Map<number, number>();
  const halfUploads = new Set<string>();
  const corrupted = new Set<string>();
  /** Attestations by subject digest ("sha256:<hex>"); stored bundles by their number in storage. */
  const attestations = new Map<string, { bundle: unknown; inline: boolean; stored: number }[]>();
  const storedBundles: Buffer[] = [];
  let base = '';

  const assetJson = (release: StandInRelease, asset: StandInAsset) => ({
    id: asset.id,
    name: asset.name,
    size: asset.bytes.length,
    state: asset.state,
    created_at: asset.createdAt.toISOString(),
    updated_at: asset.createdAt.toISOString(),
    url: `${base}/repos/${owner}/${repo}/releases/assets/${asset.id}`,
    browser_download_url: `${base}/${owner}/${repo}/releases/download/${release.tag_name}/${asset.name}`,
  });
  const releaseJson = (release: StandInRelease) => ({
    id: release.id,
    tag_name: release.tag_name,
    name: release.name,
    body: release.body,
    prerelease: release.prerelease,
    html_url: `${base}/${owner}/${repo}/releases/tag/${release.tag_name}`,
    upload_url: `${base}/uploads/repos/${owner}/${repo}/releases/${release.id}/assets{?name,label}`,
    assets: release.assets.map((asset) => assetJson(release, asset)),
  });
  const findAsset = (id: number) => {
    for (const release of releases) {
      const asset = release.assets.find((candidate) => candidate.id === id);
      if (asset) return { release, asset };
    }
    return undefined;
  };

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', base);
    const path = url.pathname;
    requests.push(`${request.method} ${path}${url.search}`);
    const number = requests.length;
    const prefix = `/repos/${owner}/${repo}`;
    const download = new RegExp(`^/${owner}/${repo}/releases/download/([^/]+)/([^/]+)$`).exec(path);
    if (download) {
      const release = releases.find((candidate) => candidate.tag_name === download[1]);
      const asset = release?.assets.find(
        (candidate) => candidate.name === decodeURIComponent(download[2] ?? '') && candidate.state === 'uploaded',
      );
      if (!asset) return json(response, 404, { message: 'Not Found' });
      const served = corrupted.has(asset.name) ? Buffer.concat([asset.bytes, Buffer.from('x')]) : asset.bytes;
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': served.length });
      return response.end(served);
    }
    // Attestation storage: pre-signed URLs, no token, snappy-compressed bundles.
    const stored = /^\/attestation-storage\/(\d+)$/.exec(path);
    if (stored) {
      const bytes = storedBundles[Number(stored[1])];
      if (!bytes) return json(response, 404, { message: 'Not Found' });
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
      return response.end(bytes);
    }
    if (latencyMs > 0) await sleep(latencyMs);
    if (resets > 0) {
      resets--;
      await readBody(request);
      return request.socket.destroy();
    }
    const failure = failures.get(number);
    if (failure !== undefined) {
      await readBody(request);
      return json(response, failure, { message: failure >= 500 ? 'Server Error' : 'Failure injected by the stand-in' });
    }
    if (revoked || request.headers.authorization !== `Bearer ${token}`) {
      return json(response, 401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
        status: '401',
      });
    }
    if (rateLimited > 0) {
      rateLimited--;
      response.writeHead(403, {
        'retry-after': String(rateLimitSeconds),
        'x-ratelimit-remaining': '0',
        'content-type': 'application/json',
      });
      return response.end(JSON.stringify({ message: 'You have exceeded a secondary rate limit.' }));
    }
    const byTag = new RegExp(`^${prefix}/releases/tags/([^/]+)$`).exec(path);
    if (request.method === 'GET' && byTag) {
      const release = releases.find((candidate) => candidate.tag_name === decodeURIComponent(byTag[1] ?? ''));
      return release ? json(response, 200, releaseJson(release)) : json(response, 404, { message: 'Not Found' });
    }
    if (request.method === 'POST' && path === `${prefix}/releases`) {
      const body = JSON.parse((await readBody(request)).toString('utf8')) as {
        tag_name: string;
        name: string;
        body: string;
        prerelease: boolean;
      };
      if (releases.some((release) => release.tag_name === body.tag_name)) {
        return json(response, 422, alreadyExists('Release', 'tag_name'));
      }
      const release: StandInRelease = {
        id: nextId++,
        tag_name: body.tag_name,
        name: body.name,
        body: body.body,
        prerelease: body.prerelease,
        assets: [],
      };
      releases.push(release);
      return json(response, 201, releaseJson(release));
    }
    const attested = new RegExp(`^${prefix}/attestations/(sha256:[0-9a-f]{64})$`).exec(path);
    if (request.method === 'GET' && attested) {
      const found = attestations.get(attested[1] ?? '') ?? [];
      if (found.length === 0)
        return json(response, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
      return json(response, 200, {
        attestations: found.map((entry) => ({
          ...(entry.inline ? { bundle: entry.bundle } : {}),
          repository_id: 1,
          bundle_url: `${base}/attestation-storage/${entry.stored}`,
        })),
      });
    }
    const list = new RegExp(`^${prefix}/releases/(\\d+)/assets$`).exec(path);
    if (request.method === 'GET' && list) {
      const release = releases.find((candidate) => candidate.id === Number(list[1]));
      if (!release) return json(response, 404, { message: 'Not Found' });
      const perPage = Number(url.searchParams.get('per_page') ?? 30);
      const page = Number(url.searchParams.get('page') ?? 1);
      return json(
        response,
        200,
        release.assets.slice((page - 1) * perPage, page * perPage).map((asset) => assetJson(release, asset)),
      );
    }
    const upload = new RegExp(`^/uploads${prefix}/releases/(\\d+)/assets$`).exec(path);
    if (request.method === 'POST' && upload) {
      const release = releases.find((candidate) => candidate.id === Number(upload[1]));
      const name = url.searchParams.get('name');
      if (!release || !name) return json(response, 404, { message: 'Not Found' });
      // The name is taken when the upload starts (GitHub keeps a "starter" asset if it never ends).
      if (release.assets.some((asset) => asset.name === name)) {
        await readBody(request);
        return json(response, 422, alreadyExists('ReleaseAsset', 'name'));
      }
      const asset: StandInAsset = { id: nextId++, name, bytes: Buffer.alloc(0), state: 'starter', createdAt: new Date() };
      release.assets.push(asset);
      const bytes = await readBody(request);
      if (halfUploads.delete(name)) {
        asset.bytes = bytes.subarray(0, Math.floor(bytes.length / 2));
        return request.socket.destroy();
      }
      asset.bytes = bytes;
      asset.state = 'uploaded';
      return json(response, 201, assetJson(release, asset));
    }
    const assetPath = new RegExp(`^${prefix}/releases/assets/(\\d+)$`).exec(path);
    if (assetPath) {
      const found = findAsset(Number(assetPath[1]));
      if (!found) return json(response, 404, { message: 'Not Found' });
      if (request.method === 'DELETE') {
        found.release.assets = found.release.assets.filter((asset) => asset !== found.asset);
        response.writeHead(204);
        return response.end();
      }
      if (request.headers.accept === 'application/octet-stream') {
        if (found.asset.state !== 'uploaded') return json(response, 404, { message: 'Not Found' });
        response.writeHead(302, { location: assetJson(found.release, found.asset).browser_download_url });
        return response.end();
      }
      return json(response, 200, assetJson(found.release, found.asset));
    }
    return json(response, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    owner,
    repo,
    token,
    releases,
    requests,
    rateLimitNext(count, seconds) {
      rateLimited = count;
      rateLimitSeconds = seconds;
    },
    corruptDownloadsOf(name) {
      corrupted.add(name);
    },
    failRequest(nth, status, count = 1) {
      for (let offset = 0; offset < count; offset++) failures.set(requests.length + nth + offset, status);
    },
    resetNext(count) {
      resets = count;
    },
    halfUploadNext(name) {
      halfUploads.add(name);
    },
    revokeToken() {
      revoked = true;
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    addAttestation(sha256, bundle, options = {}) {
      const key = `sha256:${sha256}`;
      storedBundles.push(compress(Buffer.from(JSON.stringify(bundle))));
      attestations.set(key, [
        ...(attestations.get(key) ?? []),
        { bundle, inline: options.inline ?? true, stored: storedBundles.length - 1 },
      ]);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local release target: a stand-in for the GitHub REST endpoints `release` uses, on 127.0.0.1
 * (used by the tests and by `phase3` when no GitHub account is given), following GitHub's
 * documented contract (https://docs.github.com/en/rest/releases): status codes, JSON shapes,
 * the upload_url template, 302 asset downloads, and its error bodies (401 Bad credentials,
 * 404 Not Found, 422 Validation Failed/already_exists, rate limits with retry-after).
 * GitHub cannot be reached from these machines; the client under test is the production one.
 */
export interface FakeAsset {
  id: number;
  name: string;
  bytes: Buffer;
}

export interface FakeRelease {
  id: number;
  tag_name: string;
  name: string;
  body: string;
  prerelease: boolean;
  assets: FakeAsset[];
}

export interface FakeGitHub {
  url: string;
  owner: string;
  repo: string;
  token: string;
  releases: FakeRelease[];
  requests: string[];
  /** The next `count` requests get a rate-limit answer with retry-after `seconds`. */
  rateLimitNext(count: number, seconds: number): void;
  /** Downloads of `name` return other bytes (a corrupted upload). */
  corruptDownloadsOf(name: string): void;
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

export async function startFakeGitHub(options: { owner?: string; repo?: string; token?: string } = {}): Promise<FakeGitHub> {
  const owner = options.owner ?? 'octo';
  const repo = options.repo ?? 'cpython-prebuilt';
  const token = options.token ?? 'test-token';
  const releases: FakeRelease[] = [];
  const requests: string[] = [];
  let nextId = 1;
  let rateLimited = 0;
  let rateLimitSeconds = 1;
  const corrupted = new Set<string>();
  let base = '';

  const assetJson = (release: FakeRelease, asset: FakeAsset) => ({
    id: asset.id,
    name: asset.name,
    size: asset.bytes.length,
    state: 'uploaded',
    url: `${base}/repos/${owner}/${repo}/releases/assets/${asset.id}`,
    browser_download_url: `${base}/${owner}/${repo}/releases/download/${release.tag_name}/${asset.name}`,
  });
  const releaseJson = (release: FakeRelease) => ({
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
    const prefix = `/repos/${owner}/${repo}`;
    const download = new RegExp(`^/${owner}/${repo}/releases/download/([^/]+)/([^/]+)$`).exec(path);
    if (download) {
      const release = releases.find((candidate) => candidate.tag_name === download[1]);
      const asset = release?.assets.find((candidate) => candidate.name === decodeURIComponent(download[2] ?? ''));
      if (!asset) return json(response, 404, { message: 'Not Found' });
      const served = corrupted.has(asset.name) ? Buffer.concat([asset.bytes, Buffer.from('x')]) : asset.bytes;
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': served.length });
      return response.end(served);
    }
    if (request.headers.authorization !== `Bearer ${token}`) {
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
        return json(response, 422, {
          message: 'Validation Failed',
          errors: [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }],
        });
      }
      const release: FakeRelease = {
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
      const bytes = await readBody(request);
      if (release.assets.some((asset) => asset.name === name)) {
        return json(response, 422, {
          message: 'Validation Failed',
          errors: [{ resource: 'ReleaseAsset', code: 'already_exists', field: 'name' }],
        });
      }
      const asset = { id: nextId++, name, bytes };
      release.assets.push(asset);
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
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

import { setTimeout as sleep } from 'node:timers/promises';
import { CpythonPrebuiltError, type Logger } from '@cpython-prebuilt/core';
import { request } from 'undici';
import { z } from 'zod';

/** The parts of GitHub's documented REST objects this client reads. */
export const GitHubAsset = z.object({
  id: z.number(),
  name: z.string(),
  size: z.number(),
  state: z.string().optional(),
  browser_download_url: z.string(),
  url: z.string(),
});
export type GitHubAsset = z.infer<typeof GitHubAsset>;

export const GitHubRelease = z.object({
  id: z.number(),
  tag_name: z.string(),
  name: z.string().nullable(),
  prerelease: z.boolean(),
  html_url: z.string(),
  upload_url: z.string(),
  assets: z.array(GitHubAsset).default([]),
});
export type GitHubRelease = z.infer<typeof GitHubRelease>;

export interface GitHubClientOptions {
  /** https://api.github.com in production; a loopback server in tests. */
  apiUrl: string;
  token: string;
  owner: string;
  repo: string;
  logger: Logger;
  /** Print each request instead of sending it. */
  dryRun: boolean;
  /** Longest wait honoured for a rate limit before giving up. */
  maxRateLimitWaitMs?: number;
}

export class GitHubApiError extends CpythonPrebuiltError {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, method: string, url: string, body: unknown) {
    const message =
      typeof body === 'object' && body && 'message' in body ? String((body as { message: unknown }).message) : String(body);
    const fix =
      status === 401
        ? 'set GITHUB_TOKEN (or GH_TOKEN) to a token with contents:write on the repository'
        : status === 404
          ? 'check --repo (owner/name) and that the token can see the repository'
          : 'see the message; retry once the cause is fixed (nothing published is replaced)';
    super('COMMAND_FAILED', `GitHub API ${method} ${url} answered ${status}: ${message}`, { fix });
    this.status = status;
    this.body = body;
  }

  /** GitHub's 422 validation error for a name or tag that exists already. */
  isAlreadyExists(): boolean {
    const errors = (this.body as { errors?: { code?: string }[] } | undefined)?.errors ?? [];
    return this.status === 422 && errors.some((error) => error.code === 'already_exists');
  }
}

interface Call {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  body?: Buffer | string;
  contentType?: string;
  accept?: string;
}

/** The GitHub REST endpoints a release needs, through undici, with GitHub's error shapes. */
export class GitHubClient {
  constructor(private readonly options: GitHubClientOptions) {}

  private get repoUrl(): string {
    return `${this.options.apiUrl.replace(/\/$/, '')}/repos/${this.options.owner}/${this.options.repo}`;
  }

  private async call(
    call: Call,
  ): Promise<{ status: number; body: Buffer; headers: Record<string, string | string[] | undefined> }> {
    if (this.options.dryRun) {
      const size = call.body ? ` (${Buffer.byteLength(call.body)} bytes)` : '';
      process.stdout.write(`${call.method} ${call.url}${size}\n`);
      return { status: 0, body: Buffer.alloc(0), headers: {} };
    }
    for (let attempt = 1; ; attempt++) {
      const response = await request(call.url, {
        method: call.method,
        headers: {
          authorization: `Bearer ${this.options.token}`,
          accept: call.accept ?? 'application/vnd.github+json',
          'x-github-api-version': '2022-11-28',
          'user-agent': 'cpython-prebuilt',
          ...(call.contentType ? { 'content-type': call.contentType } : {}),
        },
        body: call.body,
      });
      const body = Buffer.from(await response.body.arrayBuffer());
      const wait = rateLimitWait(response.statusCode, response.headers);
      if (wait !== undefined && attempt < 4 && wait <= (this.options.maxRateLimitWaitMs ?? 120_000)) {
        this.options.logger.warn(`GitHub rate limit on ${call.method} ${call.url}: waiting ${Math.ceil(wait / 1000)} s`);
        await sleep(wait);
        continue;
      }
      if (response.statusCode >= 400) {
        let parsed: unknown = body.toString('utf8');
        try {
          parsed = JSON.parse(String(parsed));
        } catch {
          // GitHub answers JSON; anything else (a proxy's HTML) is reported as text.
        }
        throw new GitHubApiError(response.statusCode, call.method, call.url, parsed);
      }
      return { status: response.statusCode, body, headers: response.headers };
    }
  }

  private async json<T>(schema: z.ZodType<T>, call: Call): Promise<T | undefined> {
    const { body } = await this.call(call);
    if (this.options.dryRun) return undefined;
    return schema.parse(JSON.parse(body.toString('utf8')));
  }

  async getReleaseByTag(tag: string): Promise<GitHubRelease | undefined> {
    try {
      return await this.json(GitHubRelease, { method: 'GET', url: `${this.repoUrl}/releases/tags/${encodeURIComponent(tag)}` });
    } catch (error) {
      if (error instanceof GitHubApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  async createRelease(input: {
    tag: string;
    name: string;
    body: string;
    prerelease: boolean;
  }): Promise<GitHubRelease | undefined> {
    return this.json(GitHubRelease, {
      method: 'POST',
      url: `${this.repoUrl}/releases`,
      contentType: 'application/json',
      body: JSON.stringify({ tag_name: input.tag, name: input.name, body: input.body, prerelease: input.prerelease }),
    });
  }

  async listAssets(releaseId: number): Promise<GitHubAsset[]> {
    const assets: GitHubAsset[] = [];
    for (let page = 1; ; page++) {
      const batch = await this.json(z.array(GitHubAsset), {
        method: 'GET',
        url: `${this.repoUrl}/releases/${releaseId}/assets?per_page=100&page=${page}`,
      });
      if (!batch) return assets;
      assets.push(...batch);
      if (batch.length < 100) return assets;
    }
  }

  /** Uploads through the release's upload_url (a URI template: `...{?name,label}`). */
  async uploadAsset(release: { upload_url: string }, name: string, content: Buffer): Promise<GitHubAsset | undefined> {
    const base = release.upload_url.replace(/\{\?[^}]*\}$/, '');
    return this.json(GitHubAsset, {
      method: 'POST',
      url: `${base}?name=${encodeURIComponent(name)}`,
      contentType: 'application/octet-stream',
      body: content,
    });
  }

  async deleteAsset(assetId: number): Promise<void> {
    await this.call({ method: 'DELETE', url: `${this.repoUrl}/releases/assets/${assetId}` });
  }

  /** The asset's bytes through the API (302 to storage, followed). */
  async downloadAsset(assetId: number): Promise<Buffer> {
    const url = `${this.repoUrl}/releases/assets/${assetId}`;
    if (this.options.dryRun) {
      process.stdout.write(`GET ${url} (Accept: application/octet-stream)\n`);
      return Buffer.alloc(0);
    }
    let response = await request(url, {
      headers: {
        authorization: `Bearer ${this.options.token}`,
        accept: 'application/octet-stream',
        'user-agent': 'cpython-prebuilt',
      },
    });
    if (response.statusCode === 302 || response.statusCode === 301) {
      const location = String(response.headers.location);
      await response.body.dump();
      // Storage URLs are pre-signed: the token must not follow the redirect.
      response = await request(location, { headers: { accept: 'application/octet-stream', 'user-agent': 'cpython-prebuilt' } });
    }
    const body = Buffer.from(await response.body.arrayBuffer());
    if (response.statusCode !== 200) throw new GitHubApiError(response.statusCode, 'GET', url, body.toString('utf8'));
    return body;
  }
}

/** GitHub signals rate limits as 403/429 with retry-after, or x-ratelimit-remaining: 0 and a reset time. */
function rateLimitWait(status: number, headers: Record<string, string | string[] | undefined>): number | undefined {
  if (status !== 403 && status !== 429) return undefined;
  const retryAfter = Number(headers['retry-after']);
  if (Number.isFinite(retryAfter) && retryAfter >= 0) return retryAfter * 1000;
  if (headers['x-ratelimit-remaining'] === '0') {
    const reset = Number(headers['x-ratelimit-reset']) * 1000;
    if (Number.isFinite(reset)) return Math.max(0, reset - Date.now()) + 1000;
  }
  return undefined;
}

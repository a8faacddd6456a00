import { setTimeout as sleep } from 'node:timers/promises';
import { CpythonPrebuiltError, type Logger } from '@cpython-prebuilt/core';
import { uncompress } from 'snappyjs';
import { request } from 'undici';
import { z } from 'zod';

/** The parts of GitHub's documented REST objects this client reads. */
export const GitHubAsset = z.object({
  id: z.number(),
  name: z.string(),
  size: z.number(),
  /** "uploaded" when complete; anything else ("starter", "new", "open") is an upload that never finished. */
  state: z.string().optional(),
  browser_download_url: z.string(),
  url: z.string(),
  created_at: z.string().optional(),
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

/**
 * GitHub's list of the attestations of one subject digest (GET /repos/{owner}/{repo}/attestations/{subject_digest}):
 * each one's Sigstore bundle inline, or (when GitHub leaves it out) at bundle_url, snappy-compressed in storage.
 */
const GitHubAttestations = z.object({
  attestations: z.array(z.object({ bundle: z.unknown().optional(), bundle_url: z.string().optional() })),
});

/** An attestation as listAttestations returns it: the bundle (parsed JSON) and where it came from. */
export interface GitHubAttestation {
  bundle: unknown;
  source: string;
}

/** The most a bundle may take uncompressed (GitHub's are about 10 KiB). */
const MAX_BUNDLE_BYTES = 8 << 20;

export interface GitHubClientOptions {
  /** https://api.github.com in production; a loopback server in tests. */
  apiUrl: string;
  token: string;
  owner: string;
  repo: string;
  logger: Logger;
  /** Record each request in `plan` instead of sending it (the caller prints the plan). */
  dryRun: boolean;
  /** Longest wait honoured for a rate limit before giving up. */
  maxRateLimitWaitMs?: number;
  /** Attempts for a request that meets a transient failure (5xx, connection reset); default 5. */
  maxAttempts?: number;
  /** First backoff delay; it doubles with each attempt (with jitter). Default 1000 ms. */
  retryBaseDelayMs?: number;
}

export class GitHubApiError extends CpythonPrebuiltError {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, method: string, url: string, body: unknown) {
    const message =
      typeof body === 'object' && body && 'message' in body ? String((body as { message: unknown }).message) : String(body);
    const fix =
      status === 401
        ? 'set GITHUB_TOKEN (or GH_TOKEN) to a valid token with contents:write on the repository'
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

/** The connection failed before GitHub answered, on every attempt. */
export class GitHubUnreachableError extends CpythonPrebuiltError {
  constructor(method: string, url: string, attempts: number, cause: unknown) {
    super(
      'COMMAND_FAILED',
      `GitHub API ${method} ${url} failed ${attempts} time(s): ${(cause as Error).message ?? String(cause)}`,
      {
        fix: 'check the network or proxy and --api-url, then run release again (it resumes where it stopped)',
        cause,
      },
    );
    this.name = 'GitHubUnreachableError';
  }
}

/** 5xx answers and dropped connections are worth another attempt; 4xx are not (rate limits aside). */
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
function isTransientNetworkError(error: unknown): boolean {
  for (
    let current = error as { code?: string; cause?: unknown } | undefined;
    current;
    current = current.cause as typeof current
  ) {
    if (current.code && TRANSIENT_CODES.has(current.code)) return true;
  }
  return false;
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

  /** owner/repo, as GitHub's workflow identities name it. */
  get repository(): string {
    return `${this.options.owner}/${this.options.repo}`;
  }

  private get repoUrl(): string {
    return `${this.options.apiUrl.replace(/\/$/, '')}/repos/${this.options.owner}/${this.options.repo}`;
  }

  /** Requests a dry run would have sent, one line each ("METHOD URL (N bytes)"). */
  readonly plan: string[] = [];

  private backoff(attempt: number): number {
    const base = this.options.retryBaseDelayMs ?? 1000;
    return base * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5);
  }

  /**
   * One request, retried on rate limits (waiting as GitHub says) and on transient failures (5xx,
   * connection reset) with exponential backoff, at most `maxAttempts` times. Bodies are Buffers or
   * strings, so a retry sends the same bytes again.
   */
  private async call(
    call: Call,
  ): Promise<{ status: number; body: Buffer; headers: Record<string, string | string[] | undefined> }> {
    if (this.options.dryRun) {
      const size = call.body ? ` (${Buffer.byteLength(call.body)} bytes)` : '';
      this.plan.push(`${call.method} ${call.url}${size}`);
      return { status: 0, body: Buffer.alloc(0), headers: {} };
    }
    const maxAttempts = this.options.maxAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      let response: Awaited<ReturnType<typeof request>>;
      let body: Buffer;
      try {
        response = await request(call.url, {
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
        body = Buffer.from(await response.body.arrayBuffer());
      } catch (error) {
        if (!isTransientNetworkError(error)) throw error;
        if (attempt >= maxAttempts) throw new GitHubUnreachableError(call.method, call.url, attempt, error);
        const wait = this.backoff(attempt);
        this.options.logger.warn(`${call.method} ${call.url}: ${(error as Error).message}; retrying in ${Math.ceil(wait)} ms`);
        await sleep(wait);
        continue;
      }
      const wait = rateLimitWait(response.statusCode, response.headers);
      if (wait !== undefined && attempt < 4 && wait <= (this.options.maxRateLimitWaitMs ?? 120_000)) {
        this.options.logger.warn(`GitHub rate limit on ${call.method} ${call.url}: waiting ${Math.ceil(wait / 1000)} s`);
        await sleep(wait);
        continue;
      }
      if (TRANSIENT_STATUS.has(response.statusCode) && attempt < maxAttempts) {
        const backoff = this.backoff(attempt);
        this.options.logger.warn(
          `${call.method} ${call.url} answered ${response.statusCode}; retrying in ${Math.ceil(backoff)} ms (attempt ${attempt + 1} of ${maxAttempts})`,
        );
        await sleep(backoff);
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

  /** Idempotent: a retried DELETE whose first attempt got through answers 404, which is success here. */
  async deleteAsset(assetId: number): Promise<void> {
    try {
      await this.call({ method: 'DELETE', url: `${this.repoUrl}/releases/assets/${assetId}` });
    } catch (error) {
      if (!(error instanceof GitHubApiError && error.status === 404)) throw error;
    }
  }

  /**
   * The attestations this repository stores for `sha256` (the first 100), each bundle inline or
   * fetched from its bundle_url (pre-signed storage: without the token). None: an empty list
   * (GitHub answers 404 for a digest with none).
   */
  async listAttestations(sha256: string): Promise<GitHubAttestation[]> {
    const url = `${this.repoUrl}/attestations/sha256:${sha256}?per_page=100`;
    let listed: z.infer<typeof GitHubAttestations> | undefined;
    try {
      listed = await this.json(GitHubAttestations, { method: 'GET', url });
    } catch (error) {
      if (error instanceof GitHubApiError && error.status === 404) return [];
      throw error;
    }
    const attestations: GitHubAttestation[] = [];
    for (const [index, entry] of (listed?.attestations ?? []).entries()) {
      if (entry.bundle !== undefined && entry.bundle !== null) {
        attestations.push({ bundle: entry.bundle, source: `${url}#attestation-${index + 1}` });
      } else if (entry.bundle_url) {
        attestations.push({ bundle: await this.storedBundle(entry.bundle_url), source: entry.bundle_url });
      } else {
        throw new CpythonPrebuiltError(
          'ARTIFACT_INVALID',
          `${url} lists attestation ${index + 1} with neither a bundle nor a bundle_url`,
          {
            fix: "GitHub's answer is not its documented shape: run again later, or check the API version it serves",
          },
        );
      }
    }
    return attestations;
  }

  /** A bundle from GitHub's attestation storage: JSON, snappy-compressed or not. */
  private async storedBundle(url: string): Promise<unknown> {
    const response = await request(url, { headers: { 'user-agent': 'cpython-prebuilt' } });
    const body = Buffer.from(await response.body.arrayBuffer());
    if (response.statusCode !== 200) throw new GitHubApiError(response.statusCode, 'GET', url, body.toString('utf8'));
    const unreadable = (why: string): never => {
      throw new CpythonPrebuiltError('ARTIFACT_INVALID', `the attestation bundle at ${url} cannot be read: ${why}`, {
        fix: 'run again later; a bundle that cannot be read is never taken as verified',
      });
    };
    let text = body.toString('utf8');
    if (!text.trimStart().startsWith('{')) {
      try {
        text = uncompress(body, MAX_BUNDLE_BYTES).toString('utf8');
      } catch (error) {
        unreadable(`neither JSON nor snappy-compressed JSON (${(error as Error).message})`);
      }
    }
    try {
      return JSON.parse(text);
    } catch (error) {
      return unreadable(`not JSON (${(error as Error).message})`);
    }
  }

  /** The asset's bytes through the API (302 to storage, followed without the token), retried like every call. */
  async downloadAsset(assetId: number): Promise<Buffer> {
    const url = `${this.repoUrl}/releases/assets/${assetId}`;
    if (this.options.dryRun) {
      this.plan.push(`GET ${url} (Accept: application/octet-stream)`);
      return Buffer.alloc(0);
    }
    const maxAttempts = this.options.maxAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      try {
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
          response = await request(location, {
            headers: { accept: 'application/octet-stream', 'user-agent': 'cpython-prebuilt' },
          });
        }
        const body = Buffer.from(await response.body.arrayBuffer());
        if (TRANSIENT_STATUS.has(response.statusCode) && attempt < maxAttempts) {
          await sleep(this.backoff(attempt));
          continue;
        }
        if (response.statusCode !== 200) throw new GitHubApiError(response.statusCode, 'GET', url, body.toString('utf8'));
        return body;
      } catch (error) {
        if (!isTransientNetworkError(error)) throw error;
        if (attempt >= maxAttempts) throw new GitHubUnreachableError('GET', url, attempt, error);
        await sleep(this.backoff(attempt));
      }
    }
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

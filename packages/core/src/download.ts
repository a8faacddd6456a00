import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { EnvHttpProxyAgent, interceptors, request } from 'undici';
import type { z } from 'zod';
import { CpythonPrebuiltError } from './errors.ts';
import type { Logger } from './log.ts';

export interface DownloadOptions {
  logger?: Logger;
  attempts?: number;
  /** Time without any byte arriving before an attempt is abandoned. */
  idleTimeoutMs?: number;
  headers?: Record<string, string>;
}

// Honours HTTP(S)_PROXY/NO_PROXY (corporate networks) and follows release-asset redirects.
const dispatcher = new EnvHttpProxyAgent().compose(interceptors.redirect({ maxRedirections: 5 }));

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * Downloads `url` to `destination` through a `.part` file, so an interrupted download never
 * looks complete. Follows redirects, retries transient failures with backoff, reports bytes.
 */
export async function downloadFile(url: string, destination: string, options: DownloadOptions = {}): Promise<void> {
  const attempts = options.attempts ?? 4;
  const partial = `${destination}.part`;
  // Errors that another attempt cannot fix (404, 403...) end the loop at once.
  const fatal = new WeakSet<object>();
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const response = await request(url, {
        method: 'GET',
        headers: options.headers,
        dispatcher,
        headersTimeout: options.idleTimeoutMs ?? 30_000,
        bodyTimeout: options.idleTimeoutMs ?? 30_000,
      });
      if (response.statusCode !== 200) {
        await response.body.dump();
        const error = new CpythonPrebuiltError('DOWNLOAD_FAILED', `GET ${url} answered HTTP ${response.statusCode}`, {
          fix:
            response.statusCode === 404
              ? 'check the version and URL; the file does not exist there'
              : 'try again later, or download the file yourself and pass it with --source',
        });
        if (!RETRYABLE_STATUS.has(response.statusCode)) fatal.add(error);
        throw error;
      } else {
        const total = Number(response.headers['content-length'] ?? 0);
        let received = 0;
        const counter = new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            received += chunk.length;
            const share = total > 0 ? ` / ${formatBytes(total)} (${((received / total) * 100).toFixed(0)}%)` : '';
            options.logger?.progress(`downloading ${url}: ${formatBytes(received)}${share}`);
            callback(null, chunk);
          },
        });
        await pipeline(response.body, counter, createWriteStream(partial));
        if (total > 0 && received !== total) {
          throw new CpythonPrebuiltError('DOWNLOAD_FAILED', `GET ${url} ended after ${received} of ${total} bytes`);
        }
        await rename(partial, destination);
        options.logger?.info(`downloaded ${url} (${formatBytes(received)})`);
        return;
      }
    } catch (error) {
      await rm(partial, { force: true });
      if (typeof error === 'object' && error !== null && fatal.has(error)) throw error;
      lastError = error;
    }
    if (attempt < attempts) {
      const delay = 500 * 2 ** (attempt - 1);
      options.logger?.warn(`download attempt ${attempt} of ${attempts} failed, retrying in ${delay} ms`);
      await sleep(delay);
    }
  }
  if (lastError instanceof CpythonPrebuiltError) throw lastError;
  throw new CpythonPrebuiltError(
    'DOWNLOAD_FAILED',
    `GET ${url} failed after ${attempts} attempts: ${String((lastError as Error)?.message ?? lastError)}`,
    {
      fix: 'check the network or proxy, or download the file yourself and pass it with --source',
      cause: lastError,
    },
  );
}

/**
 * GETs a JSON document and checks it against `schema`; a non-200 answer, a body that is not JSON
 * or one of another shape is a FEED_INVALID or DOWNLOAD_FAILED error naming the URL.
 */
export async function fetchJson<T extends z.ZodType>(
  url: string,
  schema: T,
  options: { what?: string; fix?: string } = {},
): Promise<z.output<T>> {
  const what = options.what ?? 'the document';
  let body: string;
  try {
    const response = await request(url, {
      method: 'GET',
      headers: { accept: 'application/json' },
      dispatcher,
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    body = await response.body.text();
    if (response.statusCode !== 200) {
      throw new CpythonPrebuiltError('DOWNLOAD_FAILED', `GET ${url} (${what}) answered HTTP ${response.statusCode}`, {
        fix: options.fix ?? 'check the URL, or try again later',
      });
    }
  } catch (error) {
    if (error instanceof CpythonPrebuiltError) throw error;
    throw new CpythonPrebuiltError('DOWNLOAD_FAILED', `GET ${url} (${what}) failed: ${(error as Error).message}`, {
      fix: options.fix ?? 'check the network or proxy',
      cause: error,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new CpythonPrebuiltError('FEED_INVALID', `${url} (${what}) is not JSON`, { fix: 'check the URL', cause: error });
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new CpythonPrebuiltError(
      'FEED_INVALID',
      `${url} (${what}) does not have the expected shape: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`,
      { fix: 'the service changed its format, or the URL points at something else; check it', cause: result.error },
    );
  }
  return result.data;
}

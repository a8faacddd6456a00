import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { DOWNLOAD_DEADLINE_ENV, downloadFile } from './download.ts';
import { CpythonPrebuiltError } from './errors.ts';

/** A loopback server: /trickle sends one byte of a 1000-byte body every 50 ms (50 s in all), /small answers at once. */
async function startServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    if (request.url === '/small') {
      response.writeHead(200, { 'content-length': 5 }).end('hello');
      return;
    }
    response.writeHead(200, { 'content-length': 1000 });
    const timer = setInterval(() => response.write('x'), 50);
    response.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('downloadFile deadline', () => {
  let dir: string;
  let url: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'download-deadline-'));
    const started = await startServer();
    url = started.url;
    return async () => {
      started.server.closeAllConnections();
      await new Promise((resolve) => started.server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    };
  });

  afterEach(() => {
    delete process.env[DOWNLOAD_DEADLINE_ENV];
  });

  it('abandons a download that keeps trickling bytes once the overall deadline passes', async () => {
    const started = Date.now();
    const destination = join(dir, 'trickle.bin');
    const error = await downloadFile(`${url}/trickle`, destination, { deadlineMs: 1000, idleTimeoutMs: 10_000 }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(CpythonPrebuiltError);
    expect((error as CpythonPrebuiltError).code).toBe('DOWNLOAD_FAILED');
    expect((error as CpythonPrebuiltError).message).toBe(`GET ${url}/trickle did not finish within 1 s (the download deadline)`);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await readdir(dir)).not.toContain('trickle.bin.part');
  });

  it(`takes the deadline from ${DOWNLOAD_DEADLINE_ENV} and refuses a value that is not seconds`, async () => {
    process.env[DOWNLOAD_DEADLINE_ENV] = '1';
    await expect(downloadFile(`${url}/trickle`, join(dir, 'env.bin'))).rejects.toThrow('did not finish within 1 s');
    process.env[DOWNLOAD_DEADLINE_ENV] = 'soon';
    await expect(downloadFile(`${url}/small`, join(dir, 'bad.bin'))).rejects.toThrow(
      `${DOWNLOAD_DEADLINE_ENV} must be a whole number of seconds, got "soon"`,
    );
  });

  it('finishes a download that fits within the deadline', async () => {
    const destination = join(dir, 'small.bin');
    onTestFinished(() => rm(destination, { force: true }));
    await downloadFile(`${url}/small`, destination, { deadlineMs: 5000 });
    expect(await readFile(destination, 'utf8')).toBe('hello');
  });
});

import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { renderFeature, writeFeatureFiles } from '@cpython-prebuilt/feature';
import { runInstallScript } from '@cpython-prebuilt/harness';
import { beforeAll, describe, expect, inject, it } from 'vitest';

/** A real HTTP server on 127.0.0.1 serving the fixture directory, counting requests. */
async function serveDirectory(dir: string): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    requests.push(path);
    const file = join(dir, basename(path));
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, { 'content-length': info.size });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('downloading the artifact from a loopback HTTP server', () => {
  let server: Awaited<ReturnType<typeof serveDirectory>>;
  let feature: string;

  beforeAll(async () => {
    server = await serveDirectory(inject('artifacts').dir);
    const work = await mkdtemp(join(tmpdir(), 'download-'));
    // The committed feature as users get it: no vendored artifact.
    feature = await writeFeatureFiles(
      join(work, 'installer'),
      renderFeature({ manifest: { artifacts: [] }, featureReference: './installer', version: '1.0.0' }).files,
    );
    return async () => {
      await server.close();
      await rm(work, { recursive: true, force: true });
    };
  });

  it('installs from artifactUrl with the .sha256 published beside it, using curl', async () => {
    const name = basename(inject('artifacts').python313);
    const result = await runInstallScript({
      featureDir: feature,
      image: 'local/debian:bookworm-curl',
      network: 'host',
      options: { version: '3.13.5', artifactUrl: `${server.url}/${name}` },
      afterInstall: 'python3 -c "import ssl, sqlite3; print(\'works\')"',
    });
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain(`cpython-installer: sha256 verified against ${server.url}/${name}.sha256`);
    expect(result.output).toContain('works');
    expect(server.requests).toEqual(expect.arrayContaining([`/${name}.sha256`, `/${name.replace('.tgz', '.json')}`, `/${name}`]));
  });

  it('fails on an HTTP 404 with the URL in the error, leaving nothing behind', async () => {
    const result = await runInstallScript({
      featureDir: feature,
      image: 'local/debian:bookworm-curl',
      network: 'host',
      options: { version: '3.13.5', artifactUrl: `${server.url}/missing.tgz`, sha256: 'a'.repeat(64) },
    });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(`cpython-installer: error: downloading ${server.url}/missing.tgz failed (curl exit 22)`);
    expect(result.leftovers).toEqual([]);
  });

  it('names curl and wget when the image has neither', async () => {
    const result = await runInstallScript({
      featureDir: feature,
      image: 'local/debian:bookworm',
      network: 'host',
      options: { version: '3.13.5', artifactUrl: `${server.url}/x.tgz`, sha256: 'a'.repeat(64) },
    });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain('cpython-installer: error: neither curl nor wget is installed, so');
    expect(result.leftovers).toEqual([]);
  });
});

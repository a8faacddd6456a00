import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@cpython-prebuilt/core';
import { renderFeature, writeFeatureFiles } from '@cpython-prebuilt/feature';
import { describe, expect, it, onTestFinished } from 'vitest';
import { publishFeatureCollection } from './publish.ts';

describe('publishFeatureCollection', () => {
  it('refuses a feature with an empty manifest before sending anything to the registry', async () => {
    // A registry stand-in that records every request: the refusal must come before any of them.
    const requests: string[] = [];
    const server = createServer((request, response) => {
      requests.push(`${request.method} ${request.url}`);
      response.writeHead(500).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const src = await mkdtemp(join(tmpdir(), 'publish-empty-'));
    onTestFinished(() => rm(src, { recursive: true, force: true }));
    await writeFeatureFiles(
      join(src, 'installer'),
      renderFeature({ manifest: { artifacts: [] }, featureReference: './installer', version: '1.0.0' }).files,
    );
    const port = (server.address() as AddressInfo).port;
    await expect(
      publishFeatureCollection({
        srcDir: src,
        registry: `localhost:${port}`,
        namespace: 'octo/x/cpython',
        logger: createLogger(),
      }),
    ).rejects.toMatchObject({ code: 'MANIFEST_INCOMPLETE', message: expect.stringContaining('on x86_64, aarch64') });
    expect(requests).toEqual([]);
  });
});

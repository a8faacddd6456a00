import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CpythonPrebuiltError } from '@cpython-prebuilt/core';
import { request } from 'undici';
import { type RegistryTokenServer, startRegistryTokenServer } from './registry-token-server.ts';

export interface LocalRegistry {
  /** localhost:<port>: the devcontainers CLI speaks plain HTTP only to a registry named localhost. */
  host: string;
  port: number;
  /** With `tokenAuth`: the token service the registry sends clients to. */
  tokenServer?: RegistryTokenServer;
  stop(): Promise<void>;
}

export interface RegistryOptions {
  /**
   * Require Docker/OCI token auth (as ghcr.io does): anonymous pull, push with the token server's
   * Basic credentials. `realmHost` names the host in the realm URL (default localhost).
   */
  tokenAuth?: boolean | { realmHost?: string };
}

/** The local registry could not be started (docker-registry missing, or it exited). */
export class LocalRegistryError extends CpythonPrebuiltError {
  constructor(message: string, cause?: unknown) {
    super('COMMAND_FAILED', message, {
      fix: 'install the docker-registry package (Debian: apt-get install docker-registry; make setup does it), then retry',
      cause,
    });
    this.name = 'LocalRegistryError';
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || !address) throw new LocalRegistryError('no free TCP port on 127.0.0.1 for the registry');
  return address.port;
}

/**
 * A real OCI registry (Debian's docker-registry, distribution v2) on 127.0.0.1 with temporary storage:
 * the publish target of `phase3` without an account, and of the tests.
 */
export async function startRegistry(options: RegistryOptions = {}): Promise<LocalRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'registry-'));
  const port = await freePort();
  const tokenServer = options.tokenAuth
    ? await startRegistryTokenServer(typeof options.tokenAuth === 'object' ? options.tokenAuth : {})
    : undefined;
  const config = [
    'version: 0.1',
    'log:',
    '  level: warn',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    ...(tokenServer
      ? [
          'auth:',
          '  token:',
          `    realm: ${tokenServer.realm}`,
          `    service: ${tokenServer.service}`,
          `    issuer: ${tokenServer.issuer}`,
          `    rootcertbundle: ${tokenServer.certPath}`,
        ]
      : []),
    '',
  ].join('\n');
  await writeFile(join(dir, 'config.yml'), config);
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let spawnError: Error | undefined;
  child.on('error', (error) => {
    spawnError = error;
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const stop = async () => {
    child.kill('SIGTERM');
    await tokenServer?.stop();
    await rm(dir, { recursive: true, force: true });
  };
  for (let attempt = 0; attempt < 50; attempt++) {
    if (child.exitCode !== null || spawnError) break;
    // With token auth /v2/ answers 401 and a challenge: that is up, too.
    const ok = await request(`http://127.0.0.1:${port}/v2/`)
      .then(async (response) => {
        await response.body.dump();
        return response.statusCode === 200 || (tokenServer !== undefined && response.statusCode === 401);
      })
      .catch(() => false);
    if (ok) return { host: `localhost:${port}`, port, ...(tokenServer ? { tokenServer } : {}), stop };
    await sleep(100);
  }
  await stop();
  if ((spawnError as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new LocalRegistryError('docker-registry is not installed, so no local OCI registry can be started', spawnError);
  }
  throw new LocalRegistryError(
    `docker-registry did not start on 127.0.0.1:${port}: ${stderr.trim().split('\n').slice(-3).join(' | ') || spawnError?.message || 'no output'}`,
    spawnError,
  );
}

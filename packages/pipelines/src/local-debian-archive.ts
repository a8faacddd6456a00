import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A Debian archive in miniature on 127.0.0.1, for tests of the code that reads Debian's source
 * archive (debian-index.ts, versions update --source debian): each suite's Sources index is
 * xz-compressed and listed with its sha256 and size in a Release file that a throwaway archive key
 * clear-signs into InRelease, as Debian's archive does, and gpgv checks it the same way. Pool files
 * are served only when a test puts them there, as a mirror that lacks files behaves (404).
 */
export interface LocalDebianArchive {
  /** The mirror's base URL, ending in /debian. */
  mirror: string;
  /** The archive key's public keyring (gpgv --keyring). */
  keyring: string;
  /**
   * Publishes `sources` as `suite`'s index. `signer: 'intruder'` signs with a key outside the
   * keyring; `sourcesSha256` makes InRelease give a digest the index does not have; `validUntil`
   * dates it as Debian does (Date a week before, Valid-Until), a past one as a frozen mirror serves it.
   */
  publish(
    suite: string,
    sources: string,
    options?: { signer?: 'archive' | 'intruder'; sourcesSha256?: string; validUntil?: Date },
  ): void;
  /** Serves `body` at `path` under the mirror (pool/main/p/python3.13/...). */
  serve(path: string, body: Buffer): void;
  /** Stops serving `path` (404 from now on, as a mirror that lacks the file answers). */
  unserve(path: string): void;
  close(): Promise<void>;
}

export async function startLocalDebianArchive(): Promise<LocalDebianArchive> {
  const dir = await mkdtemp(join(tmpdir(), 'local-debian-archive-'));
  const gnupg = join(dir, 'gnupg');
  await mkdir(gnupg, { mode: 0o700 });
  const gpg = (args: string[], input?: string): Buffer =>
    execFileSync('gpg', ['--homedir', gnupg, '--batch', '--quiet', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], {
      input,
    });
  const emails = { archive: 'archive@example.invalid', intruder: 'intruder@example.invalid' };
  for (const email of Object.values(emails)) {
    gpg(['--quick-generate-key', `test archive <${email}>`, 'ed25519', 'sign', '1y']);
  }
  const keyring = join(dir, 'archive.gpg');
  await writeFile(keyring, gpg(['--export', emails.archive]));
  const files = new Map<string, Buffer>();
  const server = createServer((request, response) => {
    const body = files.get(request.url ?? '');
    response.writeHead(body ? 200 : 404).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const root = '/debian';
  return {
    mirror: `http://127.0.0.1:${(server.address() as AddressInfo).port}${root}`,
    keyring,
    publish(suite, sources, options = {}) {
      const xz = execFileSync('xz', ['--compress', '--stdout'], { input: sources });
      const digest = options.sourcesSha256 ?? createHash('sha256').update(xz).digest('hex');
      const dates = options.validUntil
        ? `Date: ${new Date(options.validUntil.getTime() - 7 * 86_400_000).toUTCString()}\nValid-Until: ${options.validUntil.toUTCString()}\n`
        : '';
      const release = `Origin: Debian\nSuite: ${suite}\nCodename: ${suite}\n${dates}SHA256:\n ${'d'.repeat(64)} 1234 main/binary-amd64/Packages.xz\n ${digest} ${xz.length} main/source/Sources.xz\n`;
      files.set(`${root}/dists/${suite}/main/source/Sources.xz`, xz);
      files.set(
        `${root}/dists/${suite}/InRelease`,
        gpg(['--local-user', emails[options.signer ?? 'archive'], '--clearsign'], release),
      );
    },
    serve(path, body) {
      files.set(`${root}/${path}`, body);
    },
    unserve(path) {
      files.delete(`${root}/${path}`);
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

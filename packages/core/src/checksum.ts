import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { CpythonPrebuiltError } from './errors.ts';

export const SHA256_PATTERN = /^[0-9a-f]{64}$/;

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The sha256 of bytes in memory (a downloaded asset). */
export function sha256Buffer(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** One line in the format `sha256sum -c` reads: digest, two spaces, file name. */
export function formatSha256Line(digest: string, fileName: string): string {
  if (!SHA256_PATTERN.test(digest)) throw new TypeError(`not a sha256 digest: ${digest}`);
  return `${digest}  ${fileName}\n`;
}

export interface Sha256Entry {
  digest: string;
  fileName: string;
}

/** Parses sha256sum output (text or binary mode markers), ignoring blank lines. */
export function parseSha256Text(text: string, source = 'checksum file'): Sha256Entry[] {
  const entries: Sha256Entry[] = [];
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line) continue;
    const match = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line);
    if (!match?.[1] || !match[2]) {
      throw new CpythonPrebuiltError('CHECKSUM_FILE_INVALID', `${source} line ${index + 1} is not "<sha256>  <file>"`, {
        fix: `regenerate it with: sha256sum <file> > ${source}`,
      });
    }
    entries.push({ digest: match[1].toLowerCase(), fileName: match[2] });
  }
  return entries;
}

/** The digest a `.sha256` file records for `fileName`. */
export async function readSha256For(checksumPath: string, fileName: string): Promise<string> {
  const entries = parseSha256Text(await readFile(checksumPath, 'utf8'), basename(checksumPath));
  const entry = entries.find((candidate) => basename(candidate.fileName) === fileName);
  if (!entry) {
    throw new CpythonPrebuiltError('CHECKSUM_FILE_INVALID', `${checksumPath} has no line for ${fileName}`, {
      fix: `regenerate it with: sha256sum ${fileName} > ${basename(checksumPath)}`,
    });
  }
  return entry.digest;
}

/** Fails closed: a mismatch names both digests and the file, and nothing is deleted. */
export async function verifySha256(path: string, expected: string, what = path): Promise<string> {
  const want = expected.toLowerCase();
  if (!SHA256_PATTERN.test(want)) {
    throw new CpythonPrebuiltError('INVALID_INPUT', `"${expected}" is not a sha256 digest (64 hex characters)`, {
      fix: 'pass the digest printed by `sha256sum <file>`',
    });
  }
  const actual = await sha256File(path);
  if (actual !== want) {
    throw new CpythonPrebuiltError('CHECKSUM_MISMATCH', `sha256 of ${what} does not match: expected ${want}, actual ${actual}`, {
      fix: 'the file is corrupt, truncated or not the one pinned: download it again from the official source, or pass the correct --sha256 if you built it yourself',
    });
  }
  return actual;
}

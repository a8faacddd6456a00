import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatSha256Line, parseSha256Text, readSha256For, sha256File, verifySha256 } from './checksum.ts';
import { CpythonPrebuiltError } from './errors.ts';

const HELLO_SHA256 = '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';

async function tempFile(content: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'checksum-'));
  const path = join(dir, 'file.tgz');
  await writeFile(path, content);
  return path;
}

describe('checksums', () => {
  it('hashes a file as sha256sum does', async () => {
    expect(await sha256File(await tempFile('hello'))).toBe(HELLO_SHA256);
  });

  it('writes lines that sha256sum -c reads: digest, two spaces, name', () => {
    expect(formatSha256Line(HELLO_SHA256, 'a.tgz')).toBe(`${HELLO_SHA256}  a.tgz\n`);
    expect(() => formatSha256Line('xyz', 'a.tgz')).toThrow(/not a sha256/);
  });

  it('reads text and binary mode lines and rejects anything else with the fix', () => {
    expect(parseSha256Text(`${HELLO_SHA256}  a.tgz\n${HELLO_SHA256.toUpperCase()} *b.tgz\n\n`)).toEqual([
      { digest: HELLO_SHA256, fileName: 'a.tgz' },
      { digest: HELLO_SHA256, fileName: 'b.tgz' },
    ]);
    expect(() => parseSha256Text('garbage', 'x.sha256')).toThrow(/x.sha256 line 1 is not/);
  });

  it('finds the digest for a file in a .sha256 file and fails when it has none', async () => {
    const path = await tempFile('hello');
    await writeFile(`${path}.sha256`, formatSha256Line(HELLO_SHA256, 'file.tgz'));
    expect(await readSha256For(`${path}.sha256`, 'file.tgz')).toBe(HELLO_SHA256);
    await expect(readSha256For(`${path}.sha256`, 'other.tgz')).rejects.toThrow(/has no line for other.tgz/);
  });

  it('refuses a mismatch, naming both digests, and leaves the file in place', async () => {
    const path = await tempFile('hellO');
    const error = await verifySha256(path, HELLO_SHA256).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CpythonPrebuiltError);
    expect((error as CpythonPrebuiltError).code).toBe('CHECKSUM_MISMATCH');
    expect((error as Error).message).toContain(`expected ${HELLO_SHA256}, actual `);
    expect(await readFile(path, 'utf8')).toBe('hellO');
  });
});

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuildBaseImage, ensureGcc14BuildImage, gcc14ImageFor, prepareGcc14Image } from '@cpython-prebuilt/builder';
import { createLogger, findBase, openLogFile } from '@cpython-prebuilt/core';
import { BASE_IMAGES } from '@cpython-prebuilt/test-fixtures';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The PGO+LTO default compiles with GCC 14 from trixie inside the bullseye build base; CI makes no
// PGO build, so this is where that toolchain is exercised: a program built the way CPython's PGO
// build builds (LTO, -fprofile-generate, a training run, -fprofile-use) against the base's
// libraries, then run on bare bullseye, the glibc floor.
const base = findBase('debian11');
const baseImage = BASE_IMAGES[0];
const program = `#include <stdio.h>
#include <string.h>
#include <zlib.h>
int main(int argc, char **argv) {
  const char *text = argc > 1 ? argv[1] : "cpython";
  unsigned long sum = 0;
  for (int i = 0; i < 100000; i++) sum = crc32(sum, (const unsigned char *)text, (unsigned)strlen(text));
  printf("%s %lu\\n", zlibVersion(), sum);
  return 0;
}
`;

describe('GCC 14 from trixie inside the bullseye build base', () => {
  let work: string;
  let image: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'gcc14-'));
    const logPath = join(work, 'image.log');
    const logger = createLogger('test');
    const gcc14Image = await prepareGcc14Image(gcc14ImageFor(base, baseImage), logger, logPath);
    const log = openLogFile(logPath);
    try {
      const buildBaseImage = await ensureBuildBaseImage(base, baseImage, logger, log, logPath, 'x86_64');
      image = await ensureGcc14BuildImage({ base, buildBaseImage, gcc14Image, logger, log, logPath });
    } finally {
      await new Promise((resolve) => log.end(resolve));
    }
    await writeFile(join(work, 'crc.c'), program);
  }, 900_000);

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  const inImage = (script: string) =>
    execa(
      'docker',
      ['run', '--rm', '--network', 'none', '--volume', `${work}:/work`, '--workdir', '/work', image, 'sh', '-euc', script],
      {
        reject: false,
      },
    );

  it("is the gcc, as and ld in PATH, and builds with PGO and LTO against the base's zlib", async () => {
    const result = await inImage(
      [
        'gcc -dumpfullversion; ld --version | head -n 1',
        // The same output name both times: GCC names the profile after it.
        'gcc -O2 -flto -fprofile-generate -o crc crc.c -lz',
        './crc training >/dev/null',
        'gcc -O2 -flto -fprofile-use -fprofile-correction -Werror=missing-profile -o crc crc.c -lz',
        './crc',
        'readelf -p .comment crc',
        'objdump -T crc | grep -o "GLIBC_[0-9.]*" | sort -u -V | tail -n 1',
      ].join('\n'),
    );
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^14\.\d+\.\d+$/);
    expect(lines[1]).toMatch(/^GNU ld .* 2\.4\d/);
    // bullseye's zlib, not trixie's: what the build links is the base's.
    expect(lines[2]).toMatch(/^1\.2\.11 \d+$/);
    expect(result.stdout).toMatch(/GCC: \(Debian 14\./);
    const newestGlibc = lines.at(-1)?.replace('GLIBC_', '') ?? '';
    expect(newestGlibc.localeCompare(base.glibc, undefined, { numeric: true })).toBeLessThanOrEqual(0);
  });

  it('leaves a program that runs on bare bullseye, the glibc floor', async () => {
    const built = await readFile(join(work, 'crc'));
    expect(built.subarray(1, 4).toString()).toBe('ELF');
    const result = await execa(
      'docker',
      ['run', '--rm', '--network', 'none', '--volume', `${work}:/work:ro`, baseImage, '/work/crc'],
      { reject: false },
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^1\.2\.11 \d+$/);
  });
});

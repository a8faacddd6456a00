import { appendFile, copyFile, mkdtemp, readdir, readFile, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactMetadata, compareVersions, ValidationReport } from '@cpython-prebuilt/core';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { cpythonPrebuilt, debianSourceTarball } from './cli.ts';

const ARTIFACT = 'cpython-3.13.5-debian11-x86_64-build1.tgz';
const IMAGES = ['local/debian:bullseye', 'local/debian:bookworm', 'local/debian:trixie'];

describe('cpython-prebuilt build', () => {
  it('refuses a source whose sha256 differs from the pin before compiling anything, and keeps the file', async () => {
    const work = await mkdtemp(join(tmpdir(), 'bad-source-'));
    const bad = join(work, 'Python-3.13.5.tar.xz');
    await copyFile(debianSourceTarball(), bad);
    await appendFile(bad, 'tampered');
    const output = join(work, 'out');
    const result = await cpythonPrebuilt([
      'build',
      '--version',
      '3.13.5',
      '--source',
      bad,
      '--base',
      'debian11',
      '--base-image',
      'local/debian:bullseye',
      '--output-dir',
      output,
      '--no-optimize',
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('error [CHECKSUM_MISMATCH]');
    expect(result.stderr).toContain('expected 93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640, actual ');
    expect(result.stderr).not.toContain('build phase: configure');
    expect((await stat(bad)).isFile()).toBe(true);
    expect(await readdir(output)).toEqual([]);
  });
});

describe('a real OPTIMIZE=0 build of 3.13.5 on debian11, validated on bare images', () => {
  let output: string;
  let artifactPath: string;

  beforeAll(async () => {
    output = await mkdtemp(join(tmpdir(), 'artifacts-'));
    const result = await cpythonPrebuilt([
      'build',
      '--version',
      '3.13.5',
      '--build',
      '1',
      '--source',
      debianSourceTarball(),
      '--base',
      'debian11',
      '--base-image',
      'local/debian:bullseye',
      '--no-optimize',
      '--output-dir',
      output,
      '--json',
    ]);
    if (result.exitCode !== 0) throw new Error(`build failed:\n${result.stderr}`);
    artifactPath = join(output, ARTIFACT);
  });

  it('writes the artifact, a .sha256 that sha256sum -c accepts, and schema-valid metadata', async () => {
    expect((await readdir(output)).sort()).toEqual(
      [ARTIFACT, `${ARTIFACT.replace('.tgz', '.json')}`, `${ARTIFACT}.sha256`].sort(),
    );
    const check = await execa('sha256sum', ['-c', `${ARTIFACT}.sha256`], { cwd: output, reject: false });
    expect(check.stdout).toBe(`${ARTIFACT}: OK`);
    const metadata = ArtifactMetadata.parse(JSON.parse(await readFile(join(output, ARTIFACT.replace('.tgz', '.json')), 'utf8')));
    expect(metadata).toMatchObject({
      version: '3.13.5',
      build: 1,
      base: 'debian11',
      arch: 'x86_64',
      prefix: '/opt/python-3.13.5',
    });
    expect(metadata.optimizations).toEqual({ pgo: false, lto: false });
    // Built on bullseye: nothing may need a glibc newer than bullseye's 2.31.
    expect(compareVersions(metadata.glibcMinimum, '2.31')).toBeLessThanOrEqual(0);
    expect(metadata.bundledLibraries.map((library) => library.name)).toEqual(
      expect.arrayContaining(['libssl.so.1.1', 'libsqlite3.so.0', 'libffi.so.7']),
    );
    expect(metadata.extensionModules).toEqual(
      expect.arrayContaining(['_ssl', '_sqlite3', '_tkinter', '_gdbm', '_dbm', '_decimal']),
    );
    expect(metadata.extensionModules).not.toContain('_testcapi');
    expect(metadata.configureArgs).toContain('--enable-shared');
    expect(metadata.configureArgs).not.toContain('--enable-optimizations');
  });

  it('passes every check on bare bullseye, bookworm and trixie and writes the report', async () => {
    const result = await cpythonPrebuilt(['validate', artifactPath, ...IMAGES.flatMap((image) => ['--image', image]), '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const report = ValidationReport.parse(
      JSON.parse(await readFile(join(output, ARTIFACT.replace('.tgz', '.validation.json')), 'utf8')),
    );
    expect(report.ok).toBe(true);
    expect(report.runs.map((run) => run.image)).toEqual(['host', ...IMAGES]);
    for (const run of report.runs.slice(1)) {
      const names = run.checks.map((check) => check.name);
      expect(names).toEqual(
        expect.arrayContaining([
          'version',
          'prefix',
          'import ssl',
          'import tkinter',
          'pip',
          'venv + local wheel',
          'shared libraries (ldd)',
          'moved tree',
        ]),
      );
      expect(run.checks.find((check) => check.name === 'version')?.detail).toBe('Python 3.13.5');
    }
  });

  it('fails validation of a truncated copy on its checksum, without running it', async () => {
    const work = await mkdtemp(join(tmpdir(), 'truncated-'));
    await copyFile(artifactPath, join(work, ARTIFACT));
    await copyFile(`${artifactPath}.sha256`, join(work, `${ARTIFACT}.sha256`));
    await truncate(join(work, ARTIFACT), 1024 * 1024);
    const result = await cpythonPrebuilt(['validate', join(work, ARTIFACT), '--image', IMAGES[0] ?? '']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('[FAIL] host: checksum - expected ');
    expect(result.stderr).toContain('error [VALIDATION_FAILED]');
    const report = ValidationReport.parse(
      JSON.parse(await readFile(join(work, ARTIFACT.replace('.tgz', '.validation.json')), 'utf8')),
    );
    expect(report.runs.map((run) => run.image)).toEqual(['host']);
    await rm(work, { recursive: true });
  });

  it('packs the same build into the same bytes when the tree is packed again', async () => {
    // Determinism of the packer on the real tree: extract, repack with the same epoch, compare.
    const work = await mkdtemp(join(tmpdir(), 'repack-'));
    await execa('tar', ['-xzf', artifactPath, '-C', work]);
    const { packDeterministic } = await import('@cpython-prebuilt/builder');
    const metadata = ArtifactMetadata.parse(JSON.parse(await readFile(join(output, ARTIFACT.replace('.tgz', '.json')), 'utf8')));
    await packDeterministic({
      root: work,
      topDirectory: 'python-3.13.5',
      output: join(work, 'again.tgz'),
      mtime: metadata.sourceDateEpoch,
    });
    const again = await execa('sha256sum', [join(work, 'again.tgz')]);
    expect(again.stdout.split(' ')[0]).toBe(metadata.sha256);
    await rm(work, { recursive: true });
  });
});

import { appendFile, copyFile, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { packDeterministic } from '@cpython-prebuilt/builder';
import { ArtifactMetadata, compareVersions, pinnedLibraries, ValidationReport } from '@cpython-prebuilt/core';
import { BASE_IMAGES, cpythonPrebuilt, debianSourceTarball } from '@cpython-prebuilt/test-fixtures';
import { execa } from 'execa';
import { describe, expect, inject, it } from 'vitest';

const readJson = async (path: string): Promise<unknown> => JSON.parse(await readFile(path, 'utf8'));

describe('cpython-prebuilt build', () => {
  it('refuses a source whose sha256 differs from the pin before compiling anything, and keeps the file', async () => {
    const work = await mkdtemp(join(tmpdir(), 'bad-source-'));
    const bad = join(work, 'Python-3.13.5.tar.xz');
    await copyFile(debianSourceTarball('3.13.5'), bad);
    await appendFile(bad, 'tampered');
    const output = join(work, 'out');
    const result = await cpythonPrebuilt(
      ['build', '--version', '3.13.5', '--source', bad, '--base', 'debian11'].concat([
        '--base-image',
        'local/debian:bullseye',
        '--output-dir',
        output,
        '--no-optimize',
      ]),
    );
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toContain('error [CHECKSUM_MISMATCH]');
    expect(result.stderr).toContain('expected 93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640, actual ');
    expect(result.stderr).not.toContain('build phase: configure');
    expect((await stat(bad)).isFile()).toBe(true);
    expect(await readdir(output)).toEqual([]);
    await rm(work, { recursive: true });
  });

  it('names the valid bases when given an unknown one', async () => {
    const result = await cpythonPrebuilt(['build', '--base', 'centos7']);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain(
      "error: option '--base <id>' argument 'centos7' is invalid. Allowed choices are ubuntu20.04,",
    );
  });
});

describe('a real OPTIMIZE=0 build of 3.13.5 on debian11, validated on bare images', () => {
  const artifactPath = inject('artifacts').python313;
  const output = dirname(artifactPath);
  const name = basename(artifactPath);

  it('printed its phases and wrote the artifact, a .sha256 that sha256sum -c accepts, and schema-valid metadata', async () => {
    const log = inject('artifacts').buildLog313;
    for (const phase of [
      'configure',
      'compile',
      'install',
      'check-modules',
      'split-debug',
      'bundle-libraries',
      'relocate-scripts',
    ]) {
      expect(log).toContain(`==> build phase: ${phase}`);
    }
    expect(await readdir(output)).toEqual(expect.arrayContaining([name, name.replace('.tgz', '.json'), `${name}.sha256`]));
    const check = await execa('sha256sum', ['-c', `${name}.sha256`], { cwd: output, reject: false });
    expect(check.stdout).toBe(`${name}: OK`);
    const metadata = ArtifactMetadata.parse(await readJson(join(output, name.replace('.tgz', '.json'))));
    expect(metadata).toMatchObject({
      version: '3.13.5',
      build: 1,
      base: 'debian11',
      arch: 'x86_64',
      prefix: '/opt/python-3.13.5',
    });
    expect(metadata.optimizations).toEqual({ pgo: false, lto: false, bolt: false });
    // The source passed python.org's two signatures before anything compiled; 3.11.2 (no OpenPGP
    // key pinned for its line) its Sigstore bundle.
    expect(metadata.source.checks).toEqual([
      'sha256',
      'openpgp:7169605F62C751356D054A26A821E680E5FA6305',
      'sigstore:thomas@python.org',
    ]);
    expect(log).toMatch(/upstream Sigstore bundle verified: \S+Python-3\.13\.5\.tar\.xz\.sigstore, signed by thomas@python\.org/);
    const metadata311 = ArtifactMetadata.parse(await readJson(inject('artifacts').python311.replace(/\.tgz$/, '.json')));
    expect(metadata311.source.checks).toEqual(['sha256', 'sigstore:pablogsal@python.org']);
    // Built on bullseye: nothing may need a glibc newer than bullseye's 2.31.
    expect(compareVersions(metadata.glibcMinimum, '2.31')).toBeLessThanOrEqual(0);
    expect(metadata.bundledLibraries.map((library) => library.name)).toEqual(
      expect.arrayContaining(['libssl.so.3', 'libcrypto.so.3', 'libsqlite3.so.0', 'libffi.so.7', 'libtk8.6.so']),
    );
    // Each bundled library names the bullseye package it came from (what the SBOM and CVE feeds use),
    // or, for OpenSSL, the pinned source it was built from: not bullseye's 1.1.1.
    expect(metadata.bundledLibraries.find((library) => library.name === 'libffi.so.7')?.package).toMatchObject({
      name: 'libffi7:amd64',
      source: 'libffi',
    });
    for (const name of ['libssl.so.3', 'libcrypto.so.3']) {
      expect(metadata.bundledLibraries.find((library) => library.name === name)).toMatchObject({
        pinned: { name: 'openssl', version: pinnedLibraries[0]?.version },
      });
    }
    expect(metadata.bundledLibraries.map((library) => library.name)).not.toContain('libssl.so.1.1');
    for (const library of metadata.bundledLibraries)
      expect(library.package?.name ?? library.pinned?.name, library.name).toBeTruthy();
    // No GPL library: libedit behind readline, no gdbm.
    expect(metadata.bundledLibraries.map((library) => library.name)).toEqual(expect.arrayContaining(['libedit.so.2']));
    for (const gpl of ['libreadline', 'libgdbm']) {
      expect(metadata.bundledLibraries.filter((library) => library.name.startsWith(gpl))).toEqual([]);
    }
    expect(metadata.extensionModules).toEqual(expect.arrayContaining(['_ssl', '_sqlite3', '_tkinter', 'readline', '_decimal']));
    expect(metadata.extensionModules).not.toContain('_testcapi');
    expect(metadata.configureArgs).toContain('--enable-shared');
    expect(metadata.configureArgs).not.toContain('--enable-optimizations');
  });

  it('passes every check on bare bullseye, bookworm and trixie and writes the report', async () => {
    const result = await cpythonPrebuilt([
      'validate',
      artifactPath,
      ...BASE_IMAGES.flatMap((image) => ['--image', image]),
      '--json',
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    const report = ValidationReport.parse(await readJson(join(output, name.replace('.tgz', '.validation.json'))));
    expect(report.ok).toBe(true);
    expect(report.runs.map((run) => run.image)).toEqual(['host', ...BASE_IMAGES]);
    for (const run of report.runs.slice(1)) {
      expect(run.checks.map((check) => check.name)).toEqual(
        expect.arrayContaining(
          ['bytecode', 'version', 'prefix', 'import ssl', 'import tkinter', 'tcl runtime', 'pip', 'venv + local wheel'].concat([
            'venv --copies',
            'shared libraries (ldd)',
            'moved tree',
            'SBOM and licences',
            'OpenSSL from the pinned source',
            'bundled libraries from the tree',
          ]),
        ),
      );
      expect(run.checks.find((check) => check.name === 'version')?.detail).toBe('Python 3.13.5');
      expect(run.checks.find((check) => check.name === 'SBOM and licences')?.detail).toMatch(
        /^\d+ bundled libraries from \d+ packages, each with its licence text$/,
      );
      expect(run.checks.find((check) => check.name === 'OpenSSL from the pinned source')?.detail).toMatch(
        new RegExp(
          `^OpenSSL ${pinnedLibraries[0]?.version.replaceAll('.', '\\.')} .*, as the SBOM pins, loaded from /opt/python-3\\.13\\.5/lib$`,
        ),
      );
    }
  });

  it('fails validation of a tree whose bundled files differ from its SBOM or resolve from the image, naming the files', async () => {
    const work = await mkdtemp(join(tmpdir(), 'sbom-mismatch-'));
    await execa('tar', ['-xzf', artifactPath, '-C', work]);
    // lzma's library altered after the SBOM was written; zlib's removed, so the image's is loaded.
    await appendFile(join(work, 'python-3.13.5/lib/liblzma.so.5'), 'x');
    await rm(join(work, 'python-3.13.5/lib/libz.so.1'));
    const packed = join(work, name);
    await packDeterministic({ root: work, topDirectory: 'python-3.13.5', output: packed, mtime: 1 });
    const sha256 = (await execa('sha256sum', [packed])).stdout.split(' ')[0];
    await writeFile(`${packed}.sha256`, `${sha256}  ${name}\n`);
    const result = await cpythonPrebuilt(['validate', packed, '--image', BASE_IMAGES[0]]);
    expect(result.exitCode).toBe(1);
    const sbomLine = result.stderr.split('\n').find((line) => line.includes(': SBOM and licences - '));
    expect(sbomLine).toMatch(/\[FAIL\].*the SBOM lists lib\/libz\.so\.1, which is not in the tree/);
    expect(sbomLine).toMatch(/lib\/liblzma\.so\.5 has sha256 [0-9a-f]{64}, the SBOM says [0-9a-f]{64}/);
    expect(result.stderr).toMatch(
      /\[FAIL\] \S+: bundled libraries from the tree - exit 1: libz\.so\.1 => \/(usr\/)?lib\/x86_64-linux-gnu\/libz\.so\.1/,
    );
    await rm(work, { recursive: true });
  });

  it('links the interpreter from libpython objects, still ships libpython for embedders, and strips debug information', async () => {
    const work = await mkdtemp(join(tmpdir(), 'elf-'));
    await execa('tar', ['-xzf', artifactPath, '-C', work]);
    const tree = join(work, 'python-3.13.5');
    const interpreter = join(tree, 'bin/python3.13');
    const dynamic = (await execa('readelf', ['-d', interpreter])).stdout;
    expect(dynamic).not.toContain('libpython');
    expect(dynamic).toContain('[$ORIGIN/../lib]');
    const libpython = (await execa('readelf', ['-d', join(tree, 'lib/libpython3.13.so.1.0')])).stdout;
    expect(libpython).toContain('Library soname: [libpython3.13.so.1.0]');
    for (const file of [interpreter, join(tree, 'lib/libpython3.13.so.1.0')]) {
      const sections = (await execa('readelf', ['-S', file])).stdout;
      expect(sections, file).not.toContain('.debug_info');
      expect(sections, file).toContain('.gnu_debuglink');
      // The symbol table stays: backtraces and perf profiles read without the symbols archive.
      expect(sections, file).toContain('.symtab');
    }
    await rm(work, { recursive: true });
  });

  it('strips every extension module, each with a debuglink: none keeps its debug information', async () => {
    // A split that skipped an arbitrary fifth of the modules (a SIGPIPE race) made two builds of
    // the same inputs differ; every module, not a sample, is checked.
    const work = await mkdtemp(join(tmpdir(), 'modules-'));
    await execa('tar', ['-xzf', artifactPath, '-C', work]);
    const dynload = join(work, 'python-3.13.5/lib/python3.13/lib-dynload');
    const modules = (await readdir(dynload)).filter((file) => file.endsWith('.so'));
    expect(modules.length).toBeGreaterThan(50);
    const unsplit: string[] = [];
    for (const module of modules) {
      const sections = (await execa('readelf', ['-S', '-W', join(dynload, module)])).stdout;
      if (sections.includes(' .debug_info ') || !sections.includes(' .gnu_debuglink ')) unsplit.push(module);
    }
    expect(unsplit).toEqual([]);
    await rm(work, { recursive: true });
  });

  it('ships regular bytecode only: no .opt-N.pyc of any level, nothing outside __pycache__', async () => {
    const listing = (await execa('tar', ['-tzf', artifactPath], { maxBuffer: 64 * 1024 * 1024 })).stdout.split('\n');
    const bytecode = listing.filter((entry) => entry.endsWith('.pyc'));
    expect(bytecode.length).toBeGreaterThan(500);
    expect(bytecode.filter((entry) => !/\/__pycache__\/[^/]+\.cpython-313\.pyc$/.test(entry))).toEqual([]);
  });

  it('fails validation of an artifact holding bytecode a training run left behind, naming the file', async () => {
    // build111's whole-suite BOLT training wrote .opt-4.pyc files into the tree it then packed.
    const work = await mkdtemp(join(tmpdir(), 'stray-bytecode-'));
    await execa('tar', ['-xzf', artifactPath, '-C', work]);
    const stray = 'python-3.13.5/lib/python3.13/__pycache__/os.cpython-313.opt-4.pyc';
    await copyFile(join(work, 'python-3.13.5/lib/python3.13/__pycache__/os.cpython-313.pyc'), join(work, stray));
    const packed = join(work, name);
    await packDeterministic({ root: work, topDirectory: 'python-3.13.5', output: packed, mtime: 1 });
    const sha256 = (await execa('sha256sum', [packed])).stdout.split(' ')[0];
    await writeFile(`${packed}.sha256`, `${sha256}  ${name}\n`);
    const result = await cpythonPrebuilt(['validate', packed, '--image', BASE_IMAGES[0]]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`[FAIL] ${BASE_IMAGES[0]}: bytecode - exit 1: /opt/${stray}`);
    expect(result.stderr).toContain('error [VALIDATION_FAILED]');
    await rm(work, { recursive: true });
  });

  it("writes a symbols archive with its .sha256, holding each stripped file's debug information by build-id", async () => {
    const debugName = name.replace(/\.tgz$/, '.debug.tgz');
    expect(await readdir(output)).toEqual(expect.arrayContaining([debugName, `${debugName}.sha256`]));
    const check = await execa('sha256sum', ['-c', `${debugName}.sha256`], { cwd: output, reject: false });
    expect(check.stdout).toBe(`${debugName}: OK`);
    const work = await mkdtemp(join(tmpdir(), 'debug-'));
    await execa('tar', ['-xzf', artifactPath, '-C', work]);
    await execa('tar', ['-xzf', join(output, debugName), '-C', work]);
    const notes = (await execa('readelf', ['-n', join(work, 'python-3.13.5/bin/python3.13')])).stdout;
    const buildId = /Build ID: ([0-9a-f]+)/.exec(notes)?.[1] ?? '';
    expect(buildId).toMatch(/^[0-9a-f]{40}$/);
    const debugFile = join(work, `python-3.13.5/lib/debug/.build-id/${buildId.slice(0, 2)}/${buildId.slice(2)}.debug`);
    const sections = (await execa('readelf', ['-S', debugFile])).stdout;
    expect(sections).toContain('.debug_info');
    const debugNotes = (await execa('readelf', ['-n', debugFile])).stdout;
    expect(debugNotes).toContain(`Build ID: ${buildId}`);
    await rm(work, { recursive: true });
  });

  it('fails validation of a truncated copy on its checksum, without running it', async () => {
    const work = await mkdtemp(join(tmpdir(), 'truncated-'));
    await copyFile(artifactPath, join(work, name));
    await copyFile(`${artifactPath}.sha256`, join(work, `${name}.sha256`));
    await truncate(join(work, name), 1024 * 1024);
    const result = await cpythonPrebuilt(['validate', join(work, name), '--image', BASE_IMAGES[0]]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('[FAIL] host: checksum - expected ');
    expect(result.stderr).toContain('error [VALIDATION_FAILED]');
    const report = ValidationReport.parse(await readJson(join(work, name.replace('.tgz', '.validation.json'))));
    expect(report.runs.map((run) => run.image)).toEqual(['host']);
    await rm(work, { recursive: true });
  });

  it('packs the extracted tree into the same bytes again', async () => {
    const work = await mkdtemp(join(tmpdir(), 'repack-'));
    await execa('tar', ['-xzf', artifactPath, '-C', work]);
    const metadata = ArtifactMetadata.parse(await readJson(join(output, name.replace('.tgz', '.json'))));
    const again = join(work, 'again.tgz');
    await packDeterministic({ root: work, topDirectory: 'python-3.13.5', output: again, mtime: metadata.sourceDateEpoch });
    expect((await execa('sha256sum', [again])).stdout.split(' ')[0]).toBe(metadata.sha256);
    await rm(work, { recursive: true });
  });
});

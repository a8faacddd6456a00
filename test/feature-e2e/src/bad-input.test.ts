import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { metadataFileName, sha256File } from '@cpython-prebuilt/core';
import { vendorFeature } from '@cpython-prebuilt/feature';
import { runInstallScript } from '@cpython-prebuilt/harness';
import { create } from 'tar';
import { beforeAll, describe, expect, inject, it } from 'vitest';

const IMAGE = 'local/debian:bookworm';
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('install.sh refuses bad input with a clear error and leaves nothing behind', () => {
  let work: string;
  let feature: string;
  let artifactName: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'bad-input-'));
    const artifacts = inject('artifacts');
    artifactName = basename(artifacts.python313);
    feature = await vendorFeature({
      artifactPaths: [artifacts.python313, artifacts.python311],
      outputDir: join(work, 'installer'),
      force: false,
    });
    return () => rm(work, { recursive: true, force: true });
  });

  /** Adds a file to the vendored feature folder and returns its sha256. */
  async function addToFeature(name: string, bytes: Buffer): Promise<string> {
    await writeFile(join(feature, name), bytes);
    return sha256(bytes);
  }

  /** A .tgz with a python-3.13.5/ tree plus whatever `extra` adds, packed with preserved paths. */
  async function craftArchive(extra: (root: string) => Promise<string[]>): Promise<Buffer> {
    const root = await mkdtemp(join(work, 'craft-'));
    await mkdir(join(root, 'python-3.13.5/bin'), { recursive: true });
    await writeFile(join(root, 'python-3.13.5/bin/python3'), '#!/bin/sh\necho pwned\n');
    const entries = ['python-3.13.5', ...(await extra(root))];
    const file = join(root, 'crafted.tgz');
    await create({ file, cwd: root, gzip: true, preservePaths: true }, entries);
    return readFile(file);
  }

  const install = (options: Record<string, string | boolean>, extra: Partial<Parameters<typeof runInstallScript>[0]> = {}) =>
    runInstallScript({ featureDir: feature, image: IMAGE, options, ...extra });

  it('refuses a wrong sha256 before extracting anything', async () => {
    const wrong = '0'.repeat(64);
    const actual = await sha256File(join(feature, artifactName));
    const result = await install({ artifactUrl: artifactName, sha256: wrong });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(
      `cpython-installer: error: sha256 mismatch for ${artifactName}: expected ${wrong} (from the sha256 option), actual ${actual}`,
    );
    expect(result.leftovers).toEqual([]);
  });

  it('refuses a truncated archive', async () => {
    const bytes = (await readFile(join(feature, artifactName))).subarray(0, 4 * 1024 * 1024);
    const digest = await addToFeature('truncated.tgz', bytes);
    const result = await install({ artifactUrl: 'truncated.tgz', sha256: digest, version: '3.13.5' });
    expect(result.exitCode).toBe(1);
    expect(result.output).toMatch(/cpython-installer: error: extracting the artifact failed: .*unexpected end of file\n/);
    expect(result.output).toContain('cpython-installer: fix: download it again; it may be truncated');
    expect(result.leftovers).toEqual([]);
  });

  it('refuses an archive with ../ entries', async () => {
    const bytes = await craftArchive(async (root) => {
      await writeFile(join(root, 'evil'), 'x');
      return ['python-3.13.5/../evil'];
    });
    const result = await install({
      artifactUrl: 'dotdot.tgz',
      sha256: await addToFeature('dotdot.tgz', bytes),
      version: '3.13.5',
    });
    expect(result.exitCode).toBe(1);
    // GNU tar refuses the entry itself; hardening.test.ts covers a tar that does not.
    expect(result.output).toContain(
      "cpython-installer: error: extracting the artifact failed: tar: python-3.13.5/../evil: Member name contains '..'",
    );
    expect(result.leftovers).toEqual([]);
  });

  it('refuses an archive with an absolute symlink', async () => {
    const bytes = await craftArchive(async (root) => {
      await symlink('/etc/passwd', join(root, 'python-3.13.5/bin/evil'));
      return [];
    });
    const result = await install({
      artifactUrl: 'abslink.tgz',
      sha256: await addToFeature('abslink.tgz', bytes),
      version: '3.13.5',
    });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(
      'cpython-installer: error: refusing the artifact: symlink python-3.13.5/bin/evil -> /etc/passwd points outside the tree',
    );
    expect(result.leftovers).toEqual([]);
  });

  it('refuses option values that cannot be meant, before doing anything', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ setAsDefault: 'yes' }, 'cpython-installer: error: setAsDefault must be true or false, got "yes"'],
      [{ version: 'three' }, 'cpython-installer: error: version "three" is not a CPython version'],
      [{ sha256: 'ABC' }, 'cpython-installer: error: sha256 "ABC" is not 64 lowercase hex characters'],
      [{ installPath: 'relative/dir' }, 'cpython-installer: error: installPath must be absolute, got "relative/dir"'],
    ];
    for (const [options, message] of cases) {
      const result = await install(options);
      expect(result.exitCode).toBe(1);
      expect(result.output).toContain(message);
      expect(result.leftovers).toEqual([]);
    }
  });

  it('refuses an unknown version and lists the known ones', async () => {
    const result = await install({ version: '3.12.1' });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(
      "cpython-installer: error: CPython 3.12.1 has no artifact for x86_64 (this container's architecture) in this feature version (known for x86_64: 3.11.2 3.13.5; 3.12.1 exists for: no architecture)",
    );
    expect(result.leftovers).toEqual([]);
  });

  it('refuses an unsupported architecture before fetching anything', async () => {
    const fakebin = join(work, 'fakebin');
    await mkdir(fakebin, { recursive: true });
    await writeFile(join(fakebin, 'uname'), '#!/bin/sh\necho riscv64\n');
    await chmod(join(fakebin, 'uname'), 0o755);
    const result = await install({}, { mounts: { [fakebin]: '/fakebin' }, pathPrefix: '/fakebin' });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(
      'cpython-installer: error: unsupported architecture riscv64: artifacts exist for x86_64 and aarch64',
    );
    expect(result.leftovers).toEqual([]);
  });

  it('refuses an artifact whose metadata needs a newer glibc than the image has', async () => {
    const artifacts = inject('artifacts');
    const copyDir = await mkdtemp(join(work, 'newglibc-'));
    const name = basename(artifacts.python313);
    await copyFile(artifacts.python313, join(copyDir, name));
    await copyFile(`${artifacts.python313}.sha256`, join(copyDir, `${name}.sha256`));
    await copyFile(`${artifacts.python313}.asc`, join(copyDir, `${name}.asc`));
    const metadata = JSON.parse(await readFile(join(artifacts.dir, metadataFileName(name)), 'utf8')) as { glibcMinimum: string };
    metadata.glibcMinimum = '2.99';
    await writeFile(join(copyDir, metadataFileName(name)), JSON.stringify(metadata));
    const newGlibcFeature = await vendorFeature({
      artifactPaths: [join(copyDir, name)],
      outputDir: join(copyDir, 'installer'),
      force: false,
    });
    const result = await runInstallScript({ featureDir: newGlibcFeature, image: IMAGE, options: {} });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(
      'cpython-installer: error: the artifact for CPython 3.13.5 needs glibc 2.99 but this image has glibc 2.36',
    );
    expect(result.leftovers).toEqual([]);
  });

  it('says that an artifactUrl on /workspaces is not mounted at build time', async () => {
    const result = await install({
      artifactUrl: '/workspaces/project/infrastructure/cpython/artifacts/x.tgz',
      sha256: 'a'.repeat(64),
    });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(
      'cpython-installer: error: artifact /workspaces/project/infrastructure/cpython/artifacts/x.tgz does not exist in the image build',
    );
    expect(result.output).toContain('the workspace is not mounted while features install');
    expect(result.leftovers).toEqual([]);
  });

  it('installs, then is a no-op when run again with the same artifact', async () => {
    const result = await install({}, { afterInstall: 'sh /tmp/feature/install.sh && python3 --version' });
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain(
      'cpython-installer: CPython 3.13.5 is already installed in /opt/python-3.13.5 (same artifact): nothing to do',
    );
    expect(result.output).toContain('Python 3.13.5');
  });

  it('refuses to replace a prefix it did not install and leaves it as it was', async () => {
    const result = await install({}, { beforeInstall: 'mkdir -p /opt/python-3.13.5 && echo mine > /opt/python-3.13.5/keep' });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain('cpython-installer: error: /opt/python-3.13.5 exists and was not installed by this feature');
    expect(result.leftovers).toEqual(['/opt/python-3.13.5']);
    expect(result.output).not.toContain('installed CPython');
  });
});

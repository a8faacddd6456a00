import { createHash } from 'node:crypto';
import { lstat, mkdtemp, readdir, readFile, readlink, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ArtifactMetadata, layout, repoRoot, ValidationReport } from '@cpython-prebuilt/core';
import { cpythonPrebuilt, debianSourceTarball } from '@cpython-prebuilt/test-fixtures';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

// The docker provider: VirtualBox cannot run on these machines (environment.md); the Vagrantfile,
// the in-guest script and the backend are the same for every provider.
const machineFlags = ['--provider', 'docker', '--base', 'debian11', '--base-image', 'local/debian:bullseye'];
const buildFlags = ['--version', '3.13.5', '--build', '1', '--base', 'debian11', '--base-image', 'local/debian:bullseye'];
const vagrantBuildFlags = [...buildFlags, '--no-optimize', '--backend', 'vagrant', '--vagrant-provider', 'docker'];

/** Another network of the machine's engine, on the subnet the Vagrantfile used to fix. */
const squatter = 'cpython-e2e-squatter';

/** The procedure's make targets, from the repository root. */
const make = (args: string[]) => execa('make', args, { cwd: repoRoot, reject: false });

/** The procedure's troubleshooting commands, as a user types them in infrastructure/cpython. */
const vagrant = (args: string[]) => execa('vagrant', args, { cwd: layout.vagrantDir, reject: false });

async function extract(artifact: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'compare-'));
  await execa('tar', ['-xzf', artifact, '-C', dir]);
  return dir;
}

/**
 * path -> sha256 of content (or link target) for every file of an extracted tree. Read in-process:
 * a readlink process per file (thousands of them) made this comparison take two minutes.
 */
async function fileDigests(root: string): Promise<Map<string, string>> {
  const digests = new Map<string, string>();
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const paths = entries
    .filter((entry) => entry.isFile() || entry.isSymbolicLink())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  for (const path of paths) {
    const content = (await lstat(path)).isSymbolicLink() ? Buffer.from(`link:${await readlink(path)}`) : await readFile(path);
    digests.set(relative(root, path), createHash('sha256').update(content).digest('hex'));
  }
  return digests;
}

describe('cpython-prebuilt build --backend vagrant (docker provider)', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(layout.cacheDir, 'vagrant-e2e-'));
  });
  afterAll(async () => {
    await cpythonPrebuilt(['vagrant', 'destroy', ...machineFlags]);
    await execa('docker', ['network', 'rm', squatter], { reject: false });
    await rm(work, { recursive: true, force: true });
  });

  it('says what to install when Vagrant is missing, or when the provider is', async () => {
    const bin = await mkdtemp(join(tmpdir(), 'no-vagrant-'));
    await symlink(process.execPath, join(bin, 'node'));
    const noVagrant = await cpythonPrebuilt(['build', ...vagrantBuildFlags, '--output-dir', join(work, 'none')], {
      PATH: bin,
    });
    expect(noVagrant.exitCode).toBe(3);
    expect(noVagrant.stderr).toContain('error [VAGRANT_UNAVAILABLE]: Vagrant is not installed');
    expect(noVagrant.stderr).toContain('sudo apt-get install vagrant');
    const noVirtualBox = await cpythonPrebuilt(['vagrant', 'up', ...machineFlags.slice(2), '--provider', 'virtualbox']);
    expect(noVirtualBox.exitCode).toBe(3);
    expect(noVirtualBox.stderr).toContain('the virtualbox provider needs VirtualBox');
    expect(noVirtualBox.stderr).toContain('--vagrant-provider docker|libvirt');
    await rm(bin, { recursive: true });
  });

  it('make vagrant-cpython-up brings the VM up with the build packages, and halt stops it', async () => {
    // A machine whose engine already has a network on the subnet the Vagrantfile once fixed
    // (10.231.0.0/24): creating the builder's network must not collide with it (CI failed so).
    await execa('docker', ['network', 'rm', 'cpython-builder-net'], { reject: false });
    await execa('docker', ['network', 'create', '--subnet', '10.231.0.0/24', squatter]);
    const up = await make(['vagrant-cpython-up', 'VAGRANT_PROVIDER=docker', 'BASE=debian11', 'BASE_IMAGE=local/debian:bullseye']);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stderr).toContain('iact-cpython-builder is running (docker, debian11)');
    expect(await readFile(join(layout.logsDir, 'vagrant-up.log'), 'utf8')).toMatch(/build packages: all \d+ installed/);
    const packages = await vagrant(['ssh', '-c', 'dpkg -s patchelf libedit-dev tk-dev >/dev/null && echo installed']);
    expect(packages.stdout.trim()).toBe('installed');

    const halt = await make(['vagrant-cpython-halt', 'VAGRANT_PROVIDER=docker']);
    expect(halt.exitCode, halt.stderr).toBe(0);
    expect((await cpythonPrebuilt(['vagrant', 'status', ...machineFlags])).stdout.trim()).toBe('stopped');
  });

  it('builds 3.13.5 (OPTIMIZE=0) in the VM, starting it again, and the artifact validates', async () => {
    const output = join(work, 'vagrant');
    const result = await cpythonPrebuilt([
      'build',
      ...vagrantBuildFlags,
      '--source',
      debianSourceTarball('3.13.5'),
      '--output-dir',
      output,
    ]);
    expect(result.exitCode, result.stderr.slice(-3000)).toBe(0);
    for (const phase of ['vagrant up', 'build phase: configure', 'build phase: compile', 'build phase: bundle-libraries']) {
      expect(result.stderr).toContain(phase);
    }
    const name = 'cpython-3.13.5-debian11-x86_64-build1.tgz';
    const debug = name.replace('.tgz', '.debug.tgz');
    expect((await readdir(output)).sort()).toEqual(
      [name, `${name}.sha256`, name.replace('.tgz', '.json'), debug, `${debug}.sha256`].sort(),
    );
    const metadata = ArtifactMetadata.parse(JSON.parse(await readFile(join(output, name.replace('.tgz', '.json')), 'utf8')));
    expect(metadata).toMatchObject({ backend: 'vagrant', version: '3.13.5', optimizations: { pgo: false, lto: false } });

    // The procedure's troubleshooting: the build log is in /vagrant/logs inside the VM.
    const logs = await vagrant(['ssh', '-c', 'cat /vagrant/logs/build-*.log']);
    expect(logs.exitCode).toBe(0);
    expect(logs.stdout).toContain('==> phase: relocate-scripts');

    const validate = await cpythonPrebuilt(['validate', join(output, name), '--image', 'local/debian:bookworm']);
    expect(validate.exitCode, validate.stderr.slice(-3000)).toBe(0);
    const report = ValidationReport.parse(
      JSON.parse(await readFile(join(output, name.replace('.tgz', '.validation.json')), 'utf8')),
    );
    expect(report.ok).toBe(true);
    expect(report.runs.map((run) => run.image)).toContain('local/debian:bookworm');
  });

  it("matches the Docker backend's artifact and symbols archive from the same inputs: files, modules, and bytes", async () => {
    const name = 'cpython-3.13.5-debian11-x86_64-build1';
    const fromVagrant = join(work, 'vagrant', `${name}.tgz`);
    const fromDocker = inject('artifacts').python313;
    const read = async (tgz: string) => ArtifactMetadata.parse(JSON.parse(await readFile(tgz.replace('.tgz', '.json'), 'utf8')));
    const [vagrantMetadata, dockerMetadata] = [await read(fromVagrant), await read(fromDocker)];
    expect(vagrantMetadata.extensionModules).toEqual(dockerMetadata.extensionModules);

    const [vagrantTree, dockerTree] = [await extract(fromVagrant), await extract(fromDocker)];
    const [vagrantFiles, dockerFiles] = [await fileDigests(vagrantTree), await fileDigests(dockerTree)];
    expect([...vagrantFiles.keys()]).toEqual([...dockerFiles.keys()]);
    const differing = [...vagrantFiles].filter(([path, digest]) => dockerFiles.get(path) !== digest).map(([path]) => path);
    // Same base image, same package list, same compiler: the builds must be byte-identical; a
    // difference here names the files that a backend (or a racy build step) let leak into the build.
    expect(vagrantMetadata.compiler).toBe(dockerMetadata.compiler);
    expect(differing).toEqual([]);
    expect(vagrantMetadata.sha256).toBe(dockerMetadata.sha256);
    // The symbols archive too: its .debug files are named by build-id and the stripped files carry
    // their CRC, so one racy split shows up here as well.
    const debugDigest = async (tgz: string) =>
      (await readFile(`${tgz.replace('.tgz', '.debug.tgz')}.sha256`, 'utf8')).split(' ')[0];
    expect(await debugDigest(fromVagrant)).toBe(await debugDigest(fromDocker));
    await rm(vagrantTree, { recursive: true });
    await rm(dockerTree, { recursive: true });
  });

  it('refuses to build for another base in a VM made for debian11, and says how to recreate it', async () => {
    const result = await cpythonPrebuilt([
      'build',
      ...vagrantBuildFlags.map((flag) =>
        flag === 'debian11' ? 'debian12' : flag === 'local/debian:bullseye' ? 'local/debian:bookworm' : flag,
      ),
      '--source',
      debianSourceTarball('3.13.5'),
      '--output-dir',
      join(work, 'wrong-base'),
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('the builder VM runs debian bullseye, but base debian12 (debian bookworm) was asked');
    expect(result.stderr).toContain('make vagrant-cpython-destroy');
  });

  it('make vagrant-cpython-destroy removes the VM', async () => {
    const destroy = await make(['vagrant-cpython-destroy', 'VAGRANT_PROVIDER=docker']);
    expect(destroy.exitCode, destroy.stderr).toBe(0);
    expect((await cpythonPrebuilt(['vagrant', 'status', ...machineFlags])).stdout.trim()).toBe('not_created');
  });
});

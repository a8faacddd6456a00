import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FEATURE_ID, vendorFeature } from '@cpython-prebuilt/feature';
import { runInstallScript } from '@cpython-prebuilt/harness';
import { devcontainer } from '@cpython-prebuilt/release';
import { cpythonPrebuilt, debianSourceTarball } from '@cpython-prebuilt/test-fixtures';
import { execa } from 'execa';
import { describe, expect, inject, it, onTestFinished } from 'vitest';

// The fast aarch64 checks CI runs on every change (arm64 containers under qemu-user-static, no
// aarch64 build); the suite with a real aarch64 artifact is `make test-aarch64`.
const ARM64_IMAGE = 'local/debian:bookworm-arm64';

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('architectures: the feature and the builder say which one is missing', () => {
  it('the arm64 images setup makes report arm64 and run aarch64 binaries', async () => {
    const inspect = await execa('docker', ['image', 'inspect', '-f', '{{.Architecture}}', ARM64_IMAGE]);
    expect(inspect.stdout.trim()).toBe('arm64');
    const uname = await execa('docker', ['run', '--rm', '--network', 'none', ARM64_IMAGE, 'uname', '-m']);
    expect(uname.stdout.trim()).toBe('aarch64');
  });

  it('install.sh in an arm64 container refuses a version that has only an x86_64 artifact, naming both', async () => {
    const work = await tempDir('arch-');
    const feature = await vendorFeature({
      artifactPaths: [inject('artifacts').python313],
      outputDir: join(work, FEATURE_ID),
      force: false,
    });
    const result = await runInstallScript({ featureDir: feature, image: ARM64_IMAGE, options: {} });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(
      "cpython-installer: error: CPython 3.13.5 has no artifact for aarch64 (this container's architecture) in this feature version (known for aarch64: none; 3.13.5 exists for: x86_64)",
    );
    expect(result.leftovers).toEqual([]);
  });

  it('an arm64 dev container built by the devcontainers CLI fails with that message', async () => {
    const work = await tempDir('arch-workspace-');
    await vendorFeature({
      artifactPaths: [inject('artifacts').python313],
      outputDir: join(work, '.devcontainer', FEATURE_ID),
      force: false,
    });
    await writeFile(
      join(work, '.devcontainer', 'devcontainer.json'),
      JSON.stringify({ image: ARM64_IMAGE, features: { [`./${FEATURE_ID}`]: {} } }),
    );
    const image = `cpython-arch-refusal-${process.pid}`;
    onTestFinished(async () => {
      await execa('docker', ['rmi', '--force', image], { reject: false });
    });
    const result = await devcontainer(['build', '--workspace-folder', work, '--image-name', image], true);
    expect(result.exitCode).toBe(1);
    expect(`${result.stdout}\n${result.stderr}`).toContain(
      "CPython 3.13.5 has no artifact for aarch64 (this container's architecture) in this feature version (known for aarch64: none; 3.13.5 exists for: x86_64)",
    );
  });

  it('validate refuses to run an x86_64 artifact in an arm64 image', async () => {
    const result = await cpythonPrebuilt(['validate', inject('artifacts').python313, '--image', ARM64_IMAGE]);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain(`error [IMAGE_WRONG_ARCH]: image ${ARM64_IMAGE} is for arm64, not amd64 (x86_64)`);
  });

  /** `build` of an aarch64 3.13.5 with its own build number: logs are named by artifact, and a real aarch64 build may be running. */
  async function buildAarch64(extra: string[]) {
    const output = await tempDir('arch-build-');
    const args = ['build', '--version', '3.13.5', '--build', '99', '--source', debianSourceTarball('3.13.5')];
    return cpythonPrebuilt([...args, '--arch', 'aarch64', '--output-dir', output, ...extra]);
  }

  it('an emulated aarch64 build refuses a base image labelled amd64 before compiling', async () => {
    const result = await buildAarch64([
      '--emulate',
      '--base',
      'debian11',
      '--base-image',
      'local/debian:bullseye',
      '--no-optimize',
    ]);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('error [IMAGE_WRONG_ARCH]: image local/debian:bullseye is for amd64, not arm64 (aarch64)');
    expect(result.stderr).not.toContain('build phase: configure');
  });

  it('a cross-compiled aarch64 build refuses an arm64 base image: it compiles in an image of the host', async () => {
    const result = await buildAarch64([
      '--base',
      'debian11',
      '--base-image',
      ARM64_IMAGE.replace('bookworm', 'bullseye'),
      '--no-optimize',
    ]);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain(
      "error [IMAGE_WRONG_ARCH]: a cross build for aarch64 compiles in an image of the host's architecture (amd64); image local/debian:bullseye-arm64 is for arm64, not amd64 (x86_64)",
    );
    expect(result.stderr).toContain('fix: pass the x86_64 image of the base');
    expect(result.stderr).not.toContain('build phase: configure');
  });

  it('a cross-compiled aarch64 build refuses PGO+LTO, naming the routes that can', async () => {
    const result = await buildAarch64(['--base', 'debian11', '--base-image', 'local/debian:bullseye']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      'error [CROSS_BUILD_NO_PGO]: a PGO+LTO build for aarch64 cannot be cross-compiled on this x86_64 host',
    );
    expect(result.stderr).toContain('fix: add OPTIMIZE=0 (--no-optimize) for a cross build');
    expect(result.stderr).not.toContain('==> source');
  });

  it('a cross-compiled aarch64 build refuses an Ubuntu base, whose archive has no arm64 packages', async () => {
    const result = await buildAarch64(['--base', 'ubuntu20.04', '--no-optimize']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('error [CROSS_BUILD_UNSUPPORTED_BASE]: a cross build for aarch64 needs the base');
    expect(result.stderr).not.toContain('==> source');
  });
});

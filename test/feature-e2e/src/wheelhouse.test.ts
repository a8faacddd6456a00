import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { layout, run, SIGNING_KEY_ENV, verifyDetached, WheelhouseMetadata } from '@cpython-prebuilt/core';
import { runInstallScript, startRegistry } from '@cpython-prebuilt/harness';
import { prepareDebianSdists } from '@cpython-prebuilt/pipelines';
import { cpythonPrebuilt } from '@cpython-prebuilt/test-fixtures';
import { beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
/** Bare images with no compiler: the wheels must arrive built. */
const IMAGES = ['local/debian:bullseye', 'local/debian:trixie'];
/** Proves the C extension loaded (not markupsafe's pure-Python fallback) and idna works. */
const USE_PACKAGES = [
  'import markupsafe, idna',
  'from markupsafe import _speedups',
  'assert str(markupsafe.escape("<a&b>")) == "&lt;a&amp;b&gt;"',
  'assert idna.encode("bücher.example") == b"xn--bcher-kva.example"',
  'print("packages-ok", markupsafe.__version__, idna.__version__)',
].join('; ');

describe('wheelhouse: built offline from local sdists, installed offline by the feature', () => {
  let work: string;
  let sources: string;
  let requirements: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'wheelhouse-'));
    sources = join(work, 'sources');
    await mkdir(sources);
    // markupsafe, idna, packaging and the build backends, from Debian's pristine tarballs.
    await prepareDebianSdists(layout.sourcesDir, sources);
    await mkdir(join(work, 'demo-app'));
    requirements = join(work, 'demo-app', 'requirements.txt');
    await writeFile(requirements, 'markupsafe==2.1.5\nidna\n');
    return () => rm(work, { recursive: true, force: true });
  });

  const build = (outputDir: string, env: Record<string, string> = {}) =>
    cpythonPrebuilt(
      [
        'wheelhouse',
        'build',
        '--artifact',
        inject('artifacts').python313,
        '--requirements',
        requirements,
        '--find-links',
        sources,
        '--output-dir',
        outputDir,
        '--json',
      ],
      env,
    );

  let wheelhouse: string;
  let signedDir: string;
  let metadata: WheelhouseMetadata;

  it('builds wheels for a C extension and a pure-Python package with no network, locked by hash', async () => {
    const result = await build(join(work, 'out1'));
    expect(result.exitCode, result.stderr).toBe(0);
    metadata = WheelhouseMetadata.parse(JSON.parse(result.stdout));
    wheelhouse = join(work, 'out1', metadata.wheelhouse);
    expect(metadata.wheelhouse).toBe('wheelhouse-demo-app-cp313-debian11-x86_64-build1.tgz');
    expect(metadata.network).toBe('none');
    expect(metadata.wheels.map((wheel) => wheel.file)).toEqual([
      'idna-3.10-py3-none-any.whl',
      'markupsafe-2.1.5-cp313-cp313-linux_x86_64.whl',
    ]);
    const lock = await readFile(join(work, 'out1', metadata.wheelhouse.replace(/\.tgz$/, '.requirements.lock')), 'utf8');
    for (const wheel of metadata.wheels)
      expect(lock).toContain(`${wheel.name}==${wheel.version} \\\n    --hash=sha256:${wheel.sha256}`);
    // The lock inside the archive is the one beside it.
    const inside = await run('tar', ['-xzOf', wheelhouse, `${metadata.topDirectory}/requirements.lock`]);
    expect(inside.stdout).toBe(lock);
    expect(sha256(await readFile(wheelhouse))).toBe(metadata.sha256);
  });

  it('gives the same bytes when built again from the same inputs, signed when a signing key is set', async () => {
    const { testKey } = inject('artifacts');
    signedDir = join(work, 'out2');
    const result = await build(signedDir, { [SIGNING_KEY_ENV]: testKey.privatePath });
    expect(result.exitCode, result.stderr).toBe(0);
    const again = WheelhouseMetadata.parse(JSON.parse(result.stdout));
    expect(again.wheels).toEqual(metadata.wheels);
    expect(again.sha256).toBe(metadata.sha256);
    // The signature is over those very bytes, by the key in the environment; the unsigned build said it was not signed.
    const signed = join(signedDir, metadata.wheelhouse);
    const verified = await verifyDetached(
      await readFile(signed),
      await readFile(`${signed}.asc`, 'utf8'),
      [await readFile(testKey.publicPath, 'utf8')],
      metadata.wheelhouse,
    );
    expect(verified).toBe(testKey.fingerprint);
    expect(result.stderr).toContain(`signature: ${signed}.asc`);
    await expect(readFile(join(work, 'out1', `${metadata.wheelhouse}.asc`))).rejects.toThrow();
    // Built again without a key where a signed build lay: its signature does not stay beside the new bytes.
    const again3 = join(work, 'out3');
    await mkdir(again3);
    await writeFile(join(again3, `${metadata.wheelhouse}.asc`), await readFile(`${signed}.asc`));
    const unsigned = await build(again3);
    expect(unsigned.exitCode, unsigned.stderr).toBe(0);
    expect(unsigned.stderr).toContain('not signed (CPYTHON_PREBUILT_SIGNING_KEY is not set)');
    await expect(readFile(join(again3, `${metadata.wheelhouse}.asc`))).rejects.toThrow();
  });

  it('a wheelhouseUrl without wheelhouseSha256 installs only with a trusted signature beside it', async () => {
    // A feature vendored without the wheelhouse: nothing pins its digest, which comes from its .sha256.
    const feature = join(work, 'installer-no-wheelhouse');
    const vendored = await cpythonPrebuilt([
      'feature',
      'vendor',
      '--artifact',
      inject('artifacts').python313,
      '--output',
      feature,
    ]);
    expect(vendored.exitCode, vendored.stderr).toBe(0);
    for (const [kind, from] of [
      ['signed', signedDir],
      ['unsigned', join(work, 'out1')],
    ] as const) {
      await mkdir(join(feature, kind));
      for (const suffix of ['', '.sha256', '.asc'])
        await run('cp', [join(from, `${metadata.wheelhouse}${suffix}`), join(feature, kind)]).catch(() => undefined);
    }
    const install = (kind: string) =>
      runInstallScript({
        featureDir: feature,
        image: IMAGES[0] as string,
        options: { version: '3.13.5', wheelhouseTarget: '/opt/venv', wheelhouseUrl: `${kind}/${metadata.wheelhouse}` },
        afterInstall: `/opt/venv/bin/python -c '${USE_PACKAGES}'`,
        afterRun: 'ls -d /opt/venv 2>&1 || true',
      });
    const signed = await install('signed');
    expect(signed.exitCode, signed.output).toBe(0);
    expect(signed.output).toMatch(
      new RegExp(
        `wheelhouse sha256 verified against signed/\\S+\\.sha256\\n.*OpenPGP signature verified: signed by key ${inject('artifacts').testKey.fingerprint}`,
      ),
    );
    expect(signed.output).toContain('packages-ok 2.1.5 3.10');
    const unsigned = await install('unsigned');
    expect(unsigned.exitCode).toBe(1);
    expect(unsigned.output).toContain(
      `missing signature: unsigned/${metadata.wheelhouse}.asc does not exist, and the wheelhouse's sha256 came from the server that serves it`,
    );
    expect(unsigned.output).toContain("cannot access '/opt/venv'");
  });

  describe('the vendored feature', () => {
    let feature: string;

    beforeAll(async () => {
      feature = join(work, 'installer');
      const vendored = await cpythonPrebuilt([
        'feature',
        'vendor',
        '--artifact',
        inject('artifacts').python313,
        inject('artifacts').python311,
        '--wheelhouse',
        wheelhouse,
        '--output',
        feature,
      ]);
      expect(vendored.exitCode, vendored.stderr).toBe(0);
    });

    const install = (
      image: string,
      options: Record<string, string>,
      afterInstall?: string,
      extra: Partial<Parameters<typeof runInstallScript>[0]> = {},
    ) =>
      runInstallScript({
        ...extra,
        featureDir: feature,
        image,
        options: { version: '3.13.5', ...options },
        afterInstall,
        afterRun: 'echo "@@venv"; ls -A /opt/venv 2>/dev/null; echo "@@venv-end"',
      });
    const venvListing = (output: string) => output.split('@@venv')[1]?.split('@@venv-end')[0]?.trim() ?? '';

    for (const image of IMAGES) {
      it(`installs the wheelhouse into a venv in ${image} with no network and no compiler; the packages work`, async () => {
        const result = await install(
          image,
          { wheelhouseTarget: '/opt/venv' },
          `command -v gcc cc || true; stat -c "owner=%U" /opt/venv/pyvenv.cfg; runuser -u vscode -- /opt/venv/bin/python -c '${USE_PACKAGES}'`,
          // The remote user owns the venv (the devcontainers CLI passes _REMOTE_USER to features).
          { beforeInstall: 'useradd --create-home vscode', env: { _REMOTE_USER: 'vscode' } },
        );
        expect(result.exitCode, result.output).toBe(0);
        expect(result.output).toContain('packages-ok 2.1.5 3.10');
        expect(result.output).toContain('owner=vscode');
        expect(result.output).toContain('installed the wheelhouse');
        expect(result.leftovers.filter((path) => path.includes('.cpython-installer'))).toEqual([]);
      });
    }

    it("ignores the image's pip configuration and PIP_* variables: the locked wheels go where the feature says", async () => {
      const result = await install(
        IMAGES[0] as string,
        { wheelhouseTarget: '/opt/venv' },
        `/opt/venv/bin/python -c '${USE_PACKAGES}'; ls -d /tmp/from-pip-conf /tmp/from-pip-env 2>&1 || true`,
        {
          // Either would put the packages outside the venv (and an index URL would be tried first).
          beforeInstall:
            "printf '[install]\\ntarget = /tmp/from-pip-conf\\n[global]\\nindex-url = http://127.0.0.1:9/simple\\n' >/etc/pip.conf",
          env: { PIP_TARGET: '/tmp/from-pip-env', PIP_NO_INDEX: '0' },
        },
      );
      expect(result.exitCode, result.output).toBe(0);
      expect(result.output).toContain('packages-ok 2.1.5 3.10');
      expect(result.output).toContain("cannot access '/tmp/from-pip-conf'");
      expect(result.output).toContain("cannot access '/tmp/from-pip-env'");
    });

    it('installs into the interpreter itself', async () => {
      const result = await install(IMAGES[0] as string, {}, `/opt/python-3.13.5/bin/python3 -c '${USE_PACKAGES}'`);
      expect(result.exitCode, result.output).toBe(0);
      expect(result.output).toContain('packages-ok');
    });

    it('publish-artifact pushes the wheelhouse to a real registry, and the feature installs it from oci://', async () => {
      const registry = await startRegistry();
      onTestFinished(() => registry.stop());
      const published = await cpythonPrebuilt([
        'publish-artifact',
        wheelhouse,
        '--to',
        `oci://${registry.host}/octo/wheelhouses:demo-app-build1`,
      ]);
      expect(published.exitCode, published.stderr).toBe(0);
      expect(published.stderr).toContain(`"wheelhouseSha256": "${metadata.sha256}"`);
      const result = await install(
        'local/debian:bookworm-curl',
        {
          wheelhouseTarget: '/opt/venv',
          wheelhouseUrl: `oci://127.0.0.1:${registry.host.split(':')[1]}/octo/wheelhouses:demo-app-build1`,
          wheelhouseSha256: metadata.sha256,
        },
        `/opt/venv/bin/python -c '${USE_PACKAGES}'`,
        { network: 'host' },
      );
      expect(result.exitCode, result.output).toBe(0);
      expect(result.output).toContain('wheelhouse from oci://');
      expect(result.output).toContain('packages-ok 2.1.5 3.10');
    });

    it('refuses a wheelhouse whose digest is not the pinned one, leaving no venv', async () => {
      const result = await install(IMAGES[0] as string, { wheelhouseTarget: '/opt/venv', wheelhouseSha256: '0'.repeat(64) });
      expect(result.exitCode).toBe(1);
      expect(result.output).toContain('sha256 mismatch for the wheelhouse');
      expect(venvListing(result.output)).toBe('');
      expect(result.leftovers.filter((path) => path.includes('.cpython-installer'))).toEqual([]);
    });

    it('refuses a lock whose hashes do not match its wheels, leaving no half venv', async () => {
      // A re-packed wheelhouse whose lock pins other bytes for idna, with the archive's own digest pinned.
      const unpacked = await mkdtemp(join(work, 'tamper-'));
      await run('tar', ['-xzf', wheelhouse, '-C', unpacked]);
      const lockPath = join(unpacked, metadata.topDirectory, 'requirements.lock');
      const idna = metadata.wheels.find((wheel) => wheel.name === 'idna');
      const lock = await readFile(lockPath, 'utf8');
      await writeFile(lockPath, lock.replace(idna?.sha256 as string, 'f'.repeat(64)));
      const tampered = join(feature, 'tampered-wheelhouse.tgz');
      await run('tar', ['-czf', tampered, '-C', unpacked, metadata.topDirectory]);
      const result = await install(IMAGES[0] as string, {
        wheelhouseTarget: '/opt/venv',
        wheelhouseUrl: 'tampered-wheelhouse.tgz',
        wheelhouseSha256: sha256(await readFile(tampered)),
      });
      expect(result.exitCode).toBe(1);
      expect(result.output).toContain('pip refused or failed to install the wheelhouse');
      expect(result.output).toMatch(/Expected sha256 f{64}/);
      expect(venvListing(result.output)).toBe('');
    });

    it('refuses a wheelhouse built for another architecture, leaving no venv', async () => {
      const unpacked = await mkdtemp(join(work, 'arch-'));
      await run('tar', ['-xzf', wheelhouse, '-C', unpacked]);
      const other = metadata.topDirectory.replace('-x86_64-', '-aarch64-');
      await run('mv', ['-T', join(unpacked, metadata.topDirectory), join(unpacked, other)]);
      const foreign = join(feature, `${other}.tgz`);
      await run('tar', ['-czf', foreign, '-C', unpacked, other]);
      const result = await install(IMAGES[0] as string, {
        wheelhouseTarget: '/opt/venv',
        wheelhouseUrl: `${other}.tgz`,
        wheelhouseSha256: sha256(await readFile(foreign)),
      });
      expect(result.exitCode).toBe(1);
      expect(result.output).toContain(`the wheelhouse ${other} was not built for this interpreter (cp313, x86_64`);
      expect(venvListing(result.output)).toBe('');
    });

    it('refuses a wheelhouse whose metadata says it needs a newer glibc than the image has, before downloading it', async () => {
      // Built against a newer base than the image: its compiled wheels would only fail at import.
      const dir = join(feature, 'newer-base');
      await mkdir(dir, { recursive: true });
      await run('cp', [wheelhouse, join(dir, basename(wheelhouse))]);
      await writeFile(
        join(dir, basename(wheelhouse).replace(/\.tgz$/, '.json')),
        JSON.stringify({ ...metadata, glibcMinimum: '2.99' }, null, 2),
      );
      const result = await install(IMAGES[0] as string, {
        wheelhouseTarget: '/opt/venv',
        wheelhouseUrl: `newer-base/${basename(wheelhouse)}`,
        wheelhouseSha256: sha256(await readFile(wheelhouse)),
      });
      expect(result.exitCode).toBe(1);
      expect(result.output).toMatch(
        /cpython-installer: error: the wheelhouse newer-base\/\S+ was built for glibc 2\.99 but this image has glibc 2\.\d+: its compiled wheels would fail to import/,
      );
      expect(result.output).not.toContain('wheelhouse sha256 verified');
      expect(venvListing(result.output)).toBe('');
    });

    it('refuses a wheelhouse built for another Python, leaving no venv', async () => {
      const result = await install(IMAGES[0] as string, { version: '3.11.2', wheelhouseTarget: '/opt/venv' });
      expect(result.exitCode).toBe(1);
      expect(result.output).toContain('was not built for this interpreter (cp311, x86_64');
      expect(venvListing(result.output)).toBe('');
    });
  });
});

import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { ArtifactManifest } from '@cpython-prebuilt/core';
import { renderFeature, vendorFeature, writeFeatureFiles } from '@cpython-prebuilt/feature';
import { runInstallScript } from '@cpython-prebuilt/harness';
import { create } from 'tar';
import { beforeAll, describe, expect, inject, it } from 'vitest';

const IMAGE = 'local/debian:bookworm';
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
/** A stand-in interpreter that passes the smoke test, so only the archive checks can stop an install. */
const FAKE_PYTHON = '#!/bin/sh\necho 3.13.5\n';

describe('install.sh hardening (issue 11), in real containers', () => {
  let work: string;
  let feature: string;
  let artifactName: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'hardening-'));
    const artifacts = inject('artifacts');
    artifactName = basename(artifacts.python313);
    feature = await vendorFeature({
      artifactPaths: [artifacts.python313, artifacts.python311],
      outputDir: join(work, 'installer'),
      force: false,
    });
    return () => rm(work, { recursive: true, force: true });
  });

  const install = (options: Record<string, string | boolean>, extra: Partial<Parameters<typeof runInstallScript>[0]> = {}) =>
    runInstallScript({ featureDir: feature, image: IMAGE, options, ...extra });

  /** A .tgz with python-3.13.5/bin/python3 (a stand-in) plus what `extra` adds under python-3.13.5/. */
  async function craftArchive(name: string, extra: (top: string) => Promise<void>, entries: string[] = []): Promise<string> {
    const root = await mkdtemp(join(work, 'craft-'));
    const top = join(root, 'python-3.13.5');
    await mkdir(join(top, 'bin'), { recursive: true });
    await writeFile(join(top, 'bin/python3'), FAKE_PYTHON, { mode: 0o755 });
    await extra(top);
    const file = join(root, name);
    await create({ file, cwd: root, gzip: true, preservePaths: true }, ['python-3.13.5', ...entries]);
    const bytes = await readFile(file);
    await writeFile(join(feature, name), bytes);
    return sha256(bytes);
  }

  /**
   * GNU tar extracts straight from the .tgz and its listing is checked after; any other tar (busybox)
   * has the archive's listing checked first. The second is reached with a tar that does not say it
   * is GNU tar. Both run through a wrapper in front of the image's own tar that records its calls.
   */
  const wrapTar = (version: string) => ({
    beforeInstall: `mkdir /tmp/tar-calls && printf '#!/bin/sh\\necho "$*" >>/tmp/tar-calls/calls\\n${version}exec /bin/tar "$@"\\n' >/tmp/tar-calls/tar && chmod 755 /tmp/tar-calls/tar`,
    pathPrefix: '/tmp/tar-calls',
  });
  const tars = [
    { tar: 'GNU tar', extra: wrapTar('') },
    { tar: 'a tar that is not GNU tar', extra: wrapTar('[ "$1" != --version ] || { echo "tar (other) 1.0"; exit 0; }\\n') },
  ] as const;

  describe.each(tars)('the extracted tree is checked, not the listing text, with $tar', ({ tar, extra }) => {
    const installCrafted = async (name: string, digest: string) =>
      install(
        { artifactUrl: name, sha256: digest, version: '3.13.5' },
        {
          ...extra,
          afterRun: 'echo "@@tmp"; ls /tmp; echo "@@perm"; find /opt -perm /6000 2>/dev/null',
        },
      );

    it('installs the real artifact', async () => {
      const result = await install(
        {},
        {
          ...extra,
          afterInstall:
            '/opt/python-3.13.5/bin/python3 -c "import ssl; print(ssl.OPENSSL_VERSION)"; echo @@calls; cat /tmp/tar-calls/calls',
        },
      );
      expect(result.exitCode, result.output).toBe(0);
      expect(result.output).toContain('cpython-installer: installed CPython 3.13.5 in /opt/python-3.13.5');
      expect(result.output).toMatch(/\nOpenSSL \d/);
      // Which way it went: one pass from the .tgz, or the decompressed archive's listing, then its extraction.
      const calls = result.output.split('@@calls')[1] ?? '';
      if (tar === 'GNU tar') {
        expect(calls).toMatch(/^-xzvvf \S+\/artifact\.tgz -C /m);
        expect(calls).not.toContain('archive.tar');
      } else expect(calls).toMatch(/^-tf \S+\/archive\.tar\n-tvf \S+\/archive\.tar\n-xf \S+\/archive\.tar /m);
    });

    it('refuses ../ entries and writes nothing outside the work folder', async () => {
      const digest = await craftArchive(
        'dotdot.tgz',
        async (top) => {
          await writeFile(join(top, '..', 'evil'), 'x');
        },
        ['python-3.13.5/../evil'],
      );
      const result = await installCrafted('dotdot.tgz', digest);
      expect(result.exitCode).toBe(1);
      // GNU tar refuses the entry itself (named as the wrapper calls it, /bin/tar).
      expect(result.output).toContain(
        tar === 'GNU tar'
          ? "cpython-installer: error: extracting the artifact failed: /bin/tar: python-3.13.5/../evil: Member name contains '..'"
          : 'cpython-installer: error: refusing the artifact: entry python-3.13.5/../evil contains ..',
      );
      expect(result.output.split('@@tmp')[1]).not.toContain('evil');
      expect(result.leftovers).toEqual([]);
    });

    it('refuses a symlink chain that leaves the prefix although its text stays inside', async () => {
      const digest = await craftArchive('chain.tgz', async (top) => {
        await symlink('.', join(top, 'l1'));
        await symlink('l1/l1/../../X', join(top, 'x'));
      });
      const result = await installCrafted('chain.tgz', digest);
      expect(result.exitCode).toBe(1);
      expect(result.output).toContain(
        'cpython-installer: error: refusing the artifact: symlink python-3.13.5/x -> l1/l1/../../X points outside the tree',
      );
      expect(result.leftovers).toEqual([]);
    });

    it('refuses a link whose name contains " -> " and leaves the prefix', async () => {
      const digest = await craftArchive('arrow.tgz', async (top) => {
        await symlink('../../../../../../etc', join(top, 'a -> b'));
      });
      const result = await installCrafted('arrow.tgz', digest);
      expect(result.exitCode).toBe(1);
      expect(result.output).toContain(
        'cpython-installer: error: refusing the artifact: symlink python-3.13.5/a -> b -> ../../../../../../etc points outside the tree',
      );
      expect(result.leftovers).toEqual([]);
    });

    it('never writes its marker through a link the archive planted', async () => {
      const digest = await craftArchive('marker.tgz', async (top) => {
        await symlink('.', join(top, 'l1'));
        await symlink('l1/l1/l1/l1/l1/l1/../../../../../../tmp/written-by-marker', join(top, '.cpython-prebuilt'));
      });
      const result = await installCrafted('marker.tgz', digest);
      expect(result.exitCode).toBe(1);
      expect(result.output).toContain(
        'cpython-installer: error: refusing the artifact: entry python-3.13.5/.cpython-prebuilt has the name of the marker this feature writes',
      );
      expect(result.output.split('@@tmp')[1]).not.toContain('written-by-marker');
      expect(result.leftovers).toEqual([]);
    });

    it('refuses setuid files', async () => {
      const digest = await craftArchive('setuid.tgz', async (top) => {
        await writeFile(join(top, 'bin/su'), '#!/bin/sh\n');
        await chmod(join(top, 'bin/su'), 0o4755);
      });
      const result = await installCrafted('setuid.tgz', digest);
      expect(result.exitCode).toBe(1);
      expect(result.output).toContain(
        'cpython-installer: error: refusing the artifact: entry python-3.13.5/bin/su is setuid or setgid (-rwsr-xr-x)',
      );
      expect(result.output.split('@@perm')[1]?.trim()).toBe('');
      expect(result.leftovers).toEqual([]);
    });

    it('refuses world-writable directories', async () => {
      const digest = await craftArchive('writable.tgz', async (top) => {
        await mkdir(join(top, 'share'));
        await chmod(join(top, 'share'), 0o777);
      });
      const result = await installCrafted('writable.tgz', digest);
      expect(result.exitCode).toBe(1);
      expect(result.output).toContain(
        'cpython-installer: error: refusing the artifact: entry python-3.13.5/share is world-writable (drwxrwxrwx)',
      );
      expect(result.leftovers).toEqual([]);
    });
  });

  describe('default links: only what this feature made is replaced', () => {
    const basePython =
      'mkdir -p /usr/local/bin && printf "#!/bin/sh\\necho base-python\\n" > /usr/local/bin/python3 && chmod +x /usr/local/bin/python3';

    it('keeps a python3 the image already has, warns, and says how to opt in', async () => {
      const result = await install(
        {},
        {
          beforeInstall: basePython,
          afterInstall: '/usr/local/bin/python3; /usr/local/bin/python3.13 --version; readlink /usr/local/bin/pip3',
        },
      );
      expect(result.exitCode, result.output).toBe(0);
      expect(result.output).toContain(
        'cpython-installer: warning: kept /usr/local/bin/python3: this feature did not make them (set "replaceExisting": true to replace them)',
      );
      expect(result.output).toContain('base-python');
      expect(result.output).toContain('Python 3.13.5');
      expect(result.output).toContain('/opt/python-3.13.5/bin/pip3');
    });

    it('writes a receipt naming what it installed and every link it made, which later runs trust', async () => {
      const result = await install({}, { afterInstall: 'echo @@receipt; cat /opt/python-3.13.5/.cpython-installer.json' });
      expect(result.exitCode, result.output).toBe(0);
      const receipt = JSON.parse(result.output.split('@@receipt')[1] ?? '{}');
      expect(receipt).toMatchObject({
        version: '3.13.5',
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        source: artifactName,
        signedBy: inject('artifacts').testKey.fingerprint,
        installedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      expect(receipt.links).toEqual(
        expect.arrayContaining(['/usr/local/bin/python3', '/usr/local/bin/pip', '/usr/local/bin/python', '/opt/python-current']),
      );
    });

    it('does not take a link into a folder anyone may write, holding a planted marker, for one of its own', async () => {
      const planted =
        'mkdir -p /opt/planted/bin && chmod 777 /opt/planted && touch /opt/planted/.cpython-prebuilt && mkdir -p /usr/local/bin && ln -s /opt/planted/bin/python3 /usr/local/bin/python3';
      const result = await install({}, { beforeInstall: planted, afterInstall: 'readlink /usr/local/bin/python3' });
      expect(result.exitCode, result.output).toBe(0);
      expect(result.output).toContain('cpython-installer: warning: kept /usr/local/bin/python3');
      expect(result.output).toMatch(/^\/opt\/planted\/bin\/python3$/m);
    });

    it('keeps an /opt/python-current it did not make', async () => {
      const result = await install(
        {},
        {
          beforeInstall: 'mkdir -p /opt/python-current && echo mine > /opt/python-current/keep',
          afterInstall: 'cat /opt/python-current/keep',
        },
      );
      expect(result.exitCode, result.output).toBe(0);
      expect(result.output).toContain('cpython-installer: warning: kept /opt/python-current: this feature did not make them');
      expect(result.output).toContain('mine');
    });

    it('replaces them with replaceExisting, and re-links its own links on a re-run', async () => {
      const result = await install(
        { replaceExisting: true },
        {
          beforeInstall: basePython,
          afterInstall:
            'REPLACEEXISTING=false sh /tmp/feature/install.sh 2>&1 | grep -c warning; readlink /usr/local/bin/python3',
        },
      );
      expect(result.exitCode, result.output).toBe(0);
      expect(result.output).not.toContain('warning');
      expect(result.output).toMatch(/\n0\n\/opt\/python-3\.13\.5\/bin\/python3\n/);
    });

    it('keeps what replaceExisting replaces: a real file and a foreign /opt/python-current are moved aside, never deleted', async () => {
      // Before issue 31 the file was overwritten and the folder removed with rm -rf.
      const result = await install(
        { replaceExisting: true },
        {
          beforeInstall: `${basePython} && mkdir -p /opt/python-current && echo mine > /opt/python-current/keep`,
          afterInstall:
            'echo "@@kept"; /usr/local/bin/python3.before-cpython-installer; cat /opt/python-current.before-cpython-installer/keep; readlink /usr/local/bin/python3',
        },
      );
      expect(result.exitCode, result.output).toBe(0);
      expect(result.output).toContain(
        'cpython-installer: kept /usr/local/bin/python3 (this feature did not make it) as /usr/local/bin/python3.before-cpython-installer',
      );
      expect(result.output).toContain(
        'cpython-installer: kept /opt/python-current (this feature did not make it) as /opt/python-current.before-cpython-installer',
      );
      expect(result.output.split('@@kept')[1]).toMatch(/base-python\nmine\n\/opt\/python-3\.13\.5\/bin\/python3\n/);
    });

    it('uninstalls by its receipts: its links and prefixes go, what replaceExisting kept aside comes back', async () => {
      const result = await install(
        { replaceExisting: true, additionalVersions: '3.11.2' },
        {
          beforeInstall: `${basePython} && mkdir -p /opt/python-current && echo mine > /opt/python-current/keep`,
          afterInstall: [
            'cpython-installer-uninstall 3.13.5; echo "@@first $?"',
            '/usr/local/bin/python3; cat /opt/python-current/keep; ls -a /opt; ls /usr/local/bin',
            'cpython-installer-uninstall --all; echo "@@all $?"; ls -a /opt; ls /usr/local/bin',
          ].join('; '),
        },
      );
      expect(result.exitCode, result.output).toBe(0);
      const [, first = '', all = ''] = result.output.split(/@@first |@@all /);
      // 3.13.5 and its links are gone, the base's python3 and the foreign current folder are back,
      // 3.11.2 (installed beside it, no links) and the uninstaller stay.
      expect(first).toMatch(/^0\n/);
      expect(result.output).toContain('cpython-installer: put back /usr/local/bin/python3, which the install had kept aside');
      expect(result.output).toContain('cpython-installer: removed /opt/python-3.13.5');
      expect(first).toContain('base-python\nmine\n');
      expect(first).not.toContain('python-3.13.5');
      expect(first).toContain('python-3.11.2');
      expect(first).not.toMatch(/^(pip|pip3|python|python3\.13)$/m);
      expect(first).toMatch(/^cpython-installer-uninstall$/m);
      // The last one takes the uninstaller with it, and no work folder is left.
      expect(all).toMatch(/^0\n/);
      expect(all).not.toMatch(/python-3\.|\.cpython-installer/);
      expect(all).not.toContain('cpython-installer-uninstall');
      expect(result.output).toContain('removed /usr/local/bin/cpython-installer-uninstall too');
    });

    it('refuses to uninstall what it did not install, and removes nothing when one argument is refused', async () => {
      const result = await install(
        {},
        {
          afterInstall: [
            // Marker and receipt copied into a folder anyone may write: not ours to remove.
            'mkdir -p /opt/python-3.12.9 && chmod 777 /opt/python-3.12.9',
            'cp /opt/python-3.13.5/.cpython-prebuilt /opt/python-3.13.5/.cpython-installer.json /opt/python-3.12.9/',
            'cpython-installer-uninstall 3.13.5 3.12.9; echo "@@planted $?"; ls /opt',
            'cpython-installer-uninstall 3.10.4; echo "@@absent $?"',
            'cpython-installer-uninstall "../etc"; echo "@@bad $?"; /usr/local/bin/python3 --version',
          ].join('; '),
        },
      );
      expect(result.exitCode, result.output).toBe(0);
      expect(result.output).toContain(
        "cpython-installer: error: /opt/python-3.12.9 is not root's alone, or others may write to it: this feature never installs such a folder, so it is not removed",
      );
      expect(result.output.split('@@planted ')[1]).toMatch(/^1\n(.*\n)*python-3\.12\.9\n(.*\n)*python-3\.13\.5\n/);
      expect(result.output).toContain('cpython-installer: error: nothing is installed in /opt/python-3.10.4');
      expect(result.output.split('@@absent ')[1]).toMatch(/^1\n/);
      expect(result.output).toContain('cpython-installer: error: "../etc" is not a full CPython version');
      expect(result.output.split('@@bad ')[1]).toMatch(/^1\nPython 3\.13\.5\n/);
    });
  });

  describe('options are checked up front, each message naming the option', () => {
    it('refuses values that cannot be meant and never glob-expands additionalVersions', async () => {
      const cases: [Record<string, string>, string][] = [
        [{ version: '3.13.5;x' }, 'cpython-installer: error: version "3.13.5;x" is not a CPython version'],
        [{ version: '3.13.5 x' }, 'cpython-installer: error: version "3.13.5 x" is not a CPython version'],
        [{ additionalVersions: '*' }, 'cpython-installer: error: additionalVersions entry "*" is not a CPython version'],
        [
          { additionalVersions: '3.11, 3.12;x' },
          'cpython-installer: error: additionalVersions entry "3.12;x" is not a CPython version',
        ],
        [{ replaceExisting: 'maybe' }, 'cpython-installer: error: replaceExisting must be true or false, got "maybe"'],
        [
          { downloadTimeout: 'soon' },
          'cpython-installer: error: downloadTimeout must be a number of seconds such as 900, got "soon"',
        ],
        [{ installPath: '/opt/../etc' }, 'cpython-installer: error: installPath must be absolute, got "/opt/../etc"'],
        [
          { artifactUrl: 'http://127.0.0.1:9/a.tgz' },
          'cpython-installer: error: artifactUrl http://127.0.0.1:9/a.tgz is plain http and the sha256 option is not set',
        ],
        [{ artifactUrl: "https://h/a'.tgz" }, `cpython-installer: error: artifactUrl "https://h/a'.tgz" contains characters`],
        [
          { artifactUrl: 'cpython-3.13.5-debian11-x86_64-build1.tgz', version: '3.11' },
          'cpython-installer: error: artifactUrl names CPython 3.13.5, which is not a 3.11 release',
        ],
        [
          { artifactUrl: 'custom.tgz', version: '3.13' },
          'cpython-installer: error: version "3.13" with artifactUrl: an explicit artifact needs a full version',
        ],
      ];
      for (const [options, message] of cases) {
        const result = await install(options, { beforeInstall: 'cd /tmp/feature && touch 3.9 bin' });
        expect(result.exitCode, JSON.stringify(options)).toBe(1);
        expect(result.output).toContain(message);
        expect(result.output).not.toContain('cpython-installer: CPython ');
        expect(result.leftovers).toEqual([]);
      }
    });

    it.each(['3.13', 'latest'])(
      'installs artifactUrl with version %s, taking the full version from the file name',
      async (version) => {
        const result = await install({ artifactUrl: artifactName, version });
        expect(result.exitCode, result.output).toBe(0);
        expect(result.output).toContain(
          `cpython-installer: version ${version}: installing CPython 3.13.5, the version artifactUrl names`,
        );
        expect(result.output).toContain('cpython-installer: installed CPython 3.13.5 in /opt/python-3.13.5');
      },
    );

    it('takes version none (and os-provided) as the official feature does: no default CPython, additional versions still install', async () => {
      const none = await install({ version: 'none', additionalVersions: '3.13.5' }, { afterRun: 'ls /usr/local/bin' });
      expect(none.exitCode, none.output).toBe(0);
      expect(none.output).toContain(
        "version none: no default CPython from this feature; the image's own python3, if any, stays as it is",
      );
      expect(none.output).toContain('cpython-installer: installed CPython 3.13.5 in /opt/python-3.13.5');
      expect(none.output).not.toMatch(/^python3$/m);
      const osProvided = await install({ version: 'os-provided' });
      expect(osProvided.exitCode, osProvided.output).toBe(0);
      expect(osProvided.leftovers).toEqual([]);
      const withArtifact = await install({ version: 'none', artifactUrl: artifactName, sha256: 'a'.repeat(64) });
      expect(withArtifact.exitCode).toBe(1);
      expect(withArtifact.output).toContain(
        'cpython-installer: error: version none with artifactUrl: nothing would install the artifact',
      );
    });
  });

  it('names the lowest glibc any artifact of the version needs', async () => {
    const entry = (glibcMinimum: string, build: number): ArtifactManifest['artifacts'][number] => ({
      version: '3.13.5',
      build,
      base: 'future',
      arch: 'x86_64',
      glibcMinimum,
      file: `cpython-3.13.5-future-x86_64-build${build}.tgz`,
      sha256: 'a'.repeat(64),
      url: `https://example.org/cpython-3.13.5-future-x86_64-build${build}.tgz`,
      sizeBytes: 1,
      location: 'nowhere',
      publishedAt: '2026-11-29',
    });
    const dir = await writeFeatureFiles(
      join(work, 'glibc-floor'),
      renderFeature({
        manifest: { artifacts: [entry('2.50', 1), entry('2.99', 2)] },
        featureReference: './installer',
        version: '1.0.0',
      }).files,
    );
    const result = await runInstallScript({ featureDir: dir, image: IMAGE, options: { version: '3.13.5' } });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(
      'cpython-installer: error: the artifact for CPython 3.13.5 needs glibc 2.50 but this image has glibc 2.36',
    );
    expect(result.output).toContain('cpython-installer: fix: use a base image with glibc 2.50 or newer');
  });

  describe('replacing an install', () => {
    /** An mv that fails when it would put the new tree in place (the second of the two moves). */
    async function failingMv(): Promise<string> {
      const fakebin = join(work, 'fake-mv');
      await mkdir(fakebin, { recursive: true });
      await writeFile(
        join(fakebin, 'mv'),
        [
          '#!/bin/sh',
          'for last in "$@"; do :; done',
          'case "$*" in */previous*) ;; *) if [ "$last" = /opt/python-3.13.5 ]; then echo "mv: simulated failure" >&2; exit 1; fi ;; esac',
          'exec /bin/mv "$@"',
          '',
        ].join('\n'),
        { mode: 0o755 },
      );
      return fakebin;
    }

    it('puts the previous install back when the new tree cannot be moved into place', async () => {
      const fakebin = await failingMv();
      const result = await install(
        {},
        {
          // An older build of the same version: another digest in the marker, an extra file.
          beforeInstall:
            'sh /tmp/feature/install.sh >/dev/null 2>&1 && echo older > /opt/python-3.13.5/.cpython-prebuilt && touch /opt/python-3.13.5/old-build',
          mounts: { [fakebin]: '/fakebin' },
          pathPrefix: '/fakebin',
          afterRun: 'ls /opt/python-3.13.5/old-build && /opt/python-3.13.5/bin/python3 --version',
        },
      );
      expect(result.exitCode).toBe(1);
      expect(result.output).toContain('mv: simulated failure');
      expect(result.output).toContain(
        'cpython-installer: error: could not move the new tree to /opt/python-3.13.5; the previous one, if any, is back in place',
      );
      expect(result.output).toContain('/opt/python-3.13.5/old-build\nPython 3.13.5');
      expect(result.leftovers.filter((path) => path.includes('.cpython-installer'))).toEqual([]);
    });

    it('never moves the new tree into a folder that appeared at the target meanwhile', async () => {
      const fakebin = join(work, 'racing-mv');
      await mkdir(fakebin, { recursive: true });
      // Another process creates the target between the checks and the rename.
      await writeFile(
        join(fakebin, 'mv'),
        [
          '#!/bin/sh',
          'for last in "$@"; do :; done',
          'if [ "$last" = /opt/python-3.13.5 ] && [ ! -e /opt/python-3.13.5 ]; then mkdir -p /opt/python-3.13.5/intruder; fi',
          'exec /bin/mv "$@"',
          '',
        ].join('\n'),
        { mode: 0o755 },
      );
      const result = await install(
        {},
        { mounts: { [fakebin]: '/fakebin' }, pathPrefix: '/fakebin', afterRun: 'echo "@@opt"; ls -A /opt/python-3.13.5' },
      );
      expect(result.exitCode).toBe(1);
      expect(result.output).toContain('cpython-installer: error: could not move the new tree to /opt/python-3.13.5');
      expect(result.output.split('@@opt')[1]?.trim()).toBe('intruder');
      expect(result.leftovers.filter((path) => path.includes('.cpython-installer'))).toEqual([]);
    });

    it('sweeps work folders of killed installs but not those of a live one', async () => {
      const result = await install(
        {},
        {
          beforeInstall: [
            'mkdir -p /opt/.cpython-installer.dead01/python-3.13.5 && echo 999999 > /opt/.cpython-installer.dead01/pid',
            'mkdir -p /opt/.cpython-installer.live01 && (sleep 600 & echo $! > /opt/.cpython-installer.live01/pid)',
          ].join(' && '),
        },
      );
      expect(result.exitCode, result.output).toBe(0);
      expect(result.output).toContain(
        'cpython-installer: removed /opt/.cpython-installer.dead01, left by an interrupted install',
      );
      expect(result.leftovers).toContain('/opt/.cpython-installer.live01');
      expect(result.leftovers).not.toContain('/opt/.cpython-installer.dead01');
    });

    it('runs two installs started at once one after the other: both succeed, one waits for the other', async () => {
      // Before issue 31 both used the same .new/.old names beside the prefix and /opt/python-current.
      const result = await install(
        {},
        {
          beforeInstall: '(sh /tmp/feature/install.sh >/tmp/first.log 2>&1; echo "first exit $?" >>/tmp/first.log) &',
          afterInstall:
            'while ! grep -q "first exit" /tmp/first.log; do sleep 1; done; echo "@@first"; cat /tmp/first.log; /usr/local/bin/python3 -c "print(6 * 7)"',
        },
      );
      expect(result.exitCode, result.output).toBe(0);
      const [mine = '', first = ''] = result.output.split('@@first');
      expect(first).toContain('first exit 0');
      expect(`${mine}${first}`).toMatch(/cpython-installer: waiting for another install \(process \d+\) to finish/);
      expect(first).toContain('42');
      expect(result.leftovers.filter((path) => path.includes('.cpython-installer'))).toEqual([]);
    });

    it('takes over the lock of an install that was killed, and refuses one it did not make', async () => {
      const stale = await install(
        {},
        { beforeInstall: 'mkdir -m 700 /opt/.cpython-installer-lock && echo 999999 > /opt/.cpython-installer-lock/pid' },
      );
      expect(stale.exitCode, stale.output).toBe(0);
      expect(stale.output).toContain('cpython-installer: took over the install lock of process 999999, which is gone');
      const planted = await install({}, { beforeInstall: 'mkdir -m 777 /opt/.cpython-installer-lock' });
      expect(planted.exitCode).toBe(1);
      expect(planted.output).toContain("cpython-installer: error: /opt/.cpython-installer-lock exists and is not root's alone");
    });

    it('never moves anything out of a work folder it did not make, nor onto a path outside its parent', async () => {
      // Before issue 31 a folder of that name planted by another user made root mv its "previous"
      // onto whatever path its "target" file named.
      const result = await install(
        {},
        {
          beforeInstall: [
            'mkdir -p /opt/.cpython-installer.planted/previous && echo /etc/planted > /opt/.cpython-installer.planted/target',
            'echo 999999 > /opt/.cpython-installer.planted/pid && chown -R 1000:1000 /opt/.cpython-installer.planted',
            'mkdir -p /opt/.cpython-installer.dead02/previous && echo /etc/planted2 > /opt/.cpython-installer.dead02/target',
            'echo 999999 > /opt/.cpython-installer.dead02/pid',
          ].join(' && '),
          afterRun: 'echo "@@etc"; ls -d /etc/planted /etc/planted2 2>&1 || true',
        },
      );
      expect(result.exitCode, result.output).toBe(0);
      expect(result.output).toContain(
        "cpython-installer: warning: left /opt/.cpython-installer.planted alone: it is not root's, or others may write to it",
      );
      expect(result.output).toContain(
        'cpython-installer: removed /opt/.cpython-installer.dead02, left by an interrupted install',
      );
      expect(result.output).not.toContain('put back /etc/');
      expect(result.output.split('@@etc')[1]).toContain('No such file or directory');
      expect(result.output.split('@@etc')[1]).not.toMatch(/^\/etc\/planted2?$/m);
      expect(result.leftovers).toContain('/opt/.cpython-installer.planted');
    });
  });
});

import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createKeyPair,
  createLogger,
  formatLibrariesData,
  layout,
  type PinnedLibrary,
  pinnedLibraries,
  readPinnedLibraries,
  relativeToRoot,
  signerFromArmored,
} from '@cpython-prebuilt/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  describeLibrariesUpdate,
  type LibrariesUpdateInput,
  librariesPullRequestBody,
  updateLibraries,
} from './libraries-update.ts';
import { type LocalDebianArchive, startLocalDebianArchive } from './local-debian-archive.ts';

const logger = createLogger('test');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const POOL = 'pool/main/o/openssl';

// A Debian archive in miniature (InRelease signed by a throwaway archive key) whose sid lists the
// pinned OpenSSL and a newer patch release of its line, 3.5.9, whose tarball is signed by a
// throwaway "upstream" key that the test's pin names: both records a pin needs, made here.
let archive: LocalDebianArchive;
let work: string;
let upstreamKeyFile: string;
let upstreamFingerprint: string;
let signNewRelease: (bytes: Buffer) => Promise<Buffer>;
let signByIntruder: (bytes: Buffer) => Promise<Buffer>;
const newTarball = Buffer.from('pretend this is openssl-3.5.9.tar.gz\n');
const realPin = pinnedLibraries.find((library) => library.name === 'openssl') as PinnedLibrary;

beforeAll(async () => {
  archive = await startLocalDebianArchive();
  work = await mkdtemp(join(tmpdir(), 'libraries-update-'));
  const upstream = await createKeyPair({ name: 'openssl release (test)', email: 'openssl@example.invalid' });
  const intruder = await createKeyPair({ name: 'someone else', email: 'intruder@example.invalid' });
  upstreamKeyFile = 'openssl-test.asc';
  await writeFile(join(work, upstreamKeyFile), upstream.publicArmored);
  upstreamFingerprint = upstream.fingerprint.toUpperCase();
  const signer = await signerFromArmored(upstream.privateArmored);
  const other = await signerFromArmored(intruder.privateArmored);
  signNewRelease = async (bytes) => Buffer.from(await signer.sign(bytes));
  signByIntruder = async (bytes) => Buffer.from(await other.sign(bytes));
}, 120_000);

afterAll(async () => {
  await archive?.close();
  await rm(work, { recursive: true, force: true });
});

const stanza = (version: string, digest: string) => `Package: openssl
Version: ${version}-1
Directory: ${POOL}
Checksums-Sha256:
 ${'9'.repeat(64)} 2700 openssl_${version}-1.dsc
 ${digest} 53000000 openssl_${version}.orig.tar.gz
 ${'8'.repeat(64)} 833 openssl_${version}.orig.tar.gz.asc
`;

interface Scratch {
  input: LibrariesUpdateInput;
  dataPath: string;
  sourcesDir: string;
  before: string;
}

/** A data file with the real OpenSSL pin (its key the test's), a manifest of published artifacts, empty sources. */
async function scratch(options: { dryRun?: boolean } = {}): Promise<Scratch> {
  const dir = await mkdtemp(join(work, 'run-'));
  const dataPath = join(dir, 'libraries.data.json');
  const before = formatLibrariesData([{ ...realPin, signingKey: { file: upstreamKeyFile, fingerprint: upstreamFingerprint } }]);
  await writeFile(dataPath, before);
  const published = (version: string, build: number, arch: string) => ({
    version,
    build,
    base: 'ubuntu20.04',
    arch,
    glibcMinimum: '2.31',
    file: `cpython-${version}-ubuntu20.04-${arch}-build${build}.tgz`,
    sha256: 'a'.repeat(64),
    url: `https://example.invalid/cpython-${version}-ubuntu20.04-${arch}-build${build}.tgz`,
    sizeBytes: 1000,
    location: `GitHub Release cpython-${version}-build${build}`,
    publishedAt: '2026-12-01',
  });
  const manifestPath = join(dir, 'manifest.json');
  await writeFile(
    manifestPath,
    JSON.stringify({
      artifacts: [published('3.13.5', 1, 'x86_64'), published('3.13.5', 2, 'x86_64'), published('3.12.13', 1, 'aarch64')],
    }),
  );
  const sourcesDir = join(dir, 'sources');
  return {
    dataPath,
    sourcesDir,
    before,
    input: {
      mirror: archive.mirror,
      suites: ['sid'],
      keyring: archive.keyring,
      dataPath,
      sourcesDir,
      keysDir: work,
      manifestPath,
      workDir: join(dir, 'index'),
      dryRun: options.dryRun ?? false,
      logger,
    },
  };
}

async function serveNewRelease(tarball: Buffer = newTarball, signature?: Buffer): Promise<void> {
  archive.serve(`${POOL}/openssl_3.5.9.orig.tar.gz`, tarball);
  archive.serve(`${POOL}/openssl_3.5.9.orig.tar.gz.asc`, signature ?? (await signNewRelease(tarball)));
}

describe('libraries update: a newer patch release of a pinned library, pinned from two records', () => {
  it('pins the newer patch of the line once its tarball has the signed index’s sha256 and upstream’s signature verifies, and names the rebuilds due', async () => {
    archive.publish(
      'sid',
      `${stanza('3.5.7', realPin.sha256)}\n${stanza('3.5.9', sha256(newTarball))}\n${stanza('3.6.3', 'f'.repeat(64))}`,
    );
    await serveNewRelease();

    const dry = await scratch({ dryRun: true });
    const planned = await updateLibraries(dry.input);
    expect(planned).toMatchObject({ written: false, bumps: [{ library: 'openssl', from: '3.5.7', to: '3.5.9' }] });
    expect(await readFile(dry.dataPath, 'utf8')).toBe(dry.before);
    expect(describeLibrariesUpdate(planned, dry.dataPath)).toContain(`would pin openssl 3.5.9 (was 3.5.7) in ${dry.dataPath}`);

    const s = await scratch();
    const result = await updateLibraries(s.input);
    expect(result.written).toBe(true);
    const [pin] = readPinnedLibraries(s.dataPath);
    expect(pin).toMatchObject({
      name: 'openssl',
      version: '3.5.9',
      sha256: sha256(newTarball),
      url: 'https://github.com/openssl/openssl/releases/download/openssl-3.5.9/openssl-3.5.9.tar.gz',
      debian: { directory: POOL, file: 'openssl_3.5.9.orig.tar.gz', repack: false },
      signingKey: { file: upstreamKeyFile, fingerprint: upstreamFingerprint },
      license: realPin.license,
      sonames: realPin.sonames,
    });
    expect(pin?.digestSources.map((source) => source.name)).toEqual([
      'Debian source package openssl 3.5.9-1: Checksums-Sha256 of openssl_3.5.9.orig.tar.gz in the signed index (dists/sid/InRelease -> main/source/Sources.xz)',
      `openssl's upstream OpenPGP signature of the tarball (openssl_3.5.9.orig.tar.gz.asc, key ${upstreamFingerprint})`,
    ]);
    // The verified files stay where the next build looks first.
    expect((await readdir(s.sourcesDir)).sort()).toEqual(['openssl_3.5.9.orig.tar.gz', 'openssl_3.5.9.orig.tar.gz.asc']);
    // The newest build of each published version is stale; older builds are superseded already.
    expect(result.stale).toEqual([
      { file: 'cpython-3.13.5-ubuntu20.04-x86_64-build2.tgz', version: '3.13.5', nextBuild: 3 },
      { file: 'cpython-3.12.13-ubuntu20.04-aarch64-build1.tgz', version: '3.12.13', nextBuild: 2 },
    ]);
    expect(describeLibrariesUpdate(result, s.dataPath)).toContain(
      'security rebuilds due (release each again with the next build number): cpython-3.13.5-ubuntu20.04-x86_64-build2.tgz -> build3, cpython-3.12.13-ubuntu20.04-aarch64-build1.tgz -> build2',
    );

    // The pull request's description (update.yml's body-path) says the same, with what to do after merging.
    const body = librariesPullRequestBody(result, s.dataPath);
    expect(body).toContain(`pinned openssl 3.5.9 (was 3.5.7) in ${s.dataPath}`);
    expect(body).toContain('cpython-3.13.5-ubuntu20.04-x86_64-build2.tgz -> build3');
    expect(body).toContain('run the release workflow for each artifact named above');

    // Current now: nothing more to do, nothing rewritten.
    const again = await updateLibraries({ ...s.input });
    expect(again).toMatchObject({ bumps: [], written: false });
    expect(again.comparisons[0]).toMatchObject({ pinned: '3.5.9', state: 'current', digest: 'agrees' });
  });

  it('refuses, writing nothing, a tarball signed by another key, bytes other than the index gives, and a tarball the mirror does not serve', async () => {
    archive.publish('sid', `${stanza('3.5.7', realPin.sha256)}\n${stanza('3.5.9', sha256(newTarball))}`);
    const cases: [string, () => Promise<void>, RegExp][] = [
      [
        'another key',
        async () => serveNewRelease(newTarball, await signByIntruder(newTarball)),
        /^openssl 3\.5\.9 \(openssl_3\.5\.9\.orig\.tar\.gz, listed in Debian's signed index\) was not pinned, and nothing was written: .*signed by key/,
      ],
      [
        'other bytes',
        () => serveNewRelease(Buffer.from('a substituted tarball\n')),
        new RegExp(
          `was not pinned, and nothing was written: .*openssl_3\\.5\\.9\\.orig\\.tar\\.gz: sha256 ${sha256(Buffer.from('a substituted tarball\n'))}, the pin is ${sha256(newTarball)}`,
        ),
      ],
      [
        'not served',
        async () => {
          archive.unserve(`${POOL}/openssl_3.5.9.orig.tar.gz`);
          archive.unserve(`${POOL}/openssl_3.5.9.orig.tar.gz.asc`);
        },
        /was not pinned, and nothing was written: no source gave .*openssl_3\.5\.9\.orig\.tar\.gz: .*404/,
      ],
    ];
    for (const [name, prepare, message] of cases) {
      await prepare();
      const s = await scratch();
      await expect(updateLibraries(s.input), name).rejects.toMatchObject({
        message: expect.stringMatching(message),
        fix: expect.stringContaining('a pin needs both records'),
      });
      expect(await readFile(s.dataPath, 'utf8'), name).toBe(s.before);
      expect(await readdir(s.sourcesDir).catch(() => []), name).not.toContain('openssl_3.5.9.orig.tar.gz');
    }
  });
});

describe("update.yml's libraries job", () => {
  it('runs make libraries-update and generate-check, and its pull request carries the pins and the feature made from them', async () => {
    const workflow = parseYaml(await readFile(join(layout.workflowsDir, 'update.yml'), 'utf8'));
    const steps: { run?: string; uses?: string; with?: Record<string, string> }[] = workflow.jobs.libraries.steps;
    const runs = steps.map((step) => step.run ?? '').join('\n');
    expect(runs).toMatch(/make debian-keyring[\s\S]*make libraries-update SUMMARY=(\S+)[\s\S]*make generate-check/);
    const summary = /make libraries-update SUMMARY=(\S+)/.exec(runs)?.[1];
    const pullRequest = steps.find((step) => step.uses?.startsWith('peter-evans/create-pull-request'));
    // The description is the file libraries update wrote, and it is not committed.
    expect(pullRequest?.with?.['body-path']).toBe(summary);
    const addPaths = pullRequest?.with?.['add-paths']?.trim().split('\n');
    expect(addPaths).toEqual([relativeToRoot(layout.librariesData), 'features/src/installer']);
    // The generated feature quotes the pins (its licences section): a bump rewrites it.
    const readme = await readFile(join(layout.featuresSrcDir, 'installer', 'README.md'), 'utf8');
    for (const pin of pinnedLibraries) expect(readme).toContain(`${pin.name} ${pin.version} (${pin.license})`);
  });
});

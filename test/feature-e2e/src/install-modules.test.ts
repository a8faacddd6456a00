import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { binaryKeyring, createKeyPair, layout, revokedPublicKey, sha256Buffer, signerFromArmored } from '@cpython-prebuilt/core';
import { INSTALL_MODULE_TESTS_DIR, INSTALL_MODULES_DIR, KEYRING_FILE } from '@cpython-prebuilt/feature';
import { BASE_IMAGES, signAfterExpiry } from '@cpython-prebuilt/test-fixtures';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Each module of install.sh tested alone (packages/feature/bats/<module>.bats) in every base image,
// under the image's own /bin/sh, tar, gpgv or sqv: the bats suites run inside the container, bats
// itself mounted read-only from the host (Debian's package, which `make setup` installs).
const BATS_PATHS = ['/usr/bin/bats', '/usr/lib/bats-core', '/usr/libexec/bats-core'];

describe("install.sh's modules, each tested alone by bats in the base images", () => {
  let root: string;
  let tests = 0;

  beforeAll(async () => {
    const missing = BATS_PATHS.filter((path) => !existsSync(path));
    if (missing.length > 0) throw new Error(`bats is not installed (${missing.join(', ')} missing): run \`make setup\` as root`);
    root = await mkdtemp(join(tmpdir(), 'install-modules-'));
    // Readable by every user: a test runs the modules as nobody (require_root).
    await chmod(root, 0o755);
    // The header as generated (constants filled from TypeScript): everything before the first module.
    const installSh = await readFile(join(layout.featuresSrcDir, 'installer', 'install.sh'), 'utf8');
    const firstModule = installSh.indexOf('\n# --- common:');
    expect(firstModule).toBeGreaterThan(0);
    await writeFile(join(root, 'header.sh'), installSh.slice(0, firstModule + 1));
    await cp(fileURLToPath(INSTALL_MODULES_DIR), join(root, 'install'), { recursive: true });
    await cp(fileURLToPath(INSTALL_MODULE_TESTS_DIR), join(root, 'bats'), { recursive: true });
    for (const file of await readdir(join(root, 'bats'))) {
      if (file.endsWith('.bats')) tests += ((await readFile(join(root, 'bats', file), 'utf8')).match(/^@test /gm) ?? []).length;
    }
    await writeKeys(join(root, 'keys'));
  }, 120_000);

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it.concurrent.each(BASE_IMAGES)('every module test passes in %s', async (image) => {
    const run = await execa(
      'docker',
      [
        'run',
        '--rm',
        '--network',
        'none',
        // A small disk for the full-disk tests, and the test tree read-only for the read-only one.
        '--tmpfs',
        '/small:size=256k',
        '--volume',
        `${root}:/t:ro`,
        ...BATS_PATHS.flatMap((path) => ['--volume', `${path}:${path}:ro`]),
        '--env',
        'INSTALL_TEST_ROOT=/t',
        image,
        'bats',
        '--tap',
        '/t/bats',
      ],
      { reject: false, all: true },
    );
    const failed = run.all.split('\n').filter((line) => line.startsWith('not ok') || line.startsWith('# '));
    expect(failed.join('\n'), `bats in ${image}`).toBe('');
    expect(run.exitCode).toBe(0);
    // Every test ran (a file bats cannot parse runs none of its tests).
    expect(run.all).toContain(`1..${tests}`);
    expect(run.all.split('\n').filter((line) => line.startsWith('ok ')).length).toBe(tests);
  });
});

/**
 * Two throwaway keys: the feature's keyring trusts the first. A payload signed by each; a release
 * statement for build2 (signed), and build3: build2's bytes and statement served under a newer name.
 */
async function writeKeys(dir: string): Promise<void> {
  await mkdir(dir);
  const trusted = await createKeyPair({ name: 'install module tests', email: 'trusted@example.invalid' });
  const untrusted = await createKeyPair({ name: 'someone else', email: 'untrusted@example.invalid' });
  const [signer, stranger] = await Promise.all([
    signerFromArmored(trusted.privateArmored),
    signerFromArmored(untrusted.privateArmored),
  ]);
  await writeFile(join(dir, KEYRING_FILE), await binaryKeyring([trusted.publicArmored]));
  await writeFile(join(dir, 'fingerprint'), trusted.fingerprint);
  const payload = new TextEncoder().encode('the bytes of an artifact\n');
  await writeFile(join(dir, 'artifact.tgz'), payload);
  await writeFile(join(dir, 'artifact.tgz.asc'), await signer.sign(payload));
  await writeFile(join(dir, 'artifact.tgz.untrusted.asc'), await stranger.sign(payload));
  const build2 = 'cpython-3.13.5-debian11-x86_64-build2.tgz';
  const build3 = 'cpython-3.13.5-debian11-x86_64-build3.tgz';
  const statement = new TextEncoder().encode(
    `${JSON.stringify({ name: build2, version: '3.13.5', build: 2, sha256: sha256Buffer(payload) }, null, 2)}\n`,
  );
  const statementSignature = await signer.sign(statement);
  // Key lifecycle, in keys/lifecycle (its own keyring): a key that expired two days ago, whose
  // signature was made while it was valid, and a revoked key.
  const lifecycle = join(dir, 'lifecycle');
  await mkdir(lifecycle);
  const past = new Date(Date.now() - 3 * 86_400_000);
  const expired = await createKeyPair({
    name: 'expired',
    email: 'expired@example.invalid',
    expiresInSeconds: 86_400,
    date: past,
  });
  const revoked = await createKeyPair({ name: 'revoked', email: 'revoked@example.invalid' });
  // And a signature dated after its key's expiry (gpg on a faked clock: openpgp.js will not make one).
  await writeFile(join(lifecycle, 'late.tgz'), payload);
  const late = signAfterExpiry(join(dir, 'late-gnupg'), past, [join(lifecycle, 'late.tgz')]);
  await rm(join(dir, 'late-gnupg'), { recursive: true, force: true });
  await writeFile(
    join(lifecycle, KEYRING_FILE),
    Buffer.concat([
      await binaryKeyring([expired.publicArmored, await revokedPublicKey(revoked.publicArmored, revoked.revocationArmored)]),
      late,
    ]),
  );
  await writeFile(join(lifecycle, 'expired-fingerprint'), expired.fingerprint);
  await writeFile(join(lifecycle, 'artifact.tgz'), payload);
  const whileValid = await signerFromArmored(expired.privateArmored, undefined, new Date(past.getTime() + 60_000));
  await writeFile(join(lifecycle, 'artifact.tgz.while-valid.asc'), await whileValid.sign(payload));
  await writeFile(
    join(lifecycle, 'artifact.tgz.revoked.asc'),
    await (await signerFromArmored(revoked.privateArmored)).sign(payload),
  );
  // Wheelhouses (a top folder with a requirements.lock), each with the .sha256 its server publishes:
  // signed by the trusted key, unsigned, and signed by the other key.
  for (const [kind, by] of [
    ['signed', signer],
    ['unsigned', undefined],
    ['forged', stranger],
  ] as const) {
    const file = `wheelhouse-${kind}-cp313-debian11-x86_64-build1.tgz`;
    const top = join(dir, `${kind}-tree`, file.replace(/\.tgz$/, ''));
    await mkdir(top, { recursive: true });
    await writeFile(join(top, 'requirements.lock'), 'demo==1.0 --hash=sha256:00\n');
    await execa('tar', ['-czf', join(dir, file), '-C', join(dir, `${kind}-tree`), file.replace(/\.tgz$/, '')]);
    await rm(join(dir, `${kind}-tree`), { recursive: true });
    const bytes = await readFile(join(dir, file));
    await writeFile(join(dir, `${file}.sha256`), `${sha256Buffer(bytes)}  ${file}\n`);
    if (by) await writeFile(join(dir, `${file}.asc`), await by.sign(bytes));
  }
  for (const name of [build2, build3]) {
    await writeFile(join(dir, name), payload);
    await writeFile(join(dir, `${name}.statement.json`), statement);
    await writeFile(join(dir, `${name}.statement.json.asc`), statementSignature);
  }
}

import { copyFile, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { binaryKeyring, createKeyPair, revokedPublicKey, sha256File, signerFromArmored } from '@cpython-prebuilt/core';
import { KEYRING_FILE, vendorFeature } from '@cpython-prebuilt/feature';
import { runInstallScript } from '@cpython-prebuilt/harness';
import { signAfterExpiry } from '@cpython-prebuilt/test-fixtures';
import { beforeAll, describe, expect, inject, it } from 'vitest';

const IMAGE = 'local/debian:bookworm';

describe('install.sh checks the OpenPGP signature with gpgv before extracting anything', () => {
  let work: string;
  let feature: string;
  let artifactName: string;
  let artifactSha256: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'signature-'));
    const artifacts = inject('artifacts');
    artifactName = basename(artifacts.python313);
    artifactSha256 = await sha256File(artifacts.python313);
    // Signed at test time by the suite's key (test/fixtures), which the vendored keyring holds.
    feature = await vendorFeature({ artifactPaths: [artifacts.python313], outputDir: join(work, 'installer'), force: false });
    return () => rm(work, { recursive: true, force: true });
  });

  const install = (
    dir: string,
    options: Record<string, string | boolean>,
    extra: Partial<Parameters<typeof runInstallScript>[0]> = {},
  ) => runInstallScript({ featureDir: dir, image: IMAGE, options, ...extra });

  /** A copy of the vendored feature, for cases that change its files. */
  async function featureCopy(name: string): Promise<string> {
    const dir = join(work, name, 'installer');
    await cp(feature, dir, { recursive: true });
    return dir;
  }

  /** The artifact under another name in `dir`, with a detached signature made by `privateArmored`. */
  async function signedCopy(dir: string, name: string, privateArmored: string, date?: Date): Promise<void> {
    await copyFile(join(feature, artifactName), join(dir, name));
    const signer = await signerFromArmored(privateArmored, undefined, date);
    await writeFile(join(dir, `${name}.asc`), await signer.sign(await readFile(join(dir, name))));
  }

  it('installs a vendored artifact whose signature verifies, and names the key', async () => {
    const result = await install(feature, {});
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain(
      `cpython-installer: OpenPGP signature verified: signed by key ${inject('artifacts').testKey.fingerprint}`,
    );
    expect(result.output).toContain('installed CPython 3.13.5 in /opt/python-3.13.5');
  });

  it('on Debian 13 (trixie), which has sqv instead of gpgv, verifies with sqv and refuses an unknown key', async () => {
    const trixie = { image: 'local/debian:trixie' };
    const good = await install(feature, {}, trixie);
    expect(good.exitCode, good.output).toBe(0);
    expect(good.output).toContain(`OpenPGP signature verified (sqv): signed by key ${inject('artifacts').testKey.fingerprint}`);

    const dir = await featureCopy('unknown-sqv');
    const stranger = await createKeyPair({ name: 'stranger', email: 'stranger@example.invalid' });
    const name = 'cpython-3.13.5-debian11-x86_64-build5.tgz';
    await signedCopy(dir, name, stranger.privateArmored);
    const unknown = await install(dir, { artifactUrl: name, sha256: artifactSha256 }, trixie);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.output).toContain(
      `cpython-installer: error: unknown key: ${name}.asc was made by a key this feature version does not trust`,
    );
    expect(unknown.leftovers).toEqual([]);
  });

  it('refuses a tampered artifact even when its .sha256 matches', async () => {
    const dir = await featureCopy('tampered');
    const name = 'cpython-3.13.5-debian11-x86_64-build9.tgz';
    const bytes = await readFile(join(feature, artifactName));
    bytes[bytes.length - 1] = (bytes.at(-1) ?? 0) ^ 0xff;
    await writeFile(join(dir, name), bytes);
    await writeFile(join(dir, `${name}.sha256`), `${await sha256File(join(dir, name))}  ${name}\n`);
    await copyFile(join(feature, `${artifactName}.asc`), join(dir, `${name}.asc`));
    const result = await install(dir, { artifactUrl: name });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain('sha256 verified against');
    expect(result.output).toContain(`cpython-installer: error: bad signature: ${name}.asc does not match the artifact`);
    expect(result.leftovers).toEqual([]);
  });

  it('refuses a signature by a key the feature does not trust', async () => {
    const dir = await featureCopy('unknown');
    const stranger = await createKeyPair({ name: 'stranger', email: 'stranger@example.invalid' });
    const name = 'cpython-3.13.5-debian11-x86_64-build8.tgz';
    await signedCopy(dir, name, stranger.privateArmored);
    const result = await install(dir, { artifactUrl: name, sha256: artifactSha256 });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(
      `cpython-installer: error: unknown key: ${name}.asc was made by key ${stranger.fingerprint.slice(-16)}, which this feature version does not trust`,
    );
    expect(result.leftovers).toEqual([]);
  });

  it('refuses a signature by a revoked key; one by a key that expired since counts only when it was made before the expiry', async () => {
    const revoked = await createKeyPair({ name: 'retired', email: 'retired@example.invalid' });
    const past = new Date(Date.now() - 3 * 86_400_000);
    const expired = await createKeyPair({
      name: 'expired',
      email: 'expired@example.invalid',
      expiresInSeconds: 86_400,
      date: past,
    });
    const dir = await featureCopy('revoked-expired');
    await signedCopy(dir, 'cpython-3.13.5-debian11-x86_64-build7.tgz', revoked.privateArmored);
    await signedCopy(dir, 'cpython-3.13.5-debian11-x86_64-build6.tgz', expired.privateArmored, new Date(past.getTime() + 60_000));
    // A signature dated after its key's expiry (signAfterExpiry says how gpg makes one).
    await copyFile(join(feature, artifactName), join(dir, 'cpython-3.13.5-debian11-x86_64-build5.tgz'));
    const late = signAfterExpiry(join(work, 'late-gnupg'), past, [join(dir, 'cpython-3.13.5-debian11-x86_64-build5.tgz')]);
    await writeFile(
      join(dir, KEYRING_FILE),
      Buffer.concat([
        await binaryKeyring([await revokedPublicKey(revoked.publicArmored, revoked.revocationArmored), expired.publicArmored]),
        late,
      ]),
    );

    const byRevoked = await install(dir, { artifactUrl: 'cpython-3.13.5-debian11-x86_64-build7.tgz', sha256: artifactSha256 });
    expect(byRevoked.exitCode).toBe(1);
    expect(byRevoked.output).toContain(`was made by key ${revoked.fingerprint.slice(-16)}, which has been revoked`);
    expect(byRevoked.leftovers).toEqual([]);

    // Signed while the key was valid, checked after it expired: it still installs (issue 28: the
    // team key's expiry must not stop every published feature version).
    const whileValid = await install(dir, { artifactUrl: 'cpython-3.13.5-debian11-x86_64-build6.tgz', sha256: artifactSha256 });
    expect(whileValid.exitCode, whileValid.output).toBe(0);
    expect(whileValid.output).toMatch(
      new RegExp(
        `OpenPGP signature verified: signed by key ${expired.fingerprint} at \\d+ \\(epoch seconds\\), while it was valid; the key expired at \\d+`,
      ),
    );

    const afterExpiry = await install(dir, { artifactUrl: 'cpython-3.13.5-debian11-x86_64-build5.tgz', sha256: artifactSha256 });
    expect(afterExpiry.exitCode).toBe(1);
    expect(afterExpiry.output).toMatch(/was made by key [0-9A-F]{16} at \d+ \(epoch seconds\), after the key expired at \d+/);
    expect(afterExpiry.leftovers).toEqual([]);
  });

  it('refuses a manifest artifact without its signature, an artifactUrl without one unless the sha256 option pins it, and any without one when requireSignature is true', async () => {
    const dir = await featureCopy('unsigned');
    await rm(join(dir, `${artifactName}.asc`));
    const manifest = await install(dir, {});
    expect(manifest.exitCode).toBe(1);
    expect(manifest.output).toContain(
      `cpython-installer: error: missing signature: ${artifactName}.asc does not exist, and requireSignature is auto`,
    );
    expect(manifest.output).toContain('"requireSignature": "false"');
    expect(manifest.leftovers).toEqual([]);

    const required = await install(dir, { artifactUrl: artifactName, sha256: artifactSha256, requireSignature: 'true' });
    expect(required.exitCode).toBe(1);
    expect(required.output).toContain('missing signature');
    expect(required.leftovers).toEqual([]);

    // auto fails closed: a .sha256 from the server that serves the artifact is not a pin.
    await writeFile(join(dir, `${artifactName}.sha256`), `${artifactSha256}  ${artifactName}\n`);
    const sameOrigin = await install(dir, { artifactUrl: artifactName });
    expect(sameOrigin.exitCode).toBe(1);
    expect(sameOrigin.output).toContain(
      `cpython-installer: error: missing signature: ${artifactName}.asc does not exist, and requireSignature is auto`,
    );
    expect(sameOrigin.output).toContain('pin its bytes with the sha256 option');
    expect(sameOrigin.leftovers).toEqual([]);

    // auto: an artifactUrl the user pinned with the sha256 option installs unsigned, and the log says so.
    const optional = await install(dir, { artifactUrl: artifactName, sha256: artifactSha256 });
    expect(optional.exitCode, optional.output).toBe(0);
    expect(optional.output).toContain(`no signature at ${artifactName}.asc: not checked, the sha256 option pins the artifact`);
  });

  it("with only a .sha256 from the artifact's server, needs the release's signed statement naming this file: an older build under a newer name is refused", async () => {
    const artifacts = inject('artifacts');
    const dir = await featureCopy('statement');
    const sums = (name: string) => writeFile(join(dir, `${name}.sha256`), `${artifactSha256}  ${name}\n`);
    const statement = async (from: string, to: string) => {
      for (const suffix of ['.statement.json', '.statement.json.asc']) {
        await copyFile(join(artifacts.dir, `${from}${suffix}`), join(dir, `${to}${suffix}`));
      }
    };
    // The release's own files: the statement names this file and these bytes.
    await statement(artifactName, artifactName);
    const genuine = await install(dir, { artifactUrl: artifactName });
    expect(genuine.exitCode, genuine.output).toBe(0);
    expect(genuine.output).toContain(
      `signed statement verified: ${artifactName} is CPython 3.13.5 with sha256 ${artifactSha256}`,
    );

    // build1's bytes, signature and statement served as build2: every signature is valid, the name is not.
    const newer = 'cpython-3.13.5-debian11-x86_64-build2.tgz';
    await copyFile(join(dir, artifactName), join(dir, newer));
    await copyFile(join(dir, `${artifactName}.asc`), join(dir, `${newer}.asc`));
    await sums(newer);
    await statement(artifactName, newer);
    const rollback = await install(dir, { artifactUrl: newer });
    expect(rollback.exitCode).toBe(1);
    expect(rollback.output).toContain(
      `cpython-installer: error: the signed statement ${newer}.statement.json is for ${artifactName} (CPython 3.13.5, sha256 ${artifactSha256}), not ${newer} with sha256 ${artifactSha256}: another or older build is served under this name (rollback)`,
    );
    expect(rollback.leftovers).toEqual([]);

    // A statement edited to name the new file no longer matches its signature.
    const edited = (await readFile(join(dir, `${newer}.statement.json`), 'utf8')).replace(artifactName, newer);
    await writeFile(join(dir, `${newer}.statement.json`), edited);
    const forged = await install(dir, { artifactUrl: newer });
    expect(forged.exitCode).toBe(1);
    expect(forged.output).toContain(
      `cpython-installer: error: bad signature: ${newer}.statement.json.asc does not match the statement`,
    );

    // No statement at all: refused, naming both fixes; the sha256 option (a pin the user chose) installs.
    await rm(join(dir, `${newer}.statement.json`));
    const missing = await install(dir, { artifactUrl: newer });
    expect(missing.exitCode).toBe(1);
    expect(missing.output).toContain(`cpython-installer: error: missing statement: ${newer}.statement.json does not exist`);
    expect(missing.output).toContain('or pin its bytes with the sha256 option');
    const pinned = await install(dir, { artifactUrl: newer, sha256: artifactSha256 });
    expect(pinned.exitCode, pinned.output).toBe(0);
  });

  it('without gpgv says how to install it or opt out, and requireSignature false installs unchecked with a warning', async () => {
    const missing = await install(feature, {}, { beforeInstall: 'rm -f /usr/bin/gpgv' });
    expect(missing.exitCode).toBe(1);
    expect(missing.output).toContain('cpython-installer: error: gpgv is not installed');
    expect(missing.output).toContain('apt-get install -y gpgv');
    expect(missing.leftovers).toEqual([]);

    const optedOut = await install(feature, { requireSignature: false }, { beforeInstall: 'rm -f /usr/bin/gpgv' });
    expect(optedOut.exitCode, optedOut.output).toBe(0);
    expect(optedOut.output).toContain("warning: requireSignature is false: the artifact's OpenPGP signature is not checked");
  });

  it('feature vendor refuses an unsigned artifact unless told, and then turns requireSignature off in that feature', async () => {
    const artifacts = inject('artifacts');
    const dir = join(work, 'vendor-unsigned');
    await cp(artifacts.dir, dir, { recursive: true, filter: (source) => !source.endsWith('.asc') || source === artifacts.dir });
    const unsigned = join(dir, artifactName);
    await expect(vendorFeature({ artifactPaths: [unsigned], outputDir: join(dir, 'refused'), force: false })).rejects.toThrow(
      `${unsigned}.asc is missing: the artifact is not signed`,
    );
    const allowed = await vendorFeature({
      artifactPaths: [unsigned],
      outputDir: join(dir, 'allowed'),
      force: false,
      allowUnsigned: true,
    });
    const json = JSON.parse(await readFile(join(allowed, 'devcontainer-feature.json'), 'utf8'));
    expect(json.options.requireSignature.default).toBe('false');
  });

  it('refuses a requireSignature value that is not auto, true or false', async () => {
    const result = await install(feature, { requireSignature: 'yes' });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain('requireSignature must be auto, true or false, got "yes"');
  });
});

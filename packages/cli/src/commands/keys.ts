import { createLogger, layout, SIGNING_KEY_ENV, SIGNING_PASSPHRASE_ENV } from '@cpython-prebuilt/core';
import { createTeamKey, MIN_KEY_DAYS } from '@cpython-prebuilt/pipelines';
import type { Command } from 'commander';
import { parsePositiveInteger } from '../shared-options.ts';

interface KeysCreateFlags {
  name: string;
  email: string;
  expiresDays: number;
  privateDir: string;
  publicDir: string;
  unencrypted: boolean;
}

export function keysCommand(program: Command): void {
  const keys = program.command('keys').description('the OpenPGP keys that sign artifacts (docs/signing.md)');
  keys
    .command('create')
    .description(
      `create a team signing key pair: the private key and revocation certificate to --private-dir, the public key to the trusted keys (passphrase from ${SIGNING_PASSPHRASE_ENV})`,
    )
    .requiredOption('--private-dir <dir>', 'where the private key and revocation certificate go (keep it outside the repository)')
    .option('--name <name>', 'the key user id name', 'cpython-prebuilt release signing')
    .option('--email <email>', 'the key user id email', 'cpython-prebuilt@users.noreply.github.com')
    .option('--expires-days <days>', `days until the key expires (${MIN_KEY_DAYS} at least)`, parsePositiveInteger, 730)
    .option(
      '--unencrypted',
      `write the private key without a passphrase (by default ${SIGNING_PASSPHRASE_ENV} is required)`,
      false,
    )
    .option('--public-dir <dir>', 'where the public key goes (`pnpm generate` embeds it in the feature)', layout.keysDir)
    .action(async (flags: KeysCreateFlags) => {
      const logger = createLogger();
      const created = await createTeamKey({
        name: flags.name,
        email: flags.email,
        expiresInDays: flags.expiresDays,
        privateDir: flags.privateDir,
        publicDir: flags.publicDir,
        passphrase: process.env[SIGNING_PASSPHRASE_ENV] || undefined,
        unencrypted: flags.unencrypted,
      });
      logger.info(
        `key ${created.fingerprint}: public ${created.publicKeyPath} (commit it, then run pnpm generate); private ${created.privateKeyPath} (export ${SIGNING_KEY_ENV}=<that path> to sign); revocation certificate ${created.revocationPath}`,
      );
      process.stdout.write(`${created.fingerprint}\n`);
    });
}

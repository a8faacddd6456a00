import { createLogger, resolveArtifactPath, verifyArtifact } from '@cpython-prebuilt/core';
import type { Command } from 'commander';
import { readTrustedKeys, signerKeysOption } from '../shared-options.ts';

interface VerifyArtifactFlags {
  signerKeys: string;
  requireSignature: boolean;
}

export function verifyArtifactCommand(program: Command): void {
  program
    .command('verify-artifact')
    .description(
      'check an artifact as a user would before trusting it: its sha256 against the .sha256 and metadata beside it, and its .asc against the trusted keys (the committed ones by default); prints the sha256',
    )
    .argument('<artifact>', 'the cpython-<version>-<base>-<arch>-build<N>.tgz (.sha256, .json and .asc beside it)')
    .addOption(signerKeysOption())
    .option('--require-signature', 'refuse an artifact without its .asc', false)
    .action(async (artifact: string, flags: VerifyArtifactFlags) => {
      const verified = await verifyArtifact(resolveArtifactPath(artifact), await readTrustedKeys(flags.signerKeys), {
        requireSignature: flags.requireSignature,
        keysWhere: flags.signerKeys,
      });
      createLogger().info(
        `${verified.artifact.name}: sha256 matches its .sha256 and metadata; ${verified.signedBy ? `signed by trusted key ${verified.signedBy}` : 'no .asc beside it (not signed)'}`,
      );
      process.stdout.write(`${verified.artifact.sha256}  ${verified.artifact.name}\n`);
    });
}

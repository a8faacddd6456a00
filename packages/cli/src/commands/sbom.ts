import { readArtifactSbom, sbomTable } from '@cpython-prebuilt/builder';
import { resolveArtifactPath } from '@cpython-prebuilt/core';
import type { Command } from 'commander';

interface SbomFlags {
  json: boolean;
}

export function sbomCommand(program: Command): void {
  program
    .command('sbom')
    .description(
      "print what an artifact carries, from the SBOM inside it (share/sbom/cpython.cdx.json): each bundled library's file, version, licence, sha256 and where it came from",
    )
    .argument('<artifact>', 'a cpython-<version>-<base>-<arch>-build<N>.tgz (a bare name is looked for in the artifacts folder)')
    .option('--json', 'print the CycloneDX document itself', false)
    .action(async (artifact: string, flags: SbomFlags) => {
      const { document, rows } = await readArtifactSbom(resolveArtifactPath(artifact));
      process.stdout.write(flags.json ? document : sbomTable(rows));
    });
}

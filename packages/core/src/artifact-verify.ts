import { readFile } from 'node:fs/promises';
import { type LoadedArtifact, loadArtifact } from './artifact-files.ts';
import { CpythonPrebuiltError } from './errors.ts';
import { verifyDetached } from './openpgp.ts';

export interface VerifiedArtifact {
  artifact: LoadedArtifact;
  /** The key that signed it (its <artifact>.asc), when it is signed. */
  signedBy?: string;
}

/**
 * What a user (or a release job handed the file by another) checks before trusting an artifact:
 * its bytes against the .sha256 and the metadata beside it (loadArtifact), then its `<artifact>.asc`
 * against `trustedKeys` - which, unlike the .sha256, did not arrive with the file. A missing
 * signature is refused when `requireSignature`.
 */
export async function verifyArtifact(
  path: string,
  trustedKeys: string[],
  options: { requireSignature: boolean; keysWhere: string },
): Promise<VerifiedArtifact> {
  const artifact = await loadArtifact(path);
  const signature = await readFile(`${artifact.path}.asc`, 'utf8').catch(() => undefined);
  if (!signature) {
    if (options.requireSignature) {
      throw new CpythonPrebuiltError(
        'SIGNATURE_MISSING',
        `${artifact.path}.asc is missing: the sha256 alone vouches for nothing`,
        {
          fix: 'download the .asc published beside the artifact, or drop --require-signature to check the sha256 only',
        },
      );
    }
    return { artifact };
  }
  const bytes = await readFile(artifact.path);
  const signedBy = await verifyDetached(bytes, signature, trustedKeys, `${artifact.name} (trusted keys: ${options.keysWhere})`);
  return { artifact, signedBy };
}

import { copyFile, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import {
  binaryKeyring,
  CpythonPrebuiltError,
  type LoadedArtifact,
  type LoadedWheelhouse,
  layout,
  loadArtifact,
  loadWheelhouse,
  manifestEntryFor,
  pathExists,
  pythonTag,
  statementName,
  trustedKeysWithExtra,
  verifyDetached,
} from '@cpython-prebuilt/core';
import { renderFeature } from './render.ts';
import { readFeatureVersion } from './version.ts';
import { writeFeatureFiles } from './write.ts';

export interface VendorInput {
  /** One or more artifacts (several versions install side by side); each with .sha256 and .json. */
  artifactPaths: string[];
  /** The same artifacts already loaded (and hashed) by the caller: used instead of loading them again. */
  loaded?: LoadedArtifact[];
  /** The feature folder to create, e.g. .devcontainer/installer (its name is the feature id). */
  outputDir: string;
  featureReference?: string;
  /** Replace an existing output folder. */
  force: boolean;
  /** A wheelhouse (cpython-prebuilt wheelhouse build) copied beside the artifacts and set as wheelhouseUrl. */
  wheelhousePath?: string;
  /** Armored public keys the vendored feature trusts; by default the committed ones (infrastructure/keys). */
  trustedKeys?: string[];
  /** An artifact without <artifact>.asc is vendored with requireSignature off, instead of refused. */
  allowUnsigned?: boolean;
}

/**
 * Whether `dir` holds a copy of this feature: its devcontainer-feature.json names the same id and
 * name as the one about to be written. Anything else (another feature, a project folder, a typo
 * such as `.devcontainer`) is not ours to delete.
 */
async function holdsThisFeature(dir: string, ours: { id: string; name: string }): Promise<boolean> {
  try {
    const json = JSON.parse(await readFile(join(dir, 'devcontainer-feature.json'), 'utf8')) as { id?: unknown; name?: unknown };
    return json.id === ours.id && json.name === ours.name;
  } catch {
    return false;
  }
}

/**
 * The signatures (<artifact>.asc) of the artifacts, each checked against the trusted keys now, so
 * a feature that would refuse its own artifact is never written. Undefined when one has none and
 * allowUnsigned says to vendor without.
 */
async function checkedSignatures(
  artifacts: LoadedArtifact[],
  keys: string[],
  input: VendorInput,
): Promise<Map<string, string> | undefined> {
  const signatures = new Map<string, string>();
  for (const artifact of artifacts) {
    const signature = await readFile(`${artifact.path}.asc`, 'utf8').catch(() => undefined);
    if (signature === undefined) {
      if (input.allowUnsigned) return undefined;
      throw new CpythonPrebuiltError('SIGNATURE_MISSING', `${artifact.path}.asc is missing: the artifact is not signed`, {
        fix: 'vendor the .asc published beside the artifact (cpython-prebuilt release signs), or pass --allow-unsigned to vendor it with requireSignature false',
      });
    }
    const fingerprint = await verifyDetached(await readFile(artifact.path), signature, keys, artifact.name);
    signatures.set(artifact.name, fingerprint);
  }
  return signatures;
}

/**
 * A copy of the feature with the artifacts inside its folder and a manifest naming them by
 * relative paths: it installs with no network, and publishes to a registry as one unit.
 */
export async function vendorFeature(input: VendorInput): Promise<string> {
  if (input.artifactPaths.length === 0) {
    throw new CpythonPrebuiltError('INVALID_INPUT', 'no artifact to vendor', { fix: 'pass --artifact <file.tgz> (repeatable)' });
  }
  const artifacts: LoadedArtifact[] = input.loaded ? [...input.loaded] : [];
  if (!input.loaded) for (const path of input.artifactPaths) artifacts.push(await loadArtifact(path));
  const wheelhouse = input.wheelhousePath ? await matchingWheelhouse(input.wheelhousePath, artifacts) : undefined;
  const keys = input.trustedKeys ?? (await trustedKeysWithExtra(layout.keysDir));
  const signatures = await checkedSignatures(artifacts, keys, input);
  const outputDir = resolve(input.outputDir);
  const exists = await pathExists(outputDir);
  if (exists && !input.force) {
    throw new CpythonPrebuiltError('INVALID_INPUT', `${outputDir} already exists`, {
      fix: 'remove it, or pass --force to replace it',
    });
  }
  const described = artifacts.map(
    ({ metadata }) => `${metadata.version} (${metadata.base}, ${metadata.arch}, build ${metadata.build})`,
  );
  const feature = renderFeature({
    manifest: {
      // Named by a path relative to the feature folder; dated by the build, so vendoring is repeatable.
      artifacts: artifacts.map((artifact) =>
        manifestEntryFor(artifact, {
          url: artifact.name,
          location: 'vendored',
          publishedAt: new Date(artifact.metadata.sourceDateEpoch * 1000).toISOString().slice(0, 10),
        }),
      ),
    },
    featureReference: input.featureReference ?? `./${basename(outputDir)}`,
    // A vendored copy carries the version of the feature it was made from.
    version: await readFeatureVersion(layout.featureVersion),
    description: `CPython ${described.join(', ')} vendored inside the feature: installs with no network.`,
    // The wheelhouse is named by a path relative to the feature folder, pinned by its digest.
    optionDefaults: wheelhouse ? { wheelhouseUrl: wheelhouse.name, wheelhouseSha256: wheelhouse.sha256 } : undefined,
    keyring: await binaryKeyring(keys),
    requireSignatureDefault: signatures ? 'auto' : 'false',
  });
  if (exists) {
    const ours = JSON.parse(feature.files['devcontainer-feature.json'] ?? '{}') as { id: string; name: string };
    if (!(await holdsThisFeature(outputDir, ours))) {
      throw new CpythonPrebuiltError(
        'INVALID_INPUT',
        `${outputDir} exists and does not hold the ${ours.id} feature (no devcontainer-feature.json with id "${ours.id}" and name "${ours.name}"); --force replaces only a vendored copy of this feature`,
        { fix: 'choose another --output folder, or move that folder away yourself if it really is meant to go' },
      );
    }
  }
  // Staged beside the destination and renamed in one step: never a half-written feature folder.
  const staging = `${outputDir}.staging-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  try {
    await writeFeatureFiles(staging, feature.files, feature.keyring);
    for (const artifact of artifacts) {
      if (signatures) await copyFile(`${artifact.path}.asc`, join(staging, `${artifact.name}.asc`));
      // The release's signed statement, when it is beside the artifact: an artifactUrl naming the
      // vendored file without the sha256 option needs it (install.sh's rollback check).
      for (const file of [statementName(artifact.name), `${statementName(artifact.name)}.asc`]) {
        if (signatures && (await pathExists(join(dirname(artifact.path), file))))
          await copyFile(join(dirname(artifact.path), file), join(staging, file));
      }
      await copyFile(artifact.path, join(staging, artifact.name));
      await copyFile(artifact.sha256Path, join(staging, basename(artifact.sha256Path)));
      await copyFile(artifact.metadataPath, join(staging, basename(artifact.metadataPath)));
    }
    if (wheelhouse) {
      for (const file of [wheelhouse.path, wheelhouse.sha256Path, wheelhouse.metadataPath, wheelhouse.lockPath]) {
        await copyFile(file, join(staging, basename(file)));
      }
    }
    if (exists) await rm(outputDir, { recursive: true, force: true });
    await rename(staging, outputDir);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return outputDir;
}

/** The wheelhouse, refused unless a vendored artifact can run its wheels (same CPython minor and arch). */
async function matchingWheelhouse(path: string, artifacts: LoadedArtifact[]): Promise<LoadedWheelhouse> {
  const wheelhouse = await loadWheelhouse(path);
  const { metadata } = wheelhouse;
  const fits = artifacts.some(
    (artifact) => pythonTag(artifact.metadata.version) === metadata.pythonTag && artifact.metadata.arch === metadata.arch,
  );
  if (!fits) {
    throw new CpythonPrebuiltError(
      'INVALID_INPUT',
      `${wheelhouse.name} holds wheels for ${metadata.pythonTag} on ${metadata.arch}, and no vendored artifact is that interpreter`,
      { fix: 'build the wheelhouse with the artifact you vendor (cpython-prebuilt wheelhouse build --artifact ...)' },
    );
  }
  return wheelhouse;
}

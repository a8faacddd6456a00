import { copyFile, mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ensureBuildBaseImage, ensureDocker, packDeterministic, runScriptInContainer } from '@cpython-prebuilt/builder';
import {
  CpythonPrebuiltError,
  findBase,
  formatSha256Line,
  isCpythonPrebuiltError,
  type Logger,
  layout,
  loadArtifact,
  metadataFileName,
  openLogFile,
  pythonTag,
  run,
  type Signer,
  sha256File,
  sha256FileName,
  WHEELHOUSE_LOCK,
  WheelhouseMetadata,
  type WheelhouseWheel,
  wheelhouseFileName,
  wheelhouseLockFileName,
  wheelhouseNameFrom,
} from '@cpython-prebuilt/core';
import { fileSignature, signatureName } from '@cpython-prebuilt/release';
import { parseWheelFileName, renderLock } from './wheelhouse-lock.ts';

export interface WheelhouseBuildInput {
  /** The interpreter artifact (.tgz with its .sha256 and metadata beside it). */
  artifactPath: string;
  requirementsPath: string;
  /** Folders of sdists and wheels; when given, pip sees nothing else and the container has no network. */
  findLinks: string[];
  /** Defaults to the requirements file's folder name (the project). */
  name?: string;
  build: number;
  /** The image the build-base is made from; defaults to the one the artifact was built on. */
  baseImage?: string;
  outputDir: string;
  logsDir: string;
  cacheDir: string;
  /** Signs the wheelhouse (`<file>.asc` beside it), so a wheelhouseUrl without wheelhouseSha256 installs. */
  signer?: Signer;
}

export interface WheelhouseBuildOutput {
  wheelhousePath: string;
  sha256Path: string;
  metadataPath: string;
  lockPath: string;
  /** `<file>.asc`, when a signer was given. */
  signaturePath?: string;
  metadata: WheelhouseMetadata;
  logPath: string;
}

/**
 * Wheels for every requirement and its dependencies, built with the artifact's own interpreter in
 * a fresh container of the artifact's build-base image (same glibc floor, with compilers), packed
 * deterministically with a hash-pinned requirements.lock. Nothing lands in outputDir until the
 * wheelhouse is complete; its .sha256 is written last.
 */
export async function buildWheelhouse(input: WheelhouseBuildInput, logger: Logger): Promise<WheelhouseBuildOutput> {
  const started = Date.now();
  const artifact = await loadArtifact(input.artifactPath);
  const interpreter = artifact.metadata;
  const requirementsPath = resolve(input.requirementsPath);
  const name = input.name ?? wheelhouseNameFrom(basename(dirname(requirementsPath)));
  const file = wheelhouseFileName({
    name,
    pythonVersion: interpreter.version,
    base: interpreter.base,
    arch: interpreter.arch,
    build: input.build,
  });
  const stem = file.replace(/\.tgz$/, '');
  const offline = input.findLinks.length > 0;
  const logPath = join(input.logsDir, `${stem}.log`);
  await mkdir(input.outputDir, { recursive: true });
  await mkdir(join(input.cacheDir, 'work'), { recursive: true });
  await ensureDocker();
  const workDir = await mkdtemp(join(input.cacheDir, 'work', `${stem}-`));
  const staging = join(input.outputDir, `.${file}.staging`);
  const log = openLogFile(logPath);
  try {
    logger.info(`building ${file} with ${artifact.name}; log: ${logPath}`);
    logger.phase('interpreter');
    await mkdir(join(workDir, 'python'));
    await run('tar', ['-xzf', artifact.path, '-C', join(workDir, 'python')]);
    await mkdir(join(workDir, 'in'));
    await copyFile(requirementsPath, join(workDir, 'in', 'requirements.txt'));
    await mkdir(join(workDir, 'out'));
    const image = await ensureBuildBaseImage(
      findBase(interpreter.base),
      input.baseImage ?? interpreter.baseImage,
      logger,
      log,
      logPath,
      artifact.metadata.arch,
    );

    logger.phase(`wheels in ${image} (network: ${offline ? 'none, local sources only' : 'host, pip index'})`);
    const findLinkMounts = input.findLinks.map((dir, index) => ({ host: resolve(dir), guest: `/find-links/${index}` }));
    const env = {
      // The interpreter runs from its own prefix, as it will where the feature installs it.
      PYTHON: `${interpreter.prefix}/bin/python3`,
      REQUIREMENTS: '/in/requirements.txt',
      FIND_LINKS: findLinkMounts.map((mount) => mount.guest).join(' '),
      OFFLINE: offline ? '1' : '0',
      SOURCE_DATE_EPOCH: String(interpreter.sourceDateEpoch),
      HOME: '/tmp',
    };
    await runScriptInContainer({
      image,
      script: 'build_wheels.sh',
      scriptsDir: layout.wheelhouseScriptsDir,
      env,
      outputDir: join(workDir, 'out'),
      readOnlyMounts: [
        [join(workDir, 'python', interpreter.topDirectory), interpreter.prefix],
        [join(workDir, 'in'), '/in'],
        ...findLinkMounts.map((mount): [string, string] => [mount.host, mount.guest]),
      ],
      network: offline ? 'none' : 'host',
      asCaller: true,
      log,
      logPath,
    }).catch((error: unknown) => {
      if (isCpythonPrebuiltError(error) && error.code !== 'COMMAND_FAILED') throw error;
      throw new CpythonPrebuiltError('BUILD_FAILED', `building the wheels of ${basename(requirementsPath)} failed`, {
        fix: offline
          ? 'read the end of the log: a "No matching distribution" names a requirement (or a build dependency such as setuptools) missing from --find-links'
          : 'read the end of the log: a failed compile usually needs a -dev package in the build base',
        logPath,
        cause: error,
      });
    });

    logger.phase('lock and package (deterministic tar.gz)');
    const packRoot = join(workDir, 'pack');
    const top = join(packRoot, stem);
    await mkdir(top, { recursive: true });
    const wheels: WheelhouseWheel[] = [];
    for (const wheelFile of (await readdir(join(workDir, 'out', 'wheels'))).filter((f) => f.endsWith('.whl')).sort()) {
      await rename(join(workDir, 'out', 'wheels', wheelFile), join(top, wheelFile));
      wheels.push({ ...parseWheelFileName(wheelFile), file: wheelFile, sha256: await sha256File(join(top, wheelFile)) });
    }
    if (wheels.length === 0) {
      throw new CpythonPrebuiltError('BUILD_FAILED', `${basename(requirementsPath)} gave no wheels`, {
        fix: 'the requirements file names no packages: add them',
        logPath,
      });
    }
    const lock = renderLock(wheels, [
      `${file}: built with ${artifact.name} from ${basename(requirementsPath)} by cpython-prebuilt wheelhouse build`,
      `pip install --no-index --require-hashes --find-links <the wheelhouse folder> -r ${WHEELHOUSE_LOCK}`,
    ]);
    await writeFile(join(top, WHEELHOUSE_LOCK), lock);
    await packDeterministic({ root: packRoot, topDirectory: stem, output: staging, mtime: interpreter.sourceDateEpoch });
    const sha256 = await sha256File(staging);
    const metadata = WheelhouseMetadata.parse({
      schemaVersion: 1,
      wheelhouse: file,
      sha256,
      name,
      build: input.build,
      pythonTag: pythonTag(interpreter.version),
      pythonVersion: interpreter.version,
      base: interpreter.base,
      arch: interpreter.arch,
      glibcMinimum: interpreter.glibcMinimum,
      artifact: { file: artifact.name, sha256: artifact.sha256 },
      topDirectory: stem,
      requirementsSha256: await sha256File(requirementsPath),
      wheels,
      network: offline ? 'none' : 'host',
      sourceDateEpoch: interpreter.sourceDateEpoch,
      buildSeconds: Math.round((Date.now() - started) / 1000),
    } satisfies WheelhouseMetadata);

    const wheelhousePath = join(input.outputDir, file);
    const metadataPath = join(input.outputDir, metadataFileName(file));
    const lockPath = join(input.outputDir, wheelhouseLockFileName(file));
    const sha256Path = join(input.outputDir, sha256FileName(file));
    await writeFile(`${metadataPath}.part`, `${JSON.stringify(metadata, null, 2)}\n`);
    await writeFile(`${lockPath}.part`, lock);
    await rename(staging, wheelhousePath);
    await rename(`${metadataPath}.part`, metadataPath);
    await rename(`${lockPath}.part`, lockPath);
    // Signed, or else no signature of an earlier build stays beside these bytes.
    let signaturePath: string | undefined;
    if (input.signer) signaturePath = await fileSignature(input.signer, wheelhousePath, logger);
    else await rm(signatureName(wheelhousePath), { force: true });
    await writeFile(`${sha256Path}.part`, formatSha256Line(sha256, file));
    await rename(`${sha256Path}.part`, sha256Path);
    return { wheelhousePath, sha256Path, metadataPath, lockPath, ...(signaturePath ? { signaturePath } : {}), metadata, logPath };
  } finally {
    await new Promise((done) => log.end(done));
    await rm(workDir, { recursive: true, force: true });
    await rm(staging, { force: true });
  }
}

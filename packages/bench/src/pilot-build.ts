import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LoadedArtifact, type Logger, run } from '@cpython-prebuilt/core';
import { FEATURE_ID, vendorFeature } from '@cpython-prebuilt/feature';
import { switchToFeature } from '@cpython-prebuilt/integrate';
import { devcontainer } from '@cpython-prebuilt/release';
import { applyEdits, modify, parse } from 'jsonc-parser';
import { type Summary, summarize } from './stats.ts';

const baselineFeature = fileURLToPath(new URL('../features/python-from-source', import.meta.url));

export interface MeasureInput {
  /** The pilot project in its "before" state (official python feature). */
  pilotDir: string;
  version: string;
  /** Artifacts vendored into the "after" feature, loaded (and hashed) once by the caller. */
  artifacts: LoadedArtifact[];
  /**
   * The pilot already switched to the feature (phase3's integrate step): measured as it is.
   * Without it the pilot is vendored and switched here.
   */
  integratedPilotDir?: string;
  /** The CPython source tarball the baseline compiles. */
  sourceTarball: string;
  /** Image with compilers and -dev packages for the baseline (these machines cannot apt-get during the build). */
  baselineImage: string;
  /** Image for the feature; the pilot's own when omitted. */
  featureImage?: string;
  runs: number;
  workDir: string;
  logger: Logger;
}

export interface RunResult {
  seconds: number;
  ok: boolean;
  imageBytes: number;
  checksPassed: number;
  checksTotal: number;
}

export interface VariantResult {
  label: string;
  image: string;
  runs: RunResult[];
  seconds: Summary;
  imageBytes: Summary;
}

export interface Measurement {
  version: string;
  date: string;
  machine: string;
  before: VariantResult;
  after: VariantResult;
}

/** Procedure step 4.1, inside the built image: version, python3 on PATH, sys.prefix, native modules, pip. */
function checks(version: string): string[] {
  return [
    `test "$(python3 --version)" = "Python ${version}"`,
    'command -v python3',
    'python3 -c "import sys; print(sys.prefix)"',
    'python3 -c "import ssl, sqlite3, lzma, bz2, ctypes, zlib"',
    'pip3 --version',
  ];
}

async function setJsonc(path: string, key: string[], value: unknown): Promise<void> {
  const text = await readFile(path, 'utf8');
  await writeFile(path, applyEdits(text, modify(text, key, value, { formattingOptions: { insertSpaces: false, tabSize: 1 } })));
}

async function prepare(input: MeasureInput, variant: 'before' | 'after'): Promise<{ folder: string; image: string }> {
  const folder = join(input.workDir, variant);
  await rm(folder, { recursive: true, force: true });
  await cp(input.pilotDir, folder, { recursive: true });
  const config = join(folder, '.devcontainer/devcontainer.json');
  const text = await readFile(config, 'utf8');
  let image: string;
  if (variant === 'before') {
    const target = join(folder, '.devcontainer/python-from-source');
    await cp(baselineFeature, target, { recursive: true });
    await cp(input.sourceTarball, join(target, basename(input.sourceTarball)));
    await writeFile(
      config,
      switchToFeature(text, config, { reference: './python-from-source', options: { version: input.version } }).text,
    );
    image = input.baselineImage;
  } else if (input.integratedPilotDir) {
    await rm(folder, { recursive: true, force: true });
    await cp(input.integratedPilotDir, folder, { recursive: true });
    image = input.featureImage ?? String((parse(text) as { image?: string }).image);
  } else {
    await vendorFeature({
      artifactPaths: input.artifacts.map((artifact) => artifact.path),
      loaded: input.artifacts,
      outputDir: join(folder, '.devcontainer', FEATURE_ID),
      force: false,
      // A local build measured here, not a release: it may be unsigned.
      allowUnsigned: true,
    });
    await writeFile(
      config,
      switchToFeature(text, config, { reference: `./${FEATURE_ID}`, options: { version: input.version } }).text,
    );
    image = input.featureImage ?? String((parse(text) as { image?: string }).image);
  }
  await setJsonc(config, ['image'], image);
  // postCreateCommand runs at `up`, not at build: the measurement is the image build alone.
  return { folder, image };
}

async function measureOnce(folder: string, tag: string, version: string, logger: Logger): Promise<RunResult> {
  const started = process.hrtime.bigint();
  const build = await devcontainer(['build', '--workspace-folder', folder, '--image-name', tag, '--no-cache'], true);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (build.exitCode !== 0) {
    logger.warn(`build of ${tag} failed: ${build.stderr.slice(-500)}`);
    return { seconds, ok: false, imageBytes: 0, checksPassed: 0, checksTotal: checks(version).length };
  }
  const size = await run('docker', ['image', 'inspect', '--format', '{{.Size}}', tag]);
  let passed = 0;
  for (const check of checks(version)) {
    const result = await run('docker', ['run', '--rm', '--network', 'none', tag, 'sh', '-c', check], {
      allowExitCodes: [1, 2, 127],
    });
    if (result.exitCode === 0) passed++;
  }
  await run('docker', ['rmi', '--force', tag], { allowExitCodes: [1] });
  return { seconds, ok: true, imageBytes: Number(size.stdout.trim()), checksPassed: passed, checksTotal: checks(version).length };
}

/** Builds the pilot N times each way, side by side in one run, no cache between runs. */
export async function measurePilot(input: MeasureInput): Promise<Measurement> {
  await mkdir(input.workDir, { recursive: true });
  const variants = { before: await prepare(input, 'before'), after: await prepare(input, 'after') };
  const results: Record<'before' | 'after', RunResult[]> = { before: [], after: [] };
  // Interleaved, so a slow moment of the machine hits both variants alike.
  for (let index = 0; index < input.runs; index++) {
    for (const variant of ['before', 'after'] as const) {
      input.logger.phase(`measure ${variant} run ${index + 1} of ${input.runs}`);
      const result = await measureOnce(
        variants[variant].folder,
        `cpython-prebuilt-measure/${variant}:${index}`,
        input.version,
        input.logger,
      );
      input.logger.info(
        `${variant} run ${index + 1}: ${result.seconds.toFixed(1)} s, ${result.checksPassed}/${result.checksTotal} checks`,
      );
      results[variant].push(result);
    }
  }
  const variant = (key: 'before' | 'after', label: string): VariantResult => {
    const ok = results[key].filter((result) => result.ok);
    return {
      label,
      image: variants[key].image,
      runs: results[key],
      seconds: summarize(ok.map((result) => result.seconds)),
      imageBytes: summarize(ok.map((result) => result.imageBytes)),
    };
  };
  const machine = await describeMachine();
  return {
    version: input.version,
    date: new Date().toISOString(),
    machine,
    before: variant('before', `CPython ${input.version} compiled from source in the image (configure + make -j + make install)`),
    after: variant('after', `cpython/installer feature with the prebuilt ${input.version} artifact`),
  };
}

export async function describeMachine(): Promise<string> {
  const { cpus, totalmem, release } = await import('node:os');
  const docker = await run('docker', ['version', '--format', '{{.Server.Version}}'], { allowExitCodes: [1] });
  return `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${(totalmem() / 1024 ** 3).toFixed(0)} GiB RAM, Linux ${release()}, Docker ${docker.stdout.trim()}`;
}

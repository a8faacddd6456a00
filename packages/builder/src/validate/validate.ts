import { access, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import {
  type Arch,
  type CheckResult,
  CpythonPrebuiltError,
  defaultPrefix,
  expectedImports,
  type Logger,
  layout,
  parseArtifactFileName,
  readSha256For,
  run,
  sha256File,
  sha256FileName,
  topDirectoryName,
  type ValidationReport,
  ValidationReport as ValidationReportSchema,
  type ValidationRun,
  validationReportFileName,
} from '@cpython-prebuilt/core';
import { dockerEnv, ensureDocker, requireImage } from '../docker-images.ts';
import { inspectArchive } from './archive.ts';

export interface ValidateInput {
  artifactPath: string;
  /** Bare images to run the artifact in; every one must pass. */
  images: string[];
}

/** Parses validate_cpython.sh's "check\tname\tpass|fail\tdetail" lines. */
export function parseCheckLines(output: string): CheckResult[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('check\t'))
    .map((line) => {
      const [, name = '', status = '', detail = ''] = line.split('\t');
      return { name, ok: status === 'pass', detail };
    });
}

async function hostChecks(artifactPath: string, version: string): Promise<{ run: ValidationRun; sha256: string }> {
  const started = Date.now();
  const name = basename(artifactPath);
  const checks: CheckResult[] = [];
  const sha256 = await sha256File(artifactPath);
  try {
    const expected = await readSha256For(`${artifactPath}.sha256`, name);
    checks.push({
      name: 'checksum',
      ok: expected === sha256,
      detail: expected === sha256 ? `sha256 ${sha256} matches ${sha256FileName(name)}` : `expected ${expected}, actual ${sha256}`,
    });
  } catch (error) {
    checks.push({ name: 'checksum', ok: false, detail: error instanceof Error ? error.message : String(error) });
  }
  try {
    const archive = await inspectArchive(artifactPath, topDirectoryName(version), version.split('.').slice(0, 2).join('.'));
    checks.push({ name: 'archive layout', ...archive });
  } catch (error) {
    checks.push({
      name: 'archive layout',
      ok: false,
      detail: `cannot read the archive: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
  return {
    sha256,
    run: { image: 'host', ok: checks.every((check) => check.ok), checks, seconds: (Date.now() - started) / 1000 },
  };
}

async function containerChecks(
  artifactPath: string,
  version: string,
  arch: Arch,
  image: string,
  logger: Logger,
): Promise<ValidationRun> {
  const started = Date.now();
  // An aarch64 artifact is checked in arm64 images (under emulation on an x86_64 host).
  await requireImage(image, logger, arch);
  const result = await run(
    'docker',
    [
      'run',
      '--rm',
      '--network',
      'none',
      '--volume',
      `${dirname(artifactPath)}:/artifact:ro`,
      '--volume',
      `${layout.scriptsDir}:/scripts:ro`,
      '--env',
      `ARTIFACT=/artifact/${basename(artifactPath)}`,
      '--env',
      `VERSION=${version}`,
      '--env',
      `PREFIX=${defaultPrefix(version)}`,
      '--env',
      `EXPECTED_IMPORTS=${expectedImports().join(' ')}`,
      '--env',
      'SCRIPTS=/scripts',
      image,
      '/bin/sh',
      '/scripts/validate_cpython.sh',
    ],
    { env: dockerEnv, allowExitCodes: [1] },
  );
  const checks = parseCheckLines(result.stdout);
  if (checks.length === 0) {
    checks.push({
      name: 'container',
      ok: false,
      detail: `validate_cpython.sh printed no checks: ${result.stderr.trim().slice(-400)}`,
    });
  }
  if (result.exitCode !== 0 && checks.every((check) => check.ok)) {
    checks.push({ name: 'container', ok: false, detail: `validate_cpython.sh exited ${result.exitCode}` });
  }
  return { image, ok: checks.every((check) => check.ok), checks, seconds: (Date.now() - started) / 1000 };
}

/** Runs every check, writes the JSON report next to the artifact, and returns it. */
export async function validateArtifact(
  input: ValidateInput,
  logger: Logger,
): Promise<{ report: ValidationReport; reportPath: string }> {
  const artifactPath = resolve(input.artifactPath);
  try {
    await access(artifactPath);
  } catch {
    throw new CpythonPrebuiltError('ARTIFACT_INVALID', `artifact ${artifactPath} does not exist`, {
      fix: 'pass the path of a cpython-<version>-<base>-<arch>-build<N>.tgz, e.g. from infrastructure/cpython/artifacts/',
    });
  }
  const { version, arch } = parseArtifactFileName(basename(artifactPath));
  const startedAt = new Date().toISOString();
  logger.phase('host checks: checksum, archive layout');
  const host = await hostChecks(artifactPath, version);
  const runs: ValidationRun[] = [host.run];
  // Running an archive that failed its checksum or layout check would execute untrusted bytes.
  if (host.run.ok) {
    await ensureDocker();
    for (const image of input.images) {
      logger.phase(`container checks in ${image}`);
      runs.push(await containerChecks(artifactPath, version, arch, image, logger));
    }
  }
  const report = ValidationReportSchema.parse({
    artifact: basename(artifactPath),
    sha256: host.sha256,
    ok: runs.every((entry) => entry.ok),
    startedAt,
    runs,
  } satisfies ValidationReport);
  const reportPath = join(dirname(artifactPath), validationReportFileName(basename(artifactPath)));
  await writeFile(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  return { report, reportPath };
}

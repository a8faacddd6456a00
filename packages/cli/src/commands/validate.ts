import { validateArtifact } from '@cpython-prebuilt/builder';
import { CpythonPrebuiltError, createLogger, newestBase, resolveArtifactPath } from '@cpython-prebuilt/core';
import { type Command, Option } from 'commander';

interface ValidateFlags {
  image: string[];
  json: boolean;
}

export function validateCommand(program: Command): void {
  program
    .command('validate')
    .description(
      'check an artifact: checksum, layout, then version, modules, pip, venv, relocation and libraries in bare containers',
    )
    .argument('<artifact>', 'the cpython-<version>-<base>-<arch>-build<N>.tgz to check (its .sha256 must be beside it)')
    .addOption(
      new Option('--image <ref...>', 'bare images to check in (repeatable)').default([newestBase().image], newestBase().image),
    )
    .option('--json', 'print the report as JSON on stdout', false)
    .action(async (artifact: string, flags: ValidateFlags) => {
      await runValidate(artifact, flags);
    });
}

async function runValidate(artifact: string, flags: ValidateFlags): Promise<void> {
  const logger = createLogger();
  const { report, reportPath } = await validateArtifact(
    { artifactPath: resolveArtifactPath(artifact), images: flags.image },
    logger,
  );
  for (const run of report.runs) {
    for (const check of run.checks) {
      process.stderr.write(`  [${check.ok ? 'PASS' : 'FAIL'}] ${run.image}: ${check.name} - ${check.detail}\n`);
    }
  }
  logger.info(`report: ${reportPath}`);
  if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (!report.ok) {
    const failed = report.runs.flatMap((run) =>
      run.checks.filter((check) => !check.ok).map((check) => `${run.image}: ${check.name}`),
    );
    throw new CpythonPrebuiltError('VALIDATION_FAILED', `${failed.length} check(s) failed: ${failed.join(', ')}`, {
      fix: 'see the details above and in the report; rebuild the artifact if its checksum or layout is wrong',
      logPath: reportPath,
    });
  }
  logger.info('all checks passed: the artifact is ready for distribution');
}

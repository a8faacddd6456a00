import { createLogger, layout, readVersionsManifest, releaseMatrix } from '@cpython-prebuilt/core';
import {
  DEFAULT_PYTHON_ORG_URL,
  DEFAULT_RELEASE_CYCLE_URL,
  describePlan,
  planVersionsUpdate,
  type ReleaseFeeds,
  updateDueError,
  updateVersions,
  type VersionsCheckInput,
  type VersionsUpdateInput,
} from '@cpython-prebuilt/pipelines';
import { type Command, Option } from 'commander';

interface VersionsFlags {
  pythonOrgUrl: string;
  releaseCycleUrl: string;
  data: string;
  json: boolean;
}

interface UpdateFlags extends VersionsFlags {
  dryRun: boolean;
}

function feedOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--python-org-url <url>', "base URL of python.org's release API (a mirror, a test server)")
        .env('CPYTHON_PREBUILT_PYTHON_ORG_URL')
        .default(DEFAULT_PYTHON_ORG_URL),
    )
    .addOption(
      new Option('--release-cycle-url <url>', "the devguide's release-cycle.json (which lines are maintained)")
        .env('CPYTHON_PREBUILT_RELEASE_CYCLE_URL')
        .default(DEFAULT_RELEASE_CYCLE_URL),
    )
    .option('--data <path>', 'the versions data file to compare and rewrite', layout.versionsData)
    .option('--json', 'print the result as JSON on stdout', false);
}

function checkInputFromFlags(flags: VersionsFlags): VersionsCheckInput {
  const feeds: ReleaseFeeds = { pythonOrgUrl: flags.pythonOrgUrl, releaseCycleUrl: flags.releaseCycleUrl };
  return { ...feeds, dataPath: flags.data, logger: createLogger() };
}

function updateInputFromFlags(flags: UpdateFlags): VersionsUpdateInput {
  return {
    ...checkInputFromFlags(flags),
    dryRun: flags.dryRun,
    cacheDir: layout.cacheDir,
    // Generated files follow the repository's own data file, not a copy elsewhere.
    regenerate: flags.data === layout.versionsData,
  };
}

export function versionsCommand(program: Command): void {
  const versions = program
    .command('versions')
    .description(
      'compare the pinned CPython releases with python.org and update them (packages/core/src/schemas/versions.data.json)',
    );

  feedOptions(
    versions
      .command('check')
      .description('report new patch releases and lines that reached end of life; exits non-zero when an update is due'),
  ).action(async (flags: VersionsFlags) => {
    const plan = await planVersionsUpdate(checkInputFromFlags(flags));
    process.stdout.write(flags.json ? `${JSON.stringify(plan, null, 2)}\n` : `${describePlan(plan)}\n`);
    if (plan.due) throw updateDueError(plan);
  });

  feedOptions(
    versions
      .command('update')
      .description(
        'pin new patch releases (tarball downloaded and verified against the sha256 python.org publishes), record ends of life, regenerate versions.json',
      ),
  )
    .option('--dry-run', 'download and verify, change nothing, print the diff', false)
    .action(async (flags: UpdateFlags) => {
      const result = await updateVersions(updateInputFromFlags(flags));
      if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else if (flags.dryRun) process.stdout.write(result.diff || `${describePlan(result.plan)}\n`);
      else
        process.stdout.write(
          `${result.written.length === 0 ? describePlan(result.plan) : `wrote ${result.written.join(', ')}`}\n`,
        );
    });

  versions
    .command('matrix')
    .description('the versions the release workflow builds: the newest pinned release of every maintained line')
    .option('--data <path>', 'the versions data file', layout.versionsData)
    .option('--json', 'print {"version": [...]} for a GitHub Actions matrix (fromJSON)', false)
    .action((flags: { data: string; json: boolean }) => {
      const versions = releaseMatrix(readVersionsManifest(flags.data));
      process.stdout.write(flags.json ? `${JSON.stringify({ version: versions })}\n` : `${versions.join('\n')}\n`);
    });
}

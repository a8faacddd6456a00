import {
  CpythonPrebuiltError,
  createLogger,
  debianMirror,
  layout,
  readVersionsManifest,
  releaseMatrix,
} from '@cpython-prebuilt/core';
import {
  compareWithDebian,
  DEFAULT_PYTHON_ORG_URL,
  DEFAULT_RELEASE_CYCLE_URL,
  debianCpythonReleases,
  describeDebianComparison,
  describePlan,
  planVersionsUpdate,
  type ReleaseFeeds,
  requireAgreement,
  updateDueError,
  updateVersions,
  type VersionsCheckInput,
  type VersionsUpdateInput,
} from '@cpython-prebuilt/pipelines';
import { type Command, Option } from 'commander';

interface VersionsFlags {
  source: 'python.org' | 'debian';
  debianSuite: string[];
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
    .addOption(
      new Option(
        '--source <record>',
        "where upstream's releases are read: python.org's release API, or Debian's source archive as the machine's apt sources name it (InRelease verified with the Debian archive keyring, then Sources.xz against it): works offline from python.org and behind a mirror",
      )
        .choices(['python.org', 'debian'])
        .default('python.org'),
    )
    .addOption(
      new Option('--debian-suite <suite>', 'Debian suites to read with --source debian (repeatable)')
        .argParser((value: string, previous: string[]) => [...previous, value])
        .default([], 'sid, trixie and bookworm'),
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

/** versions check --source debian: every pinned line against Debian's signed source index. */
async function checkAgainstDebian(flags: VersionsFlags): Promise<void> {
  const logger = createLogger();
  const mirror = debianMirror();
  const suites = flags.debianSuite.length > 0 ? flags.debianSuite : ['sid', 'trixie', 'bookworm'];
  const releases = [];
  for (const suite of suites) {
    logger.info(`reading ${mirror}/dists/${suite} (InRelease verified with the Debian archive keyring)`);
    releases.push(...(await debianCpythonReleases({ mirror, suite, workDir: `${layout.cacheDir}/debian-index`, logger })));
  }
  const manifest = readVersionsManifest(flags.data);
  const agreed = requireAgreement(manifest, releases);
  const comparisons = compareWithDebian(manifest, releases);
  if (flags.json) process.stdout.write(`${JSON.stringify({ mirror, suites, agreed, comparisons }, null, 2)}\n`);
  else
    process.stdout.write(
      `${describeDebianComparison(comparisons, suites.join('/'))}\nsha256 agrees with Debian's record: ${agreed.join(', ') || 'none pinned'}\n`,
    );
  const behind = comparisons.filter((entry) => entry.state === 'behind');
  if (behind.length > 0) {
    throw new CpythonPrebuiltError(
      'UPDATE_DUE',
      `Debian records newer CPython releases than the manifest pins: ${behind.map((entry) => `${entry.debian.version} (pinned ${entry.pinned ?? 'nothing'} for ${entry.line})`).join(', ')}`,
      {
        fix: "pin them with make versions-update where python.org is reachable (the release and weekly workflows); Debian's record then has to agree with python.org's before a pin is written",
      },
    );
  }
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
    if (flags.source === 'debian') {
      await checkAgainstDebian(flags);
      return;
    }
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

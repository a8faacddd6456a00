import { createLogger, debianMirror, layout, pinnedLibraries, readVersionsManifest, releaseMatrix } from '@cpython-prebuilt/core';
import {
  checkAgainstDebian,
  DEFAULT_DEBIAN_SUITES,
  DEFAULT_PYTHON_ORG_URL,
  DEFAULT_RELEASE_CYCLE_URL,
  debianUpdateDue,
  defaultBehindError,
  describeDebianCheck,
  describeDefaultStatus,
  describePlan,
  endOfLifeWarnings,
  featureDefaultStatus,
  planVersionsUpdate,
  type ReleaseFeeds,
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
  /** false with --no-debian-record. */
  debianRecord: boolean;
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

/**
 * Debian's source archive the machine's apt sources name: the feed with --source debian; with
 * python.org, the second record each new pin must agree with, when the machine names a mirror.
 */
function debianRecord(flags: UpdateFlags): VersionsUpdateInput['debian'] {
  const suites = flags.debianSuite.length > 0 ? flags.debianSuite : [...DEFAULT_DEBIAN_SUITES];
  const workDir = `${layout.cacheDir}/debian-index`;
  if (flags.source === 'debian') return { mirror: debianMirror(), suites, workDir };
  if (!flags.debianRecord) return undefined;
  const mirror = (() => {
    try {
      return debianMirror();
    } catch {
      return undefined;
    }
  })();
  return mirror ? { mirror, suites, workDir } : undefined;
}

function updateInputFromFlags(flags: UpdateFlags): VersionsUpdateInput {
  const debian = debianRecord(flags);
  return {
    ...checkInputFromFlags(flags),
    source: flags.source,
    ...(debian ? { debian } : {}),
    dryRun: flags.dryRun,
    cacheDir: layout.cacheDir,
    // Generated files follow the repository's own data file, not a copy elsewhere.
    regenerate: flags.data === layout.versionsData,
  };
}

/** versions check --source debian: every pinned line and pinned library against Debian's signed source indexes. */
async function checkAgainstDebianSources(flags: VersionsFlags): Promise<void> {
  const check = await checkAgainstDebian({
    mirror: debianMirror(),
    suites: flags.debianSuite.length > 0 ? flags.debianSuite : [...DEFAULT_DEBIAN_SUITES],
    manifest: readVersionsManifest(flags.data),
    libraries: pinnedLibraries,
    workDir: `${layout.cacheDir}/debian-index`,
    logger: createLogger(),
  });
  process.stdout.write(flags.json ? `${JSON.stringify(check, null, 2)}\n` : `${describeDebianCheck(check)}\n`);
  const due = debianUpdateDue(check);
  if (due) throw due;
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
      .description(
        "report new patch releases, lines that reached end of life, and a feature default behind its line's newest pinned patch; exits non-zero when an update or a release is due",
      ),
  )
    .option('--artifacts-manifest <path>', 'the published artifacts the feature is generated from', layout.manifest)
    .action(async (flags: VersionsFlags & { artifactsManifest: string }) => {
      const logger = createLogger();
      for (const warning of endOfLifeWarnings(readVersionsManifest(flags.data))) logger.warn(warning);
      // The feature's default against its line's newest pin: reported after the pins' own check.
      const feature = await featureDefaultStatus({ artifactsManifestPath: flags.artifactsManifest, dataPath: flags.data });
      if (flags.source === 'debian') {
        if (!flags.json) process.stdout.write(`${describeDefaultStatus(feature)}\n`);
        await checkAgainstDebianSources(flags);
      } else {
        const plan = await planVersionsUpdate(checkInputFromFlags(flags));
        process.stdout.write(
          flags.json
            ? `${JSON.stringify({ ...plan, feature }, null, 2)}\n`
            : `${describePlan(plan)}\n${describeDefaultStatus(feature)}\n`,
        );
        if (plan.due) throw updateDueError(plan);
      }
      if (feature.behind) throw defaultBehindError(feature);
    });

  feedOptions(
    versions
      .command('update')
      .description(
        "pin new patch releases (tarball downloaded and verified against the sha256 python.org publishes, which Debian's signed index must agree with wherever it lists the version; with --source debian, against Debian's record alone, from its mirror), record ends of life, regenerate versions.json",
      ),
  )
    .option('--dry-run', 'download and verify, change nothing, print the diff', false)
    .option(
      '--no-debian-record',
      "with python.org as the source: do not also check each new pin against Debian's signed index (done by default where the machine's apt sources name a Debian archive)",
    )
    .action(async (flags: UpdateFlags) => {
      const result = await updateVersions(updateInputFromFlags(flags));
      if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else if (flags.dryRun) process.stdout.write(`${result.diff}${describePlan(result.plan)}\n`);
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

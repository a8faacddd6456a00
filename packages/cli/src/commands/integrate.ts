import { DEFAULT_FEATURE_REFERENCE } from '@cpython-prebuilt/feature';
import { formatReport, type IntegrateMode, type IntegrateProjectInput, integrateProject } from '@cpython-prebuilt/integrate';
import { type Command, Option } from 'commander';

interface IntegrateFlags {
  config: string[];
  feature?: string;
  version?: string;
  artifactUrl?: string;
  sha256?: string;
  dryRun: boolean;
  check: boolean;
  json: boolean;
  create?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function integrateOptions(command: Command): Command {
  return command
    .argument('<project>', 'the project folder')
    .addOption(
      new Option('--config <path>', 'switch only this devcontainer.json (relative to the project; repeat for more)')
        .argParser(collect)
        .default([], 'every configuration the spec finds'),
    )
    .option(
      '--feature <reference>',
      'the feature as published (<registry>/<owner>/<repo>/cpython/installer:1, as make publish prints it) or ./installer for a vendored copy; required to write',
    )
    .option(
      '--version <version>',
      "CPython version to set (default: keep the configuration's; a feature added without one gets what .python-version, runtime.txt, pyproject.toml's requires-python or the tox/nox/GitHub Actions matrix ask for)",
    )
    .option(
      '--create <image>',
      'a project with no dev container configuration gets .devcontainer/devcontainer.json starting from this image (Debian or Ubuntu: the feature needs glibc), with the feature added',
    )
    .option('--artifact-url <url>', 'pin an artifact URL (needs --sha256 unless a .sha256 is published beside it)')
    .option('--sha256 <digest>', 'sha256 of --artifact-url')
    .addOption(new Option('--dry-run', 'print a unified diff, change nothing').default(false).conflicts('check'))
    .option('--check', 'change nothing; exit non-zero if a configuration still compiles Python (for CI)', false)
    .option('--json', 'print the report as JSON', false);
}

export function integrateInputFromFlags(project: string, flags: IntegrateFlags): IntegrateProjectInput {
  const options: Record<string, string> = {};
  if (flags.version !== undefined) options.version = flags.version;
  if (flags.artifactUrl !== undefined) options.artifactUrl = flags.artifactUrl;
  if (flags.sha256 !== undefined) options.sha256 = flags.sha256;
  const mode: IntegrateMode = flags.check ? 'check' : flags.dryRun ? 'dry-run' : 'write';
  // Without --feature the placeholder stands in, and integrate refuses to write it (--check needs none).
  return {
    projectDir: project,
    configs: flags.config,
    entry: { reference: flags.feature ?? DEFAULT_FEATURE_REFERENCE, options },
    mode,
    createFromImage: flags.create,
  };
}

export function integrateCommand(program: Command): void {
  integrateOptions(
    program
      .command('integrate')
      .description(
        "switch a project's dev container configurations from the official python feature to cpython/installer, keeping comments and options",
      ),
  ).action(async (project: string, flags: IntegrateFlags) => {
    const report = await integrateProject(integrateInputFromFlags(project, flags));
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else if (report.mode === 'dry-run') {
      // The diff alone on stdout (`> change.patch`, `git apply`), the report beside it on stderr.
      process.stdout.write(report.configs.map((config) => config.diff).join(''));
      process.stderr.write(formatReport(report));
    } else {
      process.stdout.write(formatReport(report));
    }
  });
}

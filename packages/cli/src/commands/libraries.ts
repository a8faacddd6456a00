import { writeFile } from 'node:fs/promises';
import { createLogger, debianMirror, layout } from '@cpython-prebuilt/core';
import {
  DEFAULT_DEBIAN_SUITES,
  describeLibrariesUpdate,
  librariesPullRequestBody,
  updateLibraries,
} from '@cpython-prebuilt/pipelines';
import type { Command } from 'commander';

interface LibrariesUpdateFlags {
  debianSuite: string[];
  data: string;
  dryRun: boolean;
  json: boolean;
  summary?: string;
}

export function librariesCommand(program: Command): void {
  const libraries = program
    .command('libraries')
    .description('the libraries every artifact builds from pinned sources (packages/core/src/schemas/libraries.data.json)');

  libraries
    .command('update')
    .description(
      "pin the newest patch release of each pinned library's line that Debian's signed source index records (the archive the machine's apt sources name): its tarball, fetched from that archive, must have the index's sha256 and upstream's OpenPGP signature must verify with the pinned key; names the published artifacts that need a security rebuild",
    )
    .option(
      '--debian-suite <suite>',
      'Debian suites to read (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--data <path>', 'the library pins to compare and rewrite', layout.librariesData)
    .option('--dry-run', 'fetch and verify, write no pin', false)
    .option('--json', 'print the result as JSON on stdout', false)
    .option(
      '--summary <path>',
      "also write a pull request's description there (Markdown: the pins, their records, the rebuilds due)",
    )
    .action(async (flags: LibrariesUpdateFlags) => {
      const result = await updateLibraries({
        mirror: debianMirror(),
        suites: flags.debianSuite.length > 0 ? flags.debianSuite : [...DEFAULT_DEBIAN_SUITES],
        dataPath: flags.data,
        workDir: `${layout.cacheDir}/debian-index`,
        dryRun: flags.dryRun,
        logger: createLogger(),
      });
      if (flags.summary) await writeFile(flags.summary, librariesPullRequestBody(result, flags.data));
      process.stdout.write(
        flags.json ? `${JSON.stringify(result, null, 2)}\n` : `${describeLibrariesUpdate(result, flags.data)}\n`,
      );
    });
}

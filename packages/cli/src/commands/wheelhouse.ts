import { createLogger, layout, resolveArtifactPath, SIGNING_KEY_ENV, signerFromEnvironment } from '@cpython-prebuilt/core';
import { buildWheelhouse, type WheelhouseBuildInput } from '@cpython-prebuilt/pipelines';
import { type Command, Option } from 'commander';
import { parsePositiveInteger } from '../shared-options.ts';

interface WheelhouseBuildFlags {
  artifact: string;
  requirements: string;
  findLinks: string[];
  name?: string;
  build: number;
  baseImage?: string;
  outputDir: string;
  json: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function wheelhouseCommand(program: Command): void {
  const wheelhouse = program
    .command('wheelhouse')
    .description("a project's dependencies as prebuilt, hash-locked wheels for one artifact (docs/wheelhouse.md)");
  wheelhouse
    .command('build')
    .description(
      "build wheels for every requirement and its dependencies with the artifact's own interpreter, in a fresh container of its base (no network with --find-links)",
    )
    .requiredOption('--artifact <tgz>', 'the interpreter artifact (its .sha256 and .json beside it)')
    .requiredOption('--requirements <file>', 'the requirements file to build wheels for')
    .addOption(
      new Option(
        '--find-links <dir>',
        'folder of sdists and wheels (repeatable); with any, pip uses only these (--no-index) and the container has no network',
      )
        .default([])
        .argParser(collect),
    )
    .option('--name <name>', "wheelhouse name (default: the requirements file's folder name)")
    .addOption(
      new Option('--build <n>', 'build number of this wheelhouse (rebuilds increase it)')
        .default(1)
        .argParser(parsePositiveInteger),
    )
    .option('--base-image <ref>', 'image the build-base is made from (default: the one the artifact was built on)')
    .option('--output-dir <dir>', 'where the wheelhouse, .sha256, metadata and lock go', layout.artifactsDir)
    .option('--json', 'print the wheelhouse metadata as JSON on stdout', false)
    .addHelpText(
      'after',
      `\nWith ${SIGNING_KEY_ENV} set (an armored private key, as release takes it), the wheelhouse is signed: <wheelhouse>.asc beside it.`,
    )
    .action(async (flags: WheelhouseBuildFlags) => {
      await runWheelhouseBuild(await wheelhouseInputFromFlags(flags), flags.json);
    });
}

async function wheelhouseInputFromFlags(flags: WheelhouseBuildFlags): Promise<WheelhouseBuildInput> {
  return {
    signer: await signerFromEnvironment(),
    artifactPath: resolveArtifactPath(flags.artifact),
    requirementsPath: flags.requirements,
    findLinks: flags.findLinks,
    name: flags.name,
    build: flags.build,
    baseImage: flags.baseImage,
    outputDir: flags.outputDir,
    logsDir: layout.logsDir,
    cacheDir: layout.cacheDir,
  };
}

async function runWheelhouseBuild(input: WheelhouseBuildInput, json: boolean): Promise<void> {
  const logger = createLogger();
  const output = await buildWheelhouse(input, logger);
  logger.info(`wheelhouse: ${output.wheelhousePath}`);
  logger.info(`checksum: ${output.sha256Path}`);
  logger.info(`metadata: ${output.metadataPath}`);
  logger.info(`lock: ${output.lockPath}`);
  if (output.signaturePath) logger.info(`signature: ${output.signaturePath}`);
  else
    logger.warn(
      `not signed (${SIGNING_KEY_ENV} is not set): install it with wheelhouseSha256, or sign it, since requireSignature auto refuses a wheelhouse whose digest comes from its own server`,
    );
  logger.info(`${output.metadata.wheels.map((wheel) => `${wheel.name}==${wheel.version}`).join(', ')}`);
  if (json) process.stdout.write(`${JSON.stringify(output.metadata, null, 2)}\n`);
  else process.stdout.write(`${output.wheelhousePath}\n`);
}

import { basename, dirname } from 'node:path';
import { CpythonPrebuiltError } from '@cpython-prebuilt/core';
import { optionEnvName, PREFIX_STEM } from '@cpython-prebuilt/feature';
import { timeInContainer } from './container-timing.ts';

export interface WheelhouseRoundInput {
  /** A vendored feature folder (artifact inside) with the wheelhouse copied into it. */
  featureDir: string;
  /** The interpreter version the feature installs. */
  version: string;
  /** File name of the wheelhouse inside featureDir, and its sha256. */
  wheelhouseFile: string;
  wheelhouseSha256: string;
  requirementsPath: string;
  /** Folders of sdists (and build-backend wheels) pip may use for (b). */
  findLinks: string[];
  /** (a)'s image: the bare base, no compiler. */
  wheelhouseImage: string;
  /** (b)'s image: the base plus compilers and headers (the build-base wheelhouse build uses). */
  sdistsImage: string;
  logPath: string;
}

export interface WheelhouseRound {
  /** (a) seconds: install.sh's wheelhouse step into /opt/venv. */
  wheelhouse: number;
  /** (b) seconds: a venv and `pip install` from the sdists. */
  sdists: number;
  /** `pip freeze` of the venv after (a); (b)'s was the same. */
  installed: string[];
}

const VENV = '/opt/venv';
const PIP_QUIET = '--disable-pip-version-check --no-input --no-cache-dir --root-user-action=ignore';

/**
 * One round of getting a project's packages into an image, two ways, each in a fresh container
 * with no network, both on the same interpreter installed by the same feature (untimed):
 * (a) install.sh run again with the wheelhouse options, (b) a venv and pip install from the sdists.
 * Both venvs must then hold the same packages, or the comparison would be unfair and it fails.
 */
export async function measureWheelhouseRound(input: WheelhouseRoundInput): Promise<WheelhouseRound> {
  const installFeature = `cp -r /feature-src /tmp/feature && ${optionEnvName('version')}=${input.version} sh /tmp/feature/install.sh`;
  const freeze = `${VENV}/bin/python -m pip freeze --disable-pip-version-check`;
  const wheelhouseOptions = {
    version: input.version,
    wheelhouseUrl: input.wheelhouseFile,
    wheelhouseSha256: input.wheelhouseSha256,
    wheelhouseTarget: VENV,
  };
  const a = await timeInContainer({
    image: input.wheelhouseImage,
    label: '(a) from the wheelhouse',
    setup: installFeature,
    script: `${Object.entries(wheelhouseOptions)
      .map(([id, value]) => `${optionEnvName(id)}=${value}`)
      .join(' ')} sh /tmp/feature/install.sh`,
    after: freeze,
    mounts: { [input.featureDir]: '/feature-src' },
    logPath: input.logPath,
  });
  const findLinks = input.findLinks.map((_, index) => `--find-links /find-links/${index}`).join(' ');
  const b = await timeInContainer({
    image: input.sdistsImage,
    label: '(b) pip install from the sdists',
    setup: installFeature,
    script: `${PREFIX_STEM}${input.version}/bin/python3 -m venv ${VENV} && ${VENV}/bin/python -m pip install ${PIP_QUIET} --no-index ${findLinks} -r /requirements/${basename(input.requirementsPath)}`,
    after: freeze,
    mounts: {
      [input.featureDir]: '/feature-src',
      [dirname(input.requirementsPath)]: '/requirements',
      ...Object.fromEntries(input.findLinks.map((dir, index) => [dir, `/find-links/${index}`])),
    },
    logPath: input.logPath,
  });
  const installed = a.after.split('\n').filter(Boolean).sort();
  const fromSdists = b.after.split('\n').filter(Boolean).sort();
  if (installed.length === 0 || installed.join(' ') !== fromSdists.join(' ')) {
    throw new CpythonPrebuiltError(
      'BENCH_FAILED',
      `the two ways installed different packages: wheelhouse [${installed.join(', ')}], sdists [${fromSdists.join(', ')}]`,
      {
        fix: 'build the wheelhouse from the same requirements and --find-links folders the benchmark is given',
        logPath: input.logPath,
      },
    );
  }
  return { wheelhouse: a.seconds, sdists: b.seconds, installed };
}

import { copyFile, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CpythonPrebuiltError, run } from '@cpython-prebuilt/core';

/** A PyPI project whose pristine upstream sdist Debian's source archive carries. */
export interface DebianSdist {
  /** Debian source package: `<sourcePackage>_<version>.orig.tar.*` in the sources folder. */
  sourcePackage: string;
  /** The project name pip's --find-links looks for (`<project>-<version>.tar.gz`). */
  project: string;
  /** The project's folder inside the tarball when it is not the top one (flit_core inside flit). */
  subfolder?: string;
}

/**
 * A small project with compiled and pure-Python dependencies, and the build backends they need,
 * all from Debian's source archive (`make setup` fetches them): markupsafe has a C extension,
 * idna and packaging are pure Python (built by flit_core); setuptools builds markupsafe. Built
 * from its sdist: Debian's setuptools wheel is patched for Debian's Python and fails on ours
 * ("AttributeError: install_layout"). pyyaml is not here: its build needs Cython, which has no
 * sdist in the sources folder.
 */
export const DEMO_SDISTS: readonly DebianSdist[] = [
  { sourcePackage: 'markupsafe', project: 'MarkupSafe' },
  { sourcePackage: 'python-idna', project: 'idna' },
  { sourcePackage: 'python-packaging', project: 'packaging' },
  { sourcePackage: 'flit', project: 'flit_core', subfolder: 'flit_core' },
  { sourcePackage: 'setuptools', project: 'setuptools' },
];

/** The demo project's requirements: what DEMO_SDISTS can satisfy with no network. */
export const DEMO_REQUIREMENTS = 'markupsafe==2.1.5\nidna\npackaging\n';

/** Where Debian's python3-wheel-whl puts `wheel` as a wheel (unpatched, works on any Python 3). */
export const DEBIAN_WHEELS_DIR = '/usr/share/python-wheels';

const setupFix = 'run `make setup` as root (it fetches the Debian source packages and python3-wheel-whl)';

/** The newest Debian pristine tarball of a source package in the sources folder. */
async function debianOrig(sourcesDir: string, pkg: string): Promise<{ path: string; version: string }> {
  const pattern = new RegExp(`^${pkg.replace(/[.+]/g, '\\$&')}_([0-9][^_]*)\\.orig\\.tar\\.(gz|xz)$`);
  const files = await readdir(sourcesDir).catch(() => [] as string[]);
  // Numeric order: 3.12.0 is newer than 3.9.0.
  const file = files
    .filter((name) => pattern.test(name))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .at(-1);
  const version = file ? pattern.exec(file)?.[1] : undefined;
  if (!file || !version) {
    throw new CpythonPrebuiltError('SOURCE_NOT_FOUND', `no ${pkg}_<version>.orig.tar.* in ${sourcesDir}`, { fix: setupFix });
  }
  return { path: join(sourcesDir, file), version };
}

/**
 * A --find-links folder for pip from Debian's pristine tarballs: pip wants
 * `<project>-<version>.tar.gz` with a `<project>-<version>/` folder inside, and Debian names the
 * tarball (and sometimes the folder) after its source package, so each is repacked under pip's
 * name. `wheel` comes as a wheel from DEBIAN_WHEELS_DIR. Returns the files written.
 */
export async function prepareDebianSdists(
  sourcesDir: string,
  outputDir: string,
  sdists: readonly DebianSdist[] = DEMO_SDISTS,
  wheelsDir = DEBIAN_WHEELS_DIR,
): Promise<string[]> {
  await mkdir(outputDir, { recursive: true });
  const written: string[] = [];
  const unpacked = await mkdtemp(join(outputDir, '.unpack-'));
  try {
    for (const sdist of sdists) {
      const { path, version } = await debianOrig(sourcesDir, sdist.sourcePackage);
      const into = await mkdtemp(join(unpacked, `${sdist.sourcePackage}-`));
      await run('tar', ['-xf', path, '-C', into]);
      const [top] = await readdir(into);
      const folder = `${sdist.project}-${version}`;
      const from = join(into, top ?? '', ...(sdist.subfolder ? [sdist.subfolder] : []));
      if (from !== join(into, folder)) await rename(from, join(into, folder));
      const file = join(outputDir, `${folder}.tar.gz`);
      await run('tar', ['-czf', file, '-C', into, folder]);
      written.push(file);
    }
  } finally {
    await rm(unpacked, { recursive: true, force: true });
  }
  const wheel = (await readdir(wheelsDir).catch(() => [] as string[])).find((file) => /^wheel-.*\.whl$/.test(file));
  if (!wheel) throw new CpythonPrebuiltError('SOURCE_NOT_FOUND', `no wheel-*.whl in ${wheelsDir}`, { fix: setupFix });
  await copyFile(join(wheelsDir, wheel), join(outputDir, wheel));
  written.push(join(outputDir, wheel));
  return written;
}

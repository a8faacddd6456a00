import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CpythonPrebuiltError } from '../errors.ts';
import { layout } from '../layout.ts';
import { buildBases, findBase, newestBase } from './bases.ts';
import { archFromAlias, compareVersions } from './common.ts';
import { ArtifactMetadata } from './metadata.ts';
import { expectedExtensions, expectedImports } from './modules.ts';
import {
  defaultVersion,
  findRelease,
  formatVersionsData,
  lineOf,
  newestVersion,
  releaseMatrix,
  resolveRelease,
  sourceDateEpoch,
  VersionsManifest,
  versionFromRequest,
  versionsManifest,
} from './versions.ts';

describe('versions manifest', () => {
  it('pins python.org tarballs by sha256, each digest with two independent sources', () => {
    for (const release of versionsManifest.releases) {
      expect(release.url).toBe(`https://www.python.org/ftp/python/${release.version}/${release.url.split('/').at(-1)}`);
      expect(release.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(release.digestSources.length).toBeGreaterThanOrEqual(2);
    }
  });

  it('pins a .tar.xz release of every line from 3.9 to 3.14, and 3.12.6', () => {
    for (const line of ['3.9', '3.10', '3.11', '3.12', '3.13', '3.14']) {
      const ofLine = versionsManifest.releases.filter(
        (release) => lineOf(release.version) === line && release.url.endsWith('.tar.xz'),
      );
      expect(ofLine.length, line).toBeGreaterThan(0);
    }
    expect(findRelease('3.12.6')?.sha256).toBe('1999658298cf2fb837dffed8ff3c033ef0c98ef20cf73c5d5f66bed5ab89697c');
  });

  it('keeps the default build version apart from the newest pin: 3.13.5, whose source is on these machines', () => {
    expect(defaultVersion).toBe('3.13.5');
    expect(findRelease(defaultVersion)).toBeDefined();
    expect(compareVersions(newestVersion(), defaultVersion)).toBe(1);
  });

  it('builds the newest release of each maintained line, and no end-of-life line', () => {
    expect(releaseMatrix()).toEqual(['3.11.17', '3.12.15', '3.13.15', '3.14.8', '3.15.0']);
    const withNewer = {
      ...versionsManifest,
      releases: [...versionsManifest.releases, { ...findRelease('3.14.8'), version: '3.14.9' }],
    };
    expect(releaseMatrix(withNewer as VersionsManifest)).toContain('3.14.9');
    expect(releaseMatrix(withNewer as VersionsManifest)).not.toContain('3.14.8');
  });

  it('reads a line as its newest pinned patch, a full version as itself, and nothing else', () => {
    expect(versionFromRequest('3.13')).toBe('3.13.15');
    expect(versionFromRequest('3.11')).toBe('3.11.17');
    expect(versionFromRequest('3.15')).toBe('3.15.0');
    expect(versionFromRequest('3.13.5')).toBe('3.13.5');
    // A full version is what the user asked for, pinned or not (the build then needs --sha256).
    expect(versionFromRequest('3.13.99')).toBe('3.13.99');
    for (const refused of ['3.99', '3', '3.13.', 'latest', '3.13.5 ', '']) expect(versionFromRequest(refused)).toBeUndefined();
  });

  it('refuses a pin with fewer than two digest sources', () => {
    const [first] = versionsManifest.releases;
    const oneSource = { ...first, digestSources: first?.digestSources.slice(0, 1) };
    const result = VersionsManifest.safeParse({ lines: versionsManifest.lines, releases: [oneSource] });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain('at least two independent sources');
  });

  it('refuses a release whose line is not listed, and a version pinned twice', () => {
    const release = findRelease('3.12.6');
    expect(VersionsManifest.safeParse({ lines: [], releases: [release] }).success).toBe(false);
    expect(VersionsManifest.safeParse({ lines: versionsManifest.lines, releases: [release, release] }).success).toBe(false);
  });

  it('formats versions.data.json stably: what the repository holds is what formatting it gives', () => {
    expect(formatVersionsData(versionsManifest)).toBe(readFileSync(layout.versionsData, 'utf8'));
    const shuffled = { ...versionsManifest, releases: [...versionsManifest.releases].reverse() };
    expect(formatVersionsData(shuffled)).toBe(formatVersionsData(versionsManifest));
  });

  it('needs an explicit sha256 for a version it does not pin, and names the fix', () => {
    const error = (() => {
      try {
        resolveRelease('3.12.5');
      } catch (caught) {
        return caught as CpythonPrebuiltError;
      }
    })();
    expect(error?.code).toBe('UNKNOWN_VERSION');
    expect(error?.fix).toContain('--sha256');
    const digest = 'a'.repeat(64);
    expect(resolveRelease('3.12.5', digest)).toMatchObject({
      url: 'https://www.python.org/ftp/python/3.12.5/Python-3.12.5.tar.xz',
      sha256: digest,
    });
  });

  it('refuses a digest that contradicts the pin', () => {
    expect(() => resolveRelease('3.13.5', 'b'.repeat(64))).toThrow(/differs from the pinned one/);
  });

  it('derives SOURCE_DATE_EPOCH from the release day unless the environment sets it', () => {
    const release = resolveRelease('3.13.5');
    expect(sourceDateEpoch(release, undefined)).toBe(Date.parse('2025-06-11T00:00:00Z') / 1000);
    expect(sourceDateEpoch(release, '1700000000')).toBe(1700000000);
    expect(() => sourceDateEpoch(release, 'yesterday')).toThrow(/not a number of seconds/);
  });
});

describe('build bases', () => {
  it('maps the procedure base ubuntu20.04 to focal with glibc 2.31, not jammy', () => {
    expect(findBase('ubuntu20.04')).toMatchObject({ image: 'ubuntu:20.04', codename: 'focal', glibc: '2.31' });
    expect(findBase('debian11').image).toBe('debian:bullseye');
    expect(newestBase().id).toBe('debian13');
    expect(buildBases.every((base) => base.packages.includes('libedit-dev') && base.packages.includes('patchelf'))).toBe(true);
    // OpenSSL comes from its pin, and no GPL library may be linked: none of their -dev packages is there.
    for (const excluded of ['libssl-dev', 'libreadline-dev', 'libgdbm-dev', 'libgdbm-compat-dev']) {
      expect(buildBases.filter((base) => base.packages.includes(excluded))).toEqual([]);
    }
  });

  it('names the valid bases when given an unknown one', () => {
    expect(() => findBase('centos7')).toThrow(CpythonPrebuiltError);
    try {
      findBase('centos7');
    } catch (error) {
      expect((error as CpythonPrebuiltError).fix).toContain('ubuntu20.04');
    }
  });
});

describe('expected modules', () => {
  it('covers what the procedure checks and what the issue demands', () => {
    expect(expectedImports()).toEqual(
      expect.arrayContaining([
        'ssl',
        'hashlib',
        'sqlite3',
        'lzma',
        'bz2',
        'zlib',
        'ctypes',
        'uuid',
        'readline',
        'curses',
        'tkinter',
        'decimal',
      ]),
    );
    expect(expectedExtensions()).toEqual(expect.arrayContaining(['_ssl', 'readline', '_tkinter', 'pyexpat', '_ctypes']));
    // gdbm is GPL: the artifact has no module that needs it.
    expect(expectedExtensions()).not.toEqual(expect.arrayContaining(['_gdbm']));
    expect(expectedExtensions()).not.toEqual(expect.arrayContaining(['_dbm']));
  });
});

describe('artifact metadata', () => {
  it('rejects metadata without a glibc minimum or with a bad digest', () => {
    const result = ArtifactMetadata.safeParse({ schemaVersion: 1, sha256: 'nope' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path[0])).toEqual(expect.arrayContaining(['sha256', 'glibcMinimum']));
  });

  it('orders versions numerically', () => {
    expect(compareVersions('3.9.1', '3.13.5')).toBe(-1);
    expect(compareVersions('2.31', '2.31')).toBe(0);
  });
});

describe('archFromAlias', () => {
  it('takes the names people type for each architecture, and nothing else', () => {
    expect(['arm64', 'ARM64', 'aarch64'].map(archFromAlias)).toEqual(['aarch64', 'aarch64', 'aarch64']);
    expect(['amd64', 'x64', 'x86_64'].map(archFromAlias)).toEqual(['x86_64', 'x86_64', 'x86_64']);
    expect(['armhf', 'i386', ''].map(archFromAlias)).toEqual([undefined, undefined, undefined]);
  });
});

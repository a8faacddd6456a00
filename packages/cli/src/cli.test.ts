import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { layout } from '@cpython-prebuilt/core';
import { describe, expect, it } from 'vitest';

const cli = (args: string[]) => {
  const result = spawnSync('node', [join(layout.root, 'packages/cli/bin/cpython-prebuilt.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 60_000,
  });
  return { exitCode: result.status, stdout: result.stdout, stderr: result.stderr };
};

// Each case starts the real CLI several times (about 3 s each, more on a busy machine).
describe('the command line conventions', { timeout: 120_000 }, () => {
  it('--version prints the version, and build --version stays the CPython version option', () => {
    const { version } = JSON.parse(readFileSync(join(layout.root, 'packages/cli/package.json'), 'utf8')) as { version: string };
    expect(cli(['--version']).stdout.trim()).toBe(version);
    const build = cli(['build', '--version', '3.13.5', '--arch', 'sparc']);
    expect(build.exitCode).toBe(2);
    expect(build.stderr).toContain('"sparc" is not an architecture');
  });

  it('takes a line for --version (its newest pinned patch) and names the pinned lines for one nothing pins', () => {
    const unpinned = cli(['build', '--version', '3.99']);
    expect(unpinned.exitCode).toBe(2);
    expect(unpinned.stderr).toMatch(
      /no 3\.99\.x is pinned in infrastructure\/cpython\/versions\.json \(pinned lines: 3\.9, [\d., ]+\)/,
    );
    const both = cli(['bench', '--output', '/tmp/x.md', '--write-docs']);
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toContain("option '--write-docs' cannot be used with option '--output <file>'");
    const nonsense = cli(['bench', '--version', 'three']);
    expect(nonsense.exitCode).toBe(2);
    expect(nonsense.stderr).toContain('"three" is not a CPython version: give a full one such as 3.13.5, or a line such as 3.13');
  });

  it('takes -q and -v on every command: quiet prints only warnings, errors and results', () => {
    const normal = cli(['lint-workflows']);
    expect(normal.exitCode, normal.stderr).toBe(0);
    expect(normal.stderr).toContain('[cpython-prebuilt]');
    const quiet = cli(['lint-workflows', '-q']);
    expect(quiet.exitCode).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(cli(['-q', 'lint-workflows']).stderr).toBe('');
    const both = cli(['lint-workflows', '-q', '-v']);
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toContain("option '-q, --quiet' cannot be used with option '-v, --verbose'");
    // Errors are never silenced.
    expect(cli(['validate', '/nonexistent/cpython-3.13.5-debian11-x86_64-build1.tgz', '-q']).stderr).toContain(
      'error [ARTIFACT_INVALID]',
    );
  });

  it('release looks at the artifact before asking for a repository, a token or a key', () => {
    // Before, a dry run of a missing artifact outside a git checkout asked for --repo first.
    const missing = spawnSync(
      'node',
      [
        join(layout.root, 'packages/cli/bin/cpython-prebuilt.js'),
        'release',
        '/nonexistent/cpython-3.13.5-debian11-x86_64-build1.tgz',
        '--dry-run',
      ],
      {
        encoding: 'utf8',
        cwd: '/',
        env: { ...process.env, NO_COLOR: '1', GITHUB_TOKEN: '', GH_TOKEN: '', CPYTHON_PREBUILT_SIGNING_KEY: '' },
      },
    );
    expect(missing.stderr).toContain('error [ARTIFACT_INVALID]');
    expect(missing.stderr).not.toContain('--repo');
    expect(missing.status).toBe(1);
  });

  it('with --json prints the error as a JSON object on stdout, besides the sentence on stderr', () => {
    const missing = cli(['validate', '/nonexistent/cpython-3.13.5-debian11-x86_64-build1.tgz', '--json']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('error [ARTIFACT_INVALID]');
    const error = (JSON.parse(missing.stdout) as { error: { code: string; message: string; fix: string } }).error;
    expect(error.code).toBe('ARTIFACT_INVALID');
    expect(error.message).toContain('/nonexistent/cpython-3.13.5-debian11-x86_64-build1.tgz');
    expect(error.fix).toBeTruthy();
    expect(JSON.parse(cli(['nonsense', '--json']).stdout)).toEqual({
      error: { code: 'USAGE', message: "error: unknown command 'nonsense'" },
    });
  });

  it('exits by kind of failure: 1 a check failed, 2 usage, 3 environment, 4 a verification refused', async () => {
    const { makeTestArtifact } = await import('@cpython-prebuilt/core/test-artifact');
    const { appendFile } = await import('node:fs/promises');
    expect(cli(['nonsense']).exitCode).toBe(2);
    expect(cli(['build', '--base', 'centos7']).exitCode).toBe(2);
    expect(cli(['validate', '/nonexistent/cpython-3.13.5-debian11-x86_64-build1.tgz']).exitCode).toBe(1);
    const tampered = await makeTestArtifact();
    await appendFile(tampered.path, 'x');
    const refused = cli(['verify-artifact', tampered.path]);
    expect(refused.stderr).toContain('error [CHECKSUM_MISMATCH]');
    expect(refused.exitCode).toBe(4);
    const unsigned = await makeTestArtifact();
    const missing = cli(['verify-artifact', unsigned.path, '--require-signature']);
    expect(missing.stderr).toContain('error [SIGNATURE_MISSING]');
    expect(missing.exitCode).toBe(4);
    expect(cli(['--help']).exitCode).toBe(0);
  });
});

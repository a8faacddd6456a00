import { randomBytes } from 'node:crypto';
import { run } from '@cpython-prebuilt/core';
import { createWorkspace } from '@cpython-prebuilt/harness';
import { BASE_IMAGES } from '@cpython-prebuilt/test-fixtures';
import { describe, expect, inject, it, onTestFinished } from 'vitest';

const MODULES =
  'ssl, hashlib, sqlite3, lzma, bz2, zlib, ctypes, uuid, readline, curses, dbm.sqlite3, tkinter, decimal, xml.parsers.expat';

describe('devcontainer build / up / exec with the feature referenced locally', () => {
  it.each(BASE_IMAGES)('gives a working CPython 3.13.5 on %s, also to Dockerfile RUN steps after it', async (image) => {
    const workspace = await createWorkspace({ image, artifactPaths: [inject('artifacts').python313] });
    onTestFinished(() => workspace.dispose());
    const tag = `cpython-prebuilt-test/${randomBytes(4).toString('hex')}`;
    await workspace.build(tag);
    await workspace.up();

    const exec = async (command: string) => {
      const result = await workspace.exec(['sh', '-c', command]);
      expect(result.exitCode, `${command}: ${result.stderr}`).toBe(0);
      return result.stdout.trim();
    };
    expect(await exec('python3 --version')).toBe('Python 3.13.5');
    expect(await exec('which python3')).toBe('/opt/python-current/bin/python3');
    expect(await exec('python3 -c "import sys; print(sys.prefix)"')).toBe('/opt/python-3.13.5');
    expect(await exec(`python3 -c "import ${MODULES}; print('ok')"`)).toBe('ok');
    expect(await exec('pip --version')).toMatch(
      /^pip \d+\.\d+(\.\d+)? from \/opt\/python-3\.13\.5\/lib\/python3\.13\/site-packages\/pip \(python 3\.13\)$/,
    );

    // An image built on top of the devcontainer image: later RUN steps must find python3.
    const dockerfile = `FROM ${tag}\nRUN python3 -c "import ssl, sqlite3; print('run-step-ok')" && pip3 --version\n`;
    const derived = `${tag}-derived`;
    const built = await run('docker', ['build', '--network', 'none', '-t', derived, '-'], {
      input: dockerfile,
      env: { DOCKER_BUILDKIT: '0' },
    });
    onTestFinished(async () => {
      await run('docker', ['rmi', '--force', derived], { allowExitCodes: [1] });
    });
    expect(built.stdout).toContain('run-step-ok');
  });
});

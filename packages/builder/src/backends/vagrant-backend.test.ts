import { findBase, run } from '@cpython-prebuilt/core';
import { describe, expect, it } from 'vitest';
import { VagrantMachine, vagrantStderr } from './vagrant-backend.ts';

const machine = new VagrantMachine({
  provider: 'docker',
  base: findBase('debian11'),
  cacheDir: '/repo/.cache',
  vagrantDir: '/repo/infrastructure/cpython',
});

describe('VagrantMachine.guestPath', () => {
  it('maps a host path under the shared cache to /cache in the guest', () => {
    expect(machine.guestPath('/repo/.cache/work/cpython-3.13.5-abc')).toBe('/cache/work/cpython-3.13.5-abc');
    expect(machine.guestPath('/repo/.cache/sources/python3.13_3.13.5.orig.tar.xz')).toBe(
      '/cache/sources/python3.13_3.13.5.orig.tar.xz',
    );
  });

  it('has no guest path for files outside the shared folder, so the backend copies them in', () => {
    expect(machine.guestPath('/home/me/Python-3.13.5.tar.xz')).toBeUndefined();
    expect(machine.guestPath('/repo/.cache-other/x')).toBeUndefined();
    expect(machine.guestPath('/repo/.cache/../secret')).toBeUndefined();
  });
});

describe('vagrantStderr', () => {
  it('keeps the last lines vagrant wrote to stderr, which name why it failed', async () => {
    const failed = await run('sh', [
      '-c',
      'echo progress; printf "one\\n\\ntwo\\nError response from daemon: Pool overlaps\\n" >&2; exit 1',
    ]).catch((error: unknown) => error);
    expect(vagrantStderr(failed)).toBe('one\ntwo\nError response from daemon: Pool overlaps');
    expect(vagrantStderr(failed, 1)).toBe('Error response from daemon: Pool overlaps');
    expect(vagrantStderr(new Error('no cause'))).toBe('');
  });
});

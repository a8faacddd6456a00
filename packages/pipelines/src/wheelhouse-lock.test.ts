import { describe, expect, it } from 'vitest';
import { normalizeProjectName, parseWheelFileName, renderLock } from './wheelhouse-lock.ts';

describe('wheelhouse lock', () => {
  it('normalizes project names as PEP 503 does', () => {
    expect(normalizeProjectName('MarkupSafe')).toBe('markupsafe');
    expect(normalizeProjectName('zope.interface')).toBe('zope-interface');
    expect(normalizeProjectName('typing_extensions')).toBe('typing-extensions');
  });

  it('reads name and version from wheel file names, with or without a build tag', () => {
    expect(parseWheelFileName('markupsafe-2.1.5-cp313-cp313-linux_x86_64.whl')).toEqual({ name: 'markupsafe', version: '2.1.5' });
    expect(parseWheelFileName('idna-3.10-1-py3-none-any.whl')).toEqual({ name: 'idna', version: '3.10' });
  });

  it('refuses a file that is not a wheel', () => {
    expect(() => parseWheelFileName('idna-3.10.tar.gz')).toThrow(/not a wheel file name/);
  });

  it('pins every wheel by version and hash, sorted by name', () => {
    const a = 'a'.repeat(64);
    const b = 'b'.repeat(64);
    const lock = renderLock(
      [
        { name: 'markupsafe', version: '2.1.5', file: 'markupsafe-2.1.5-cp313-cp313-linux_x86_64.whl', sha256: a },
        { name: 'idna', version: '3.10', file: 'idna-3.10-py3-none-any.whl', sha256: b },
      ],
      ['built by test'],
    );
    expect(lock).toBe(`# built by test\nidna==3.10 \\\n    --hash=sha256:${b}\nmarkupsafe==2.1.5 \\\n    --hash=sha256:${a}\n`);
  });
});

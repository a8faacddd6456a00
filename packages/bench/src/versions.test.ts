import { describe, expect, it } from 'vitest';
import { resolveRequestedVersion } from './versions.ts';

describe('resolveRequestedVersion', () => {
  const available = ['3.11.2', '3.13.10', '3.13.5', '3.12.11'];

  it('takes a minor version to its newest patch release, comparing numbers and not text', () => {
    expect(resolveRequestedVersion('3.13', available)).toBe('3.13.10');
  });

  it('keeps a full version that is at hand, and takes latest to the newest of all', () => {
    expect(resolveRequestedVersion('3.11.2', available)).toBe('3.11.2');
    expect(resolveRequestedVersion('latest', available)).toBe('3.13.10');
  });

  it('finds nothing for a version not at hand, nor for a prefix that is not a whole component', () => {
    expect(resolveRequestedVersion('3.10', available)).toBeUndefined();
    expect(resolveRequestedVersion('3.1', available)).toBeUndefined();
    expect(resolveRequestedVersion('3.13.4', available)).toBeUndefined();
  });
});

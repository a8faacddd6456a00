import { isCpythonPrebuiltError } from '@cpython-prebuilt/core';
import { describe, expect, it } from 'vitest';
import { BUILD_BUDGET, buildBudgetLines, requireWithinBudget } from './budget.ts';

const disk = (peakBytes: number) => ({ peakBytes, freeAtStartBytes: 50 * 1024 ** 3, requiredBytes: 7 * 1024 ** 3 });

describe('the default build budget', () => {
  it('passes a build inside 50 minutes and 10 GiB', () => {
    const lines = buildBudgetLines({ buildSeconds: 2100, disk: disk(4 * 1024 ** 3) });
    expect(lines.map((line) => [line.what, line.measured, line.ok])).toEqual([
      ['build time', '35 min 0 s', true],
      ['peak disk', '4.0 GiB', true],
    ]);
    expect(() => requireWithinBudget('a.tgz', lines)).not.toThrow();
  });

  it("refuses the issue's build (86 minutes, 45 GB of profiles), naming both figures and their budgets", () => {
    let error: unknown;
    try {
      requireWithinBudget(
        'cpython-3.13.5-debian11-x86_64-build1.tgz',
        buildBudgetLines({ buildSeconds: 5146, disk: disk(45e9) }),
      );
    } catch (caught) {
      error = caught;
    }
    expect(isCpythonPrebuiltError(error) && error.code).toBe('BUILD_OVER_BUDGET');
    expect((error as Error).message).toBe(
      'cpython-3.13.5-debian11-x86_64-build1.tgz: build time 85 min 46 s, budget 50 min 0 s; peak disk 41.9 GiB, budget 10.0 GiB',
    );
  });

  it('counts a build whose disk use was not recorded as over: the budget cannot be shown', () => {
    const lines = buildBudgetLines({ buildSeconds: BUILD_BUDGET.seconds });
    expect(lines.map((line) => line.ok)).toEqual([true, false]);
    expect(lines[1]?.measured).toBe('not recorded');
  });
});

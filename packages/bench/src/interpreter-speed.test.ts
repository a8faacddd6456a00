import { describe, expect, it } from 'vitest';
import { summarizeSpeed } from './interpreter-speed.ts';

describe('summarizeSpeed', () => {
  const runSeconds = {
    base: { a: [2, 2.2, 2.1], b: [1, 1, 1] },
    fast: { a: [1, 1.1, 2.1], b: [0.5, 0.4, 0.5] },
  };

  it('takes the point speed-up from the best time of each interpreter over all runs', () => {
    const speed = summarizeSpeed('base', runSeconds);
    expect(speed.seconds.fast).toEqual({ a: 1, b: 0.4 });
    expect(speed.speedup.fast?.a).toBeCloseTo(2);
    expect(speed.speedup.fast?.b).toBeCloseTo(2.5);
    expect(speed.geometricMean.fast).toBeCloseTo(Math.sqrt(2 * 2.5));
    expect(speed.geometricMean.base).toBeCloseTo(1);
  });

  it("takes the range from each run paired with the baseline's run of the same round", () => {
    const speed = summarizeSpeed('base', runSeconds);
    // a: 2/1, 2.2/1.1, 2.1/2.1 -> 1 to 2; b: 2, 2.5, 2 -> 2 to 2.5.
    expect(speed.speedupRange.fast?.a).toEqual([1, 2]);
    expect(speed.speedupRange.fast?.b).toEqual([2, 2.5]);
    const [low, high] = speed.geometricMeanRange.fast ?? [0, 0];
    expect(low).toBeCloseTo(Math.sqrt(1 * 2));
    expect(high).toBeCloseTo(Math.sqrt(2 * 2.5));
  });
});

import { describe, expect, it } from 'vitest';
import { percentile } from '../../../tools/percentile';

describe('percentile', () => {
  const oneToTwenty = Array.from({ length: 20 }, (_, i) => i + 1);

  it('interpolates between the two closest ranks', () => {
    expect(percentile(oneToTwenty, 50)).toBe(10.5);
    // rank 0.95 x 19 = 18.05: the 19th value and 5 % of the way to the 20th.
    expect(percentile(oneToTwenty, 95)).toBeCloseTo(19.05, 10);
    expect(percentile([10, 20, 30, 40], 25)).toBe(17.5);
  });

  it('is the middle value of an odd count, and the ends at p0 and p100', () => {
    expect(percentile([7, 1, 4], 50)).toBe(4);
    expect(percentile(oneToTwenty, 0)).toBe(1);
    expect(percentile(oneToTwenty, 100)).toBe(20);
    expect(percentile([42], 95)).toBe(42);
  });

  it('sorts the values itself and leaves the given list as it was', () => {
    const values = [30_000, 1_000, 59_000, 12_000];
    expect(percentile(values, 50)).toBe(21_000);
    expect(values).toEqual([30_000, 1_000, 59_000, 12_000]);
  });

  it('refuses no values, a value that is not a number, and a percentile outside 0-100', () => {
    expect(() => percentile([], 50)).toThrow('no values');
    expect(() => percentile([1, Number.NaN], 50)).toThrow('not a number');
    expect(() => percentile([1, 2], 101)).toThrow('between 0 and 100, not 101');
    expect(() => percentile([1, 2], -1)).toThrow('between 0 and 100');
    expect(() => percentile([1, 2], Number.NaN)).toThrow('between 0 and 100');
  });
});

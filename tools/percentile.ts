/**
 * The p-th percentile of measured values, interpolated linearly between the two closest ranks (the method
 * of numpy's default and of spreadsheets' PERCENTILE.INC): p50 of an even count is the mean of the two
 * middle values, p0 the least, p100 the greatest.
 */
export function percentile(values: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`a percentile is between 0 and 100, not ${p}`);
  if (values.length === 0) throw new RangeError('no values to take a percentile of');
  if (!values.every(Number.isFinite)) throw new RangeError('a value to take a percentile of is not a number');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const below = Math.floor(rank);
  const lower = sorted[below] as number;
  const upper = sorted[Math.min(below + 1, sorted.length - 1)] as number;
  return lower + (upper - lower) * (rank - below);
}

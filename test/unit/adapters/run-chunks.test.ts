import { describe, expect, it } from 'vitest';
import { chunkBySize } from '../../../shared/adapters/dynamodb/dynamo-run-store';

describe('chunkBySize', () => {
  it('keeps every chunk of a run record under the size, whatever the entries weigh', () => {
    const heavy = Array.from({ length: 2_000 }, (_, i) => ({
      userName: `u${i}`,
      emailAddresses: Array.from({ length: 100 }, (_, j) => `alias${j}.${'x'.repeat(200)}@company.local`),
    }));
    const chunks = chunkBySize(heavy, 300_000);
    expect(chunks.flat()).toEqual(heavy);
    for (const chunk of chunks) expect(Buffer.byteLength(JSON.stringify(chunk))).toBeLessThanOrEqual(300_000);
  });

  it('keeps small entries together and returns nothing for nothing', () => {
    expect(chunkBySize([1, 2, 3], 300_000)).toEqual([[1, 2, 3]]);
    expect(chunkBySize([], 300_000)).toEqual([]);
  });
});

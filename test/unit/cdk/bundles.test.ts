import { describe, expect, it } from 'vitest';
import { BUDGET_BYTES, measureBundles } from '../../../tools/bundle-sizes';

describe('function bundles', () => {
  it('bundles every function, each under the 1 MB budget', async () => {
    const sizes = await measureBundles();
    expect(sizes.map((s) => s.name).sort()).toEqual([
      'config',
      'directory',
      'openapi',
      'runs',
      'sync',
      'test-settings',
      'users',
    ]);
    for (const { name, bytes } of sizes) {
      expect(bytes, name).toBeGreaterThan(10_000);
      expect(bytes, name).toBeLessThan(BUDGET_BYTES);
    }
  });
});

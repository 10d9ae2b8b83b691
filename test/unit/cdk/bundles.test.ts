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

  it('carries in each function only the adapters it uses', async () => {
    const bundles = new Map((await measureBundles()).map((b) => [b.name, b.packages]));
    const carries = (name: string, pkg: string) => bundles.get(name as never)?.has(pkg);
    // The LDAP client only where the directory is read.
    for (const name of ['sync', 'test-settings', 'directory'])
      expect(carries(name, 'ldapts'), name).toBe(true);
    for (const name of ['config', 'runs', 'users', 'openapi'])
      expect(carries(name, 'ldapts'), name).toBe(false);
    // The secret store's client only where the password is saved or used.
    for (const name of ['runs', 'users', 'openapi']) {
      expect(carries(name, '@aws-lambda-powertools/parameters'), name).toBe(false);
    }
  });
});

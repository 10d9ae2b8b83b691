import { describe, expect, it } from 'vitest';
import { BUDGET_BYTES, measureBundles } from '../../../tools/bundle-sizes';

// At load, once: bundling every function takes longer than a test may on a busy machine.
const sizes = await measureBundles();

describe('function bundles', () => {
  it('bundles every function, each under the 1 MB budget', () => {
    expect(sizes.map((s) => s.name).sort()).toEqual([
      'config',
      'directory',
      'events',
      'logon',
      'logon-guard',
      'openapi',
      'runs',
      'start',
      'sync',
      'test-settings',
      'users',
      'watch',
    ]);
    for (const { name, bytes } of sizes) {
      // The pipe's enrichment is a few kilobytes: the builder of events and the unmarshalling of images.
      expect(bytes, name).toBeGreaterThan(name === 'events' ? 1_000 : 10_000);
      expect(bytes, name).toBeLessThan(BUDGET_BYTES);
    }
  });

  it('carries in each function only the adapters it uses', () => {
    const bundles = new Map(sizes.map((b) => [b.name as string, b]));
    // Bundled, or imported from the runtime (the AWS SDK).
    const carries = (name: string, pkg: string) =>
      bundles.get(name)?.packages.has(pkg) || bundles.get(name)?.runtimePackages.has(pkg);
    // The LDAP client only where the directory is read, and where a logon binds as the user.
    for (const name of ['sync', 'test-settings', 'directory', 'logon', 'logon-guard', 'watch'])
      expect(carries(name, 'ldapts'), name).toBe(true);
    for (const name of ['config', 'start', 'runs', 'users', 'openapi', 'events'])
      expect(carries(name, 'ldapts'), name).toBe(false);
    // The secret store's client only where the password is saved or used.
    // Not in the logon function either: it binds as the user, never as the service account.
    for (const name of ['start', 'runs', 'users', 'logon', 'openapi', 'events']) {
      expect(carries(name, '@aws-lambda-powertools/parameters'), name).toBe(false);
      expect(carries(name, '@aws-sdk/client-secrets-manager'), name).toBe(false);
    }
    // The Lambda client only where the workers are started (the start function, the watcher), and where a
    // logon asks its guard; the start function reads and writes the table.
    for (const [name] of bundles) {
      expect(carries(name, '@aws-sdk/client-lambda'), name).toBe(['start', 'logon', 'watch'].includes(name));
    }
    // The guard reads the secret and the directory, and no table.
    expect(carries('logon-guard', '@aws-sdk/client-secrets-manager')).toBe(true);
    expect(carries('logon-guard', '@aws-sdk/client-dynamodb')).toBe(false);
    expect(carries('start', '@aws-sdk/client-dynamodb')).toBe(true);
    // The workers serve no route: no HTTP middleware.
    for (const name of ['sync', 'test-settings', 'watch'])
      expect(carries(name, '@middy/core'), name).toBe(false);
    // The pipe's enrichment maps stream records: it unmarshals images, and sends no request (no document client).
    expect(carries('events', '@aws-sdk/util-dynamodb')).toBe(true);
    for (const pkg of ['@middy/core', '@aws-sdk/lib-dynamodb', '@aws-lambda-powertools/logger'])
      expect(carries('events', pkg), pkg).toBe(false);
    // X-Ray: every function that sends a request traces it (shared/runtime/tracer.ts). The enrichment sends none:
    // Lambda's own segment times it, and the X-Ray SDK would take it from 4 KB to 130.
    for (const [name] of bundles) {
      expect(carries(name, '@aws-lambda-powertools/tracer'), name).toBe(name !== 'events');
    }
  });
});

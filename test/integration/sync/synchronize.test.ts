import { describe, expect, it } from 'vitest';
import { synchronize } from '../../../shared/use-cases/sync-pipeline';
import { aLocalUser } from '../../support/builders';
import { expectedSync } from '../../support/expected-sync';
import { FixtureDirectory } from '../../support/fixture-directory';
import { fixtureConfig, servicePassword, useSyncHarness } from '../../support/sync-harness';

const fixture = new FixtureDirectory();
const sorted = (names: Iterable<string>): string[] => [...names].sort();

describe('synchronize the fixture directory into an empty user database', () => {
  const harness = useSyncHarness();
  const config = fixtureConfig({
    defaultPrivileges: { privileges: ['login', 'archiveEmail'], ownArchiveAccess: ['read', 'write'] },
  });

  it('creates the users in scope with the default privileges and records the run', async () => {
    const expected = expectedSync(fixture);
    const started = performance.now();
    const report = await synchronize(harness.deps, { config, password: servicePassword() });
    console.info(
      `full sync of ${expected.directoryUsers} directory users: ${Math.round(performance.now() - started)} ms`,
    );

    expect(report.error).toBeUndefined();
    expect(report).toMatchObject({ dryRun: false, status: 'succeeded' });
    expect(report.counts).toMatchObject({
      created: expected.inScope.length,
      updated: 0,
      deleted: 0,
      conflicts: 0,
    });
    expect(report.steps.map((s) => s.name)).toEqual([
      'resolve',
      'connect',
      'bind',
      'search',
      'filter',
      'plan',
      'apply',
      'record',
    ]);

    const users = await harness.store.listUsers();
    expect(sorted(users.map((u) => u.userName))).toEqual(expected.inScope);
    for (const user of users) {
      expect(user).toMatchObject({
        authentication: 'directoryServices',
        privileges: ['login', 'archiveEmail'],
        ownArchiveAccess: ['read', 'write'],
        objectGuid: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      });
    }
    expect(await harness.store.getUser('BOB')).toMatchObject({
      userName: 'bob',
      emailAddresses: ['bob.baker@company.local', 'bob.secondary@company.local'],
      distinguishedName: 'CN=Bob Baker,OU=Sales,DC=company,DC=local',
      userPrincipalName: 'bob@company.local',
    });
    expect(new Set(users.map((u) => u.objectGuid)).size).toBe(users.length);

    const runs = await harness.store.listRuns(10);
    expect(runs.map((r) => r.runId)).toEqual([report.runId]);
    const recorded = await harness.store.getRun(report.runId);
    expect(recorded?.changes).toHaveLength(expected.inScope.length);
    expect(recorded?.excluded).toHaveLength(expected.excluded.size);
    expect(recorded?.counts).toEqual(report.counts);
  });

  it('finds everything unchanged on a second run, with zero writes to users', async () => {
    const writesBefore = harness.userWrites();
    const started = performance.now();
    const report = await synchronize(harness.deps, { config, password: servicePassword() });
    console.info(`no-change sync: ${Math.round(performance.now() - started)} ms`);

    expect(report.status).toBe('succeeded');
    expect(report.counts).toMatchObject({
      created: 0,
      updated: 0,
      deleted: 0,
      conflicts: 0,
      unchanged: expectedSync(fixture).inScope.length,
    });
    expect(report.changes).toEqual([]);
    expect(harness.userWrites()).toBe(writesBefore);
    const runs = await harness.store.listRuns(10);
    expect(runs.map((r) => r.runId)).toEqual([report.runId, expect.any(String)]);
  });

  it('never duplicates a user when the same apply is repeated', async () => {
    const again = await synchronize(harness.deps, { config, password: servicePassword() });
    expect(again.counts.created).toBe(0);
    const users = await harness.store.listUsers();
    expect(users).toHaveLength(expectedSync(fixture).inScope.length);
  });
});

describe("a local user holding a directory user's name", () => {
  const harness = useSyncHarness();

  it('is reported as a conflict and left untouched', async () => {
    const local = aLocalUser('Alice', {
      fullName: 'Alice (local)',
      emailAddresses: ['alice.local@example.com'],
      privileges: ['login', 'deleteMessages'],
    });
    await harness.store.createUser(local);
    const report = await synchronize(harness.deps, { config: fixtureConfig(), password: servicePassword() });

    expect(report.status).toBe('succeeded');
    expect(report.counts.conflicts).toBe(1);
    expect(report.changes.find((c) => c.action === 'conflict')).toMatchObject({
      userName: 'alice',
      reason: expect.stringContaining('local'),
    });
    expect(await harness.store.getUser('alice')).toMatchObject(local);
  });
});

describe('two applies racing on the same user database', () => {
  const harness = useSyncHarness();

  it('neither duplicates nor loses a user', async () => {
    const expected = expectedSync(fixture);
    const [a, b] = await Promise.all([
      synchronize(harness.deps, { config: fixtureConfig(), password: servicePassword() }),
      synchronize(harness.deps, { config: fixtureConfig(), password: servicePassword() }),
    ]);
    expect([a.status, b.status]).toEqual(['succeeded', 'succeeded']);
    expect(a.counts.created + b.counts.created).toBe(expected.inScope.length);
    expect(a.counts.conflicts + b.counts.conflicts).toBe(0);
    const users = await harness.store.listUsers();
    expect(sorted(users.map((u) => u.userName))).toEqual(expected.inScope);
  });
});

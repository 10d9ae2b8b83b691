/**
 * `groups.sync: selected` in the common layout (SPEC 8.2, docs/contract.md#groups), against the Samba DC and
 * DynamoDB Local: the users in an OU that is the base DN, the selected groups and the groups nested in them in
 * another OU beside it, outside the base DN, and no `groups.baseDn`. The nested groups are found in the whole
 * domain and an incremental run sees a member leave a selected group there.
 */

import { Attribute, Change } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoGroupStore } from '../../../shared/adapters/dynamodb/dynamo-group-store';
import type { Report } from '../../../shared/domain/report';
import { listGroups } from '../../../shared/use-cases/browse-groups';
import { synchronize } from '../../../shared/use-cases/sync-pipeline';
import { dynamoDbClient } from '../../support/clients';
import { userEntry } from '../../support/scratch-ou';
import { useScratchSync } from '../../support/scratch-sync';
import { fixtureConfig, servicePassword } from '../../support/sync-harness';

const scratch = useScratchSync('Elsewhere', { incremental: true });
const { dn: ou, tag } = scratch;
const staff = `OU=Staff,${ou}`;
const groupsOu = `OU=Groups,${ou}`;
const userDn = (name: string) => `CN=Sel ${name},${staff}`;
const groupDn = (name: string) => `CN=${name} ${tag},${groupsOu}`;
const userName = (name: string) => `sel-${tag}-${name}`;
// The tag first: the names' order does not depend on it.
const groupName = (name: string) => `${tag}-${name.toLowerCase()}`;

const client = dynamoDbClient();
let groups: DynamoGroupStore;

const sync = (): Promise<Report> =>
  synchronize(
    { ...scratch.harness.deps, groups },
    {
      config: fixtureConfig({
        connection: { baseDn: staff },
        filters: { groups: [groupDn('Sales'), groupDn('Support')] },
        groups: { sync: 'selected' },
      }),
      password: servicePassword(),
    },
  );
const user = (name: string) => scratch.harness.store.getUser(userName(name));
const groupsStep = (report: Report) => report.steps.find((s) => s.name === 'groups');
/** What `GET /groups` lists. */
const listed = async () => (await listGroups(groups)).groups;

beforeAll(async () => {
  groups = new DynamoGroupStore(client, scratch.harness.tableName);
  for (const dn of [staff, groupsOu])
    await scratch.admin.add(dn, { objectClass: ['top', 'organizationalUnit'] });
  for (const name of ['alice', 'bob', 'carol']) {
    await scratch.admin.add(
      userDn(name),
      userEntry({ sAMAccountName: userName(name), mail: `${userName(name)}@company.local` }),
    );
  }
  // Sales > alice, Sales-EU > bob; Support > alice; Other (not selected) > carol.
  const group = (name: string, member: string[]) =>
    scratch.admin.add(groupDn(name), {
      objectClass: ['top', 'group'],
      sAMAccountName: groupName(name),
      member,
    });
  await group('Sales-EU', [userDn('bob')]);
  await group('Sales', [userDn('alice'), groupDn('Sales-EU')]);
  await group('Support', [userDn('alice')]);
  await group('Other', [userDn('carol')]);
});

afterAll(async () => {
  // The scratch OU removes what it holds directly: the two OUs' contents go first.
  for (const name of ['Sales', 'Sales-EU', 'Support', 'Other'])
    await scratch.admin.del(groupDn(name)).catch(() => {});
  for (const name of ['alice', 'bob', 'carol']) await scratch.admin.del(userDn(name)).catch(() => {});
  for (const dn of [staff, groupsOu]) await scratch.admin.del(dn).catch(() => {});
  client.destroy();
});

describe('selected groups outside the base DN', () => {
  it('synchronizes the selected groups and those nested in them, and gives the users those groups', async () => {
    const report = await sync();
    expect(report.error).toBeUndefined();
    expect(groupsStep(report)).toMatchObject({ ok: true });
    expect(report.counts.created).toBe(2);
    expect((await listed()).map((g) => g.name)).toEqual([
      groupName('Sales'),
      groupName('Sales-EU'),
      groupName('Support'),
    ]);
    expect((await user('alice'))?.groups).toEqual([groupName('Sales'), groupName('Support')]);
    // bob is in scope through Sales-EU (the users' filter is AD's in-chain rule) and has both groups.
    expect((await user('bob'))?.groups).toEqual([groupName('Sales'), groupName('Sales-EU')]);
    expect(await user('carol')).toBeUndefined();
  });

  it('reads no group on an incremental run with no change in AD', async () => {
    const writes = scratch.harness.userWrites();
    const report = await sync();
    expect(groupsStep(report)?.message).toContain('no group changed since the last run');
    expect(scratch.harness.userWrites()).toBe(writes);
  });

  it('sees a member leave a selected group on an incremental run', async () => {
    await scratch.admin.modify(groupDn('Sales'), [
      new Change({
        operation: 'delete',
        modification: new Attribute({ type: 'member', values: [userDn('alice')] }),
      }),
    ]);
    const report = await sync();
    expect(report.error).toBeUndefined();
    expect(groupsStep(report)?.message).not.toContain('no group changed');
    // Still in scope through Support.
    expect((await user('alice'))?.groups).toEqual([groupName('Support')]);
    expect((await user('bob'))?.groups).toEqual([groupName('Sales'), groupName('Sales-EU')]);
    expect((await listed()).find((g) => g.name === groupName('Sales'))?.memberCount).toBe(1);
  });
});

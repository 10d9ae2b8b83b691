/**
 * What the change notification search tells of a deletion on the Samba DC (docs/architecture.md#changes-in-seconds),
 * through the adapter the watch uses, with Show Deleted asked for: the DC takes the control from both accounts;
 * an account that may read `CN=Deleted Objects` (Administrator) is notified the tombstone, with the user's
 * objectGUID; the read-only service account is notified nothing. "Nothing" is read as: a change made after the
 * deletion (a marker) arrives, and no tombstone came before it.
 */
import type { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LdapDirectoryReader } from '../../../shared/adapters/ldap/ldap-directory-reader';
import type { DirectoryChange } from '../../../shared/domain/change-watch';
import type { DirectorySession } from '../../../shared/ports/directory-reader';
import { createScratchOu, replace, scratchOuName, userEntry } from '../../support/scratch-ou';
import { fixtureConfig, servicePassword } from '../../support/sync-harness';
import { untilTold } from '../../support/until-told';

const directory = inject('directory');
const { dn: ou, tag } = scratchOuName('Notify Deletions');
const userDn = (name: string) => `CN=Deletion ${name},${ou}`;

interface Watching {
  readonly session: DirectorySession;
  readonly changes: DirectoryChange[];
  readonly refusals: Error[];
}

let scratch: Awaited<ReturnType<typeof createScratchOu>>;
let admin: Client;
const watching: Watching[] = [];
/** Waits re-checked at each change told (`changed()`); 10 s at most. */
const { until, changed } = untilTold(10_000);

/** A watch of the naming context, bound as this account, asking for deleted objects. */
async function watchAs(username: string, password: string): Promise<Watching> {
  const reader = new LdapDirectoryReader();
  const { connection } = fixtureConfig({ connection: { username } });
  const session = await reader.connect(await reader.resolveServers(connection), connection);
  await session.bind(username, password);
  const watch: Watching = { session, changes: [], refusals: [] };
  session.watchChanges(
    directory.baseDn,
    (change) => {
      watch.changes.push(change);
      changed();
    },
    { showDeleted: true, onShowDeletedRefused: (error) => watch.refusals.push(error) },
  );
  watching.push(watch);
  return watch;
}

const told = (watch: Watching, dn: string) => watch.changes.some((c) => c.dn === dn);

beforeAll(async () => {
  scratch = await createScratchOu(ou);
  admin = scratch.admin;
});

afterAll(async () => {
  await Promise.all(watching.map((w) => w.session.close()));
  await scratch?.remove();
});

describe('a deletion, notified with Show Deleted', () => {
  it('reaches an account that may read the tombstones, with the objectGUID; not the read-only account', async () => {
    const service = await watchAs(directory.serviceAccount.upn, servicePassword());
    const administrator = await watchAs(directory.administrator.upn, directory.administrator.password);
    await admin.add(userDn('gone'), userEntry({ sAMAccountName: `del-${tag}-gone` }));
    await admin.add(userDn('marker'), userEntry({ sAMAccountName: `del-${tag}-marker` }));
    await until(
      () => told(service, userDn('gone')) && told(administrator, userDn('gone')),
      'the new user, told to both',
    );
    const guid = service.changes.find((c) => c.dn === userDn('gone'))?.objectGuid;
    expect(guid).toMatch(/^[0-9a-f]{8}-/);

    await admin.del(userDn('gone'));
    await admin.modify(userDn('marker'), [replace('description', ['after the deletion'])]);
    const tombstoneOf = (watch: Watching) =>
      watch.changes.find((c) => c.objectGuid === guid && c.dn.includes('\\0ADEL:'));
    await until(() => tombstoneOf(administrator) !== undefined, 'the tombstone, told to Administrator');
    expect(tombstoneOf(administrator)).toMatchObject({
      dn: `CN=Deletion gone\\0ADEL:${guid},CN=Deleted Objects,${directory.baseDn}`,
      objectClasses: expect.arrayContaining(['user']),
    });
    const markerTold = () => service.changes.filter((c) => c.dn === userDn('marker')).length >= 2;
    await until(markerTold, 'the change after the deletion, told to the service account');
    expect(tombstoneOf(service)).toBeUndefined();
    // Samba took the control from both: no refusal, no fallback.
    expect([...service.refusals, ...administrator.refusals]).toEqual([]);
  });
});

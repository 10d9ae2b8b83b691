/**
 * Which notified changes start a run (relevanceOf, docs/contract.md#changes-in-seconds), on what the Samba DC
 * really notifies: the classes of each kind of object under the base DN as the watch's search receives them.
 * Users, groups, OUs and plain containers count; a contact, a computer, and any other object (an Exchange device
 * under a user, a printer) start nothing. Each change is waited for as it arrives, never with a fixed delay.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LdapDirectoryReader } from '../../../shared/adapters/ldap/ldap-directory-reader';
import { type DirectoryChange, relevanceOf } from '../../../shared/domain/change-watch';
import type { DirectorySession } from '../../../shared/ports/directory-reader';
import { createScratchOu, scratchOuName, userEntry } from '../../support/scratch-ou';
import { fixtureConfig, servicePassword } from '../../support/sync-harness';
import { untilTold } from '../../support/until-told';

const directory = inject('directory');
const { dn: ou, tag } = scratchOuName('Notify Classes');
const { until, changed } = untilTold(10_000);

let scratch: Awaited<ReturnType<typeof createScratchOu>>;
let session: DirectorySession;
const changes: DirectoryChange[] = [];

/** The change told for this DN, once it has come. */
const changeAt = async (dn: string): Promise<DirectoryChange> => {
  await until(() => changes.some((c) => c.dn.toLowerCase() === dn.toLowerCase()), `the change of ${dn}`);
  return changes.find((c) => c.dn.toLowerCase() === dn.toLowerCase()) as DirectoryChange;
};

beforeAll(async () => {
  scratch = await createScratchOu(ou);
  const reader = new LdapDirectoryReader();
  const { connection } = fixtureConfig({ connection: { username: directory.serviceAccount.upn } });
  session = await reader.connect(await reader.resolveServers(connection), connection);
  await session.bind(directory.serviceAccount.upn, servicePassword());
  session.watchChanges(directory.baseDn, (change) => {
    changes.push(change);
    changed();
  });
});

afterAll(async () => {
  await session?.close();
  // The scratch OU's removal deletes its children, not theirs.
  await scratch?.admin.del(`CN=Class Point,CN=Class PC,${ou}`).catch(() => {});
  await scratch?.remove();
});

describe('a change notified under the base DN', () => {
  it('starts a run for a user, a group, an OU and a plain container, and for nothing else', async () => {
    const { admin } = scratch;
    const at = (rdn: string) => `${rdn},${ou}`;
    await admin.add(at('CN=Class User'), userEntry({ sAMAccountName: `cls-${tag}-u` }));
    await admin.add(at('CN=Class Group'), { objectClass: ['top', 'group'], sAMAccountName: `cls-${tag}-g` });
    await admin.add(at('OU=Class Unit'), { objectClass: ['top', 'organizationalUnit'] });
    await admin.add(at('CN=Class Box'), { objectClass: ['top', 'container'] });
    await admin.add(at('CN=Class Contact'), {
      objectClass: ['top', 'person', 'organizationalPerson', 'contact'],
    });
    await admin.add(at('CN=Class PC'), {
      objectClass: ['top', 'person', 'organizationalPerson', 'user', 'computer'],
      sAMAccountName: `cls-${tag}-pc$`,
      userAccountControl: '4096',
    });
    // A child object, as Exchange keeps a user's mobile devices under it (Samba's schema has no Exchange
    // classes, and allows no child under a user: a service connection point under the computer is the kind).
    await admin.add(at('CN=Class Point,CN=Class PC'), {
      objectClass: ['top', 'leaf', 'connectionPoint', 'serviceConnectionPoint'],
    });
    const scopes = [ou];
    const relevance = async (rdn: string) => relevanceOf(await changeAt(at(rdn)), scopes);
    expect(await relevance('CN=Class User')).toBe('counts');
    expect(await relevance('CN=Class Group')).toBe('counts');
    expect(await relevance('OU=Class Unit')).toBe('counts');
    expect(await relevance('CN=Class Box')).toBe('counts');
    expect(await relevance('CN=Class Contact')).toBe('ignored');
    expect(await relevance('CN=Class PC')).toBe('ignored');
    expect(await relevance('CN=Class Point,CN=Class PC')).toBe('ignored');
    expect((await changeAt(at('CN=Class Contact'))).objectClasses).toContain('contact');
  });
});

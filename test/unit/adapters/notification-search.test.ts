/**
 * The notification search's pieces that need no DC: the controls as sent (their OIDs, critical, no value), the
 * ldapts internals NotificationClient relies on (a new ldapts without them fails here, not in a watch), and the
 * watch on a searcher standing in for the DC: its changes (with the objectGUID), and Show Deleted refused.
 */
import { BerReader, BerWriter, type Control, type Entry, UnavailableCriticalExtensionError } from 'ldapts';
import { describe, expect, it } from 'vitest';
import {
  NOTIFICATION_OID,
  NotificationClient,
  NotificationControl,
  type NotificationSearcher,
  SHOW_DELETED_OID,
  ShowDeletedControl,
  watchNotifications,
} from '../../../shared/adapters/ldap/notification-search';
import { parseObjectGuid } from '../../../shared/adapters/ldap/object-guid';
import type { DirectoryChange } from '../../../shared/domain/change-watch';
import { LdapError, UnreachableError } from '../../../shared/errors';

/** The OID and criticality a control is sent with, and that it has no value. */
function sent(control: Control): { oid: string; critical: boolean; rest: number } {
  const writer = new BerWriter();
  control.write(writer);
  const reader = new BerReader(writer.buffer);
  reader.readSequence();
  return { oid: reader.readString() ?? '', critical: reader.readBoolean() ?? false, rest: reader.remain };
}

describe('NotificationControl and ShowDeletedControl', () => {
  it('are LDAP_SERVER_NOTIFICATION_OID and LDAP_SERVER_SHOW_DELETED_OID, critical, with no value', () => {
    expect(sent(new NotificationControl())).toEqual({ oid: NOTIFICATION_OID, critical: true, rest: 0 });
    expect(sent(new ShowDeletedControl())).toEqual({ oid: SHOW_DELETED_OID, critical: true, rest: 0 });
    expect(SHOW_DELETED_OID).toBe('1.2.840.113556.1.4.417');
  });
});

const GUID = '8af18531-ae04-4fd9-a811-526bbe109a79';
const TOMBSTONE = `CN=Goner\\0ADEL:${GUID},CN=Deleted Objects,DC=company,DC=local`;

/**
 * A DC for watchNotifications: each search it is sent is recorded (with whether it showed deleted objects); the
 * test ends one (`end`) or sends it an entry (`entry`).
 */
function fakeDc() {
  const searches: { showDeleted: boolean; onEntry: (entry: Entry) => void; end: (error?: Error) => void }[] =
    [];
  const client: NotificationSearcher = {
    closedByUs: false,
    notificationSearch: (_base, _attributes, onEntry, options = {}) =>
      new Promise<void>((resolve, reject) => {
        searches.push({
          showDeleted: options.showDeleted === true,
          onEntry,
          end: (error) => (error ? reject(error) : resolve()),
        });
      }),
  };
  return { client, searches };
}

describe('watchNotifications', () => {
  it('tells each entry as a change with its objectGUID (a tombstone as the DC sends it)', async () => {
    const { client, searches } = fakeDc();
    const changes: DirectoryChange[] = [];
    watchNotifications(client, 'dc1:636', 'DC=company,DC=local', (c) => changes.push(c));
    searches[0]?.onEntry({ dn: TOMBSTONE, objectClass: ['top', 'user'], objectGUID: parseObjectGuid(GUID) });
    searches[0]?.onEntry({ dn: 'CN=x,DC=company,DC=local', objectClass: 'user', objectGUID: [] });
    expect(changes).toEqual([
      { dn: TOMBSTONE, objectClasses: ['top', 'user'], objectGuid: GUID },
      { dn: 'CN=x,DC=company,DC=local', objectClasses: ['user'] },
    ]);
    expect(searches.map((s) => s.showDeleted)).toEqual([false]);
  });

  it('asks for deleted objects; where the DC refuses them, says so and watches again without them', async () => {
    const { client, searches } = fakeDc();
    const refusals: Error[] = [];
    const watch = watchNotifications(client, 'dc1:636', 'DC=company,DC=local', () => {}, {
      showDeleted: true,
      onShowDeletedRefused: (error) => refusals.push(error),
    });
    searches[0]?.end(new UnavailableCriticalExtensionError('critical extension is unavailable'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(searches.map((s) => s.showDeleted)).toEqual([true, false]);
    expect(refusals).toEqual([expect.any(LdapError)]);
    expect(refusals[0]?.message).toMatch(/dc1:636 answered with LDAP result 12/);
    // The search without them is the watch: its end ends the watch.
    searches[1]?.end(new Error('Connection closed'));
    await expect(watch.ended).rejects.toBeInstanceOf(UnreachableError);
  });

  it('takes a dropped connection, or an end after changes came, for no refusal: the watch ends', async () => {
    for (const notifiedFirst of [false, true]) {
      const { client, searches } = fakeDc();
      const refusals: Error[] = [];
      const watch = watchNotifications(client, 'dc1:636', 'DC=company,DC=local', () => {}, {
        showDeleted: true,
        onShowDeletedRefused: (error) => refusals.push(error),
      });
      if (notifiedFirst) {
        searches[0]?.onEntry({ dn: 'CN=x,DC=company,DC=local', objectClass: 'user' });
        searches[0]?.end(new UnavailableCriticalExtensionError('ended'));
      } else {
        searches[0]?.end(new Error('Connection closed'));
      }
      await expect(watch.ended).rejects.toBeDefined();
      expect(searches).toHaveLength(1);
      expect(refusals).toEqual([]);
    }
  });
});

describe('NotificationClient', () => {
  it('finds the ldapts internals it uses, and starts with nothing closed', () => {
    const client = new NotificationClient({
      url: 'ldaps://dc1.company.local',
      connectTimeout: 1,
      timeout: 1,
    });
    expect(client.closedByUs).toBe(false);
  });

  it('fails a search on a client that never connected, as a closed connection does', async () => {
    const client = new NotificationClient({
      url: 'ldaps://dc1.company.local',
      connectTimeout: 1,
      timeout: 1,
    });
    await expect(client.notificationSearch('DC=company,DC=local', ['objectClass'], () => {})).rejects.toThrow(
      /Socket connection not established/,
    );
  });
});

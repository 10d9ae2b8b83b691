/**
 * The notification search's pieces that need no DC: the control as sent (its OID, critical, no value), and the
 * ldapts internals NotificationClient relies on (a new ldapts without them fails here, not in a watch).
 */
import { BerReader, BerWriter } from 'ldapts';
import { describe, expect, it } from 'vitest';
import {
  NOTIFICATION_OID,
  NotificationClient,
  NotificationControl,
} from '../../../shared/adapters/ldap/notification-search';

describe('NotificationControl', () => {
  it('is LDAP_SERVER_NOTIFICATION_OID, critical, with no value (MS-ADTS 3.1.1.3.4.1.9)', () => {
    const writer = new BerWriter();
    new NotificationControl().write(writer);
    const reader = new BerReader(writer.buffer);
    reader.readSequence();
    expect(reader.readString()).toBe(NOTIFICATION_OID);
    expect(reader.readBoolean()).toBe(true);
    expect(reader.remain).toBe(0);
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

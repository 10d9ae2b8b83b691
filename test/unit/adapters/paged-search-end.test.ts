/**
 * A paged search left before its last page is ended on the server (RFC 2696: a request of size 0 with the
 * cookie): AD keeps at most 10 result sets a connection and drops the oldest, so a search left open could make
 * another search's next page fail. The server is scripted below the client's request layer (`_send`).
 */
import { EqualityFilter, MessageResponseStatus, PagedResultsControl } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { CompletePagingClient } from '../../../shared/adapters/ldap/complete-paging-client';
import { LdapDirectorySession } from '../../../shared/adapters/ldap/ldap-directory-reader';
import { NotificationClient } from '../../../shared/adapters/ldap/notification-search';

const GUID = (n: number) => Buffer.from(`${String(n).padStart(2, '0')}112233445566778899aabbccddeeff`, 'hex');

/**
 * Makes the client answer its paged searches from `pages` (each page's entries and the next cookie, '' for the
 * last), recording each request's page size and cookie; a request of size 0 ends the search (no entries, no
 * cookie), as RFC 2696 says.
 */
function scripted<C extends CompletePagingClient>(client: C, pages: { entries: number; cookie: string }[]) {
  const asked: { size: number | undefined; cookie: string }[] = [];
  let page = 0;
  Object.assign(client, {
    _ensureConnected: async () => {},
    _nextMessageId: () => asked.length + 1,
    _send: async (request: { controls: PagedResultsControl[] }) => {
      const value = request.controls[0]?.value;
      asked.push({ size: value?.size, cookie: value?.cookie?.toString() ?? '' });
      const current = value?.size === 0 ? { entries: 0, cookie: '' } : pages[page++];
      if (!current) throw new Error('asked for a page after the last');
      return {
        status: MessageResponseStatus.Success,
        searchEntries: Array.from({ length: current.entries }, (_, i) => ({
          toObject: () => ({ dn: `CN=G${i},DC=x`, objectGUID: GUID(i) }),
        })),
        searchReferences: [],
        controls: [new PagedResultsControl({ value: { size: 0, cookie: Buffer.from(current.cookie) } })],
      };
    },
  });
  return asked;
}

const search = {
  scope: 'sub' as const,
  filter: new EqualityFilter({ attribute: 'objectClass', value: 'group' }),
  attributes: ['objectGUID'],
  explicitBufferAttributes: ['objectGUID'],
};

describe('CompletePagingClient.searchPages, left early', () => {
  it('ends the search on the server with a request of size 0 and the last cookie', async () => {
    const client = new CompletePagingClient({ url: 'ldaps://127.0.0.1:636' });
    const asked = scripted(client, [
      { entries: 2, cookie: 'c1' },
      { entries: 2, cookie: '' },
    ]);
    for await (const page of client.searchPages('DC=x', search, { first: 2, rest: 2 })) {
      expect(page.searchEntries).toHaveLength(2);
      break;
    }
    expect(asked).toEqual([
      { size: 2, cookie: '' },
      { size: 0, cookie: 'c1' },
    ]);
  });

  it('sends nothing more when read to the last page, or left at the last page', async () => {
    const client = new CompletePagingClient({ url: 'ldaps://127.0.0.1:636' });
    const asked = scripted(client, [
      { entries: 1, cookie: 'c1' },
      { entries: 1, cookie: '' },
    ]);
    for await (const _ of client.searchPages('DC=x', search, { first: 1, rest: 1 })) {
      // every page
    }
    expect(asked.map((a) => a.size)).toEqual([1, 1]);
    const last = new CompletePagingClient({ url: 'ldaps://127.0.0.1:636' });
    const lastAsked = scripted(last, [{ entries: 1, cookie: '' }]);
    for await (const _ of last.searchPages('DC=x', search, { first: 1, rest: 1 })) break;
    expect(lastAsked.map((a) => a.size)).toEqual([1]);
  });
});

describe('LdapDirectorySession.groupGuidPages, left after its first page', () => {
  it('ends the search on the server once the page asked ahead has come', async () => {
    const client = new NotificationClient({ url: 'ldaps://127.0.0.1:636' });
    const asked = scripted(client, [
      { entries: 3, cookie: 'c1' },
      { entries: 3, cookie: 'c2' },
      { entries: 3, cookie: '' },
    ]);
    const session = new LdapDirectorySession('dc1:636', { namingContexts: ['DC=x'] }, undefined, client);
    for await (const page of session.groupGuidPages('DC=x', 100)) {
      expect(page).toHaveLength(3);
      break;
    }
    expect(asked).toEqual([
      { size: 1000, cookie: '' },
      { size: 1000, cookie: 'c1' },
      { size: 0, cookie: 'c2' },
    ]);
  });
});

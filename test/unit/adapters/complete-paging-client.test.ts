import { EqualityFilter, MessageResponseStatus, PagedResultsControl } from 'ldapts';
import { describe, expect, it } from 'vitest';
import {
  CompletePagingClient,
  sendSearchToTheLastCookie,
} from '../../../shared/adapters/ldap/complete-paging-client';
import { PartialReadError } from '../../../shared/errors';

/**
 * A server that answers each page from a script: entries, and the cookie of the next page ('' = last);
 * `cookie: null` answers without the paged-results control.
 */
function scriptedServer(pages: { entries: string[]; cookie: string | null }[]) {
  let page = 0;
  const requests: number[] = [];
  const internals = {
    _nextMessageId: () => requests.length + 1,
    _send: async () => {
      const current = pages[page++];
      if (!current) throw new Error('asked for a page after the last');
      requests.push(page);
      return {
        status: MessageResponseStatus.Success,
        searchEntries: current.entries.map((dn) => ({ toObject: () => ({ dn }) })),
        searchReferences: [],
        controls:
          current.cookie === null
            ? []
            : [new PagedResultsControl({ value: { size: 0, cookie: Buffer.from(current.cookie) } })],
      };
    },
    _sendSearch: sendSearchToTheLastCookie,
  };
  return { internals, requests };
}

describe('paging to the last cookie', () => {
  it('goes on past a page with no entries while the server sends a cookie (RFC 2696)', async () => {
    const { internals, requests } = scriptedServer([
      { entries: ['a'], cookie: 'c1' },
      { entries: [], cookie: 'c2' },
      { entries: [], cookie: 'c3' },
      { entries: ['b', 'c'], cookie: '' },
    ]);
    const result = { searchEntries: [] as unknown[], searchReferences: [] as string[] };
    await internals._sendSearch(
      { messageId: 0 },
      result,
      true,
      2,
      new PagedResultsControl({ value: { size: 2 } }),
      true,
    );
    expect(result.searchEntries).toEqual([{ dn: 'a' }, { dn: 'b' }, { dn: 'c' }]);
    expect(requests).toEqual([1, 2, 3, 4]);
  });

  it('hands back the control page by page, empty pages included, and stops at the empty cookie', async () => {
    const { internals } = scriptedServer([
      { entries: [], cookie: 'c1' },
      { entries: ['a'], cookie: '' },
    ]);
    const control = new PagedResultsControl({ value: { size: 2 } });
    const first = { searchEntries: [] as unknown[], searchReferences: [] as string[] };
    expect(await internals._sendSearch({ messageId: 0 }, first, true, 2, control, false)).toBe(control);
    expect(first.searchEntries).toEqual([]);
    const second = { searchEntries: [] as unknown[], searchReferences: [] as string[] };
    expect(await internals._sendSearch({ messageId: 0 }, second, true, 2, control, false)).toBeUndefined();
    expect(second.searchEntries).toEqual([{ dn: 'a' }]);
  });

  it('fails, as a partial read, when the server answers a cookie with no paged-results control', async () => {
    const { internals, requests } = scriptedServer([
      { entries: ['a'], cookie: 'c1' },
      { entries: ['b'], cookie: null },
      { entries: ['c'], cookie: '' },
    ]);
    const result = { searchEntries: [] as unknown[], searchReferences: [] as string[] };
    const control = new PagedResultsControl({ value: { size: 1 } });
    await expect(
      internals._sendSearch({ messageId: 0 }, result, true, 1, control, true),
    ).rejects.toBeInstanceOf(PartialReadError);
    expect(requests).toEqual([1, 2]);
  });

  it('takes everything at once from a server that ignores paging from the start', async () => {
    const { internals } = scriptedServer([{ entries: ['a', 'b', 'c'], cookie: null }]);
    const result = { searchEntries: [] as unknown[], searchReferences: [] as string[] };
    const control = new PagedResultsControl({ value: { size: 1 } });
    expect(await internals._sendSearch({ messageId: 0 }, result, true, 1, control, true)).toBeUndefined();
    expect(result.searchEntries).toEqual([{ dn: 'a' }, { dn: 'b' }, { dn: 'c' }]);
  });

  it('asks for a small first page, then pages of the later size, to the last cookie', async () => {
    const client = new CompletePagingClient({ url: 'ldaps://127.0.0.1:636' });
    const { internals } = scriptedServer([
      { entries: ['a'], cookie: 'c1' },
      { entries: [], cookie: 'c2' },
      { entries: ['b', 'c'], cookie: '' },
    ]);
    const asked: { size: number | undefined; cookie: string }[] = [];
    const send = internals._send;
    Object.assign(client, {
      _ensureConnected: async () => {},
      _nextMessageId: internals._nextMessageId,
      _send: (request: { controls: PagedResultsControl[] }) => {
        const value = request.controls[0]?.value;
        asked.push({ size: value?.size, cookie: value?.cookie?.toString() ?? '' });
        return send();
      },
    });
    const pages: unknown[][] = [];
    const filter = new EqualityFilter({ attribute: 'objectClass', value: 'user' });
    const search = { scope: 'sub' as const, filter, attributes: ['cn'], explicitBufferAttributes: [] };
    for await (const page of client.searchPages('DC=x', search, { first: 2, rest: 5 }))
      pages.push(page.searchEntries);
    expect(pages).toEqual([[{ dn: 'a' }], [], [{ dn: 'b' }, { dn: 'c' }]]);
    expect(asked).toEqual([
      { size: 2, cookie: '' },
      { size: 5, cookie: 'c1' },
      { size: 5, cookie: 'c2' },
    ]);
  });

  it('is what the client uses for its searches', () => {
    const client = new CompletePagingClient({ url: 'ldaps://127.0.0.1:636' });
    expect((client as unknown as { _sendSearch: unknown })._sendSearch).toBe(sendSearchToTheLastCookie);
  });
});

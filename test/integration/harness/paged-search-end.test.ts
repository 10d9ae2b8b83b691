/**
 * A paged search left before its last page is ended on the DC with a request of page size 0 and its cookie
 * (RFC 2696; complete-paging-client.ts): the DC answers it with success and no cookie, and the connection
 * goes on with other paged searches. (AD keeps at most 10 paged result sets a connection.)
 */
import { EqualityFilter, PagedResultsControl } from 'ldapts';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { CompletePagingClient } from '../../../shared/adapters/ldap/complete-paging-client';

const directory = inject('directory');
const client = new CompletePagingClient({
  url: directory.ldapsUrl,
  tlsOptions: { ca: [directory.caCertificate], servername: directory.tlsServerName },
  connectTimeout: 5_000,
  timeout: 10_000,
});

afterAll(async () => {
  await client.unbind().catch(() => {});
});

/** Each request's page size, and the DC's answer: its result code and whether it sent a cookie. */
function recordPaging(): { size: number | undefined; status: number; cookie: boolean }[] {
  const internals = client as unknown as { _send: (request: never) => Promise<unknown> };
  const send = internals._send.bind(client);
  const seen: { size: number | undefined; status: number; cookie: boolean }[] = [];
  internals._send = async (request: { controls?: unknown[] }) => {
    const asked = request.controls?.find((c): c is PagedResultsControl => c instanceof PagedResultsControl);
    const answer = (await send(request as never)) as { status: number; controls?: unknown[] } | undefined;
    const got = answer?.controls?.find((c): c is PagedResultsControl => c instanceof PagedResultsControl);
    if (asked)
      seen.push({
        size: asked.value?.size,
        status: answer?.status ?? -1,
        cookie: !!got?.value?.cookie?.length,
      });
    return answer;
  };
  return seen;
}

describe('a paged search left early', () => {
  it('is ended on the DC (size 0 with the cookie), and the next paged search reads everything', async () => {
    await client.bind(directory.serviceAccount.upn, directory.serviceAccount.password);
    const seen = recordPaging();
    const search = {
      scope: 'sub' as const,
      filter: new EqualityFilter({ attribute: 'objectClass', value: 'user' }),
      attributes: ['cn'],
      explicitBufferAttributes: [],
    };
    for await (const page of client.searchPages(directory.baseDn, search, { first: 2, rest: 2 })) {
      expect(page.searchEntries).toHaveLength(2);
      break;
    }
    expect(seen).toEqual([
      { size: 2, status: 0, cookie: true },
      { size: 0, status: 0, cookie: false },
    ]);

    let read = 0;
    for await (const page of client.searchPages(directory.baseDn, search, { first: 2, rest: 50 }))
      read += page.searchEntries.length;
    expect(read).toBeGreaterThan(2);
    expect(seen.at(-1)).toMatchObject({ status: 0, cookie: false });
  });
});

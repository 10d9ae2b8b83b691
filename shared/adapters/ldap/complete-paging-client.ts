/**
 * An ldapts Client whose paged searches run to the server's last cookie.
 *
 * ldapts 9 stops paging at a page with no entries even when the server sent a cookie to continue. RFC 2696
 * allows such pages (a server may return empty pages while it works through a large or filtered search),
 * and for a sync an early stop is the worst failure there is: a cut-short read that looks complete makes
 * every user not read look deleted. Only an empty cookie ends a paged search here.
 *
 * ldapts exposes no response controls, so this replaces its internal `_sendSearch` with the same code and
 * the corrected condition; the constructor fails loudly if a new ldapts no longer has that method.
 *
 * Its entries' values are decoded by attribute-parsing.ts (the same values, less CPU). It also pages with a
 * small first page (`searchPages`): ldapts keeps one page size for a whole search, but
 * RFC 2696 lets each request name its own, and the first page is what a sync waits for before its first write.
 * A caller that stops before the last page ends the search on the server (a request of size 0 with the cookie).
 */
import {
  Client,
  type ClientOptions,
  type Entry,
  type Filter,
  MessageResponseStatus,
  PagedResultsControl,
  SearchRequest,
  StatusCodeParser,
} from 'ldapts';
import { PartialReadError } from '../../errors';
import { installAttributeParsing } from './attribute-parsing';

interface SearchRequestLike {
  messageId: number;
  sizeLimit?: number;
  attributes?: string[];
  explicitBufferAttributes?: string[];
}
interface SearchResponseLike {
  status: number;
  searchEntries: { toObject(attributes?: string[], buffers?: string[]): unknown }[];
  searchReferences: { uris: string[] }[];
  controls?: unknown[];
}
interface SearchInternals {
  _nextMessageId(): number;
  _send(request: SearchRequestLike): Promise<SearchResponseLike | undefined>;
  _sendSearch: typeof sendSearchToTheLastCookie;
}
interface ClientInternals extends SearchInternals {
  _ensureConnected(): Promise<void>;
}

/** ldapts' `_sendSearch`, continuing while the server sends a cookie, with entries on the page or not. */
export async function sendSearchToTheLastCookie(
  this: SearchInternals,
  searchRequest: SearchRequestLike,
  searchResult: { searchEntries: unknown[]; searchReferences: string[] },
  paged: boolean,
  pageSize: number,
  pagedResultsControl: PagedResultsControl | undefined,
  fetchAll = true,
): Promise<PagedResultsControl | undefined> {
  searchRequest.messageId = this._nextMessageId();
  const result = await this._send(searchRequest);
  if (
    result?.status !== MessageResponseStatus.Success &&
    !(result?.status === MessageResponseStatus.SizeLimitExceeded && searchRequest.sizeLimit)
  ) {
    throw StatusCodeParser.parse(result as never);
  }
  for (const entry of result.searchEntries) {
    searchResult.searchEntries.push(
      entry.toObject(searchRequest.attributes, searchRequest.explicitBufferAttributes),
    );
  }
  for (const reference of result.searchReferences) searchResult.searchReferences.push(...reference.uris);
  if (paged && pagedResultsControl) {
    const response = result.controls?.find(
      (control): control is PagedResultsControl => control instanceof PagedResultsControl,
    );
    // A server may ignore paging from the start (and return everything at once), but one that answered a
    // cookie with a page and no paged-results control has stopped mid-search: it is no complete read.
    if (!response && pagedResultsControl.value?.cookie?.length) {
      throw new PartialReadError(
        'the server stopped paging in the middle of a search (no paged-results control)',
      );
    }
    if (response?.value?.cookie?.length) {
      pagedResultsControl.value = pagedResultsControl.value ?? { size: pageSize };
      pagedResultsControl.value.cookie = response.value.cookie;
      if (!fetchAll) return pagedResultsControl;
      return this._sendSearch(searchRequest, searchResult, paged, pageSize, pagedResultsControl, true);
    }
  }
  return undefined;
}

export class CompletePagingClient extends Client {
  constructor(options: ClientOptions) {
    super(options);
    const internals = this as unknown as ClientInternals;
    if (
      typeof internals._sendSearch !== 'function' ||
      typeof internals._send !== 'function' ||
      typeof internals._ensureConnected !== 'function'
    ) {
      throw new Error(
        'ldapts no longer has the internals CompletePagingClient replaces; review it before upgrading',
      );
    }
    internals._sendSearch = sendSearchToTheLastCookie;
    installAttributeParsing();
  }

  /**
   * The pages of a paged search (as `searchPaginated`), the first of `sizes.first` entries and the others of
   * `sizes.rest`: the server answers a small first page sooner (Samba evaluates the whole search before its
   * first page, then sends it; 200 entries came in about 245 ms where 1,000 took 355 ms at 10,000 users), and the
   * larger pages after it keep the requests few. Each page is read to the last cookie as every search here is.
   */
  async *searchPages(
    baseDN: string,
    options: {
      readonly scope: 'base' | 'sub';
      readonly filter: Filter;
      readonly attributes: string[];
      readonly explicitBufferAttributes: string[];
    },
    sizes: { readonly first: number; readonly rest: number },
  ): AsyncGenerator<{ searchEntries: Entry[] }> {
    const internals = this as unknown as ClientInternals;
    await internals._ensureConnected();
    const control = new PagedResultsControl({ value: { size: sizes.first } });
    const searchRequest = new SearchRequest({ messageId: -1, baseDN, ...options, controls: [control] });
    let more = true;
    try {
      while (more) {
        const page = { searchEntries: [] as Entry[], searchReferences: [] as string[] };
        more =
          (await internals._sendSearch(searchRequest, page, true, sizes.first, control, false)) !== undefined;
        // The next request carries the cookie the server sent, and asks for a page of the later size.
        if (control.value) control.value.size = sizes.rest;
        yield page;
      }
    } finally {
      // Left before its last page (the caller had what it needed): the server still keeps the search's result
      // set, and AD keeps at most 10 a connection (MaxResultSetsPerConn), dropping the oldest, so that another
      // search's next page would fail. RFC 2696 ends a paged search with a request of size 0 and its cookie.
      if (more && control.value?.cookie?.length) {
        control.value.size = 0;
        const none = { searchEntries: [] as Entry[], searchReferences: [] as string[] };
        // Best effort: a connection that is gone has dropped the result set with it.
        await internals._sendSearch(searchRequest, none, true, 0, control, false).catch(() => {});
      }
    }
  }
}

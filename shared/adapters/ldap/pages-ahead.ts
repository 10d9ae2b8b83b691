/**
 * A paged search's pages, converted, one page ahead of the caller (ldap-directory-reader.ts reads users, GUIDs
 * and groups so).
 */
import type { Entry } from 'ldapts';
import { toDirectoryError } from './directory-errors';

/**
 * The pages of a paged search, each converted, one page ahead: the next page is asked for as soon as this
 * one has arrived, so that the DC builds it while this one is converted and planned. A failure, of a
 * request or of a conversion, is thrown as a DirectoryError where it is awaited.
 */
export async function* pagesAhead<T>(
  server: string,
  pages: AsyncGenerator<{ searchEntries: Entry[] }>,
  convert: (entries: Entry[]) => Promise<T> | T,
): AsyncGenerator<T> {
  let ahead = pages.next();
  let ended = false;
  try {
    while (true) {
      let next: IteratorResult<{ searchEntries: Entry[] }>;
      try {
        next = await ahead;
      } catch (error) {
        ended = true;
        throw toDirectoryError(error, server, 'read');
      }
      if (next.done) {
        ended = true;
        return;
      }
      ahead = pages.next();
      ahead.catch(() => {});
      let converted: T;
      try {
        converted = await convert(next.value.searchEntries);
      } catch (error) {
        throw toDirectoryError(error, server, 'read');
      }
      yield converted;
    }
  } finally {
    // Left early (the caller stopped, or a page failed to convert): the search is closed after the page asked
    // ahead, so that it ends on the server too (searchPages).
    if (!ended) await pages.return(undefined).catch(() => {});
  }
}

/**
 * AD's change notification search (LDAP_SERVER_NOTIFICATION_OID, 1.2.840.113556.1.4.528) over ldapts, on the
 * session's one connection (docs/architecture.md#changes-in-seconds).
 *
 * The DC answers such a search with no result: it sends a SearchResultEntry, with the search's message id,
 * each time an object in scope changes, for as long as the connection lives; it never sends searchDone unless
 * it ends the search (an error). ldapts 9.2 has no API for a search whose entries stream: `search()` collects
 * the entries until searchDone, and every request is failed after the client's `timeout`. So this file:
 *
 * - sends the SearchRequest through the client's `_send` with the timeout off for that one request (the
 *   timer is set synchronously in `_send`, so no other request can run unbounded);
 * - listens to the client's MessageParser (`messageParser`, an EventEmitter that emits every parsed message)
 *   for the entries of that message id, as they arrive;
 * - drops the entries ldapts keeps for the request (`messageDetailsByMessageId`) as each is told, so a watch
 *   held for hours holds no memory.
 *
 * Like OneConnectionClient, it wraps ldapts internals and fails loudly in the constructor if a new ldapts no
 * longer has them. The search fails (its promise rejects) when the connection closes, as every request on
 * it does (ldapts rejects the requests of a closed socket), and when the DC ends it.
 */
import type { EventEmitter } from 'node:events';
import {
  type ClientOptions,
  Control,
  type Entry,
  MessageResponseStatus,
  PresenceFilter,
  SearchEntry,
  SearchRequest,
  StatusCodeParser,
} from 'ldapts';
import type { DirectoryChange, DirectoryWatch } from '../../ports/directory-reader';
import { toDirectoryError } from './directory-errors';
import { OneConnectionClient } from './one-connection-client';
import { many } from './user-entry';

export const NOTIFICATION_OID = '1.2.840.113556.1.4.528';

/** The control carries no value (MS-ADTS 3.1.1.3.4.1.9); critical, so a DC without it refuses the search. */
export class NotificationControl extends Control {
  constructor() {
    super(NOTIFICATION_OID, { critical: true });
  }
}

interface NotificationInternals {
  readonly clientOptions: { timeout?: number | undefined };
  readonly messageParser: EventEmitter;
  readonly messageDetailsByMessageId: Map<string, { searchEntries?: unknown[] }>;
  _nextMessageId(): number;
  _send(message: unknown): Promise<SearchDone | undefined>;
}

/** A message the parser emits: an entry of the search, or anything else on the connection. */
interface ParsedMessage {
  readonly messageId: number;
}

/** The DC's searchDone, as StatusCodeParser reads it into an error. */
type SearchDone = Parameters<typeof StatusCodeParser.parse>[0];

export class NotificationClient extends OneConnectionClient {
  /** Whether this side closed the connection (unbind): a search it ends is not a failure. */
  closedByUs = false;

  constructor(options: ClientOptions) {
    super(options);
    const internals = this as unknown as NotificationInternals;
    if (
      typeof internals._send !== 'function' ||
      typeof internals._nextMessageId !== 'function' ||
      typeof internals.messageParser?.on !== 'function' ||
      !(internals.messageDetailsByMessageId instanceof Map) ||
      typeof internals.clientOptions !== 'object'
    ) {
      throw new Error(
        'ldapts no longer has the internals NotificationClient uses; review it before upgrading',
      );
    }
  }

  override async unbind(): Promise<void> {
    this.closedByUs = true;
    await super.unbind();
  }

  /**
   * Sends the notification search: subtree under `baseDn`, filter `(objectClass=*)` (the only one AD
   * accepts), returning `attributes`; `onEntry` is called with each entry as the DC sends it. The promise
   * rejects when the connection closes or the DC ends the search with an error, and resolves if it ends it
   * with success.
   */
  notificationSearch(
    baseDn: string,
    attributes: readonly string[],
    onEntry: (entry: Entry) => void,
  ): Promise<void> {
    const internals = this as unknown as NotificationInternals;
    const request = new SearchRequest({
      messageId: internals._nextMessageId(),
      baseDN: baseDn,
      scope: 'sub',
      filter: new PresenceFilter({ attribute: 'objectClass' }),
      attributes: [...attributes],
      controls: [new NotificationControl()],
    });
    const id = String(request.messageId);
    const listener = (message: ParsedMessage): void => {
      if (!(message instanceof SearchEntry) || String(message.messageId) !== id) return;
      // ldapts keeps the entries of a request until its searchDone, which never comes: drop them as told.
      const details = internals.messageDetailsByMessageId.get(id);
      if (details?.searchEntries) details.searchEntries.length = 0;
      onEntry(message.toObject([...attributes], []));
    };
    internals.messageParser.on('message', listener);
    const { timeout } = internals.clientOptions;
    // `_send` arms the request's timer synchronously: off for this request only.
    internals.clientOptions.timeout = 0;
    let sent: Promise<SearchDone | undefined>;
    try {
      sent = internals._send(request);
    } catch (error) {
      sent = Promise.reject(error);
    } finally {
      internals.clientOptions.timeout = timeout;
    }
    return sent
      .then((done) => {
        if (done && done.status !== MessageResponseStatus.Success) throw StatusCodeParser.parse(done);
      })
      .finally(() => internals.messageParser.off('message', listener));
  }
}

/** The attributes a notification carries: enough to tell a user or group from anything else. */
const NOTIFICATION_ATTRIBUTES = ['objectClass'] as const;

/**
 * The session's watch (DirectorySession.watchChanges): the notification search on `client`, its entries told
 * as changes, its end a DirectoryError, except when the session itself closed the connection (an unbind).
 */
export function watchNotifications(
  client: NotificationClient,
  server: string,
  namingContext: string,
  onChange: (change: DirectoryChange) => void,
): DirectoryWatch {
  const ended = client
    .notificationSearch(namingContext, NOTIFICATION_ATTRIBUTES, (entry) => {
      onChange({ dn: entry.dn, objectClasses: many(entry.objectClass) });
    })
    .catch((error: unknown) => {
      // The session's close (unbind) closes the connection as a drop would: not a failure then.
      if (client.closedByUs) return;
      throw toDirectoryError(error, server, 'watch');
    });
  return { ended };
}

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
  ResultCodeError,
  SearchEntry,
  SearchRequest,
  StatusCodeParser,
} from 'ldapts';
import type { DirectoryChange, DirectoryWatch, WatchOptions } from '../../ports/directory-reader';
import { toDirectoryError } from './directory-errors';
import { formatObjectGuid } from './object-guid';
import { OneConnectionClient } from './one-connection-client';
import { many } from './user-entry';

export const NOTIFICATION_OID = '1.2.840.113556.1.4.528';
export const SHOW_DELETED_OID = '1.2.840.113556.1.4.417';

/** The control carries no value (MS-ADTS 3.1.1.3.4.1.9); critical, so a DC without it refuses the search. */
export class NotificationControl extends Control {
  constructor() {
    super(NOTIFICATION_OID, { critical: true });
  }
}

/**
 * LDAP_SERVER_SHOW_DELETED_OID (MS-ADTS 3.1.1.3.4.1.14), no value: tombstones become visible to the search, as far
 * as the account may read them. Critical, so that a DC that will not honour it says so (the watch then goes on
 * without it) instead of silently notifying no deletion.
 */
export class ShowDeletedControl extends Control {
  constructor() {
    super(SHOW_DELETED_OID, { critical: true });
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
   * accepts), returning `attributes` (objectGUID as bytes); with `showDeleted`, the Show Deleted control too.
   * `onEntry` is called with each entry as the DC sends it. The promise rejects when the connection closes or
   * the DC ends the search with an error, and resolves if it ends it with success.
   */
  notificationSearch(
    baseDn: string,
    attributes: readonly string[],
    onEntry: (entry: Entry) => void,
    options: { readonly showDeleted?: boolean } = {},
  ): Promise<void> {
    const internals = this as unknown as NotificationInternals;
    const request = new SearchRequest({
      messageId: internals._nextMessageId(),
      baseDN: baseDn,
      scope: 'sub',
      filter: new PresenceFilter({ attribute: 'objectClass' }),
      attributes: [...attributes],
      controls: [new NotificationControl(), ...(options.showDeleted ? [new ShowDeletedControl()] : [])],
    });
    const id = String(request.messageId);
    const listener = (message: ParsedMessage): void => {
      if (!(message instanceof SearchEntry) || String(message.messageId) !== id) return;
      // ldapts keeps the entries of a request until its searchDone, which never comes: drop them as told.
      const details = internals.messageDetailsByMessageId.get(id);
      if (details?.searchEntries) details.searchEntries.length = 0;
      onEntry(message.toObject([...attributes], ['objectGUID']));
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

/**
 * The attributes a notification carries: enough to tell a user or group from anything else, and the object's
 * objectGUID (a user moved out of scope, or deleted, is known by it: its DN changed).
 */
const NOTIFICATION_ATTRIBUTES = ['objectClass', 'objectGUID'] as const;

/** The part of NotificationClient a watch uses (a test gives its own). */
export type NotificationSearcher = Pick<NotificationClient, 'notificationSearch' | 'closedByUs'>;

/** An entry as a change: its DN, classes and objectGUID (when the DC sent 16 readable bytes). */
function changeOf(entry: Entry): DirectoryChange {
  const guid = Array.isArray(entry.objectGUID) ? entry.objectGUID[0] : entry.objectGUID;
  return {
    dn: entry.dn,
    objectClasses: many(entry.objectClass),
    ...(Buffer.isBuffer(guid) && guid.length === 16 ? { objectGuid: formatObjectGuid(guid) } : {}),
  };
}

/**
 * The session's watch (DirectorySession.watchChanges): the notification search on `client`, its entries told
 * as changes, its end a DirectoryError, except when the session itself closed the connection (an unbind).
 *
 * With `showDeleted`, the search first carries the Show Deleted control. A DC that ends that search with a
 * result (a searchDone: the connection lives) before it has notified anything refused the control: the refusal
 * is told (`onShowDeletedRefused`) and the search is sent again without it, on the same connection. A dropped
 * connection, or an end after notifications came, is no refusal: the watch ends as it would without the control.
 */
export function watchNotifications(
  client: NotificationSearcher,
  server: string,
  namingContext: string,
  onChange: (change: DirectoryChange) => void,
  options: WatchOptions = {},
): DirectoryWatch {
  let notified = false;
  const search = (showDeleted: boolean): Promise<void> =>
    client.notificationSearch(
      namingContext,
      NOTIFICATION_ATTRIBUTES,
      (entry) => {
        notified = true;
        onChange(changeOf(entry));
      },
      { showDeleted },
    );
  const first = options.showDeleted
    ? search(true).catch((error: unknown) => {
        if (client.closedByUs || notified || !(error instanceof ResultCodeError)) throw error;
        options.onShowDeletedRefused?.(toDirectoryError(error, server, 'watch'));
        return search(false);
      })
    : search(false);
  const ended = first.catch((error: unknown) => {
    // The session's close (unbind) closes the connection as a drop would: not a failure then.
    if (client.closedByUs) return;
    throw toDirectoryError(error, server, 'watch');
  });
  return { ended };
}

/**
 * An ldapts Client that uses one connection for its whole life, and fails when that connection is gone.
 *
 * ldapts 9.2 opens a new connection by itself when an operation starts after the connection closed
 * (`_ensureConnected`): not bound (autoRebind is off, and must be: it would replay the password to whatever
 * answers), so a sync would go on reading as anonymous. After StartTLS it does not notice the drop at all
 * (the closed socket is not the one it watches) and waits for the operation's timeout. A run needs the one
 * connection it authenticated, so here a second connection is never opened and a request on a closed one
 * fails at once, with ConnectionLostError; the reader makes that a PartialReadError.
 *
 * Like CompletePagingClient, this wraps ldapts internals (`_connect`, `_send`) and fails loudly in the
 * constructor if a new ldapts no longer has them.
 */
import type { ClientOptions } from 'ldapts';
import { CompletePagingClient } from './complete-paging-client';

/** The connection of a client that never reconnects was lost between two requests. */
export class ConnectionLostError extends Error {
  constructor() {
    super('the connection was lost between two requests, and a new one would not be authenticated');
    this.name = 'ConnectionLostError';
  }
}

interface ConnectionInternals {
  readonly isConnected: boolean;
  readonly socket?: { readonly destroyed: boolean };
  _connect(): Promise<void> | undefined;
  _send(message: unknown): Promise<unknown>;
}

export class OneConnectionClient extends CompletePagingClient {
  constructor(options: ClientOptions) {
    super(options);
    const internals = this as unknown as ConnectionInternals;
    if (typeof internals._connect !== 'function' || typeof internals._send !== 'function') {
      throw new Error(
        'ldapts no longer has the internals OneConnectionClient replaces; review it before upgrading',
      );
    }
    const connect = internals._connect.bind(this);
    const send = internals._send.bind(this);
    let opened = false;
    internals._connect = () => {
      if (internals.isConnected) return connect();
      if (opened) return Promise.reject(new ConnectionLostError());
      opened = true;
      return connect();
    };
    internals._send = (message) =>
      internals.socket?.destroyed ? Promise.reject(new ConnectionLostError()) : send(message);
  }
}

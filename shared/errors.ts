/**
 * Named errors of ad-sync. Every failure the sync can decide on is one of these classes; LDAP result codes,
 * socket, TLS and timeout errors are translated into them once, in `adapters/ldap/directory-errors.ts`.
 * Each carries a stable `code` (reported in a run's `error.code` and in API error bodies) and its `cause`.
 */
/** What a caller is told of an error that is not one of ours: nothing (the details go to the log). */
export const INTERNAL_ERROR = {
  code: 'InternalError',
  message: 'Internal error; the details are in the service log',
} as const;

export abstract class AdSyncError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The same kind of error with a message that says more; the original becomes its cause. */
export function rephrase<E extends AdSyncError>(error: E, message: string): E {
  const Kind = error.constructor as new (message: string, options?: ErrorOptions) => E;
  return new Kind(message, { cause: error });
}

export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** Bad input: the configuration or a request body. `details` name each offending field path. */
export class ValidationError extends AdSyncError {
  readonly code = 'ValidationError';
  constructor(
    message: string,
    readonly details: readonly FieldIssue[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Failures talking to the directory. None of them ever leads to a delete: the run stops before applying. */
export abstract class DirectoryError extends AdSyncError {}

export class InvalidCredentialsError extends DirectoryError {
  readonly code = 'InvalidCredentials';
}
export class UnreachableError extends DirectoryError {
  readonly code = 'Unreachable';
}
export class TlsError extends DirectoryError {
  readonly code = 'Tls';
}
export class TimeoutError extends DirectoryError {
  readonly code = 'Timeout';
}
export class SizeLimitError extends DirectoryError {
  readonly code = 'SizeLimit';
}
export class TimeLimitError extends DirectoryError {
  readonly code = 'TimeLimit';
}
/** The read started but did not complete (connection dropped, paging cut short): its result is unusable. */
export class PartialReadError extends DirectoryError {
  readonly code = 'PartialRead';
}
/**
 * An attribute the sync decides on could not be read: not returned although every user has it (the bind
 * account may not read it), not a valid value, or not in the directory's schema. The read is incomplete.
 */
export class UnreadableAttributeError extends DirectoryError {
  readonly code = 'UnreadableAttribute';
}
export class InsufficientAccessError extends DirectoryError {
  readonly code = 'InsufficientAccess';
}
/** The base DN or a selected group does not exist in the directory. */
export class NoSuchObjectError extends DirectoryError {
  readonly code = 'NoSuchObject';
}
/** No domain controller could be found by DNS SRV discovery. */
export class DiscoveryError extends DirectoryError {
  readonly code = 'DiscoveryFailed';
}
/** Any other LDAP failure, with its result code in the message. */
export class LdapError extends DirectoryError {
  readonly code = 'LdapError';
}

/** A write was refused because the item changed since it was read (a concurrent apply, an edited user). */
export class ConcurrentModificationError extends AdSyncError {
  readonly code = 'ConcurrentModification';
}

/** The secret store holds no password for the bind account. */
export class MissingPasswordError extends AdSyncError {
  readonly code = 'MissingPassword';
}

/** The requested user, run or route does not exist. */
export class NotFoundError extends AdSyncError {
  readonly code = 'NotFound';
}

/** The route exists, the method does not. */
export class MethodNotAllowedError extends AdSyncError {
  readonly code = 'MethodNotAllowed';
}

/** The request body is larger than the API accepts. */
export class PayloadTooLargeError extends AdSyncError {
  readonly code = 'PayloadTooLarge';
}

/** No or a wrong bearer token (local stack; API Gateway does IAM authorization in AWS). */
export class UnauthorizedError extends AdSyncError {
  readonly code = 'Unauthorized';
}

/** Another sync holds the lock. */
export class SyncRunningError extends AdSyncError {
  readonly code = 'SyncRunning';
}

/** `If-Match` named a configuration version that is no longer current. */
export class VersionConflictError extends AdSyncError {
  readonly code = 'VersionConflict';
}

/** The operation is not allowed on this kind of user (the sync owns directory users). */
export class UserKindError extends AdSyncError {
  readonly code = 'DirectoryUser';
}

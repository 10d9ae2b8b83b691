/**
 * The one table that maps errors to HTTP statuses and the error body (docs/contract.md#http-api; its type
 * is the schema's, schemas.ts). Errors that are not ours become a generic 500 that exposes nothing.
 */
import {
  type AdSyncError,
  AmbiguousNameError,
  ApprovalMismatchError,
  ConcurrentModificationError,
  DirectoryError,
  DirectoryUnavailableError,
  INTERNAL_ERROR,
  LockedOutError,
  LogonRefusedError,
  MethodNotAllowedError,
  MisdirectedRequestError,
  MissingPasswordError,
  NotFoundError,
  PasswordTargetMismatchError,
  PayloadTooLargeError,
  StartFailedError,
  SyncRunningError,
  UnauthorizedError,
  UserKindError,
  ValidationError,
  VersionConflictError,
} from '../errors';
import type { DeepReadonly, ErrorBody } from './schemas';

type ErrorClass = abstract new (...args: never[]) => AdSyncError;

const STATUS_BY_ERROR: ReadonlyArray<readonly [ErrorClass, number]> = [
  [ValidationError, 400],
  [MissingPasswordError, 400],
  [PasswordTargetMismatchError, 400],
  [UnauthorizedError, 401],
  [LogonRefusedError, 401],
  [NotFoundError, 404],
  [MethodNotAllowedError, 405],
  [SyncRunningError, 409],
  [VersionConflictError, 409],
  [ApprovalMismatchError, 409],
  [ConcurrentModificationError, 409],
  [UserKindError, 409],
  [AmbiguousNameError, 409],
  [PayloadTooLargeError, 413],
  [MisdirectedRequestError, 421],
  [LockedOutError, 429],
  // The directory behind the API failed (unreachable, TLS, credentials): a bad gateway, with its reason.
  [DirectoryError, 502],
  // The function that runs the operation could not be invoked.
  [StartFailedError, 502],
  // A logon's password could not be checked: the directory is unavailable, not the API.
  [DirectoryUnavailableError, 503],
];

/** The headers an error's answer carries: how long a locked-out logon must wait (RFC 9110 Retry-After). */
function headersOf(error: AdSyncError): Record<string, string> {
  return error instanceof LockedOutError ? { 'retry-after': String(error.retryAfterSeconds) } : {};
}

/** Status, body and headers for an error; `known` is false for the generic 500. */
export function toHttpError(error: unknown): {
  statusCode: number;
  body: DeepReadonly<ErrorBody>;
  headers: Readonly<Record<string, string>>;
  known: boolean;
} {
  for (const [Kind, statusCode] of STATUS_BY_ERROR) {
    if (error instanceof Kind) {
      const listed =
        error instanceof ValidationError ||
        error instanceof SyncRunningError ||
        error instanceof AmbiguousNameError
          ? error.details
          : [];
      const details = listed.length > 0 ? { details: listed } : {};
      return {
        statusCode,
        body: { error: { code: error.code, message: error.message, ...details } },
        headers: headersOf(error),
        known: true,
      };
    }
  }
  return {
    statusCode: 500,
    body: { error: { ...INTERNAL_ERROR } },
    headers: {},
    known: false,
  };
}

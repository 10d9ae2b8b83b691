/**
 * The one table that maps errors to HTTP statuses and the error body (docs/contract.md#http-api; its type
 * is the schema's, schemas.ts). Errors that are not ours become a generic 500 that exposes nothing.
 */
import {
  type AdSyncError,
  ApprovalMismatchError,
  ConcurrentModificationError,
  DirectoryError,
  INTERNAL_ERROR,
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
  [NotFoundError, 404],
  [MethodNotAllowedError, 405],
  [SyncRunningError, 409],
  [VersionConflictError, 409],
  [ApprovalMismatchError, 409],
  [ConcurrentModificationError, 409],
  [UserKindError, 409],
  [PayloadTooLargeError, 413],
  [MisdirectedRequestError, 421],
  // The directory behind the API failed (unreachable, TLS, credentials): a bad gateway, with its reason.
  [DirectoryError, 502],
  // The function that runs the operation could not be invoked.
  [StartFailedError, 502],
];

/** Status and body for an error; `known` is false for the generic 500. */
export function toHttpError(error: unknown): {
  statusCode: number;
  body: DeepReadonly<ErrorBody>;
  known: boolean;
} {
  for (const [Kind, statusCode] of STATUS_BY_ERROR) {
    if (error instanceof Kind) {
      const listed =
        error instanceof ValidationError || error instanceof SyncRunningError ? error.details : [];
      const details = listed.length > 0 ? { details: listed } : {};
      return {
        statusCode,
        body: { error: { code: error.code, message: error.message, ...details } },
        known: true,
      };
    }
  }
  return {
    statusCode: 500,
    body: { error: { ...INTERNAL_ERROR } },
    known: false,
  };
}

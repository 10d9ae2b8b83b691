/** The CLI's wording of an error answer (cli/adsync.ts): a 409 names the sync that is running. */
import { describe, expect, it } from 'vitest';
import { describeApiError } from '../../../cli/adsync';
import { ApiError } from '../../../shared/api/client';

describe('describeApiError', () => {
  it('names the running run of a 409 SyncRunning and where to see it', () => {
    const error = new ApiError(409, 'SyncRunning', 'A sync is already running', [
      { path: 'runId', message: '01JD5Z3M7N' },
    ]);
    expect(describeApiError(error)).toBe(
      'error 409 SyncRunning: another sync is running (run 01JD5Z3M7N); try again when it has ended (adsync runs shows it)',
    );
  });

  it('says any other error with its code, message and each field detail', () => {
    const error = new ApiError(400, 'ValidationError', 'invalid configuration', [
      { path: 'config.connection.servers.0', message: 'must be a host name' },
    ]);
    expect(describeApiError(error)).toBe(
      'error 400 ValidationError: invalid configuration\n  config.connection.servers.0: must be a host name',
    );
  });

  it('keeps the message of a 409 that names no run', () => {
    expect(describeApiError(new ApiError(409, 'SyncRunning', 'A sync is already running'))).toBe(
      'error 409 SyncRunning: A sync is already running',
    );
  });

  it('says when a locked-out logon may try again, from Retry-After', () => {
    const error = new ApiError(429, 'LockedOut', 'Too many failed logons', [], 61);
    expect(describeApiError(error)).toBe(
      'error 429 LockedOut: too many failed logons of this user name in a row; try again in 61 seconds (about 2 minutes)',
    );
  });
});

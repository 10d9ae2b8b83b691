import { describe, expect, it } from 'vitest';
import { toHttpError } from '../../../shared/api/http-errors';
import {
  ConcurrentModificationError,
  InvalidCredentialsError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  SyncRunningError,
  UnauthorizedError,
  ValidationError,
  VersionConflictError,
} from '../../../shared/errors';

describe('toHttpError', () => {
  it.each([
    [new ValidationError('bad', [{ path: 'config.x', message: 'no' }]), 400],
    [new UnauthorizedError('who'), 401],
    [new NotFoundError('gone'), 404],
    [new MethodNotAllowedError('no'), 405],
    [new SyncRunningError('busy'), 409],
    [new VersionConflictError('stale'), 409],
    [new ConcurrentModificationError('taken'), 409],
    [new PayloadTooLargeError('big'), 413],
    [new InvalidCredentialsError('dc1:636 rejected the bind'), 502],
  ])('maps %s to %i with its code and message', (error, status) => {
    const { statusCode, body } = toHttpError(error);
    expect(statusCode).toBe(status);
    expect(body.error).toMatchObject({ code: error.code, message: error.message });
  });

  it('adds the field details of a validation error', () => {
    expect(
      toHttpError(new ValidationError('bad', [{ path: 'config.x', message: 'no' }])).body.error.details,
    ).toEqual([{ path: 'config.x', message: 'no' }]);
  });

  it('turns anything else into a 500 that exposes nothing', () => {
    const { statusCode, body, known } = toHttpError(
      new Error('ECONNREFUSED 10.0.0.5 at /var/task/index.js:12'),
    );
    expect(statusCode).toBe(500);
    expect(known).toBe(false);
    expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|10\.0\.0\.5|index\.js/);
    expect(body.error.code).toBe('InternalError');
  });
});

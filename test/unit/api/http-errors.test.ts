import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { parseInput } from '../../../shared/api/http-api';
import { toHttpError } from '../../../shared/api/http-errors';
import { putConfigBody } from '../../../shared/api/schemas';
import {
  ConcurrentModificationError,
  DirectoryUnavailableError,
  InvalidCredentialsError,
  LockedOutError,
  LogonRefusedError,
  MethodNotAllowedError,
  MisdirectedRequestError,
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
    [new MisdirectedRequestError('elsewhere'), 421],
    [new InvalidCredentialsError('dc1:636 rejected the bind'), 502],
    [new LogonRefusedError('The user name or password is wrong'), 401],
    [new LockedOutError('Too many failed logons', 900), 429],
    [new DirectoryUnavailableError('The directory could not check the password'), 503],
  ])('maps %s to %i with its code and message', (error, status) => {
    const { statusCode, body } = toHttpError(error);
    expect(statusCode).toBe(status);
    expect(body.error).toMatchObject({ code: error.code, message: error.message });
  });

  it('answers a refused logon as InvalidCredentials (401), not as a failing directory (502)', () => {
    expect(toHttpError(new LogonRefusedError('no')).body.error.code).toBe('InvalidCredentials');
    expect(toHttpError(new LogonRefusedError('no')).headers).toEqual({});
  });

  it('tells a locked-out logon when to try again (Retry-After, in seconds)', () => {
    expect(toHttpError(new LockedOutError('locked', 61))).toMatchObject({
      statusCode: 429,
      headers: { 'retry-after': '61' },
      body: { error: { code: 'LockedOut' } },
    });
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

describe('validation error bodies', () => {
  const connection = { servers: ['dc1.company.local'] };
  /** The 400 body of an input, as the API answers it. */
  const bodyOf = (schema: z.ZodType, input: unknown) => {
    try {
      parseInput(schema, input);
    } catch (error) {
      const { statusCode, body } = toHttpError(error);
      expect(statusCode).toBe(400);
      return { body, bytes: Buffer.byteLength(JSON.stringify(body)) };
    }
    throw new Error('the input was accepted');
  };

  it('list at most 100 problems and say how many more there are', () => {
    const { body, bytes } = bodyOf(
      z.array(z.string()),
      Array.from({ length: 85_000 }, () => 1),
    );
    expect(body.error.code).toBe('ValidationError');
    expect(body.error.details).toHaveLength(100);
    expect(body.error.details?.[0]).toEqual({ path: '0', message: expect.stringContaining('string') });
    expect(body.error.message).toMatch(/\.\.\. and 84900 more problems$/);
    expect(bytes).toBeLessThan(32 * 1024);
  });

  it('keep every problem when there are 100 or fewer', () => {
    const { body } = bodyOf(
      z.array(z.string()),
      Array.from({ length: 100 }, () => 1),
    );
    expect(body.error.details).toHaveLength(100);
    expect(body.error.message).not.toContain('more problems');
  });

  it('cut a long path or message short', () => {
    const { body, bytes } = bodyOf(putConfigBody, { config: { connection, ['k'.repeat(250_000)]: 1 } });
    expect(body.error.details).toEqual([
      { path: 'config', message: expect.stringMatching(/^Unrecognized key: "k+….{0,3}$/) },
    ]);
    expect(bytes).toBeLessThan(2 * 1024);
  });

  it('answer a body of 85,000 bad groups with a small 400, without checking each one', () => {
    const groups = Array.from({ length: 85_000 }, () => 1);
    const { body, bytes } = bodyOf(putConfigBody, { config: { connection, filters: { groups } } });
    expect(body.error.details).toEqual([{ path: 'config.filters.groups', message: expect.any(String) }]);
    expect(bytes).toBeLessThan(2 * 1024);
  });

  it('answer 20,000 unknown fields with a small 400', () => {
    const unknown = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`field${i}`, 1]));
    const { body, bytes } = bodyOf(putConfigBody, { config: { connection, ...unknown } });
    expect(body.error.details).toHaveLength(1);
    expect(bytes).toBeLessThan(2 * 1024);
  });
});

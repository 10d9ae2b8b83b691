/** The functions' environment, checked at cold start (shared/runtime/environment.ts): the credentials table. */
import { describe, expect, it } from 'vitest';
import {
  loadEnvironment,
  loadLogonEnvironment,
  loadUsersEnvironment,
} from '../../../shared/runtime/environment';

const BASE = { TABLE_NAME: 'ad-sync', SECRET_ID: 'arn:aws:secretsmanager:eu-central-1:1:secret:x' };

describe('the credentials table in the environment', () => {
  it("is asked for by the functions that keep or read local users' password hashes, naming the variable", () => {
    expect(() => loadUsersEnvironment(BASE)).toThrow(/^ad-sync is not configured: CREDENTIALS_TABLE_NAME: /);
    expect(() => loadLogonEnvironment({ TABLE_NAME: 'ad-sync' })).toThrow(/CREDENTIALS_TABLE_NAME: /);
    const env = { ...BASE, CREDENTIALS_TABLE_NAME: 'ad-sync-credentials' };
    expect(loadUsersEnvironment(env)).toMatchObject(env);
    expect(loadLogonEnvironment(env)).toEqual({
      TABLE_NAME: 'ad-sync',
      CREDENTIALS_TABLE_NAME: 'ad-sync-credentials',
    });
  });

  it('is not asked for by the others, which are not told of it in AWS', () => {
    expect(loadEnvironment(BASE).CREDENTIALS_TABLE_NAME).toBeUndefined();
  });
});

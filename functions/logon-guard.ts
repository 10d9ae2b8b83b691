/**
 * The logon guard (ports/account-guard.ts): invoked by the logon function only, never by the API. With the
 * service account, over the saved connection only, it reads on one DC what the DC says of an account's
 * lockout, so that a logon never makes the bind that could lock the account. It answers the standing, or the
 * error it met by code and message (which name no password); it changes nothing.
 */
import { accountGuardEvent, toStandingAnswer } from '../shared/adapters/lambda/account-guard-events';
import { AdSyncError } from '../shared/errors';
import { logger } from '../shared/runtime/logger';
import { logonGuardContext } from '../shared/runtime/logon-guard-context';
import { readAccountStanding } from '../shared/use-cases/account-standing';

const app = logonGuardContext();

export const handler = async (event: unknown) => {
  const request = accountGuardEvent.safeParse(event);
  if (!request.success) {
    return { error: { code: 'ValidationError', message: 'not a logon guard request' } };
  }
  try {
    return toStandingAnswer(await readAccountStanding(app, request.data));
  } catch (error) {
    logger.warn('account standing not read', { objectGuid: request.data.objectGuid, error });
    return error instanceof AdSyncError
      ? { error: { code: error.code, message: error.message } }
      : { error: { code: 'InternalError', message: 'the guard failed; the details are in its log' } };
  }
};

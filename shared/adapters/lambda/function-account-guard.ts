/**
 * The AccountGuard of the logon function: it asks the logon guard function (functions/logon-guard.ts), which
 * alone may read the service account's password. On AWS a synchronous invocation (`RequestResponse`); on the
 * local stack a call of the guard's handler in this process. What comes back is validated before a logon
 * binds on it; every failure is a DirectoryUnavailableError (the logon is not checked, 503).
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { AccountStanding } from '../../domain/account-lockout';
import { DirectoryUnavailableError } from '../../errors';
import type { AccountGuard, AccountGuardRequest } from '../../ports/account-guard';
import { type AccountGuardEvent, accountGuardAnswer, standingOf } from './account-guard-events';
import { invokeInProcess } from './in-process-starter';

type Invoke = (event: AccountGuardEvent) => Promise<unknown>;

export class FunctionAccountGuard implements AccountGuard {
  private constructor(private readonly invoke: Invoke) {}

  /** The guard function on AWS Lambda, by name. */
  static lambda(client: LambdaClient, functionName: string): FunctionAccountGuard {
    return new FunctionAccountGuard(async (event) => {
      const { FunctionError, Payload } = await client.send(
        new InvokeCommand({
          FunctionName: functionName,
          InvocationType: 'RequestResponse',
          Payload: new TextEncoder().encode(JSON.stringify(event)),
        }),
      );
      const text = Payload ? new TextDecoder().decode(Payload) : '';
      if (FunctionError) throw new Error(`the logon guard failed (${FunctionError}): ${text.slice(0, 500)}`);
      return JSON.parse(text) as unknown;
    });
  }

  /** The guard's handler in this process (the local stack, the tests that load the handlers). */
  static inProcess(): FunctionAccountGuard {
    return new FunctionAccountGuard((event) => invokeInProcess('logon-guard', event));
  }

  async standing(request: AccountGuardRequest): Promise<AccountStanding | undefined> {
    let answer: unknown;
    try {
      answer = await this.invoke({ source: 'ad-sync.logon-guard', ...request });
    } catch (error) {
      throw new DirectoryUnavailableError(
        `the logon guard could not be asked: ${(error as Error).message}`,
        false,
        {
          cause: error,
        },
      );
    }
    const parsed = accountGuardAnswer.safeParse(answer);
    if (!parsed.success) {
      throw new DirectoryUnavailableError(`the logon guard's answer is not valid: ${parsed.error.message}`);
    }
    if ('error' in parsed.data) {
      const { code, message } = parsed.data.error;
      throw new DirectoryUnavailableError(
        `the account's lockout state could not be read (${code}): ${message}`,
      );
    }
    return standingOf(parsed.data);
  }
}

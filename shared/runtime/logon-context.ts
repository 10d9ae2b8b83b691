/**
 * The logon function's dependencies (POST /logon): the configuration (the connection and the lockout
 * policy), the users and local users' password hashes, the failure counts, the logon guard (the guard function
 * on AWS, its handler in this process on the local stack), and binds as the user. It holds no secret store:
 * the service account's password is neither used nor readable here (its role may not read the secret either;
 * only the guard may). Refusals and lockouts go to the log and to CloudWatch metrics (LogonFailed,
 * LogonLockedOut), with the user name and the reason, never the password.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { ScryptPasswordHasher } from '../adapters/crypto/scrypt-password-hasher';
import { withoutSdkLogging } from '../adapters/dynamodb/documents';
import { DynamoConfigStore } from '../adapters/dynamodb/dynamo-config-store';
import { DynamoLogonAttempts } from '../adapters/dynamodb/dynamo-logon-attempts';
import { DynamoPasswordHashes } from '../adapters/dynamodb/dynamo-password-hashes';
import { DynamoUserStore } from '../adapters/dynamodb/dynamo-user-store';
import { FunctionAccountGuard } from '../adapters/lambda/function-account-guard';
import { LdapDirectoryAuthenticator } from '../adapters/ldap/ldap-directory-authenticator';
import type { LogonDependencies } from '../use-cases/logon';
import { type LogonEnvironment, loadLogonEnvironment } from './environment';
import { logger } from './logger';
import { MetricUnit, metrics } from './metrics';
import { tracedClient } from './tracer';

export function logonContext(env: LogonEnvironment = loadLogonEnvironment()): LogonDependencies {
  const dynamodb = tracedClient(withoutSdkLogging(new DynamoDBClient({})));
  return {
    configs: new DynamoConfigStore(dynamodb, env.TABLE_NAME),
    users: new DynamoUserStore(dynamodb, env.TABLE_NAME),
    passwordHashes: new DynamoPasswordHashes(dynamodb, {
      credentials: env.CREDENTIALS_TABLE_NAME,
      earlier: env.TABLE_NAME,
    }),
    hasher: new ScryptPasswordHasher(),
    attempts: new DynamoLogonAttempts(dynamodb, env.TABLE_NAME),
    directory: new LdapDirectoryAuthenticator(),
    guard: env.LOGON_GUARD_FUNCTION_NAME
      ? FunctionAccountGuard.lambda(tracedClient(new LambdaClient({})), env.LOGON_GUARD_FUNCTION_NAME)
      : FunctionAccountGuard.inProcess(),
    onRefused: (refused) => {
      logger.warn('logon refused', { ...refused });
      metrics.addMetric('LogonFailed', MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
    },
    onLockedOut: (lockedOut) => {
      logger.warn('logon locked out', { ...lockedOut });
      metrics.addMetric('LogonLockedOut', MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
    },
    onUnavailable: ({ userName, error }) => {
      logger.error('logon not checked: the directory is unavailable', {
        userName,
        passwordSent: error.passwordSent,
        error,
      });
    },
  };
}

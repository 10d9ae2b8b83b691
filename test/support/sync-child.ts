/**
 * A sync in a process of its own, for the crash test: Synchronize now against the DynamoDB Local and the
 * table named in the environment, with the lock and the lease given there.
 */
import { localDynamoDbClient } from '../../local/dynamodb-local';
import { DynamoConfigStore } from '../../shared/adapters/dynamodb/dynamo-config-store';
import { DynamoRunLock } from '../../shared/adapters/dynamodb/dynamo-run-lock';
import { DynamoRunStore } from '../../shared/adapters/dynamodb/dynamo-run-store';
import { DynamoUserStore } from '../../shared/adapters/dynamodb/dynamo-user-store';
import { LdapDirectoryReader } from '../../shared/adapters/ldap/ldap-directory-reader';
import { synchronizeNow } from '../../shared/use-cases/synchronize-now';
import { savedWithConfiguration } from './saved-password';

const { CHILD_ENDPOINT, CHILD_TABLE, CHILD_PASSWORD, CHILD_LEASE_SECONDS } = process.env;
if (!CHILD_ENDPOINT || !CHILD_TABLE || !CHILD_PASSWORD)
  throw new Error('CHILD_ENDPOINT, CHILD_TABLE and CHILD_PASSWORD are required');

const client = localDynamoDbClient(CHILD_ENDPOINT);
const configs = new DynamoConfigStore(client, CHILD_TABLE);
const report = await synchronizeNow({
  directory: new LdapDirectoryReader(),
  users: new DynamoUserStore(client, CHILD_TABLE),
  runs: new DynamoRunStore(client, CHILD_TABLE),
  configs,
  lock: new DynamoRunLock(client, CHILD_TABLE),
  secrets: savedWithConfiguration(configs, CHILD_PASSWORD),
  leaseSeconds: Number(CHILD_LEASE_SECONDS ?? 900),
});
process.stdout.write(`${JSON.stringify({ status: report.status, counts: report.counts })}\n`);
client.destroy();

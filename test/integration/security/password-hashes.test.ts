/**
 * Local users' password hashes never reach a reader of the table's stream (issue 27, finding 3). The stream
 * (NEW_AND_OLD_IMAGES) is read by roles that may not read hashes (the sync function's, the change-events
 * pipe's: GetRecords takes no key condition), so the users function keeps the hashes in the credentials table,
 * which has no stream. Through the handlers, as deployed, on DynamoDB Local: the stream is read after a local
 * user's password is set, used and deleted, and holds the user's items but nothing of its hash. A hash saved in
 * the one table before the credentials table existed still logs its user on, and never a later holder of the
 * name.
 */
import { DescribeTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScryptPasswordHasher } from '../../../shared/adapters/crypto/scrypt-password-hasher';
import { passwordKey, userKey } from '../../../shared/adapters/dynamodb/keys';
import type { User } from '../../../shared/domain/user';
import type { JsonResponse } from '../../support/api-events';
import { dynamoDbClient, scanAll } from '../../support/clients';
import { type LoadedHandlers, loadHandlers } from '../../support/lambda-handlers';
import { TestTableStore } from '../../support/table-store';
import { type TableStream, tableStream } from '../../support/table-stream';

const dynamodb = dynamoDbClient();
let loaded: LoadedHandlers;
let stream: TableStream;

const status = (response: JsonResponse): number => response.statusCode;
const logon = (userName: string, password: string) =>
  loaded.call('logon', 'POST', '/logon', { body: { userName, password } });

beforeAll(async () => {
  loaded = await loadHandlers({ stream: true });
  stream = await tableStream(loaded.tableName);
});

afterAll(() => {
  stream.close();
  dynamodb.destroy();
});

describe("a local user's password hash", () => {
  it('is in no record of the stream: not when the password is set, used, or deleted with its user', async () => {
    const password = 'stream reader cannot see this';
    const created = await loaded.call('users', 'POST', '/users', { body: { userName: 'Hasher', password } });
    expect(status(created)).toBe(201);
    const [stored] = await scanAll(dynamodb, loaded.credentialsTableName);
    const hash = stored?.passwordHash?.S ?? '';
    expect(hash).toMatch(/^scrypt\$/);
    expect(status(await logon('hasher', password))).toBe(200);
    expect(status(await logon('hasher', 'a wrong password'))).toBe(401);
    expect(status(await loaded.call('users', 'DELETE', '/users/hasher'))).toBe(204);

    const records = await stream.readNew();
    // The stream did carry the user: its creation and its delete.
    const ofUser = records.filter((record) => record.dynamodb?.Keys?.pk?.S === userKey('hasher').pk);
    expect(ofUser.map((record) => record.eventName)).toEqual(['INSERT', 'REMOVE']);
    // Nothing of the hash, nor of its item, nor of the password.
    const text = JSON.stringify(records);
    expect(text).not.toContain(hash);
    expect(text).not.toContain(hash.split('$').at(-1) as string);
    expect(text).not.toMatch(/scrypt|passwordHash|PASSWORD#/);
    expect(text).not.toContain(password);
  });

  it('is kept in a table that has no stream at all', async () => {
    const described = await dynamodb.send(
      new DescribeTableCommand({ TableName: loaded.credentialsTableName }),
    );
    expect(described.Table?.StreamSpecification?.StreamEnabled ?? false).toBe(false);
    expect(described.Table?.LatestStreamArn).toBeUndefined();
    expect(described.Table?.GlobalSecondaryIndexes).toBeUndefined();
  });
});

describe('a hash saved in the one table before the credentials table existed', () => {
  it('still logs its user on, and never a user created under that name since', async () => {
    // As the release before left it: a local user item, and its hash in a PASSWORD# item beside it.
    const store = new TestTableStore(dynamodb, loaded.tableName);
    const earlier: User = {
      userName: 'earlier',
      fullName: 'Earlier',
      emailAddresses: [],
      authentication: 'local',
      privileges: ['login'],
      ownArchiveAccess: ['read'],
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
    await store.createUser(earlier);
    const passwordHash = await new ScryptPasswordHasher().hash('the earlier password');
    await dynamodb.send(
      new PutItemCommand({
        TableName: loaded.tableName,
        Item: marshall({ ...passwordKey('earlier'), passwordHash }),
      }),
    );
    expect(status(await logon('earlier', 'the earlier password'))).toBe(200);

    // Deleted and created again without a password: the hash left in the one table is not its.
    expect(status(await loaded.call('users', 'DELETE', '/users/earlier'))).toBe(204);
    expect(status(await loaded.call('users', 'POST', '/users', { body: { userName: 'earlier' } }))).toBe(201);
    expect(status(await logon('earlier', 'the earlier password'))).toBe(401);
  });
});

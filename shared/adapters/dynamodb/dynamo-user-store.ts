/**
 * The users of the single DynamoDB table (docs/data-model.md): what the sync looks up and writes (UserStore)
 * and what the admin routes manage (UserAdministration). A local user's password hash goes to the credentials
 * table (table.ts), written and deleted in the same transaction as the user: the one table's stream, which
 * other roles read, never carries a hash.
 *
 * The sync's changes are conditional writes (change-writes.ts) that go out in transactions of up to 100
 * actions (transactions.ts); a change refused by its condition is reported as a conflict, or as already
 * applied when the item found is the one the change wanted. A deleted or renamed user's archive folders
 * follow the archive-folder rule (domain/archive-folder.ts) once the change has committed.
 */
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { PlannedChange } from '../../domain/plan-sync';
import type { User } from '../../domain/user';
import { ConcurrentModificationError, NotFoundError, UserKindError } from '../../errors';
import type { UserAdministration } from '../../ports/user-administration';
import type {
  ApplyContext,
  ApplyResult,
  UserGuidIndex,
  UserStore,
  UserSyncState,
} from '../../ports/user-store';
import { type ChangeWrite, changeWrite, conflictReason, isAlreadyApplied } from './change-writes';
import { documentClient, kindQuery, queryAll, queryPages } from './documents';
import { DynamoArchiveFolders } from './dynamo-archive-folders';
import { forEachConcurrently } from './for-each-concurrently';
import { guidIndexKey, kindIndex, passwordKey, userKey } from './keys';
import { tableKeys } from './table';
import { writeInTransactions } from './transactions';
import { fromUserItem, toUserItem, USER_SYNC_STATE_ATTRIBUTES, type UserItem } from './user-items';
import { decodeUserCursor, encodeUserCursor } from './user-page-cursor';

/** How many owners' archive folders one transaction's follow-up reads and updates at a time. */
const PARALLEL_OWNERS = 8;

export class DynamoUserStore implements UserStore, UserAdministration, UserGuidIndex {
  private readonly documents: DynamoDBDocumentClient;
  private readonly folders: DynamoArchiveFolders;

  /**
   * `credentialsTable`: where local users' password hashes go; without it (the sync, the read routes) local
   * users cannot be created with a password.
   */
  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    private readonly credentialsTable?: string,
  ) {
    this.documents = documentClient(client);
    this.folders = new DynamoArchiveFolders(this.documents, tableName);
  }

  async *userPages(): AsyncGenerator<User[]> {
    for await (const items of queryPages(this.documents, kindQuery(this.tableName, kindIndex.users))) {
      yield items.map(fromUserItem);
    }
  }

  /** A count of the users index (the listing's query), filtered to directory users: no item is returned. */
  async countDirectoryUsers(): Promise<number> {
    const query = kindQuery(this.tableName, kindIndex.users);
    let count = 0;
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          ...query,
          Select: 'COUNT',
          FilterExpression: '#authentication = :directory',
          ExpressionAttributeNames: {
            ...query.ExpressionAttributeNames,
            '#authentication': 'authentication',
          },
          ExpressionAttributeValues: {
            ...query.ExpressionAttributeValues,
            ':directory': 'directoryServices',
          },
          ExclusiveStartKey,
        }),
      );
      count += page.Count ?? 0;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return count;
  }

  /**
   * By name: BatchGetItem with ConsistentRead (100 keys a request). By objectGUID: a Query of the guid index
   * (gsi1) each, which DynamoDB keeps eventually consistent (a GSI cannot be read consistently), so an item
   * written moments ago may be answered as it was or not at all; an item found both ways is the index's.
   */
  async findUsers(guids: readonly string[], userNames: readonly string[]): Promise<User[]> {
    const found = new Map<string, UserItem>();
    const byName = [...new Set(userNames.map((name) => name.toLowerCase()))];
    const batches: string[][] = [];
    for (let i = 0; i < byName.length; i += 100) batches.push(byName.slice(i, i + 100));
    const getBatch = async (names: readonly string[]): Promise<void> => {
      let keys: Record<string, unknown>[] = names.map((name) => userKey(name));
      while (keys.length > 0) {
        const page = await this.documents.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const item of page.Responses?.[this.tableName] ?? [])
          found.set(String(item.pk), fromUserItem(item));
        keys = (page.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, unknown>[];
      }
    };
    await forEachConcurrently(batches, 4, getBatch);
    await forEachConcurrently(guids, 16, async (guid) => {
      for (const item of await queryAll(this.documents, {
        TableName: this.tableName,
        IndexName: tableKeys.byGuid.indexName,
        KeyConditionExpression: '#guid = :guid',
        ExpressionAttributeNames: { '#guid': tableKeys.byGuid.partitionKey },
        ExpressionAttributeValues: { ':guid': guidIndexKey(guid)[tableKeys.byGuid.partitionKey] },
      })) {
        found.set(String(item.pk), fromUserItem(item));
      }
    });
    return [...found.values()];
  }

  /**
   * A Query of the guid index (gsi1) that names only the sync state's attributes, with Select SPECIFIC_ATTRIBUTES:
   * the watcher's role allows no other (cdk/watcher.ts), and a query without a projection reads whole items.
   */
  async syncStatesByGuid(objectGuid: string): Promise<UserSyncState[]> {
    const names = Object.fromEntries(USER_SYNC_STATE_ATTRIBUTES.map((name) => [`#${name}`, name]));
    const items = await queryAll(this.documents, {
      TableName: this.tableName,
      IndexName: tableKeys.byGuid.indexName,
      KeyConditionExpression: '#guid = :guid',
      Select: 'SPECIFIC_ATTRIBUTES',
      ProjectionExpression: Object.keys(names).join(', '),
      ExpressionAttributeNames: { '#guid': tableKeys.byGuid.partitionKey, ...names },
      ExpressionAttributeValues: { ':guid': guidIndexKey(objectGuid)[tableKeys.byGuid.partitionKey] },
    });
    return items as unknown as UserSyncState[];
  }

  async applyChanges(changes: readonly PlannedChange[], context: ApplyContext): Promise<ApplyResult> {
    const writes = changes.flatMap((change) => {
      const write = changeWrite(this.tableName, change, context);
      return write ? [write] : [];
    });
    // The owners of one transaction are distinct users, whose folders are distinct: followed side by side
    // (a mass delete is a thousand owners, each a read of its folders).
    const afterCommit = async (done: readonly ChangeWrite[]): Promise<void> => {
      const owners = done.flatMap((write) => (write.owner ? [write.owner] : []));
      await forEachConcurrently(owners, PARALLEL_OWNERS, (owner) =>
        this.folders.followOwner(owner, context.now),
      );
    };
    const first = await writeInTransactions<ChangeWrite>(this.documents, writes, afterCommit);
    // A delete's mark committed: now its removal, on the version the mark wrote.
    const removals = first.committed.flatMap((write) => (write.removal ? [write.removal] : []));
    const second = await writeInTransactions<ChangeWrite>(this.documents, removals, afterCommit);
    const conflicts: { change: PlannedChange; reason: string }[] = [];
    let alreadyApplied = 0;
    for (const { write, found } of [...first.refused, ...second.refused]) {
      if (isAlreadyApplied(write.change, found)) alreadyApplied += 1;
      else conflicts.push({ change: write.change, reason: conflictReason(write.change, found) });
    }
    const applied = [...first.committed.filter((write) => !write.removal), ...second.committed];
    return { applied: applied.map((write) => write.change), conflicts, alreadyApplied };
  }

  async getUser(userName: string): Promise<User | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: userKey(userName), ConsistentRead: true }),
    );
    return Item ? fromUserItem(Item) : undefined;
  }

  async listUsersPage(limit: number, cursor?: string): Promise<{ users: User[]; cursor?: string }> {
    const page = await this.documents.send(
      new QueryCommand({
        ...kindQuery(this.tableName, kindIndex.users),
        Limit: limit,
        ...(cursor ? { ExclusiveStartKey: decodeUserCursor(cursor) } : {}),
      }),
    );
    const users = (page.Items ?? []).map(fromUserItem);
    return page.LastEvaluatedKey ? { users, cursor: encodeUserCursor(page.LastEvaluatedKey) } : { users };
  }

  /** Deletes a local user and its item in the credentials table (its password hash), in one transaction. */
  async deleteLocalUser(userName: string): Promise<void> {
    const credentials = this.credentialsTable;
    try {
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.tableName,
                Key: userKey(userName),
                ConditionExpression: '#authentication = :local',
                ExpressionAttributeNames: { '#authentication': 'authentication' },
                ExpressionAttributeValues: { ':local': 'local' },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            ...(credentials ? [{ Delete: { TableName: credentials, Key: passwordKey(userName) } }] : []),
          ],
        }),
      );
    } catch (error) {
      const [user] = (error instanceof TransactionCanceledException && error.CancellationReasons) || [];
      if (user?.Code !== 'ConditionalCheckFailed') throw error;
      if (!user.Item) throw new NotFoundError(`there is no user named ${userName}`, { cause: error });
      throw new UserKindError(
        `${userName} is a directory user: the sync manages it (remove it from the sync's scope in Active Directory)`,
        { cause: error },
      );
    }
  }

  /**
   * Adds a user. A local user gets an item in the credentials table (keys.ts: passwordKey), with its password
   * hash when it has one, written in the same transaction: reading users never reads hashes, and the item
   * stands for the name, so that a hash saved for an earlier holder of it before that table existed is never
   * read (dynamo-password-hashes.ts).
   */
  async createUser(user: User, passwordHash?: string): Promise<void> {
    const create = {
      TableName: this.tableName,
      Item: toUserItem(user, 1),
      ConditionExpression: 'attribute_not_exists(pk)',
    };
    const credentials = user.authentication === 'local' ? this.credentialsTable : undefined;
    if (passwordHash !== undefined && credentials === undefined) {
      throw new Error(`no credentials table to keep the password hash of ${user.userName} in`);
    }
    try {
      if (credentials === undefined) {
        await this.documents.send(new PutCommand(create));
      } else {
        const item = {
          ...passwordKey(user.userName),
          ...(passwordHash !== undefined ? { passwordHash } : {}),
        };
        await this.documents.send(
          new TransactWriteCommand({
            TransactItems: [{ Put: create }, { Put: { TableName: credentials, Item: item } }],
          }),
        );
      }
    } catch (error) {
      const [taken] = (error instanceof TransactionCanceledException && error.CancellationReasons) || [];
      if (error instanceof ConditionalCheckFailedException || taken?.Code === 'ConditionalCheckFailed') {
        throw new ConcurrentModificationError(`a user named ${user.userName} already exists`, {
          cause: error,
        });
      }
      throw error;
    }
  }
}

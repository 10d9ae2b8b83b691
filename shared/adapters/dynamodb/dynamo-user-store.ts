/**
 * UserStore and RunStore on the single DynamoDB table (docs/data-model.md).
 *
 * Every write is conditional, so a repeated or concurrent apply can neither duplicate nor lose a user:
 * a user's key is its lower-cased name (one user per name, case-insensitively), creates require the key to
 * be free, and updates and deletes require the version they were planned from. Writes go out in
 * transactions of up to 100 actions; a transaction cancelled by a failed condition is retried without the
 * actions that failed, which are reported (as conflicts, or as already applied when the item found is the
 * one the change wanted).
 */
import { randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Config } from '../../config/config-schema';
import type { PlannedChange } from '../../domain/plan-sync';
import type { Report, RunSummary } from '../../domain/report';
import type { MappedUser, User } from '../../domain/user';
import { ConcurrentModificationError, NotFoundError, UserKindError, ValidationError } from '../../errors';
import type { ApplyResult, ArchiveFolder, RunStore, UserStore } from '../../ports/user-store';
import {
  archiveFolderKey,
  guidIndexKey,
  isRunChunkOf,
  isUserPartitionKey,
  kindIndex,
  passwordKey,
  RUN_SUMMARY_SORT_KEY,
  type RunChunkKind,
  runChunkSortKey,
  runIndexKeys,
  runKey,
  userIndexKeys,
  userKey,
} from './keys';
import { tableKeys, withoutKeys } from './table';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type Item = Record<string, unknown>;

const MAX_TRANSACTION_ACTIONS = 100;
const PARALLEL_TRANSACTIONS = 4;
const MAX_CONTENDED_RETRIES = 3;
/** Changes and exclusions of a run are stored in chunks of at most this much JSON (DynamoDB's item limit is 400 KB). */
const RUN_CHUNK_BYTES = 300_000;

/** A stored user: the User plus its version (for conditional writes) and its archive folder. */
interface UserItem extends User {
  readonly version: number;
}

function toUserItem(user: User, version: number): Item {
  return { ...userKey(user.userName), ...userIndexKeys(user.userName, user.objectGuid), ...user, version };
}

function fromUserItem(item: Item): UserItem {
  // Users written before hashes had items of their own may still carry one: it is never returned.
  const { passwordHash: _p, ...user } = withoutKeys(item);
  return user as unknown as UserItem;
}

/** The user a create or update writes: maintained fields from the directory, the rest kept or defaulted. */
function directoryUser(
  target: MappedUser,
  base: Pick<User, 'privileges' | 'ownArchiveAccess' | 'createdAt'>,
  now: string,
): User {
  return {
    userName: target.userName,
    fullName: target.fullName,
    emailAddresses: target.emailAddresses,
    authentication: 'directoryServices',
    distinguishedName: target.distinguishedName,
    ...(target.userPrincipalName ? { userPrincipalName: target.userPrincipalName } : {}),
    objectGuid: target.objectGuid,
    privileges: base.privileges,
    ownArchiveAccess: base.ownArchiveAccess,
    createdAt: base.createdAt,
    updatedAt: now,
  };
}

/** Condition that the stored user is still the one the change was planned from. */
const unchangedSincePlanned = (current: User) => ({
  ConditionExpression: '#version = :version AND #authentication = :directory',
  ExpressionAttributeNames: { '#version': 'version', '#authentication': 'authentication' },
  ExpressionAttributeValues: {
    ':version': (current as UserItem).version ?? 0,
    ':directory': 'directoryServices',
  },
});

interface PendingChange {
  readonly change: PlannedChange;
  readonly actions: TransactItem[];
  /** Runs after the transaction committed (archive folder housekeeping of a delete). */
  readonly after?: () => Promise<void>;
}

export class DynamoUserStore implements UserStore, RunStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.documents = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
    });
  }

  /** A query of the kind index: every item of a kind (keys.ts: kindIndex), or those of one name. */
  private kindQuery(kind: string, name?: string): QueryCommandInput {
    return {
      TableName: this.tableName,
      IndexName: tableKeys.byKind.indexName,
      KeyConditionExpression: name === undefined ? '#kind = :kind' : '#kind = :kind AND #name = :name',
      ExpressionAttributeNames: {
        '#kind': tableKeys.byKind.partitionKey,
        ...(name === undefined ? {} : { '#name': tableKeys.byKind.sortKey }),
      },
      ExpressionAttributeValues: { ':kind': kind, ...(name === undefined ? {} : { ':name': name }) },
    };
  }

  async listUsers(): Promise<User[]> {
    return (await this.queryAll(this.kindQuery(kindIndex.users))).map(fromUserItem);
  }

  async *userPages(): AsyncGenerator<User[]> {
    for await (const items of this.queryPages(this.kindQuery(kindIndex.users))) yield items.map(fromUserItem);
  }

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
      for (const item of await this.queryAll({
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

  async getUser(userName: string): Promise<User | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: userKey(userName), ConsistentRead: true }),
    );
    return Item ? fromUserItem(Item) : undefined;
  }

  async listUsersPage(limit: number, cursor?: string): Promise<{ users: User[]; cursor?: string }> {
    const page = await this.documents.send(
      new QueryCommand({
        ...this.kindQuery(kindIndex.users),
        Limit: limit,
        ...(cursor ? { ExclusiveStartKey: decodeCursor(cursor) } : {}),
      }),
    );
    const users = (page.Items ?? []).map(fromUserItem);
    return page.LastEvaluatedKey ? { users, cursor: encodeCursor(page.LastEvaluatedKey) } : { users };
  }

  /** Deletes a local user and its password hash, in one transaction. */
  async deleteLocalUser(userName: string): Promise<void> {
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
            { Delete: { TableName: this.tableName, Key: passwordKey(userName) } },
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
   * Adds a user; a local user's password hash goes into an item of its own (keys.ts: passwordKey), written in
   * the same transaction, so that reading users never reads hashes.
   */
  async createUser(user: User, passwordHash?: string): Promise<void> {
    const create = {
      TableName: this.tableName,
      Item: toUserItem(user, 1),
      ConditionExpression: 'attribute_not_exists(pk)',
    };
    try {
      if (passwordHash === undefined) {
        await this.documents.send(new PutCommand(create));
      } else {
        await this.documents.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: create },
              { Put: { TableName: this.tableName, Item: { ...passwordKey(user.userName), passwordHash } } },
            ],
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

  async getArchiveFolder(userName: string): Promise<ArchiveFolder | undefined> {
    const folders = (await this.foldersOf(userName)).map(toFolder);
    return folders.find((folder) => !folder.ownerDeletedAt) ?? folders.at(-1);
  }

  /**
   * What the archive application does when it archives a user's messages: creates the user's archive
   * folder on first use and counts the messages in it. The sync never creates folders; it only removes an
   * empty one with its user, keeps one that holds messages, and moves folders along with a rename.
   */
  async addArchivedMessages(userName: string, count: number): Promise<void> {
    const folder = (await this.foldersOf(userName)).find((item) => !item.ownerDeletedAt);
    const folderId = folder ? String(folder.folderId) : randomUUID();
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: archiveFolderKey(folderId),
        UpdateExpression:
          'SET folderId = :id, ownerUserName = :owner, #kind = :archives, #name = :name, messageCount = if_not_exists(messageCount, :zero) + :count',
        ExpressionAttributeNames: {
          '#kind': tableKeys.byKind.partitionKey,
          '#name': tableKeys.byKind.sortKey,
        },
        ExpressionAttributeValues: {
          ':id': folderId,
          ':owner': userName,
          ':archives': kindIndex.archives,
          ':name': userName.toLowerCase(),
          ':zero': 0,
          ':count': count,
        },
      }),
    );
  }

  /** Archive folders owned by this name (the archives listing of the kind index). */
  private foldersOf(userName: string): Promise<Item[]> {
    return this.queryAll(this.kindQuery(kindIndex.archives, userName.toLowerCase()));
  }

  async applyChanges(
    changes: readonly PlannedChange[],
    defaults: Config['defaultPrivileges'],
    now: string,
  ): Promise<ApplyResult> {
    const pending = changes.flatMap((change) => {
      const write = this.writeFor(change, defaults, now);
      return write ? [write] : [];
    });
    const batches: PendingChange[][] = [];
    let batch: PendingChange[] = [];
    let size = 0;
    for (const write of pending) {
      if (size + write.actions.length > MAX_TRANSACTION_ACTIONS) {
        batches.push(batch);
        batch = [];
        size = 0;
      }
      batch.push(write);
      size += write.actions.length;
    }
    if (batch.length > 0) batches.push(batch);

    const applied: PlannedChange[] = [];
    const conflicts: { change: PlannedChange; reason: string }[] = [];
    let alreadyApplied = 0;
    // The first failure stops every worker from taking another batch: nothing is written after the apply
    // step has failed (and its run has released the lock).
    await forEachConcurrently(batches, PARALLEL_TRANSACTIONS, async (current) => {
      const outcome = await this.commit(current);
      applied.push(...outcome.applied.map((w) => w.change));
      conflicts.push(...outcome.conflicts);
      alreadyApplied += outcome.alreadyApplied;
      for (const write of outcome.applied) await write.after?.();
    });
    return { applied, conflicts, alreadyApplied };
  }

  /** Commits one transaction; on failed conditions, sorts out the culprits and retries the rest. */
  private async commit(writes: PendingChange[]): Promise<{
    applied: PendingChange[];
    conflicts: { change: PlannedChange; reason: string }[];
    alreadyApplied: number;
  }> {
    const conflicts: { change: PlannedChange; reason: string }[] = [];
    let alreadyApplied = 0;
    let remaining = writes;
    let contended = 0;
    while (remaining.length > 0) {
      try {
        await this.documents.send(
          new TransactWriteCommand({
            TransactItems: remaining.flatMap((w) => w.actions),
            ClientRequestToken: randomUUID(),
          }),
        );
        return { applied: remaining, conflicts, alreadyApplied };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException) || !error.CancellationReasons) throw error;
        const reasons = error.CancellationReasons;
        const failed = new Set<PendingChange>();
        let index = 0;
        for (const write of remaining) {
          for (let i = 0; i < write.actions.length; i += 1, index += 1) {
            const reason = reasons[index];
            if (reason?.Code !== 'ConditionalCheckFailed') continue;
            if (failed.has(write)) continue;
            failed.add(write);
            const found = reason.Item ? unmarshall(reason.Item as Record<string, AttributeValue>) : undefined;
            if (isAlreadyApplied(write.change, found)) alreadyApplied += 1;
            else conflicts.push({ change: write.change, reason: conflictReason(write.change, found) });
          }
        }
        if (failed.size === 0) {
          // Another write touched one of these items at the same moment: transient, try again a few times.
          const transient = reasons.every((r) => r.Code === 'None' || r.Code === 'TransactionConflict');
          if (transient && contended < MAX_CONTENDED_RETRIES) {
            contended += 1;
            await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** contended));
            continue;
          }
          // Anything else (throttling past the SDK's retries): the apply fails; the next run re-plans.
          throw error;
        }
        remaining = remaining.filter((w) => !failed.has(w));
      }
    }
    return { applied: [], conflicts, alreadyApplied };
  }

  private writeFor(
    change: PlannedChange,
    defaults: Config['defaultPrivileges'],
    now: string,
  ): PendingChange | undefined {
    const TableName = this.tableName;
    switch (change.action) {
      case 'create': {
        const user = directoryUser(change.target, { ...defaults, createdAt: now }, now);
        return {
          change,
          actions: [
            {
              Put: {
                TableName,
                Item: toUserItem(user, 1),
                ConditionExpression: 'attribute_not_exists(pk)',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
          ],
        };
      }
      case 'update': {
        const current = change.current as UserItem;
        const user = directoryUser(change.target, current, now);
        const item = toUserItem(user, current.version + 1);
        if (user.userName.toLowerCase() === current.userName.toLowerCase()) {
          return {
            change,
            actions: [
              {
                Put: {
                  TableName,
                  Item: item,
                  ...unchangedSincePlanned(current),
                  ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
                },
              },
            ],
          };
        }
        // A rename moves the user to its new key, both halves in the same transaction; its archive
        // folders follow it.
        return {
          change,
          actions: [
            { Delete: { TableName, Key: userKey(current.userName), ...unchangedSincePlanned(current) } },
            { Put: { TableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
          ],
          after: () => this.moveFolders(current.userName, user.userName),
        };
      }
      case 'delete': {
        if (change.withheld) return undefined;
        const current = change.current as UserItem;
        return {
          change,
          actions: [
            { Delete: { TableName, Key: userKey(current.userName), ...unchangedSincePlanned(current) } },
          ],
          after: () => this.releaseFolder(current, now),
        };
      }
      default:
        return undefined;
    }
  }

  /** A deleted user's archive folder goes with it when empty and is kept when it holds messages. */
  private async releaseFolder(user: UserItem, now: string): Promise<void> {
    for (const folder of await this.foldersOf(user.userName)) {
      if (folder.ownerDeletedAt) continue;
      const Key = archiveFolderKey(String(folder.folderId));
      try {
        await this.documents.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key,
            ConditionExpression: 'attribute_not_exists(pk) OR messageCount = :zero',
            ExpressionAttributeValues: { ':zero': 0 },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        await this.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key,
            UpdateExpression: 'SET ownerDeletedAt = :now',
            ExpressionAttributeValues: { ':now': now },
          }),
        );
      }
    }
  }

  private async moveFolders(from: string, to: string): Promise<void> {
    for (const folder of await this.foldersOf(from)) {
      if (folder.ownerDeletedAt) continue;
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: archiveFolderKey(String(folder.folderId)),
          UpdateExpression: 'SET ownerUserName = :owner, #name = :name',
          ExpressionAttributeNames: { '#name': tableKeys.byKind.sortKey },
          ExpressionAttributeValues: { ':owner': to, ':name': to.toLowerCase() },
        }),
      );
    }
  }

  async recordRun(report: Report): Promise<void> {
    const { changes, excluded, ...summary } = report;
    const chunks = (kind: RunChunkKind, list: readonly unknown[]): Item[] =>
      chunkBySize(list, RUN_CHUNK_BYTES).map((entries, i) => ({
        ...runKey(report.runId, runChunkSortKey(kind, i)),
        entries,
      }));
    const items = [...chunks('CHANGES', changes), ...chunks('EXCLUDED', excluded)];
    // A run that continued in a follow-up invocation was recorded as running: its record is replaced.
    const stale = (
      await this.queryAll({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': runKey(report.runId).pk },
        ProjectionExpression: 'pk, sk',
        ConsistentRead: true,
      })
    ).filter((item) => item.sk !== RUN_SUMMARY_SORT_KEY && !items.some((chunk) => chunk.sk === item.sk));
    // Chunks first, summary last: a run is listed only once all of it is stored.
    for (const item of items) {
      await this.documents.send(new PutCommand({ TableName: this.tableName, Item: item }));
    }
    for (const item of stale) {
      await this.documents.send(
        new DeleteCommand({ TableName: this.tableName, Key: runKey(report.runId, String(item.sk)) }),
      );
    }
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...runKey(report.runId),
          ...runIndexKeys(report.startedAt, report.runId),
          ...summary,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR #status = :running',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':running': 'running' },
      }),
    );
  }

  async getRun(runId: string): Promise<Report | undefined> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': runKey(runId).pk },
      ConsistentRead: true,
    });
    const summary = items.find((item) => item.sk === RUN_SUMMARY_SORT_KEY);
    if (!summary) return undefined;
    const entries = (kind: RunChunkKind) =>
      items
        .filter((item) => isRunChunkOf(kind, String(item.sk)))
        .flatMap((item) => item.entries as unknown[]);
    return {
      ...(withoutKeys(summary) as unknown as Report),
      changes: entries('CHANGES') as Report['changes'],
      excluded: entries('EXCLUDED') as Report['excluded'],
    };
  }

  async listRuns(limit: number): Promise<RunSummary[]> {
    const { Items = [] } = await this.documents.send(
      new QueryCommand({
        ...this.kindQuery(kindIndex.runs),
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return Items.map((item) => {
      const { steps: _steps, ...summary } = withoutKeys(item);
      return summary as unknown as RunSummary;
    });
  }

  private async queryAll(input: QueryCommandInput): Promise<Item[]> {
    const items: Item[] = [];
    for await (const page of this.queryPages(input)) items.push(...page);
    return items;
  }

  /** The items of a query, one page (at most 1 MB) at a time. */
  private async *queryPages(input: QueryCommandInput): AsyncGenerator<Item[]> {
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(new QueryCommand({ ...input, ExclusiveStartKey }));
      yield page.Items ?? [];
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }
}

/**
 * Runs `work` on every item, at most `limit` at a time. The first failure stops the workers from taking
 * another item, and is thrown once those under way have ended.
 */
async function forEachConcurrently<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}

const encodeCursor = (key: Record<string, unknown>): string =>
  Buffer.from(JSON.stringify(key)).toString('base64url');

function decodeCursor(cursor: string): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    // Exactly the key of the users index, with a user's values: anything else is not our cursor.
    const expected = [
      tableKeys.partitionKey,
      tableKeys.sortKey,
      tableKeys.byKind.partitionKey,
      tableKeys.byKind.sortKey,
    ];
    if (key && typeof key === 'object' && !Array.isArray(key)) {
      const record = key as Record<string, unknown>;
      const names = Object.keys(record).sort();
      const valid =
        JSON.stringify(names) === JSON.stringify([...expected].sort()) &&
        Object.values(record).every((v) => typeof v === 'string' && v.length > 0 && v.length <= 1024) &&
        record[tableKeys.byKind.partitionKey] === kindIndex.users &&
        isUserPartitionKey(String(record[tableKeys.partitionKey]));
      if (valid) return record;
    }
  } catch {
    // fall through to the validation error
  }
  throw new ValidationError('Invalid cursor', [
    { path: 'cursor', message: 'is not a cursor returned by GET /users' },
  ]);
}

/** Splits a list into runs whose JSON stays under `maxBytes` each (an entry larger than that stands alone). */
export function chunkBySize<T>(list: readonly T[], maxBytes: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let size = 2;
  for (const entry of list) {
    const bytes = Buffer.byteLength(JSON.stringify(entry)) + 1;
    if (current.length > 0 && size + bytes > maxBytes) {
      chunks.push(current);
      current = [];
      size = 2;
    }
    current.push(entry);
    size += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function toFolder(item: Item): ArchiveFolder {
  return {
    folderId: String(item.folderId),
    ownerUserName: String(item.ownerUserName),
    messageCount: Number(item.messageCount ?? 0),
    ...(item.ownerDeletedAt ? { ownerDeletedAt: String(item.ownerDeletedAt) } : {}),
  };
}

/** A failed create whose key already holds the very directory user it wanted to write. */
function isAlreadyApplied(change: PlannedChange, found: Item | undefined): boolean {
  return (
    change.action === 'create' &&
    found?.objectGuid === change.target.objectGuid &&
    found?.authentication === 'directoryServices'
  );
}

function conflictReason(change: PlannedChange, found: Item | undefined): string {
  if (change.action === 'create') {
    return found?.authentication === 'local'
      ? `a local user named ${String(found.userName)} was added meanwhile; it is left as it is`
      : `a user named ${change.userName} was added meanwhile`;
  }
  return `${change.userName} changed in the user database since the plan was made; the next run picks it up`;
}

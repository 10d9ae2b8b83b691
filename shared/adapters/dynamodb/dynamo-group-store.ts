/**
 * The synchronized groups in the single table (docs/data-model.md#group): a group item keyed by objectGUID
 * (listed by name in the kind index) and its direct members in chunks under the same partition; and the
 * users' membership fields, written on the version the group pass read.
 *
 * A group's members are written before the group item, which is written last on its version: a reader finds
 * the members the item names, or those of the next version when a write is under way. (A create of one chunk
 * writes both in one transaction, with other such creates: a refused one is retried without the others.) Each
 * group write carries its change's mark (`lastChange`), of which the change events are made, as users' do; a
 * delete marks the item, removes the member chunks, then removes the marked item.
 */
import { type DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type GroupLastChange, MAX_LISTED_MEMBERS } from '../../domain/change-event';
import { type Group, type GroupMember, membersHashOf } from '../../domain/group';
import { ValidationError } from '../../errors';
import type {
  GroupChange,
  GroupDirectory,
  GroupStore,
  GroupWriteContext,
  GroupWriteResult,
  MembershipChange,
  StoredGroup,
} from '../../ports/group-store';
import { conditionHeld, documentClient, kindQuery, queryAll, queryPages } from './documents';
import { forEachConcurrently } from './for-each-concurrently';
import { fromGroupItem } from './group-items';
import {
  GROUP_SORT_KEY,
  groupDataMarkKey,
  groupIndexKeys,
  groupKey,
  groupMembersIndexOf,
  groupMembersSortKey,
  isGroupMembersSortKey,
  isGroupPartitionKey,
  kindIndex,
  userKey,
} from './keys';
import { tableKeys } from './table';
import { writeInTransactions } from './transactions';

/** Whether a transaction's writes were made: false when a condition did not hold (anything else throws). */
async function transactionHeld(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
    if (
      error instanceof TransactionCanceledException &&
      reasons?.some((r) => r.Code === 'ConditionalCheckFailed')
    )
      return false;
    throw error;
  }
}

/** Members per chunk item: about 100 bytes each, far below the 400 KB item limit. */
const MEMBERS_PER_CHUNK = 1000;
/**
 * Members (and groups) per transaction of creates: about 1 MB, under the 4 MB a transaction may carry, and
 * up to 50 groups (100 actions).
 */
const MEMBERS_PER_TRANSACTION = 10_000;

export class DynamoGroupStore implements GroupStore, GroupDirectory {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.documents = documentClient(client);
  }

  async listGroups(): Promise<StoredGroup[]> {
    const groups: StoredGroup[] = [];
    for await (const page of queryPages(this.documents, kindQuery(this.tableName, kindIndex.groups)))
      groups.push(...page.map(fromGroupItem));
    return groups;
  }

  async listGroupsPage(limit: number, cursor?: string): Promise<{ groups: Group[]; cursor?: string }> {
    const page = await this.documents.send(
      new QueryCommand({
        ...kindQuery(this.tableName, kindIndex.groups),
        Limit: limit,
        ...(cursor ? { ExclusiveStartKey: decodeGroupCursor(cursor) } : {}),
      }),
    );
    const groups = (page.Items ?? []).map((item) => withoutStoreFields(fromGroupItem(item)));
    return page.LastEvaluatedKey
      ? { groups, cursor: Buffer.from(JSON.stringify(page.LastEvaluatedKey)).toString('base64url') }
      : { groups };
  }

  async findGroup(name: string): Promise<StoredGroup | undefined> {
    const items = await queryAll(
      this.documents,
      kindQuery(this.tableName, kindIndex.groups, name.toLowerCase()),
    );
    const item = items[0];
    return item ? fromGroupItem(item) : undefined;
  }

  async membersOf(objectGuid: string): Promise<GroupMember[]> {
    const items = await queryAll(this.documents, this.partitionQuery(objectGuid));
    return items
      .filter((item) => isGroupMembersSortKey(String(item[tableKeys.sortKey])))
      .flatMap((item) => item.members as GroupMember[]);
  }

  async hasGroupData(): Promise<boolean> {
    // A query of the mark's partition, not a GetItem: the roles that read groups may query them (IAM).
    const { Count } = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': tableKeys.partitionKey },
        ExpressionAttributeValues: { ':pk': groupDataMarkKey()[tableKeys.partitionKey] },
        ConsistentRead: true,
        Limit: 1,
      }),
    );
    return (Count ?? 0) > 0;
  }

  async markGroupData(present: boolean): Promise<void> {
    if (present)
      await this.documents.send(new PutCommand({ TableName: this.tableName, Item: groupDataMarkKey() }));
    else await this.documents.send(new DeleteCommand({ TableName: this.tableName, Key: groupDataMarkKey() }));
  }

  async applyGroupChanges(
    changes: readonly GroupChange[],
    context: GroupWriteContext,
  ): Promise<GroupWriteResult> {
    // Creates of one chunk go out together, many to a transaction (each its chunk and its item); the rest one
    // by one, 16 at a time.
    const creates = changes.flatMap((change) =>
      change.action === 'create' && change.target.members.length <= MEMBERS_PER_CHUNK
        ? [{ actions: this.createActions(change, context), members: change.target.members.length }]
        : [],
    );
    const created = await writeInTransactions(this.documents, creates, async () => {}, {
      weightOf: (write) => write.members + 1,
      maxWeight: MEMBERS_PER_TRANSACTION,
    });
    let applied = created.committed.length;
    let conflicts = created.refused.length;
    const rest = changes.filter((c) => c.action !== 'create' || c.target.members.length > MEMBERS_PER_CHUNK);
    await forEachConcurrently(rest, 16, async (change) => {
      if (await this.writeGroupChange(change, context)) applied += 1;
      else conflicts += 1;
    });
    return { applied, conflicts };
  }

  /** A create of one chunk of members: the chunk, then the group item (which requires the key free). */
  private createActions(change: GroupChange & { action: 'create' }, context: GroupWriteContext) {
    const { members } = change.target;
    const chunk = {
      TableName: this.tableName,
      Item: { ...groupKey(change.target.objectGuid, groupMembersSortKey(0)), members },
    };
    return [{ Put: chunk }, { Put: this.groupPut(change, context) }];
  }

  async applyMembershipChanges(
    changes: readonly MembershipChange[],
    { runId, now }: GroupWriteContext,
  ): Promise<GroupWriteResult> {
    let applied = 0;
    let conflicts = 0;
    await forEachConcurrently(changes, 16, async ({ current, target, changedFields }) => {
      const version = Number((current as { version?: number }).version ?? 0);
      const next = version + 1;
      const held = await conditionHeld(
        this.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: userKey(current.userName),
            UpdateExpression:
              'SET #groups = :groups, #groupPrivileges = :privileges, #groupArchiveAccess = :access, ' +
              '#version = :next, #updatedAt = :now, #lastChange = :mark',
            ConditionExpression: '#version = :version AND #authentication = :directory',
            ExpressionAttributeNames: {
              '#groups': 'groups',
              '#groupPrivileges': 'groupPrivileges',
              '#groupArchiveAccess': 'groupArchiveAccess',
              '#version': 'version',
              '#updatedAt': 'updatedAt',
              '#lastChange': 'lastChange',
              '#authentication': 'authentication',
            },
            ExpressionAttributeValues: {
              ':groups': target.groups,
              ':privileges': target.groupPrivileges,
              ':access': target.groupArchiveAccess,
              ':next': next,
              ':now': now,
              ':mark': { runId, kind: 'update', changedFields, at: now, version: next },
              ':version': version,
              ':directory': 'directoryServices',
            },
          }),
        ),
      );
      if (held) applied += 1;
      else conflicts += 1;
    });
    return { applied, conflicts };
  }

  /** One group's writes; false when its condition did not hold (it changed since it was read). */
  private async writeGroupChange(change: GroupChange, context: GroupWriteContext): Promise<boolean> {
    if (change.action === 'delete') return this.deleteGroup(change.current, context);
    const { target } = change;
    // A create of one chunk of members: the chunk and the group item in one transaction (no stale chunk can
    // be left by it, so none is looked for).
    if (change.action === 'create' && target.members.length <= MEMBERS_PER_CHUNK) {
      const actions = this.createActions(change, context);
      return transactionHeld(this.documents.send(new TransactWriteCommand({ TransactItems: actions })));
    }
    const membersChanged = change.action === 'create' || change.changedFields.includes('members');
    const chunks = membersChanged ? await this.writeMembers(target.objectGuid, target.members) : undefined;
    const written = await conditionHeld(this.documents.send(new PutCommand(this.groupPut(change, context))));
    if (written && chunks !== undefined) await this.removeChunks(target.objectGuid, chunks);
    return written;
  }

  /** The put of a group item, with its change's mark, on the version it was read at (a create: a free key). */
  private groupPut(change: GroupChange & { action: 'create' | 'update' }, context: GroupWriteContext) {
    const { target } = change;
    const version = change.action === 'create' ? 1 : change.current.version + 1;
    const added = change.action === 'create' ? target.members.map((m) => m.objectGuid) : change.membersAdded;
    const removed = change.action === 'create' ? [] : change.membersRemoved;
    const mark: GroupLastChange = {
      runId: context.runId,
      kind: change.action,
      changedFields: change.changedFields,
      membersAdded: added.slice(0, MAX_LISTED_MEMBERS),
      membersRemoved: removed.slice(0, MAX_LISTED_MEMBERS),
      ...(added.length > MAX_LISTED_MEMBERS || removed.length > MAX_LISTED_MEMBERS
        ? { membersTruncated: true }
        : {}),
      at: context.now,
      version,
    };
    const { members, ...group } = target;
    return {
      TableName: this.tableName,
      Item: {
        ...groupKey(target.objectGuid),
        ...groupIndexKeys(target.name),
        ...group,
        membersHash: membersHashOf(members),
        version,
        updatedAt: context.now,
        lastChange: mark,
      },
      ...(change.action === 'create'
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: '#version = :version',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':version': change.current.version },
          }),
    };
  }

  /** Writes the member chunks; answers how many there are now (later ones are removed after the group). */
  private async writeMembers(objectGuid: string, members: readonly GroupMember[]): Promise<number> {
    const chunks: GroupMember[][] = [];
    for (let i = 0; i < members.length; i += MEMBERS_PER_CHUNK)
      chunks.push(members.slice(i, i + MEMBERS_PER_CHUNK));
    await forEachConcurrently(
      chunks.map((chunk, index) => ({ chunk, index })),
      4,
      async ({ chunk, index }) => {
        await this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...groupKey(objectGuid, groupMembersSortKey(index)), members: chunk },
          }),
        );
      },
    );
    return chunks.length;
  }

  /** Removes the member chunks from `from` on. */
  private async removeChunks(objectGuid: string, from: number): Promise<void> {
    const items = await queryAll(this.documents, {
      ...this.partitionQuery(objectGuid),
      ProjectionExpression: '#pk, #sk',
      ExpressionAttributeNames: { '#pk': tableKeys.partitionKey, '#sk': tableKeys.sortKey },
    });
    const stale = items
      .map((item) => String(item[tableKeys.sortKey]))
      .filter((sk) => isGroupMembersSortKey(sk) && groupMembersIndexOf(sk) >= from);
    await forEachConcurrently(stale, 4, async (sk) => {
      await this.documents.send(
        new DeleteCommand({ TableName: this.tableName, Key: groupKey(objectGuid, sk) }),
      );
    });
  }

  private async deleteGroup(current: StoredGroup, { runId, now }: GroupWriteContext): Promise<boolean> {
    const version = current.version + 1;
    const mark: GroupLastChange = {
      runId,
      kind: 'delete',
      changedFields: [],
      membersAdded: [],
      membersRemoved: [],
      at: now,
      version,
    };
    const marked = await conditionHeld(
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: groupKey(current.objectGuid),
          UpdateExpression: 'SET #version = :next, #lastChange = :mark',
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: { '#version': 'version', '#lastChange': 'lastChange' },
          ExpressionAttributeValues: { ':next': version, ':mark': mark, ':version': current.version },
        }),
      ),
    );
    if (!marked) return false;
    await this.removeChunks(current.objectGuid, 0);
    return conditionHeld(
      this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: groupKey(current.objectGuid),
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':version': version },
        }),
      ),
    );
  }

  private partitionQuery(objectGuid: string) {
    return {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': tableKeys.partitionKey },
      ExpressionAttributeValues: { ':pk': groupKey(objectGuid)[tableKeys.partitionKey] },
      ConsistentRead: true,
    };
  }
}

/** The Group the API shows: without the store's version and hash. */
const withoutStoreFields = ({ version: _v, membersHash: _h, ...group }: StoredGroup): Group => group;

/** A GET /groups cursor: exactly a key of the groups listing, else a ValidationError naming `cursor`. */
function decodeGroupCursor(cursor: string): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    const names = [
      tableKeys.partitionKey,
      tableKeys.sortKey,
      tableKeys.byKind.partitionKey,
      tableKeys.byKind.sortKey,
    ];
    const valid =
      key !== null &&
      typeof key === 'object' &&
      !Array.isArray(key) &&
      Object.keys(key).sort().join() === [...names].sort().join() &&
      Object.values(key).every((v) => typeof v === 'string' && v.length > 0 && v.length <= 1024) &&
      key[tableKeys.byKind.partitionKey] === kindIndex.groups &&
      isGroupPartitionKey(String(key[tableKeys.partitionKey])) &&
      key[tableKeys.sortKey] === GROUP_SORT_KEY;
    if (valid) return key;
  } catch {
    // fall through to the validation error
  }
  throw new ValidationError('Invalid cursor', [
    { path: 'cursor', message: 'is not a cursor returned by GET /groups' },
  ]);
}

/**
 * Change events from what the sync's writes commit: the writes of change-writes.ts applied to an item as
 * DynamoDB would, each giving the stream record DynamoDB would (NEW_AND_OLD_IMAGES), made into events by the
 * one builder. The same records in AWS and on the local stack; here without either.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  changeEventOfRecord,
  type StreamRecordImages,
} from '../../../shared/adapters/dynamodb/change-stream';
import { type ChangeWrite, changeWrite } from '../../../shared/adapters/dynamodb/change-writes';
import type { Item } from '../../../shared/adapters/dynamodb/documents';
import { runKey } from '../../../shared/adapters/dynamodb/keys';
import { fromUserItem, toUserItem } from '../../../shared/adapters/dynamodb/user-items';
import type { UserChangeEvent } from '../../../shared/domain/change-event';
import { suspendChange } from '../../../shared/domain/plan-deletes';
import { changedFields, type PlannedChange } from '../../../shared/domain/plan-sync';
import type { MappedUser, User } from '../../../shared/domain/user';
import type { ApplyContext } from '../../../shared/ports/user-store';

const TABLE = 'users';
const GUID = '6f9619ff-8b86-d011-b42d-00c04fc964ff';
const defaults = { privileges: ['login' as const], ownArchiveAccess: ['read' as const] };
const context = (runId: string, now = '2026-11-25T10:00:00.000Z'): ApplyContext => ({ runId, defaults, now });

const target = (o: Partial<MappedUser> = {}): MappedUser => ({
  userName: 'alice',
  fullName: 'Alice Adams',
  emailAddresses: ['alice@company.local'],
  distinguishedName: 'CN=Alice Adams,OU=Staff,DC=company,DC=local',
  userPrincipalName: 'alice@company.local',
  objectGuid: GUID,
  ...o,
});

const describeTarget = (t: MappedUser) => ({
  userName: t.userName,
  fullName: t.fullName,
  emailAddresses: t.emailAddresses,
});

/** A table of items by pk, and the stream records each applied write produces, as DynamoDB makes them. */
class Table {
  readonly items = new Map<string, Item>();
  readonly records: StreamRecordImages[] = [];

  apply(write: ChangeWrite): void {
    for (const action of write.actions) {
      if (action.Put) {
        const item = action.Put.Item as Item;
        const old = this.items.get(String(item.pk));
        this.items.set(String(item.pk), item);
        this.record(old ? 'MODIFY' : 'INSERT', old, item);
      } else if (action.Update) {
        const key = String((action.Update.Key as Item).pk);
        const old = this.items.get(key) as Item;
        const values = action.Update.ExpressionAttributeValues as Record<string, unknown>;
        const item = { ...old, version: values[':marked'], lastChange: values[':mark'] };
        this.items.set(key, item);
        this.record('MODIFY', old, item);
      } else if (action.Delete) {
        const key = String((action.Delete.Key as Item).pk);
        const old = this.items.get(key) as Item;
        this.items.delete(key);
        this.record('REMOVE', old, undefined);
      }
    }
    if (write.removal) this.apply(write.removal);
  }

  private record(eventName: string, old: Item | undefined, item: Item | undefined): void {
    this.records.push({
      eventName,
      dynamodb: {
        ...(old ? { OldImage: marshall(old, { removeUndefinedValues: true }) } : {}),
        ...(item ? { NewImage: marshall(item, { removeUndefinedValues: true }) } : {}),
      },
    });
  }

  user(userName: string): User {
    return fromUserItem(this.items.get(`USER#${userName.toLowerCase()}`) as Item);
  }

  /** The users' events (this table holds users only). */
  events(): UserChangeEvent[] {
    return this.records
      .map(changeEventOfRecord)
      .filter((event): event is UserChangeEvent => event !== undefined && 'userName' in event);
  }
}

const create = (t = target()): PlannedChange => ({
  action: 'create',
  target: t,
  ...describeTarget(t),
  changedFields: [],
});
const update = (
  current: User,
  t: MappedUser,
  changedFields: PlannedChange['changedFields'],
): PlannedChange => ({
  action: 'update',
  target: t,
  current,
  ...describeTarget(t),
  changedFields,
});
const remove = (current: User, withheld = false): PlannedChange => ({
  action: 'delete',
  current,
  userName: current.userName,
  fullName: current.fullName,
  emailAddresses: current.emailAddresses,
  changedFields: [],
  withheld,
});

const write = (change: PlannedChange, ctx: ApplyContext) => changeWrite(TABLE, change, ctx) as ChangeWrite;

describe('change events from committed writes', () => {
  it('a create is user.created: the user as written, every field it set, an id of the run, the user and its version', () => {
    const table = new Table();
    table.apply(write(create(), context('run-1')));
    expect(table.events()).toEqual([
      {
        id: `run-1:${GUID}:1`,
        type: 'user.created',
        time: '2026-11-25T10:00:00.000Z',
        runId: 'run-1',
        userName: 'alice',
        objectGuid: GUID,
        changedFields: [
          'userName',
          'fullName',
          'emailAddresses',
          'distinguishedName',
          'userPrincipalName',
          'objectGuid',
        ],
        user: {
          userName: 'alice',
          fullName: 'Alice Adams',
          emailAddresses: ['alice@company.local'],
          authentication: 'directoryServices',
          distinguishedName: 'CN=Alice Adams,OU=Staff,DC=company,DC=local',
          objectGuid: GUID,
          privileges: ['login'],
          ownArchiveAccess: ['read'],
          createdAt: '2026-11-25T10:00:00.000Z',
          updatedAt: '2026-11-25T10:00:00.000Z',
          groups: [],
          groupPrivileges: [],
          groupArchiveAccess: [],
          effectivePrivileges: ['login'],
          attributes: {},
        },
      },
    ]);
    // The event's user is the API's User: nothing of the store (version, mark, keys).
    expect(Object.keys(table.events()[0]?.user ?? {})).not.toContain('version');
    expect(Object.keys(table.events()[0]?.user ?? {})).not.toContain('lastChange');
  });

  it('a create without a UPN does not list the field it did not set', () => {
    const table = new Table();
    const { userPrincipalName: _u, ...noUpn } = target();
    table.apply(write(create(noUpn), context('run-1')));
    expect(table.events()[0]?.changedFields).not.toContain('userPrincipalName');
  });

  it('an update is user.updated with the fields it changed and the state after it', () => {
    const table = new Table();
    table.apply(write(create(), context('run-1')));
    const changed = target({ fullName: 'Alice Brown', emailAddresses: ['alice.brown@company.local'] });
    table.apply(
      write(
        update(table.user('alice'), changed, ['fullName', 'emailAddresses']),
        context('run-2', '2026-11-26T08:00:00.000Z'),
      ),
    );
    const [, updated] = table.events();
    expect(updated).toMatchObject({
      id: `run-2:${GUID}:2`,
      type: 'user.updated',
      time: '2026-11-26T08:00:00.000Z',
      runId: 'run-2',
      changedFields: ['fullName', 'emailAddresses'],
      user: {
        fullName: 'Alice Brown',
        emailAddresses: ['alice.brown@company.local'],
        createdAt: '2026-11-25T10:00:00.000Z',
      },
    });
  });

  it('mapped attributes: a create names each field it set, an update those that changed (SPEC 8.3)', () => {
    const table = new Table();
    const mapped = target({ attributes: { department: 'Sales', title: 'Clerk' } });
    table.apply(write(create(mapped), context('run-1')));
    const changed = target({ attributes: { department: 'Sales', costCentre: 4711 } });
    table.apply(
      write(
        update(table.user('alice'), changed, changedFields(changed, table.user('alice'))),
        context('run-2', '2026-11-26T08:00:00.000Z'),
      ),
    );
    const [created, updated] = table.events();
    expect(created?.changedFields).toEqual([
      'userName',
      'fullName',
      'emailAddresses',
      'distinguishedName',
      'userPrincipalName',
      'objectGuid',
      'attributes.department',
      'attributes.title',
    ]);
    expect(created?.user.attributes).toEqual({ department: 'Sales', title: 'Clerk' });
    expect(updated?.changedFields).toEqual(['attributes.costCentre', 'attributes.title']);
    expect(updated?.user.attributes).toEqual({ department: 'Sales', costCentre: 4711 });
  });

  it('a rename is one user.updated under the new name: the removal of the old key is no event', () => {
    const table = new Table();
    table.apply(write(create(), context('run-1')));
    const renamed = target({ userName: 'alice.adams' });
    table.apply(write(update(table.user('alice'), renamed, ['userName']), context('run-2')));
    expect(table.records.map((r) => r.eventName)).toEqual(['INSERT', 'REMOVE', 'INSERT']);
    const events = table.events();
    expect(events.map((e) => e.type)).toEqual(['user.created', 'user.updated']);
    expect(events[1]).toMatchObject({
      userName: 'alice.adams',
      changedFields: ['userName'],
      id: `run-2:${GUID}:2`,
    });
  });

  it('a delete is one user.deleted with the last state, named after the run that deleted; its mark is no event', () => {
    const table = new Table();
    table.apply(write(create(), context('run-1')));
    table.apply(write(remove(table.user('alice')), context('run-3', '2026-11-27T09:00:00.000Z')));
    expect(table.records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
    expect(table.items.size).toBe(0);
    const events = table.events();
    expect(events.map((e) => e.type)).toEqual(['user.created', 'user.deleted']);
    expect(events[1]).toMatchObject({
      id: `run-3:${GUID}:2`,
      runId: 'run-3',
      time: '2026-11-27T09:00:00.000Z',
      userName: 'alice',
      changedFields: [],
      user: { userName: 'alice', fullName: 'Alice Adams' },
    });
  });

  it('a withheld delete writes nothing, so it is no event', () => {
    const table = new Table();
    table.apply(write(create(), context('run-1')));
    expect(changeWrite(TABLE, remove(table.user('alice'), true), context('run-2'))).toBeUndefined();
  });

  it('a delete whose removal did not follow its mark (refused, or the run died) is no event', () => {
    const table = new Table();
    table.apply(write(create(), context('run-1')));
    const marked = write(remove(table.user('alice')), context('run-2'));
    table.apply({ change: marked.change, actions: marked.actions });
    expect(table.events().map((e) => e.type)).toEqual(['user.created']);
  });

  it('a redelivered record is the same event; two changes of one user in one run are two', () => {
    const table = new Table();
    table.apply(write(create(), context('run-1')));
    table.apply(
      write(update(table.user('alice'), target({ fullName: 'A' }), ['fullName']), context('run-2')),
    );
    table.apply(
      write(update(table.user('alice'), target({ fullName: 'B' }), ['fullName']), context('run-2')),
    );
    const again = table.records.map(changeEventOfRecord);
    expect(again).toEqual(table.events());
    const ids = table.events().map((e) => e.id);
    expect(new Set(ids).size).toBe(3);
  });

  it('writes that are not a sync change are no events: a local user, a rewrite that kept the mark, other items', () => {
    const local: User = {
      userName: 'admin',
      fullName: 'Admin',
      emailAddresses: [],
      authentication: 'local',
      privileges: ['login'],
      ownArchiveAccess: ['read'],
      createdAt: '2026-11-25T10:00:00.000Z',
      updatedAt: '2026-11-25T10:00:00.000Z',
    };
    const item = toUserItem(local, 1);
    const created = { eventName: 'INSERT', dynamodb: { NewImage: marshall(item) } };
    const removed = { eventName: 'REMOVE', dynamodb: { OldImage: marshall(item) } };
    expect(changeEventOfRecord(created)).toBeUndefined();
    expect(changeEventOfRecord(removed)).toBeUndefined();

    const table = new Table();
    table.apply(write(create(), context('run-1')));
    const synced = table.items.get('USER#alice') as Item;
    const kept = { ...synced, privileges: ['login', 'archiveEmail'], version: 2 };
    expect(
      changeEventOfRecord({
        eventName: 'MODIFY',
        dynamodb: { OldImage: marshall(synced), NewImage: marshall(kept) },
      }),
    ).toBeUndefined();
    // A removal of an item that was not marked (an administrator's delete, a rename's old key).
    expect(
      changeEventOfRecord({ eventName: 'REMOVE', dynamodb: { OldImage: marshall(synced) } }),
    ).toBeUndefined();

    const run = {
      ...runKey('run-1'),
      status: 'succeeded',
      lastChange: { runId: 'run-1', kind: 'create', changedFields: [], at: 'x' },
    };
    expect(
      changeEventOfRecord({ eventName: 'INSERT', dynamodb: { NewImage: marshall(run) } }),
    ).toBeUndefined();
    expect(changeEventOfRecord({ eventName: 'INSERT' })).toBeUndefined();
    expect(
      changeEventOfRecord({ eventName: 'REMOVE', dynamodb: { NewImage: marshall(synced) } }),
    ).toBeUndefined();
  });

  it('a suspension is user.suspended with suspendedAt; a restore is user.restored without it', () => {
    const table = new Table();
    table.apply(write(create(), context('run-1')));
    const suspend = suspendChange(table.user('alice'), 'no longer returned by the directory');
    table.apply(write(suspend, context('run-2', '2026-11-26T00:00:00.000Z')));
    const back = target({ fullName: 'Alice Back' });
    const restore: PlannedChange = {
      action: 'restore',
      target: back,
      current: table.user('alice'),
      ...describeTarget(back),
      changedFields: ['fullName'],
    };
    table.apply(write(restore, context('run-3', '2026-11-27T00:00:00.000Z')));
    const [, suspended, restored] = table.events();
    expect(suspended).toMatchObject({
      id: `run-2:${GUID}:2`,
      type: 'user.suspended',
      changedFields: [],
      user: { userName: 'alice', suspendedAt: '2026-11-26T00:00:00.000Z', privileges: ['login'] },
    });
    expect(restored).toMatchObject({
      id: `run-3:${GUID}:3`,
      type: 'user.restored',
      changedFields: ['fullName'],
      user: { fullName: 'Alice Back' },
    });
    expect(restored?.user).not.toHaveProperty('suspendedAt');
  });

  it('a withheld suspension writes nothing', () => {
    const table = new Table();
    table.apply(write(create(), context('run-1')));
    const withheld = suspendChange(table.user('alice'), 'withheld', true);
    expect(changeWrite(TABLE, withheld, context('run-2'))).toBeUndefined();
  });

  it('the store never returns the mark as part of a user', () => {
    const table = new Table();
    table.apply(write(create(), context('run-1')));
    expect(table.items.get('USER#alice')).toHaveProperty('lastChange');
    expect(table.user('alice')).not.toHaveProperty('lastChange');
  });
});

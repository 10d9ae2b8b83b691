/**
 * The change-events pipe of AWS (cdk/events.ts), end to end but for the AWS services: real syncs against the
 * Samba DC in an OU of this file's own write to a table in DynamoDB Local; its stream (old and new images, as
 * deployed) is read with the DynamoDB Streams API, each record shaped as EventBridge Pipes hands a batch to
 * a Lambda enrichment, passed through the pipe's source filter (the patterns the stack deploys) and given
 * to the `events` function. What it answers is what the bus receives as `detail`s.
 */

import { readFileSync } from 'node:fs';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import Ajv, { type ValidateFunction } from 'ajv';
import type { DynamoDBRecord } from 'aws-lambda';
import { Attribute, Change } from 'ldapts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CHANGE_EVENT_FILTER_PATTERNS, EVENT_SCHEMA_FILE, EVENT_SOURCE } from '../../../cdk/events';
import { handler } from '../../../functions/events';
import type { ItemKind } from '../../../shared/adapters/dynamodb/keys';
import type { Config } from '../../../shared/config/config-schema';
import type { UserChangeEvent as ChangeEvent } from '../../../shared/domain/change-event';
import type { ContinuationTrigger } from '../../../shared/ports/run-checkpoint';
import { continueRun } from '../../../shared/use-cases/continue-run';
import { HANDOFF_RESERVE_MS } from '../../../shared/use-cases/run-dependencies';
import type { ExclusiveSyncDependencies } from '../../../shared/use-cases/sync-lock';
import { testSettings } from '../../../shared/use-cases/sync-pipeline';
import { synchronizeNow } from '../../../shared/use-cases/synchronize-now';
import { dynamoDbClient } from '../../support/clients';
import { kindOfKey } from '../../support/iam-policy';
import { replace, userEntry } from '../../support/scratch-ou';
import { useScratchSync } from '../../support/scratch-sync';
import { fixtureConfig, servicePassword } from '../../support/sync-harness';
import { TableStream } from '../../support/table-stream';

const directory = inject('directory');
const scratch = useScratchSync('Events', { stream: true });
const { dn: ou, tag } = scratch;
const groupDn = `CN=Events Team,${ou}`;
const userDn = (name: string) => `CN=Events ${name},${ou}`;
const NAMES = ['e1', 'e2', 'e3', 'e4'] as const;
/** Users applied per invocation of the first sync: it hands off, and a follow-up invocation ends it. */
const APPLY_BATCH = 2;
/** Records per call of the enrichment, as the pipe's BatchSize. */
const PIPE_BATCH = 10;

let config: Config;
let stream: TableStream;
let validateEvent: ValidateFunction;
/** Every record read so far, and every event the function answered, in stream order. */
const allRecords: DynamoDBRecord[] = [];
const allEvents: ChangeEvent[] = [];

/**
 * Whether a record matches an EventBridge pattern of the kinds the pipe's filter uses: lists of exact values,
 * `prefix` and `anything-but`; a field the pattern names must be there.
 */
function matches(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) {
    if (typeof value !== 'string') return false;
    return pattern.some((rule) => {
      if (typeof rule === 'string') return rule === value;
      const { prefix, 'anything-but': anythingBut } = rule as { prefix?: string; 'anything-but'?: string[] };
      if (prefix !== undefined) return value.startsWith(prefix);
      if (anythingBut !== undefined) return !anythingBut.includes(value);
      throw new Error(`a rule this matcher does not know: ${JSON.stringify(rule)}`);
    });
  }
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(pattern as Record<string, unknown>).every(([key, inner]) =>
    matches(inner, (value as Record<string, unknown>)[key]),
  );
}
const passesFilter = (record: DynamoDBRecord): boolean =>
  CHANGE_EVENT_FILTER_PATTERNS.some((pattern) => matches(pattern, record));

/** What the pipe does with records: filter at the source, then the enrichment, batch by batch. */
async function throughThePipe(records: readonly DynamoDBRecord[]): Promise<ChangeEvent[]> {
  const kept = records.filter(passesFilter);
  const events: ChangeEvent[] = [];
  for (let start = 0; start < kept.length; start += PIPE_BATCH) {
    events.push(...((await handler(kept.slice(start, start + PIPE_BATCH))) as ChangeEvent[]));
  }
  return events;
}

/** The records written since the last look, and the events the pipe makes of them. */
async function published(): Promise<{ records: DynamoDBRecord[]; events: ChangeEvent[] }> {
  const records = await stream.readNew();
  const events = await throughThePipe(records);
  allRecords.push(...records);
  allEvents.push(...events);
  return { records, events };
}

const keyOf = (record: DynamoDBRecord): string => record.dynamodb?.Keys?.pk?.S ?? '';
const kindOf = (record: DynamoDBRecord): ItemKind | undefined => kindOfKey(keyOf(record));

/** The event as the bus delivers it to a rule's target: the envelope Pipes' target parameters make. */
const onTheBus = (event: ChangeEvent) => ({
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': event.type,
  source: EVENT_SOURCE,
  account: '123456789012',
  time: event.time,
  region: 'eu-central-1',
  resources: [],
  detail: event,
});

/** A plain sync now, as the API's: the lock, the run, the cursor. */
const syncNow = () => synchronizeNow(scratch.harness.exclusive());

beforeAll(async () => {
  for (const name of NAMES) {
    await scratch.admin.add(
      userDn(name),
      userEntry({
        sAMAccountName: `events-${name}-${tag}`,
        userPrincipalName: `events-${name}-${tag}@${directory.domain}`,
        displayName: `Events ${name}`,
        mail: `events-${name}-${tag}@${directory.domain}`,
      }),
    );
  }
  await scratch.admin.add(groupDn, {
    objectClass: ['top', 'group'],
    sAMAccountName: `events-team-${tag}`,
    member: NAMES.map(userDn),
  });
  config = fixtureConfig({
    connection: { baseDn: ou },
    filters: { groups: [groupDn], visibleInAddressListsOnly: true },
    options: { deleteUsers: true, deletionThreshold: { maxCount: 10, maxPercent: 100 } },
  });
  await scratch.harness.configs.saveConfig(config);
  const client = dynamoDbClient();
  const { Table } = await client.send(new DescribeTableCommand({ TableName: scratch.harness.tableName }));
  client.destroy();
  expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
  stream = new TableStream(Table?.LatestStreamArn as string);

  const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
  ajv.addFormat('date-time', (value: string) =>
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value),
  );
  validateEvent = ajv.compile(JSON.parse(readFileSync(EVENT_SCHEMA_FILE, 'utf8')));
});

afterAll(async () => {
  stream?.close();
});

describe('change events through the pipe (DynamoDB Local stream, events function)', () => {
  it('publishes one user.created per user of a first sync continued past its invocation, and nothing of the run state', async () => {
    const handoffs: string[] = [];
    const settings = scratch.harness.settings();
    const continuations: ContinuationTrigger = {
      requestContinuation: async (runId) => {
        await settings.continuations.requestContinuation(runId);
        handoffs.push(runId);
      },
    };
    const deps: ExclusiveSyncDependencies = {
      ...scratch.harness.exclusive({ leaseSeconds: 900 }),
      checkpoints: settings.checkpoints,
      cursors: settings.cursors,
      continuations,
      applyBatchSize: APPLY_BATCH,
      remainingMs: () => HANDOFF_RESERVE_MS - 1,
    };
    let report = await synchronizeNow(deps);
    expect(report.status).toBe('running');
    const runId = report.runId;
    for (let invocation = 2; report.status === 'running'; invocation++) {
      const outcome = await continueRun(deps, { runId, invocation });
      if (outcome.outcome !== 'ran') throw new Error(`invocation ${invocation}: ${outcome.outcome}`);
      report = outcome.report;
    }
    expect(report).toMatchObject({ status: 'succeeded', counts: { created: NAMES.length } });
    expect(handoffs.length).toBeGreaterThan(0);

    const { records, events } = await published();
    expect(events.map((e) => [e.type, e.userName]).sort()).toEqual(
      NAMES.map((name) => ['user.created', `events-${name}-${tag}`]).sort(),
    );
    expect(events.every((e) => e.runId === runId)).toBe(true);
    const users = await scratch.harness.store.listUsers();
    for (const event of events) {
      const user = users.find((u) => u.userName === event.userName);
      expect(event.objectGuid).toBe(user?.objectGuid);
      expect(event.changedFields).toEqual(expect.arrayContaining(['userName', 'fullName', 'emailAddresses']));
    }
    // The run's own items were written, and none of their records passes the filter or makes an event.
    const kinds = new Set(records.map(kindOf));
    for (const kind of ['config', 'run', 'lock', 'cursor', 'checkpoint', 'handoff'] as const) {
      expect(kinds, kind).toContain(kind);
    }
    const others = records.filter((record) => kindOf(record) !== 'user');
    expect(others.filter(passesFilter)).toEqual([]);
    expect(await handler(others)).toEqual([]);
  });

  it('publishes one user.updated for a rename in AD (not the removal of the old key) and one for a new address', async () => {
    const before = await scratch.harness.store.listUsers();
    const renamed = before.find((u) => u.userName === `events-e1-${tag}`);
    await scratch.admin.modifyDN(userDn('e1'), 'CN=Events Renamed');
    await scratch.admin.modify(`CN=Events Renamed,${ou}`, [
      replace('sAMAccountName', [`events-renamed-${tag}`]),
      replace('displayName', ['Events Renamed']),
    ]);
    await scratch.admin.modify(userDn('e2'), [replace('mail', [`events-e2-new-${tag}@${directory.domain}`])]);

    const report = await syncNow();
    expect(report.counts).toMatchObject({ created: 0, updated: 2, deleted: 0 });
    const { records, events } = await published();
    expect(events).toHaveLength(2);
    const rename = events.find((e) => e.objectGuid === renamed?.objectGuid);
    expect(rename).toMatchObject({
      type: 'user.updated',
      runId: report.runId,
      userName: `events-renamed-${tag}`,
      user: { userName: `events-renamed-${tag}`, fullName: 'Events Renamed' },
    });
    expect(rename?.changedFields).toEqual(
      expect.arrayContaining(['userName', 'fullName', 'distinguishedName']),
    );
    const update = events.find((e) => e.userName === `events-e2-${tag}`);
    expect(update).toMatchObject({
      type: 'user.updated',
      changedFields: ['emailAddresses'],
      user: { emailAddresses: [`events-e2-new-${tag}@${directory.domain}`] },
    });
    // The old key's removal was written, and is no event: the filter keeps it in the stream.
    const oldKey = records.filter((r) => r.eventName === 'REMOVE' && keyOf(r) === `USER#events-e1-${tag}`);
    expect(oldKey).toHaveLength(1);
    expect(oldKey.filter(passesFilter)).toEqual([]);
    expect(await handler(oldKey)).toEqual([]);
  });

  it('publishes one user.deleted with the last state for a user gone from AD; its mark before the removal is no event', async () => {
    const last = (await scratch.harness.store.listUsers()).find((u) => u.userName === `events-e3-${tag}`);
    await scratch.admin.del(userDn('e3'));
    const report = await syncNow();
    expect(report.counts).toMatchObject({ deleted: 1 });
    const { records, events } = await published();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'user.deleted',
      runId: report.runId,
      userName: `events-e3-${tag}`,
      objectGuid: last?.objectGuid,
      changedFields: [],
      user: { userName: last?.userName, emailAddresses: last?.emailAddresses, createdAt: last?.createdAt },
    });
    const ofUser = records.filter((r) => keyOf(r) === `USER#events-e3-${tag}`);
    expect(ofUser.map((r) => r.eventName)).toEqual(['MODIFY', 'REMOVE']);
    // The mark: a MODIFY whose new image is marked `delete` is filtered out at the source.
    expect(passesFilter(ofUser[0] as DynamoDBRecord)).toBe(false);
    expect(await handler([ofUser[0] as DynamoDBRecord])).toEqual([]);
  });

  it('publishes nothing for Test Settings, though it would create a user; the sync that does publishes it once', async () => {
    await scratch.admin.add(
      userDn('e5'),
      userEntry({
        sAMAccountName: `events-e5-${tag}`,
        userPrincipalName: `events-e5-${tag}@${directory.domain}`,
        displayName: 'Events e5',
        mail: `events-e5-${tag}@${directory.domain}`,
      }),
    );
    await scratch.admin.modify(groupDn, [
      new Change({
        operation: 'add',
        modification: new Attribute({ type: 'member', values: [userDn('e5')] }),
      }),
    ]);
    const preview = await testSettings(scratch.harness.deps, { config, password: servicePassword() });
    expect(preview.counts).toMatchObject({ created: 1 });
    expect((await published()).events).toEqual([]);

    await syncNow();
    const { events } = await published();
    expect(events.map((e) => [e.type, e.userName])).toEqual([['user.created', `events-e5-${tag}`]]);
  });

  it('gives every event a unique id, and the same events with the same ids when the records are handed again', async () => {
    const ids = allEvents.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(allEvents).toHaveLength(NAMES.length + 2 + 1 + 1);
    // A redelivery (Pipes retries a batch, or hands it again after a failure) makes the same documents.
    expect(await throughThePipe(allRecords)).toEqual(allEvents);
    // In other batches too: the event of a record does not depend on its neighbours.
    const oneByOne: ChangeEvent[] = [];
    for (const record of allRecords.filter(passesFilter)) {
      oneByOne.push(...((await handler([record])) as ChangeEvent[]));
    }
    expect(oneByOne).toEqual(allEvents);
  });

  it('makes events that validate against docs/events.schema.json, as the bus delivers them', () => {
    expect(allEvents.length).toBeGreaterThan(0);
    for (const event of allEvents) {
      const valid = validateEvent(onTheBus(event));
      expect(valid, `${event.id}: ${JSON.stringify(validateEvent.errors)}`).toBe(true);
    }
    // And the schema refuses a document that is not one.
    expect(validateEvent(onTheBus({ ...allEvents[0], type: 'user.renamed' } as unknown as ChangeEvent))).toBe(
      false,
    );
    const { user: _user, ...withoutUser } = allEvents[0] as ChangeEvent;
    expect(validateEvent({ ...onTheBus(allEvents[0] as ChangeEvent), detail: withoutUser })).toBe(false);
  });
});

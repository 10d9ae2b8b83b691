/**
 * docs/run-events.schema.json, the schema the stack registers as ad-sync@RunEvent: draft-04, in step with the
 * code (the types, the statuses and triggers), and the events the builders make validate against it as the bus
 * delivers them.
 */
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { EVENT_SOURCE, RUN_EVENT_SCHEMA_FILE } from '../../../cdk/events';
import { RUN_STATUSES, RUN_TRIGGERS } from '../../../shared/domain/report';
import { RUN_EVENT_TYPES, type RunEvent, runEventOf, staleEventOf } from '../../../shared/domain/run-event';
import { SCHEDULE_STATES, scheduleHealthOf } from '../../../shared/domain/schedule-health';
import { reportCounts } from '../../support/builders';

type Schema = Record<string, unknown>;
const schema = JSON.parse(readFileSync(RUN_EVENT_SCHEMA_FILE, 'utf8')) as Schema;
const definitions = schema.definitions as Record<string, Schema>;

const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
ajv.addFormat('date-time', (value: string) =>
  /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value),
);
const validate = ajv.compile(schema);

/** The event as the bus delivers it to a rule's target. */
const onTheBus = (event: RunEvent) => ({
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

const ended = {
  runId: 'run-7',
  dryRun: false,
  trigger: 'schedule' as const,
  startedAt: '2026-12-01T02:00:00.000Z',
  finishedAt: '2026-12-01T02:01:00.000Z',
  counts: reportCounts({ directoryUsers: 500, created: 2 }),
};
const failed = {
  ...ended,
  status: 'failed' as const,
  error: { code: 'DirectoryUnavailable', message: 'no domain controller answered' },
};
const events: RunEvent[] = [
  runEventOf({ status: 'running' }, failed) as RunEvent,
  runEventOf(undefined, {
    ...failed,
    schedule: scheduleHealthOf([failed, failed, failed], { intervalMinutes: 60, failuresBeforeBackoff: 3 }),
  }) as RunEvent,
  runEventOf(
    { status: 'running' },
    {
      ...ended,
      status: 'deletionThresholdExceeded',
      trigger: 'api',
      deletesWithheld: 140,
      configVersion: 4,
    },
  ) as RunEvent,
  runEventOf(undefined, {
    ...ended,
    status: 'deletionThresholdExceeded',
    deletesWithheld: 140,
    deletesWithheldBecause: {
      reason: 'threshold',
      exceeded: 'maxPercent',
      deletes: 140,
      directoryUsers: 500,
      maxCount: 1000,
      maxPercent: 20,
    },
  }) as RunEvent,
  runEventOf(undefined, {
    ...ended,
    status: 'deletionThresholdExceeded',
    deletesWithheld: 140,
    configVersion: 4,
    deletesWithheldBecause: { reason: 'configurationChanged', startedOn: 4, savedSince: 5 },
  }) as RunEvent,
  staleEventOf(
    {
      since: '2026-11-30T01:00:00.000Z',
      staleAfterHours: 26,
      lastSucceeded: { runId: 'run-1', finishedAt: '2026-11-30T01:00:00.000Z' },
      lastRun: { runId: 'run-7', status: 'failed', finishedAt: ended.finishedAt },
    },
    new Date('2026-12-01T04:00:00Z'),
  ),
  staleEventOf({ since: '2026-11-30T01:00:00.000Z', staleAfterHours: 26 }, new Date('2026-12-01T04:00:00Z')),
];

describe('the run event schema (docs/run-events.schema.json)', () => {
  it('is draft-04, and names the types, statuses, triggers and schedule states the code has', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
    expect(definitions.RunEventType?.enum).toEqual([...RUN_EVENT_TYPES]);
    expect(definitions.RunStatus?.enum).toEqual([...RUN_STATUSES]);
    expect(definitions.RunTrigger?.enum).toEqual([...RUN_TRIGGERS]);
    const schedule = definitions.Schedule?.properties as Record<string, Schema>;
    expect(schedule.state?.enum).toEqual([...SCHEDULE_STATES]);
  });

  it('validates every event the builders make, as the bus delivers it', () => {
    expect(events.map((e) => e.type)).toEqual([
      'sync.failed',
      'sync.failed',
      'sync.deletionsWithheld',
      'sync.deletionsWithheld',
      'sync.deletionsWithheld',
      'sync.stale',
      'sync.stale',
    ]);
    for (const event of events) {
      expect(validate(onTheBus(event)), `${event.id}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('refuses what is not a run event', () => {
    const [first] = events as [RunEvent];
    expect(validate(onTheBus({ ...first, type: 'sync.exploded' } as unknown as RunEvent))).toBe(false);
    const { error: _error, ...withoutError } = first as Extract<RunEvent, { type: 'sync.failed' }>;
    expect(validate({ ...onTheBus(first), detail: withoutError })).toBe(false);
    expect(validate({ ...onTheBus(first), detail: { ...first, extra: 1 } })).toBe(false);
    // A withheld run's event says either how to approve or to sync again: one of them, never both or neither.
    const withheld = events.find((e) => e.type === 'sync.deletionsWithheld' && e.approve) as RunEvent;
    const rerun = { command: 'adsync sync', request: { method: 'POST', path: '/sync', body: {} } };
    expect(validate({ ...onTheBus(withheld), detail: { ...withheld, rerun } })).toBe(false);
    const { approve: _approve, ...neither } = withheld as Extract<
      RunEvent,
      { type: 'sync.deletionsWithheld' }
    >;
    expect(validate({ ...onTheBus(withheld), detail: neither })).toBe(false);
  });
});

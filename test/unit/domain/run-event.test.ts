import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { eventOfRecord, runEventOfRecord } from '../../../shared/adapters/dynamodb/change-stream';
import { alertKey, previewKey, runIndexKeys, runKey } from '../../../shared/adapters/dynamodb/keys';
import type { Report } from '../../../shared/domain/report';
import type { EndedRun } from '../../../shared/domain/run-event';
import { runEventOf, staleEventOf } from '../../../shared/domain/run-event';
import { aReport } from '../../support/builders';

/** A Report of the builders as the domain has it (the API's type admits undefined in optional fields). */
const ended = (overrides: Parameters<typeof aReport>[0] = {}): Report & EndedRun =>
  aReport(overrides) as Report;

const failed = ended({
  runId: 'run-7',
  status: 'failed',
  trigger: 'schedule',
  error: { code: 'DirectoryUnavailable', message: 'no domain controller answered' },
});
const withheld = ended({
  runId: 'run-8',
  status: 'deletionThresholdExceeded',
  trigger: 'api',
  deletesWithheld: 140,
  configVersion: 4,
  counts: { directoryUsers: 500, created: 2, deleted: 0 },
});

describe('runEventOf', () => {
  it("makes sync.failed of a run that ended failed: the Report's error, with a stable id", () => {
    expect(runEventOf({ status: 'running' }, failed)).toEqual({
      id: 'run-7:sync.failed',
      type: 'sync.failed',
      time: failed.finishedAt,
      runId: 'run-7',
      trigger: 'schedule',
      startedAt: failed.startedAt,
      error: { code: 'DirectoryUnavailable', message: 'no domain controller answered' },
    });
    // The same write handed again makes the same event.
    expect(runEventOf({ status: 'running' }, failed)).toEqual(runEventOf(undefined, failed));
  });

  it('carries the schedule state a scheduled failure recorded', () => {
    const schedule = {
      state: 'backedOff' as const,
      failedRuns: 3,
      failuresBeforeBackoff: 3,
      intervalMinutes: 60,
      delayMinutes: 120,
      nextRunAt: '2026-12-01T04:00:00.000Z',
    };
    expect(runEventOf(undefined, { ...failed, schedule })).toMatchObject({ schedule });
  });

  it('makes sync.deletionsWithheld with the counts and how to approve exactly those deletes', () => {
    expect(runEventOf({ status: 'running' }, withheld)).toEqual({
      id: 'run-8:sync.deletionsWithheld',
      type: 'sync.deletionsWithheld',
      time: withheld.finishedAt,
      runId: 'run-8',
      trigger: 'api',
      deletesWithheld: 140,
      counts: withheld.counts,
      configVersion: 4,
      approve: {
        command: 'adsync sync --allow-mass-deletion --run run-8 --deletes 140',
        request: {
          method: 'POST',
          path: '/sync',
          body: { allowMassDeletion: { runId: 'run-8', deletes: 140 } },
        },
      },
    });
  });

  it('says why, and offers no approval but a new sync when the configuration changed under the run', () => {
    const hold = { reason: 'configurationChanged', startedOn: 4, savedSince: 5 } as const;
    const event = runEventOf({ status: 'running' }, { ...withheld, deletesWithheldBecause: hold });
    expect(event).toMatchObject({
      type: 'sync.deletionsWithheld',
      deletesWithheld: 140,
      deletesWithheldBecause: hold,
      rerun: { command: 'adsync sync', request: { method: 'POST', path: '/sync', body: {} } },
    });
    expect(event).not.toHaveProperty('approve');
    // The threshold's hold keeps the approval, and says why too.
    const threshold = {
      reason: 'threshold',
      exceeded: 'maxCount',
      deletes: 140,
      directoryUsers: 500,
      maxCount: 50,
      maxPercent: 20,
    } as const;
    const approvable = runEventOf(undefined, { ...withheld, deletesWithheldBecause: threshold });
    expect(approvable).toMatchObject({
      deletesWithheldBecause: threshold,
      approve: { command: expect.any(String) },
    });
    expect(approvable).not.toHaveProperty('rerun');
  });

  it('makes nothing of progress, a success, a skipped run, a rewrite of an ended record, or a dry run', () => {
    expect(runEventOf(undefined, ended({ status: 'running' }))).toBeUndefined();
    expect(runEventOf({ status: 'running' }, ended())).toBeUndefined();
    expect(runEventOf(undefined, ended({ status: 'skipped' }))).toBeUndefined();
    expect(runEventOf({ status: 'failed' }, failed)).toBeUndefined();
    expect(runEventOf(undefined, { ...failed, dryRun: true })).toBeUndefined();
  });
});

describe('staleEventOf', () => {
  it('names the last success in its id: one event per stale spell', () => {
    const now = new Date('2026-12-02T03:00:00Z');
    const stale = {
      since: '2026-12-01T01:00:00.000Z',
      staleAfterHours: 26,
      lastSucceeded: { runId: 'run-1', finishedAt: '2026-12-01T01:00:00.000Z' },
    };
    expect(staleEventOf(stale, now)).toEqual({
      id: 'sync.stale:run-1',
      type: 'sync.stale',
      time: now.toISOString(),
      ...stale,
    });
    expect(staleEventOf({ since: stale.since, staleAfterHours: 26 }, now).id).toBe('sync.stale:never');
  });
});

/** A stream record of the run's summary item, before and after a write. */
function runRecord(eventName: 'INSERT' | 'MODIFY', after: Report, before?: Partial<Report>) {
  const { changes: _c, excluded: _e, ...summary } = after;
  const item = (fields: object) =>
    marshall(
      { ...runKey(after.runId), ...runIndexKeys(after.startedAt, after.runId), ...fields },
      {
        removeUndefinedValues: true,
      },
    );
  return {
    eventName,
    dynamodb: { NewImage: item(summary), ...(before ? { OldImage: item({ ...summary, ...before }) } : {}) },
  };
}

describe('the run events of the table stream', () => {
  it("makes the event of the write that ended a run record, and none of the record's other writes", () => {
    expect(eventOfRecord(runRecord('MODIFY', failed, { status: 'running' }))).toMatchObject({
      id: 'run-7:sync.failed',
    });
    expect(eventOfRecord(runRecord('MODIFY', withheld, { status: 'running' }))).toMatchObject({
      type: 'sync.deletionsWithheld',
      deletesWithheld: 140,
    });
    expect(eventOfRecord(runRecord('INSERT', ended({ status: 'running' })))).toBeUndefined();
    expect(eventOfRecord(runRecord('MODIFY', ended(), { status: 'running' }))).toBeUndefined();
  });

  it('gives every count to an event of a record written before some counts existed', () => {
    const record = runRecord('MODIFY', withheld, { status: 'running' });
    const old = marshall({
      ...runKey('run-8'),
      status: 'deletionThresholdExceeded',
      dryRun: false,
      deletesWithheld: 2,
      runId: 'run-8',
      startedAt: withheld.startedAt,
      finishedAt: withheld.finishedAt,
      counts: { directoryUsers: 9, created: 1 },
    });
    expect(eventOfRecord({ ...record, dynamodb: { ...record.dynamodb, NewImage: old } })).toMatchObject({
      counts: { directoryUsers: 9, created: 1, suspended: 0, restored: 0, conflicts: 0 },
    });
  });

  it('makes none of a preview, nor of a chunk of a run', () => {
    const preview = { ...runRecord('INSERT', { ...failed, dryRun: true }) };
    preview.dynamodb.NewImage = marshall({ ...previewKey('p-1'), status: 'failed', dryRun: true });
    expect(runEventOfRecord(preview)).toBeUndefined();
    const chunk = {
      eventName: 'INSERT',
      dynamodb: { NewImage: marshall({ ...runKey('run-7', 'CHANGES#000000'), status: 'failed' }) },
    };
    expect(runEventOfRecord(chunk)).toBeUndefined();
  });

  it("makes an alert's insert its stored event, and nothing of its expiry", () => {
    const event = staleEventOf(
      { since: '2026-12-01T01:00:00.000Z', staleAfterHours: 26 },
      new Date('2026-12-02T04:00:00Z'),
    );
    const image = marshall({ ...alertKey(event.id), event, expiresAt: 1 });
    expect(eventOfRecord({ eventName: 'INSERT', dynamodb: { NewImage: image } })).toEqual(event);
    expect(eventOfRecord({ eventName: 'REMOVE', dynamodb: { OldImage: image } })).toBeUndefined();
  });
});

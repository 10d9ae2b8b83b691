/**
 * The X-Ray tracing of shared/runtime/tracer.ts, on the X-Ray SDK's own Segment objects (nothing is sent: the
 * segments are never closed and flushed, and their subsegments stay in memory, as they do outside Lambda where
 * the SDK streams nothing below 100 open subsegments). A run with the in-memory fakes reports its steps to a
 * tracer that is on, set to an invocation's subsegment; the handlers run unchanged with tracing off.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';
// The default export: the SDK is CommonJS, and Node's ESM loader sees no named exports in it.
import xray from 'aws-xray-sdk-core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReportStep } from '../../../shared/domain/report';
import { NotFoundError } from '../../../shared/errors';
import {
  addStepSubsegment,
  type TraceSegment,
  tracedHandler,
  tracer,
  tracerOptions,
  traceStep,
} from '../../../shared/runtime/tracer';
import { synchronizeNow } from '../../../shared/use-cases/synchronize-now';
import { systemClock } from '../../../shared/use-cases/system-clock';
import { directoryEntry } from '../../support/in-memory';
import { inMemoryApp, inMemoryConfig } from '../../support/in-memory-app';

const T0 = Date.parse('2026-12-05T10:00:00.000Z');
const context = { functionName: 'ad-sync-sync' } as Context;

/**
 * A tracer that is on: Powertools reads the environment once, when a tracer is made, and turns tracing on
 * only where AWS_EXECUTION_ENV says Lambda (no option forces it on).
 */
function enabledTracer(): Tracer {
  vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs24.x');
  try {
    return new Tracer({ serviceName: 'ad-sync', captureHTTPsRequests: false });
  } finally {
    vi.unstubAllEnvs();
  }
}

/** Runs `work` with `segment` as the current one, in the X-Ray SDK's context (as Lambda's facade is). */
const withSegment = <T>(given: Tracer, segment: TraceSegment, work: () => Promise<T>): Promise<T> =>
  xray.getNamespace().runPromise(async () => {
    given.setSegment(segment);
    return work();
  });

/** The fields of a subsegment this module sets (the SDK's objects carry them as plain properties). */
const fieldsOf = (segment: TraceSegment) =>
  segment as TraceSegment & {
    name: string;
    start_time: number;
    end_time?: number;
    in_progress?: boolean;
    annotations?: Record<string, unknown>;
    metadata?: Record<string, Record<string, unknown>>;
    error?: boolean;
    fault?: boolean;
    subsegments?: TraceSegment[];
  };

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('addStepSubsegment', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: T0 });
  });

  it('adds a closed subsegment that ends now and starts the step’s ms earlier, annotated with its name and ok', () => {
    const invocation = new xray.Segment('ad-sync-sync').addNewSubsegment('## index.handler');
    const step: ReportStep = { name: 'search', ok: true, ms: 1_250, message: '10000 users read' };

    const subsegment = fieldsOf(addStepSubsegment(invocation, step));

    expect(subsegment.name).toBe('step search');
    expect(subsegment.start_time).toBe((T0 - 1_250) / 1000);
    expect(subsegment.end_time).toBe(T0 / 1000);
    expect(subsegment.in_progress).toBeUndefined();
    expect(subsegment.annotations).toEqual({ step: 'search', ok: true });
    expect(subsegment.metadata).toEqual({ 'ad-sync': { message: '10000 users read' } });
    expect(subsegment.error).toBeUndefined();
    expect(fieldsOf(invocation).subsegments).toEqual([subsegment]);
  });

  it('flags a failed step as an error, with its message', () => {
    const invocation = new xray.Segment('ad-sync-sync').addNewSubsegment('## index.handler');

    const subsegment = fieldsOf(
      addStepSubsegment(invocation, { name: 'bind', ok: false, ms: 40, message: 'invalid credentials' }),
    );

    expect(subsegment.annotations).toEqual({ step: 'bind', ok: false });
    expect(subsegment.error).toBe(true);
    expect(subsegment.metadata?.['ad-sync']?.message).toBe('invalid credentials');
    expect((subsegment.end_time ?? 0) - subsegment.start_time).toBeCloseTo(0.04, 6);
  });
});

describe('traceStep, as a run’s onStep', () => {
  it('makes each step of a run a subsegment of the invocation’s, ending when it was reported', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: T0 });
    const given = enabledTracer();
    const invocation = new xray.Segment('ad-sync-sync').addNewSubsegment('## index.handler');
    // On the system clock, which the test's fake Date moves.
    const app = inMemoryApp({
      clock: systemClock,
      entries: Array.from({ length: 5 }, (_, i) => directoryEntry(i + 1)),
    });
    await app.settings.saveConfig(inMemoryConfig());
    // When each step was reported: the fake clock moves a second between two.
    const reported: { step: ReportStep; at: number }[] = [];

    const report = await withSegment(given, invocation, () =>
      synchronizeNow(
        app.deps({
          onStep: (step) => {
            vi.setSystemTime(Date.now() + 1_000);
            reported.push({ step, at: Date.now() });
            traceStep(step, given);
          },
        }),
      ),
    );

    expect(report.status).toBe('succeeded');
    const { steps } = report;
    expect(steps.map((step) => step.name)).toEqual(
      expect.arrayContaining(['connect', 'bind', 'search', 'filter', 'plan', 'apply', 'record']),
    );
    const subsegments = (fieldsOf(invocation).subsegments ?? []).map(fieldsOf);
    expect(subsegments.map((s) => s.name)).toEqual(steps.map((step) => `step ${step.name}`));
    expect(reported).toHaveLength(subsegments.length);
    for (const [i, subsegment] of subsegments.entries()) {
      const { step, at } = reported[i] ?? { step: { name: 'none', ms: 0 }, at: 0 };
      expect(subsegment.annotations).toEqual({ step: step.name, ok: true });
      expect(subsegment.end_time).toBe(at / 1000);
      expect(subsegment.start_time).toBe((at - step.ms) / 1000);
    }
    // The invocation's subsegment carries each step's time: `annotation.searchMs > 5000` finds slow reads.
    const annotations = fieldsOf(invocation).annotations ?? {};
    for (const step of steps) expect(annotations[`${step.name}Ms`], step.name).toBe(step.ms);
  });

  it('does nothing with tracing off', async () => {
    const off = new Tracer({ enabled: false });
    const getSegment = vi.spyOn(off, 'getSegment');

    traceStep({ name: 'search', ok: true, ms: 5 }, off);

    expect(getSegment).not.toHaveBeenCalled();
  });
});

describe('tracedHandler', () => {
  it('runs the handler in a `## <handler>` subsegment, annotated, closed, and then restores the segment', async () => {
    const given = enabledTracer();
    const lambda = new xray.Segment('ad-sync-users');
    vi.stubEnv('_HANDLER', 'index.handler');

    const handler = tracedHandler(
      async (event: { n: number }) => ({ seen: event.n, in: given.getSegment() }),
      { tracer: given },
    );
    const { answer, after } = await withSegment(given, lambda, async () => ({
      answer: await handler({ n: 7 }, context),
      after: given.getSegment(),
    }));

    const [invocation] = (fieldsOf(lambda).subsegments ?? []).map(fieldsOf);
    expect(answer).toEqual({ seen: 7, in: invocation });
    expect(after).toBe(lambda);
    expect(invocation?.name).toBe('## index.handler');
    expect(invocation?.in_progress).toBeUndefined();
    expect(invocation?.annotations).toMatchObject({ Service: 'ad-sync', ColdStart: expect.any(Boolean) });
    // The response is not recorded: it may name users.
    expect(invocation?.metadata).toBeUndefined();
  });

  it('records a fault with its error, and a caller’s error as an error flag only', async () => {
    const given = enabledTracer();
    const lambda = new xray.Segment('ad-sync-users');
    const handler = tracedHandler(
      async (event: { fail: Error }) => {
        throw event.fail;
      },
      { tracer: given, isFault: (error) => !(error instanceof NotFoundError) },
    );

    await withSegment(given, lambda, async () => {
      await expect(handler({ fail: new Error('the table is gone') }, context)).rejects.toThrow(
        'the table is gone',
      );
      await expect(handler({ fail: new NotFoundError('no user bob') }, context)).rejects.toThrow(
        'no user bob',
      );
    });

    const [fault, notFound] = (fieldsOf(lambda).subsegments ?? []).map(fieldsOf);
    expect(fault?.fault).toBe(true);
    expect(notFound?.error).toBe(true);
    expect(notFound?.fault).toBeUndefined();
  });

  it('passes events, answers and errors through unchanged with tracing off, and warns of nothing', async () => {
    const warn = vi.spyOn(console, 'warn');
    const error = vi.spyOn(console, 'error');
    const handler = tracedHandler(async (event: string) => {
      if (event === 'fail') throw new Error('failed');
      return event.toUpperCase();
    });

    // This process is no Lambda function: the runtime's tracer is off.
    expect(tracer.isTracingEnabled()).toBe(false);
    await expect(handler('ok', context)).resolves.toBe('OK');
    await expect(handler('fail', context)).rejects.toThrow('failed');
    expect(warn).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
  });
});

describe('tracerOptions', () => {
  it('turns tracing off outside a Lambda function, even where AWS_EXECUTION_ENV is set (CloudShell)', () => {
    expect(tracerOptions({ AWS_EXECUTION_ENV: 'CloudShell' })).toMatchObject({ enabled: false });
    expect(tracerOptions({})).toMatchObject({ enabled: false });
  });

  it('leaves it to Powertools in a Lambda function (on, unless POWERTOOLS_TRACE_ENABLED=false)', () => {
    const options = tracerOptions({
      AWS_LAMBDA_FUNCTION_NAME: 'ad-sync-sync',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    });
    expect(options).not.toHaveProperty('enabled');
    expect(options).toMatchObject({ serviceName: 'ad-sync', captureHTTPsRequests: false });
  });
});

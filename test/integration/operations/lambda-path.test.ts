/**
 * Long operations as deployed: the start function hands a sync or a preview to its worker function with an
 * asynchronous Lambda invocation (`InvocationType: Event`), and the worker runs it when Lambda delivers the
 * event. The real handlers run with API Gateway events against DynamoDB Local and the Samba DC; only the
 * Lambda client is mocked (aws-sdk-client-mock), and the test delivers the event it was given to the worker's
 * handler, as Lambda would. The function names are set before the handlers are imported: they read them at
 * cold start (hence a file of its own).
 */
import { randomUUID } from 'node:crypto';
import { InvokeCommand, type InvokeCommandInput, LambdaClient } from '@aws-sdk/client-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { previewStartEvent, syncStartEvent } from '../../../shared/adapters/lambda/operation-events';
import type { JsonResponse } from '../../support/api-events';
import { dynamoDbClient, scanAll } from '../../support/clients';
import { type LoadedHandlers, loadHandlers } from '../../support/lambda-handlers';
import { fixtureConfig, servicePassword } from '../../support/sync-harness';

const SYNC_FUNCTION = 'ad-sync-sync';
const TEST_SETTINGS_FUNCTION = 'ad-sync-test-settings';

const lambda = mockClient(LambdaClient);
const dynamodb = dynamoDbClient();
let loaded: LoadedHandlers;

const call = (...args: Parameters<LoadedHandlers['call']>): Promise<JsonResponse> => loaded.call(...args);

/** The invocations the start function sent, with their events decoded. */
function invocations(): { input: InvokeCommandInput; event: unknown }[] {
  return lambda.commandCalls(InvokeCommand).map(({ args: [command] }) => ({
    input: command.input,
    event: JSON.parse(
      typeof command.input.Payload === 'string'
        ? command.input.Payload
        : new TextDecoder().decode(command.input.Payload as Uint8Array),
    ),
  }));
}

/** Every item of the table, as JSON. */
async function tableText(): Promise<string> {
  const Items = await scanAll(dynamodb, loaded.tableName);
  return JSON.stringify(Items.map((item) => unmarshall(item)));
}

/** The preview items of the table (their summaries). */
async function previewSummaries(): Promise<Record<string, unknown>[]> {
  const Items = await scanAll(dynamodb, loaded.tableName);
  return Items.map((item) => unmarshall(item)).filter(
    (item) => String(item.pk).startsWith('PREVIEW#') && item.sk === 'REPORT',
  );
}

beforeAll(async () => {
  Object.assign(process.env, {
    SYNC_FUNCTION_NAME: SYNC_FUNCTION,
    TEST_SETTINGS_FUNCTION_NAME: TEST_SETTINGS_FUNCTION,
  });
  loaded = await loadHandlers();
  const saved = await call('config', 'PUT', '/config', {
    body: { config: fixtureConfig(), password: servicePassword() },
  });
  expect(saved.statusCode).toBe(200);
});

beforeEach(() => {
  lambda.reset();
  // Lambda queues an asynchronous invocation and answers 202 at once.
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
});

afterAll(() => dynamodb.destroy());

describe('POST /sync through the sync function', () => {
  it('answers 202 having asked Lambda, once, to run the sync asynchronously; the sync function runs it', async () => {
    const started = await call('start', 'POST', '/sync', { body: {} });
    expect(started.statusCode).toBe(202);
    expect(started.body).toEqual({ runId: expect.any(String), status: 'running' });
    const { runId } = started.body;
    expect(started.headers.location).toBe(`/sync/runs/${runId}`);

    const sent = invocations();
    expect(sent).toHaveLength(1);
    const [{ input, event } = { input: {}, event: undefined }] = sent;
    expect(input).toMatchObject({ FunctionName: SYNC_FUNCTION, InvocationType: 'Event' });
    expect(syncStartEvent.parse(event)).toEqual({ source: 'ad-sync.start', runId, configVersion: 1 });

    // The start function answered without running anything: the run waits for its worker.
    const waiting = await call('runs', 'GET', `/sync/runs/${runId}`);
    expect(waiting.body).toMatchObject({
      runId,
      status: 'running',
      steps: [],
      progress: { phase: 'connect' },
    });
    expect((await call('users', 'GET', '/users')).body.users).toEqual([]);
    const again = await call('start', 'POST', '/sync', { body: {} });
    expect(again.statusCode).toBe(409);
    expect(again.body.error.details).toEqual([{ path: 'runId', message: runId }]);

    // Lambda delivers the event to the sync function.
    const outcome = await loaded.invoke('sync', event);
    expect(outcome).toMatchObject({ outcome: 'ran', report: { runId, status: 'succeeded' } });
    const end = await call('runs', 'GET', `/sync/runs/${runId}`);
    expect(end.body).toMatchObject({ runId, status: 'succeeded', dryRun: false, trigger: 'api' });
    expect(end.body.counts.created).toBeGreaterThan(1000);
    expect(end.body.progress).toBeUndefined();
    expect((await call('users', 'GET', '/users')).body.users.length).toBeGreaterThan(0);

    // A second delivery of the same event (asynchronous invocations are at least once) runs nothing.
    expect(await loaded.invoke('sync', event)).toEqual({ outcome: 'duplicate' });
    expect((await call('runs', 'GET', `/sync/runs/${runId}`)).body).toEqual(end.body);
    // The sync function starts nothing itself.
    expect(invocations()).toHaveLength(1);
  });

  it('runs only a run the start function recorded, whatever an event claims', async () => {
    const runId = `made-up-${randomUUID()}`;
    expect(await loaded.invoke('sync', { source: 'ad-sync.start', runId, configVersion: 1 })).toEqual({
      outcome: 'stale',
    });
    expect((await call('runs', 'GET', `/sync/runs/${runId}`)).statusCode).toBe(404);
    expect(
      await loaded.invoke('sync', { source: 'ad-sync.start', runId, configVersion: 1, extra: 1 }),
    ).toEqual({ outcome: 'invalid' });
  });

  it.each([
    ['the invocation is refused', () => lambda.on(InvokeCommand).rejects(new Error('Rate exceeded'))],
    [
      'Lambda does not queue it',
      () => lambda.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled' }),
    ],
  ])('answers 502 StartFailed when %s, records the run as failed and releases the lock', async (_, fail) => {
    lambda.reset();
    fail();
    const refused = await call('start', 'POST', '/sync', { body: {} });
    expect(refused.statusCode).toBe(502);
    expect(refused.body.error).toMatchObject({ code: 'StartFailed', message: expect.any(String) });
    expect(invocations()).toHaveLength(1);

    const [failed] = (await call('runs', 'GET', '/sync/runs')).body.runs;
    expect(failed).toMatchObject({ status: 'failed', trigger: 'api', error: { code: 'StartFailed' } });
    expect((await call('runs', 'GET', `/sync/runs/${failed.runId}`)).body).toMatchObject({
      status: 'failed',
      error: { code: 'StartFailed' },
    });

    // The lock was released: the next start is not refused as running.
    lambda.reset();
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    const next = await call('start', 'POST', '/sync', { body: {} });
    expect(next.statusCode).toBe(202);
    const [{ event } = { event: undefined }] = invocations();
    expect(await loaded.invoke('sync', event)).toMatchObject({
      outcome: 'ran',
      report: { status: 'succeeded' },
    });
    // The failed start is never run, even if its event came late.
    expect(
      await loaded.invoke('sync', { source: 'ad-sync.start', runId: failed.runId, configVersion: 1 }),
    ).toEqual({ outcome: 'stale' });
  });
});

describe('POST /test-settings through the test-settings function', () => {
  it('hands the preview and the password given with it to the function in one invocation, and keeps the password nowhere', async () => {
    const given = `given-${randomUUID()}`;
    // Another target than the saved connection (an explicit port): the request must bring its password.
    const config = fixtureConfig({ connection: { servers: ['127.0.0.1:636'] } });
    const started = await call('start', 'POST', '/test-settings', { body: { config, password: given } });
    expect(started.statusCode).toBe(202);
    expect(started.body).toEqual({ previewId: expect.any(String), status: 'running' });
    const { previewId } = started.body;
    expect(started.headers.location).toBe(`/test-settings/${previewId}`);

    const sent = invocations();
    expect(sent).toHaveLength(1);
    const [{ input, event } = { input: {}, event: undefined }] = sent;
    expect(input).toMatchObject({ FunctionName: TEST_SETTINGS_FUNCTION, InvocationType: 'Event' });
    // By design the password travels in the invocation only: the preview's record does not hold it.
    expect(previewStartEvent.parse(event)).toEqual({
      source: 'ad-sync.preview',
      previewId,
      config,
      password: given,
    });
    expect((await call('runs', 'GET', `/test-settings/${previewId}`)).body).toMatchObject({
      runId: previewId,
      dryRun: true,
      status: 'running',
    });
    expect(await tableText()).not.toContain(given);

    // Lambda delivers the event: the preview binds with the password it carries (a wrong one here).
    expect(await loaded.invoke('test-settings', event)).toMatchObject({
      outcome: 'ran',
      report: { runId: previewId, status: 'failed', error: { code: 'InvalidCredentials' } },
    });
    const end = await call('runs', 'GET', `/test-settings/${previewId}`);
    expect(end.body).toMatchObject({ dryRun: true, status: 'failed', error: { code: 'InvalidCredentials' } });
    expect(end.raw).not.toContain(given);
    expect(await tableText()).not.toContain(given);
    expect(loaded.logs().join('')).not.toContain(given);
    // Delivered again, it does not run again.
    expect(await loaded.invoke('test-settings', event)).toEqual({ outcome: 'stale' });
  });

  it('tests the saved settings in the function that holds the saved password', async () => {
    const started = await call('start', 'POST', '/test-settings', { body: {} });
    expect(started.statusCode).toBe(202);
    const [{ event } = { event: undefined }] = invocations();
    expect(previewStartEvent.parse(event)).toEqual({
      source: 'ad-sync.preview',
      previewId: started.body.previewId,
    });
    await loaded.invoke('test-settings', event);
    expect((await call('runs', 'GET', `/test-settings/${started.body.previewId}`)).body).toMatchObject({
      dryRun: true,
      status: 'succeeded',
    });
  });

  it('answers 502 StartFailed when the invocation is refused, and records the preview as failed', async () => {
    lambda.reset();
    lambda.on(InvokeCommand).rejects(new Error('Rate exceeded'));
    const given = `given-${randomUUID()}`;
    const before = new Set((await previewSummaries()).map((item) => item.pk));
    const refused = await call('start', 'POST', '/test-settings', {
      body: { config: fixtureConfig({ connection: { servers: ['127.0.0.1:636'] } }), password: given },
    });
    expect(refused.statusCode).toBe(502);
    expect(refused.body.error.code).toBe('StartFailed');
    const added = (await previewSummaries()).filter((item) => !before.has(item.pk));
    expect(added).toEqual([
      expect.objectContaining({
        status: 'failed',
        dryRun: true,
        error: expect.objectContaining({ code: 'StartFailed' }),
      }),
    ]);
    expect(await tableText()).not.toContain(given);
  });
});

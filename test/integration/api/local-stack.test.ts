/**
 * End to end over HTTP: `adsync serve` in a child process (DynamoDB Local persisted under ADSYNC_HOME, the
 * file secret store, the HTTP API) against the Samba fixture, driven with fetch and with the `adsync` CLI.
 *
 * The CLI runs in the test's process (cli-in-process.ts: the same `main` on stand-in streams), but for two
 * command lines that spawn the real `adsync` (bin/adsync.js, about a second each), since there the process
 * is what is tested: a command end to end from the shell's environment with an output larger than a pipe
 * holds, all of it read (`users --json`), and the real binary's exit code (`frobnicate`).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../../local/dynamodb-local';
import { adsyncInProcess } from '../../support/cli-in-process';
import { adsync, type ServeProcess, startServe } from '../../support/local-stack-process';
import { fixtureConfig, servicePassword } from '../../support/sync-harness';
import { startFaultProxy } from '../../support/tcp-fault-proxy';

const directory = inject('directory');
let home: string;
let env: NodeJS.ProcessEnv;
let serve: ServeProcess;
const token = randomBytes(16).toString('hex');

/** Asks POST /sync and POST /test-settings for the final Report (200) rather than the 202 of a run under way. */
const WAIT = { prefer: 'wait=120' };

async function api(
  method: string,
  path: string,
  body?: unknown,
  auth = `Bearer ${token}`,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${serve.url}${path}`, {
    method,
    headers: {
      authorization: auth,
      ...headers,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, text };
}

const dynamoDbProcesses = (): string => {
  try {
    return execFileSync('pgrep', ['-f', join(home, 'dynamodb')], { encoding: 'utf8' });
  } catch {
    return '';
  }
};

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ad-sync-home-'));
  env = { ADSYNC_HOME: home, ADSYNC_PORT: String(await freePort()), ADSYNC_TOKEN: token };
  serve = await startServe(env);
});

afterAll(async () => {
  await serve?.stop();
  await rm(home, { recursive: true, force: true });
});

describe('the local stack over HTTP', () => {
  it('answers 401 without the bearer token or with a wrong one', async () => {
    expect((await api('GET', '/config', undefined, '')).status).toBe(401);
    const wrong = await api('GET', '/config', undefined, 'Bearer not-the-token');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: { code: 'Unauthorized', message: expect.any(String) } });
  });

  it('saves the configuration and the password (the secret file is private to its owner)', async () => {
    const saved = await api('PUT', '/config', { config: fixtureConfig(), password: servicePassword() });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ version: 1, passwordSet: true });
    expect((await stat(join(home, 'secrets.json'))).mode & 0o777).toBe(0o600);
  });

  it('runs Test Settings and then Synchronize now', async () => {
    const test = await api('POST', '/test-settings', {}, undefined, WAIT);
    expect(test.body).toMatchObject({ dryRun: true, status: 'succeeded' });
    const sync = await api('POST', '/sync', {}, undefined, WAIT);
    expect(sync.body).toMatchObject({ dryRun: false, status: 'succeeded' });
    expect(sync.body.counts.created).toBe(test.body.counts.created);
  });

  it('lists the users and the runs', async () => {
    const users = await api('GET', '/users');
    expect(users.body.users).toHaveLength(100);
    const runs = await api('GET', '/sync/runs');
    expect(runs.body.runs).toHaveLength(1);
  });

  it('gives a second sync started at the same time 409, naming the running run', async () => {
    const results = await Promise.all([
      api('POST', '/sync', {}, undefined, WAIT),
      api('POST', '/sync', {}, undefined, WAIT),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const refused = results.find((r) => r.status === 409)?.body.error;
    expect(refused.code).toBe('SyncRunning');
    expect(refused.details).toEqual([
      { path: 'runId', message: results.find((r) => r.status === 200)?.body.runId },
    ]);
  });
});

describe('the adsync CLI against the local stack', () => {
  it('lists users as a table and as JSON', async () => {
    const human = await adsyncInProcess(['users'], env);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^user\s+name\s+addresses/m);
    expect(human.stdout).toContain('bob.baker@company.local');
    // Spawned: the real command, its JSON larger than a pipe holds, is read whole.
    const json = await adsync(['users', '--json'], env);
    expect(JSON.parse(json.stdout).users.length).toBeGreaterThan(1000);
  });

  it('runs a sync with exit 0 and shows the config without the password', async () => {
    const sync = await adsyncInProcess(['sync', '--json'], env);
    expect(sync.code).toBe(0);
    expect(JSON.parse(sync.stdout)).toMatchObject({ status: 'succeeded' });
    const config = await adsyncInProcess(['config', 'get'], env);
    expect(config.stdout).toContain('password set');
    expect(config.stdout).not.toContain(servicePassword());
  });

  it('follows a sync slower than its wait: progress lines on stderr (not a terminal), the Report alone on stdout', async () => {
    // Each answer of the DC half a second late: the run (a dozen exchanges with the DC) takes several seconds
    // whatever it reads, longer than the 2 s the CLI asks the API to wait, so the API answers 202 and the CLI
    // polls the run to its end.
    const distant = await startFaultProxy({
      targetHost: '127.0.0.1',
      targetPort: 636,
      fault: { kind: 'latency', ms: 500 },
    });
    try {
      // Another server: the password goes with it (it is sent only where it was saved for).
      const saveConfig = async (servers: string[]) => {
        const file = join(home, 'servers.json');
        const config = fixtureConfig({ connection: { servers, timeoutSeconds: 30 } });
        await writeFile(file, JSON.stringify({ config, password: servicePassword() }));
        expect((await adsyncInProcess(['config', 'set', '--file', file], env)).code).toBe(0);
      };
      await saveConfig([`127.0.0.1:${distant.port}`]);
      const sync = await adsyncInProcess(['sync', '--json'], env);
      expect(sync.code).toBe(0);
      const report = JSON.parse(sync.stdout);
      expect(report).toMatchObject({
        dryRun: false,
        status: 'succeeded',
        server: `127.0.0.1:${distant.port}`,
      });
      expect(report.progress).toBeUndefined();
      // Plain lines for a log (no bar, no carriage return), each with the phase and the time so far.
      expect(sync.stderr).not.toContain('\r');
      const lines = sync.stderr.trimEnd().split('\n');
      expect(sync.stderr).not.toBe('');
      for (const line of lines) {
        expect(line).toMatch(
          /^sync (connecting to the directory|reading the directory|planning|applying changes|recording the run)( · .+)? · \d+ s$/,
        );
      }
      await saveConfig(['127.0.0.1']);
    } finally {
      await distant.close();
    }
  });

  it('exits 3 when the deletion threshold stops deletes, and applies them once with --allow-mass-deletion', async () => {
    const narrowed = join(home, 'narrowed.json');
    await writeFile(
      narrowed,
      JSON.stringify(
        fixtureConfig({
          connection: { baseDn: `OU=Engineering,${directory.baseDn}` },
          options: { deleteUsers: true },
        }),
      ),
    );
    expect((await adsyncInProcess(['config', 'set', '--file', narrowed], env)).code).toBe(0);
    const stopped = await adsyncInProcess(['sync'], env);
    expect(stopped.code).toBe(3);
    expect(stopped.stdout).toContain('--allow-mass-deletion');
    const allowed = await adsyncInProcess(['sync', '--allow-mass-deletion', '--json'], env);
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout).counts.deleted).toBeGreaterThan(1000);
  });

  it('exits 1 for a failed run and 2 for a usage error', async () => {
    const wrong = join(home, 'wrong.json');
    await writeFile(wrong, JSON.stringify({ config: fixtureConfig(), password: 'wrong-password' }));
    expect((await adsyncInProcess(['config', 'set', '--file', wrong], env)).code).toBe(0);
    const failed = await adsyncInProcess(['test'], env);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('InvalidCredentials');
    // Spawned: the real binary exits with main's exit code.
    expect((await adsync(['frobnicate'], env)).code).toBe(2);
    expect((await adsyncInProcess(['sync', '--no-such-flag'], env)).code).toBe(2);
    expect((await adsyncInProcess(['config', 'set'], env)).code).toBe(2);
  });

  it('changes single settings with flags, keeping the rest', async () => {
    const changed = await adsyncInProcess(
      ['config', 'set', '--base-dn', `OU=Sales,${directory.baseDn}`, '--json'],
      env,
    );
    expect(changed.code).toBe(0);
    const config = JSON.parse((await adsyncInProcess(['config', 'get', '--json'], env)).stdout);
    expect(config.config.connection).toMatchObject({
      baseDn: `OU=Sales,${directory.baseDn}`,
      username: directory.serviceAccount.upn,
    });
    const invalid = await adsyncInProcess(['config', 'set', '--server', 'not a host'], env);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('config.connection.servers.0');
  });

  it('lists runs newest first', async () => {
    const runs = await adsyncInProcess(['runs', '--json'], env);
    const list = JSON.parse(runs.stdout).runs as { startedAt: string }[];
    expect(list.length).toBeGreaterThanOrEqual(4);
    expect([...list].sort((a, b) => b.startedAt.localeCompare(a.startedAt))).toEqual(list);
  });
});

describe('restarting the local stack', () => {
  it('stops everything it started on Ctrl-C and keeps users, configuration and runs', async () => {
    const before = {
      users: (await api('GET', '/users')).body.users,
      config: (await api('GET', '/config')).body,
      runs: (await api('GET', '/sync/runs')).body.runs,
    };
    expect(serve.output()).not.toContain(servicePassword());
    expect(await serve.stop()).toBe(0);
    expect(dynamoDbProcesses()).toBe('');

    serve = await startServe(env);
    expect((await api('GET', '/users')).body.users).toEqual(before.users);
    expect((await api('GET', '/config')).body).toEqual(before.config);
    expect((await api('GET', '/sync/runs')).body.runs).toEqual(before.runs);
  });
});

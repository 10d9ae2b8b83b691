/**
 * Changes in seconds on the local stack (docs/contract.md#changes-in-seconds): `adsync config set
 * --change-notifications on` turns the watch on in the `adsync serve` process (here started in process); a
 * change in AD then reaches its user item with no one pressing Synchronize now, as a run with the trigger
 * `notification`, and GET /sync/runs shows the watch. The test waits on the API's answers, not on delays.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../local/local-stack';
import { adsyncInProcess } from '../../support/cli-in-process';
import { saveOuConfig, stackApi } from '../../support/local-stack-api';
import { createScratchOu, replace, scratchOuName, userEntry } from '../../support/scratch-ou';

const { dn: ou, tag } = scratchOuName('Local watch');
const userDn = `CN=Watched,${ou}`;
let scratch: Awaited<ReturnType<typeof createScratchOu>>;
let home: string;
let stack: LocalStack;
const lines: string[] = [];
const api = stackApi(() => stack);

/** Asks GET /sync/runs until `done` holds for its answer (each answer is what moves it on); fails after `ms`. */
async function untilRuns(done: (body: RunsBody) => boolean, what: string, ms = 20_000): Promise<RunsBody> {
  const deadline = Date.now() + ms;
  for (;;) {
    const { body } = await api('GET', '/sync/runs');
    if (done(body as RunsBody)) return body as RunsBody;
    if (Date.now() > deadline) throw new Error(`still waiting for ${what}: ${JSON.stringify(body)}`);
  }
}
interface RunsBody {
  runs: { trigger?: string; status: string; counts: { updated: number; created: number } }[];
  watch?: { state: string; namingContext?: string };
}

beforeAll(async () => {
  scratch = await createScratchOu(ou);
  await scratch.admin.add(userDn, userEntry({ sAMAccountName: `lw-${tag}`, displayName: 'Watched' }));
  home = await mkdtemp(join(tmpdir(), 'ad-sync-local-watch-'));
  stack = await startLocalStack({
    home,
    port: 0,
    token: randomBytes(24).toString('hex'),
    log: (line) => lines.push(line),
    // The watch reads the configuration every second while off (15 s by default), so it opens soon after the save.
    watch: { timing: { checkMs: 1_000 } },
  });
  await saveOuConfig(api, ou, { filters: { exchangeUsersOnly: false } });
});

afterAll(async () => {
  await stack?.stop();
  await rm(home, { recursive: true, force: true });
  await scratch?.remove();
});

it('adsync config set --change-notifications on: a change in AD reaches its user in seconds, as a notification run', async () => {
  const env = { ADSYNC_PORT: new URL(stack.url).port, ADSYNC_TOKEN: stack.token };
  const set = await adsyncInProcess(['config', 'set', '--change-notifications', 'on'], env);
  expect(set.code).toBe(0);
  expect((await adsyncInProcess(['config', 'set', '--change-notifications', 'maybe'], env)).code).toBe(2);
  // The watch opens and its catch-up run creates the user.
  await untilRuns(
    (body) =>
      body.watch?.state === 'watching' &&
      body.runs.some((r) => r.trigger === 'notification' && r.status === 'succeeded'),
    'the watch and its catch-up run',
  );
  await scratch.admin.modify(userDn, [replace('displayName', ['Watched Again'])]);
  const after = await untilRuns(
    (body) => body.runs.some((r) => r.trigger === 'notification' && r.counts.updated === 1),
    'the run of the change',
  );
  // A notification run, not the schedule's: the change reached its user through the watch (how fast is
  // `npm run latency`'s to measure; a test only waits, up to untilRuns' 20 s).
  expect(after.watch).toMatchObject({ state: 'watching', namingContext: expect.stringMatching(/^DC=/) });
  const { body: user } = await api('GET', `/users/lw-${tag}`);
  expect(user).toMatchObject({ fullName: 'Watched Again' });
  expect(lines.some((line) => line.startsWith('watch: watching DC='))).toBe(true);
  expect(lines.some((line) => /^watch: started a run for the changes notified \(run /.test(line))).toBe(true);
});

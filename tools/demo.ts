/**
 * `npm run demo`: ad-sync end to end for someone without an Active Directory at hand.
 *
 * Provisions the sample directory (a Samba AD DC on 127.0.0.1 seeded with test/fixtures/directory.ldif; it
 * needs Debian and root to install Samba, or Samba already installed), starts the local stack against it,
 * saves a configuration, runs Test Settings and Synchronize now through the HTTP API, prints what was
 * created and what was excluded and why, and the change events the sync published (to a webhook receiver of
 * the demo's own, which checks every signature), and stops everything. With `--keep` the local stack stays
 * up (Ctrl-C ends it) to explore with the `adsync` CLI.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Webhook } from 'standardwebhooks';
import { stepsTable, table } from '../cli/presenter';
import type { Report } from '../shared/api/schemas';
import type { ChangeEvent } from '../shared/domain/change-event';
import { logger } from '../shared/runtime/logger';
import { startSampleStack } from './sample-stack';

const keep = process.argv.includes('--keep');
// The demo prints its own summary; the per-step JSON log lines would drown it.
logger.setLogLevel('WARN');
const say = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

function summarize(report: Report): void {
  say(stepsTable(report));
  const c = report.counts;
  say();
  say(
    `directory users ${c.directoryUsers} · in scope ${c.inScope} · excluded ${c.excluded} · ` +
      `created ${c.created} · updated ${c.updated} · deleted ${c.deleted} · unchanged ${c.unchanged} · conflicts ${c.conflicts}`,
  );
  if (report.error) say(`error ${report.error.code}: ${report.error.message}`);
}

/**
 * A webhook receiver as an application would write one: it verifies each request's signature and keeps the
 * events by id (a repeated delivery has the same id).
 */
async function startReceiver(secret: string) {
  const webhook = new Webhook(secret);
  const events = new Map<string, ChangeEvent>();
  let refused = 0;
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      try {
        const event = webhook.verify(body, request.headers as IncomingHttpHeaders & Record<string, string>);
        events.set((event as ChangeEvent).id, event as ChangeEvent);
        response.writeHead(204).end();
      } catch {
        refused += 1;
        response.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/ad-sync-events`,
    events,
    refused: () => refused,
    /** Waits until `count` events have come (or 60 s). */
    async await(count: number): Promise<void> {
      for (const deadline = Date.now() + 60_000; events.size < count && Date.now() < deadline; ) {
        await sleep(200);
      }
    },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

async function main(): Promise<void> {
  // The demo's own receiver of change events, unless webhooks are configured already; the local stack reads
  // these variables when it starts.
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const receiver = process.env.ADSYNC_WEBHOOK_URL ? undefined : await startReceiver(secret);
  if (receiver)
    Object.assign(process.env, { ADSYNC_WEBHOOK_URL: receiver.url, ADSYNC_WEBHOOK_SECRET: secret });
  try {
    say(
      'Starting the sample directory (Samba AD DC on 127.0.0.1, seeded from test/fixtures/directory.ldif) and the local stack ...',
    );
    const { dc, stack, api, stop } = await startSampleStack({
      label: 'demo',
      ...(keep ? { port: Number(process.env.ADSYNC_PORT ?? 8080) } : {}),
      log: (line) => say(`  ${line}`),
    });
    try {
      say(`Local stack on ${stack.url} (data in ${stack.home})`);
      const { connection } = dc;
      say(
        `Saved the configuration: LDAPS to 127.0.0.1 as ${connection.serviceAccount.upn}, CA and host name verified.`,
      );

      say('\n== Test Settings (commits nothing) ==');
      summarize(await api.testSettings());

      say('\n== Synchronize now ==');
      const report = await api.synchronize();
      summarize(report);

      const created = report.changes.filter((change) => change.action === 'create');
      say(`\nCreated ${created.length} users, for example:`);
      const examples = [
        'alice',
        'bob',
        'carol',
        'jsmith',
        'jmueller',
        'zcelik',
        'tyamada',
        'backslash',
        'pat',
        'star',
      ];
      say(
        table(
          ['user', 'full name', 'email addresses'],
          created
            .filter((change) => examples.includes(change.userName))
            .map((change) => [change.userName, change.fullName, change.emailAddresses.join(', ')]),
        ),
      );

      const byReason = new Map<string, string[]>();
      for (const exclusion of report.excluded) {
        const key = exclusion.reasons.join(' + ');
        byReason.set(key, [...(byReason.get(key) ?? []), exclusion.userName]);
      }
      say(`\nExcluded ${report.excluded.length} users, and why:`);
      say(
        table(
          ['reasons', 'users', 'for example'],
          [...byReason].map(([reasons, users]) => [
            reasons,
            String(users.length),
            users.slice(0, 5).join(', '),
          ]),
        ),
      );

      if (receiver) {
        await receiver.await(created.length);
        const byType = new Map<string, number>();
        for (const event of receiver.events.values())
          byType.set(event.type, (byType.get(event.type) ?? 0) + 1);
        say(
          `\nChange events received at ${receiver.url} (signed webhooks, every signature verified; ${receiver.refused()} refused):`,
        );
        say(
          table(
            ['type', 'events'],
            [...byType].map(([type, count]) => [type, String(count)]),
          ),
        );
        const example = [...receiver.events.values()].find(
          (event) => 'userName' in event && event.userName === 'alice',
        );
        if (example) say(`For example:\n${JSON.stringify(example, null, 2)}`);
      }

      say('\n== Synchronize again (nothing changed in AD) ==');
      const again = await api.synchronize();
      summarize(again);
      if (receiver) {
        const before = receiver.events.size;
        await sleep(2000);
        say(
          `Change events of this run: ${receiver.events.size - before} (nothing changed, nothing published)`,
        );
      }

      if (keep) {
        say(
          `\nThe local stack keeps running: ADSYNC_HOME=${stack.home} ADSYNC_PORT=${new URL(stack.url).port} npx adsync users`,
        );
        say(`The admin console: ${stack.url}/#token=${stack.token}`);
        say('Ctrl-C stops it and the sample directory.');
        await new Promise<void>((resolve) => process.once('SIGINT', resolve));
      }
    } finally {
      await stop();
    }
  } finally {
    await receiver?.close();
  }
}

await main();

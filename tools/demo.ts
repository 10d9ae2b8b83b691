/**
 * `npm run demo`: ad-sync end to end for someone without an Active Directory at hand.
 *
 * Provisions the sample directory (a Samba AD DC on 127.0.0.1 seeded with test/fixtures/directory.ldif; it
 * needs Debian and root to install Samba, or Samba already installed), starts the local stack against it,
 * saves a configuration, runs Test Settings and Synchronize now through the HTTP API, prints what was
 * created and what was excluded and why, and stops everything. With `--keep` the local stack stays up
 * (Ctrl-C ends it) to explore with the `adsync` CLI.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stepsTable, table } from '../cli/adsync';
import { ApiClient } from '../cli/api-client';
import { freePort } from '../local/dynamodb-local';
import { startLocalStack } from '../local/local-stack';
import type { Report } from '../shared/api/schemas';
import { logger } from '../shared/runtime/logger';
import { connectionSettings, startSambaDc } from '../test/support/samba-dc';

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

async function main(): Promise<void> {
  say(
    'Starting the sample directory (Samba AD DC on 127.0.0.1, seeded from test/fixtures/directory.ldif) ...',
  );
  const dc = await startSambaDc((line) => say(`  ${line}`));
  const home = await mkdtemp(join(tmpdir(), 'ad-sync-demo-'));
  try {
    const stack = await startLocalStack({
      home,
      port: keep ? Number(process.env.ADSYNC_PORT ?? 8080) : await freePort(),
      log: (line) => say(`  ${line}`),
    });
    try {
      say(`Local stack on ${stack.url} (data in ${home})`);
      const api = ApiClient.local(stack.url, stack.token);
      const { connection } = dc;
      await api.request('PUT', '/config', {
        config: {
          connection: connectionSettings(connection),
          filters: { exchangeUsersOnly: true, enabledUsersOnly: true },
          defaultPrivileges: { privileges: ['login', 'archiveEmail'], ownArchiveAccess: ['read'] },
        },
        password: connection.serviceAccount.password,
      });
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

      say('\n== Synchronize again (nothing changed in AD) ==');
      summarize(await api.synchronize());

      if (keep) {
        say(
          `\nThe local stack keeps running: ADSYNC_HOME=${home} ADSYNC_PORT=${new URL(stack.url).port} npx adsync users`,
        );
        say(`The admin console: ${stack.url}/#token=${stack.token}`);
        say('Ctrl-C stops it and the sample directory.');
        await new Promise<void>((resolve) => process.once('SIGINT', resolve));
      }
    } finally {
      await stack.stop();
    }
  } finally {
    await dc.stop();
    await rm(home, { recursive: true, force: true });
  }
}

await main();

/** `adsync users` and `adsync runs`: what the service holds, as tables. */
import type { User } from '../../shared/api/schemas';
import { alertLine, scheduleHealthText, stalenessText, watchText } from '../../shared/domain/alert-text';
import { EXIT } from '../arguments';
import { table } from '../presenter';
import type { ApiCommand } from './api-command';

/** Every user in the user database, all pages. */
export const users: ApiCommand = async ({ api, print }) => {
  const users: User[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.listUsers(cursor);
    users.push(...page.users);
    cursor = page.cursor;
  } while (cursor);
  print({ users }, () =>
    table(
      ['user', 'name', 'addresses', 'source', 'privileges'],
      users.map((u) => [
        u.userName,
        u.fullName,
        u.emailAddresses.join(' '),
        u.authentication,
        u.privileges.join(','),
      ]),
    ),
  );
  return EXIT.ok;
};

/**
 * The sync runs, newest first, after what an operator is told: a stale sync, a failing or backed-off schedule
 * (and why; while it is enabled) (docs/contract.md#operators-are-told), a failing change watch
 * (docs/contract.md#changes-in-seconds). `--json` prints the whole answer, `schedule`, `stale` and `watch` included.
 */
export const runs: ApiCommand = async ({ api, print }) => {
  const history = await api.listRuns();
  const { runs, schedule, stale, watch } = history;
  const told = [
    ...(stale ? [stalenessText(stale)] : []),
    ...(schedule?.enabled ? [scheduleHealthText(schedule)] : []),
    ...(watch ? [watchText(watch)] : []),
  ].flatMap((text) => (text ? [alertLine(text)] : []));
  print(
    history,
    () =>
      told.map((line) => `${line}\n`).join('') +
      table(
        ['started', 'status', 'trigger', 'created', 'updated', 'deleted', 'conflicts', 'run'],
        runs.map((r) => [
          r.startedAt,
          r.status,
          r.trigger ?? '',
          String(r.counts.created),
          String(r.counts.updated),
          String(r.counts.deleted),
          String(r.counts.conflicts),
          r.runId,
        ]),
      ),
  );
  return EXIT.ok;
};

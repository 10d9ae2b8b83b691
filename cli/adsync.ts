/**
 * The `adsync` command line: serve the local stack, or talk to an ad-sync API (the local stack by default,
 * a deployed one with --api and SigV4 signing).
 *
 * `test` and `sync` start the operation and follow it to its end (the API answers 202 and the client polls),
 * showing its progress on stderr; stdout carries only the result.
 *
 * `logon` checks a user's password as the application would (POST /logon): asked without echo on a terminal,
 * or taken from an environment variable; never from the command line, where other users could see it.
 *
 * Exit codes: 0 ok, 1 failed run or request (a refused logon too), 2 usage error, 3 deletion threshold exceeded.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { FollowOptions, RouteInput } from '../shared/api/client';
import type { DeepReadonly, Report, User, UserExplanationBody } from '../shared/api/schemas';
import { REMOVAL_WORDS, stepDetails, withheldRemovals } from '../shared/domain/report-text';
import { ApiClient, ApiError } from './api-client';
import { showProgress } from './progress-display';

const USAGE = `Usage: adsync <command> [options]

Commands:
  serve                       start the local stack (DynamoDB Local, secret store, HTTP API, schedule)
  config get                  show the configuration (the password is never shown, only whether it is set)
  config set [--file <json>]  save a configuration: the config document, or { "config", "password" },
                              and/or flags that change the saved one:
             [--server <host[:port]>]... [--domain <dns>] [--base-dn <dn>] [--username <name>]
             [--encryption ldaps|starttls] [--ca-file <pem>] [--tls-server-name <name>]
             [--password-env <VAR>]  take the bind password from an environment variable
  test                        Test Settings: run the whole pipeline, commit nothing
  sync [--allow-mass-deletion] synchronize now
  sync --user <name>          synchronize one user now (sAMAccountName, UPN, DN or objectGUID)
                              (test and sync follow the run to its end, its progress on stderr)
  users                       list users
  runs                        list sync runs, newest first
  explain <name>              why a directory user is in scope or not, and what a sync would do with it:
                              each filter's verdict, the group chain, the planned action (name:
                              sAMAccountName, userPrincipalName, distinguished name or objectGUID)
  logon <userName> [--password-env <VAR>]
                              check a user's password as the application does (POST /logon); the
                              password is asked for without echo, or taken from $VAR

Options:
  --json          machine-readable output
  --api <url>     a deployed API (requests signed with SigV4 from the AWS credential chain)
  --help          this text

Environment: ADSYNC_HOME (default .adsync), ADSYNC_PORT (default 8080), ADSYNC_TOKEN (at least 32 characters).
Exit codes: 0 ok, 1 failed run or request (a refused logon too), 2 usage error, 3 deletion threshold exceeded.`;

class UsageError extends Error {}

const EXIT = { ok: 0, failed: 1, usage: 2, thresholdExceeded: 3 } as const;

/** A fixed-width text table. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** A report's steps as a table: name, ok, milliseconds, message. */
export const stepsTable = (report: DeepReadonly<Report>): string =>
  table(
    ['step', 'ok', 'ms', 'message'],
    report.steps.map((s) => [s.name, s.ok ? 'yes' : 'NO', String(s.ms), stepDetails(s)]),
  );

export function describeReport(report: DeepReadonly<Report>): string {
  const c = report.counts;
  const lines = [
    `${report.dryRun ? 'Test Settings' : 'Sync'} ${report.status}${report.server ? ` on ${report.server}` : ''}${report.baseDn ? ` under ${report.baseDn}` : ''}`,
    '',
    stepsTable(report),
    '',
    `directory users ${c.directoryUsers}, in scope ${c.inScope}, excluded ${c.excluded}; ` +
      `created ${c.created}, updated ${c.updated}, deleted ${c.deleted}, ` +
      (c.suspended || c.restored ? `suspended ${c.suspended}, restored ${c.restored}, ` : '') +
      `unchanged ${c.unchanged}, conflicts ${c.conflicts}`,
  ];
  if (report.changes.length > 0) {
    lines.push(
      '',
      table(
        ['action', 'user', 'name', 'addresses', 'changed', 'reason'],
        report.changes.map((ch) => [
          ch.action,
          ch.userName,
          ch.fullName,
          ch.emailAddresses.join(' '),
          ch.changedFields.join(','),
          ch.reason ?? '',
        ]),
      ),
    );
  }
  if (report.excluded.length > 0) {
    lines.push(
      '',
      table(
        ['excluded', 'reasons'],
        report.excluded.map((e) => [e.userName, e.reasons.join(', ')]),
      ),
    );
  }
  if (report.error) lines.push('', `error ${report.error.code}: ${report.error.message}`);
  if (report.status === 'deletionThresholdExceeded') {
    const { plural } = REMOVAL_WORDS[withheldRemovals(report.changes)];
    lines.push('', `${plural} were withheld. Run \`adsync sync --allow-mass-deletion\` to apply them once.`);
  }
  return lines.join('\n');
}

/** A filter's state as the explanation's column says it: four characters wide. */
const FILTER_STATE_WORDS: Readonly<Record<UserExplanationBody['filters'][number]['state'], string>> = {
  passed: 'PASS',
  failed: 'FAIL',
  off: 'off ',
};

/**
 * An explanation (GET /directory/users/{name}) for a person: the user, a PASS/FAIL line per filter with its
 * detail (the group chain as a path), whether it is in scope, and what a sync would do.
 */
export function describeExplanation(explanation: DeepReadonly<UserExplanationBody>): string {
  const { attributes, mapped, current } = explanation;
  const lines = [
    `${attributes.sAMAccountName}  ${explanation.distinguishedName}`,
    `objectGUID ${explanation.objectGuid}`,
    '',
    ...explanation.filters.map((f) => `${FILTER_STATE_WORDS[f.state]}  ${f.filter.padEnd(25)} ${f.detail}`),
    '',
    explanation.inScope ? 'in scope' : 'NOT in scope',
  ];
  if (mapped) {
    lines.push(
      `maps to: ${mapped.userName} (${mapped.fullName}) ${mapped.emailAddresses.join(' ') || '(no addresses)'}`,
    );
  }
  const changed = explanation.changedFields.length > 0 ? ` (${explanation.changedFields.join(', ')})` : '';
  lines.push(`planned action: ${explanation.plannedAction}${changed}`);
  if (explanation.reason) lines.push(`reason: ${explanation.reason}`);
  lines.push(
    current
      ? `in the user database: ${current.userName} (${current.fullName}), ${current.authentication}` +
          `${current.suspendedAt ? `, suspended since ${current.suspendedAt}` : ''}`
      : 'not in the user database',
  );
  return lines.join('\n');
}

const exitCodeOf = (report: Report): number =>
  report.status === 'failed'
    ? EXIT.failed
    : report.status === 'deletionThresholdExceeded'
      ? EXIT.thresholdExceeded
      : EXIT.ok;

/**
 * Follows a started operation to its end, its progress on stderr (progress-display.ts). Ctrl-C stops following,
 * not the operation: the run goes on in the service, and `adsync runs` shows it.
 */
async function follow(
  operation: 'sync' | 'test',
  run: (options: FollowOptions) => Promise<Report>,
): Promise<Report> {
  const display = showProgress(operation, process.stderr);
  let runId: string | undefined;
  const interrupted = (): void => {
    display.stop();
    const where = operation === 'sync' ? ' (adsync runs shows it)' : '';
    process.stderr.write(
      runId
        ? `stopped following ${operation === 'sync' ? 'run' : 'preview'} ${runId}; it goes on in the service${where}\n`
        : `stopped waiting; if the ${operation} started, it goes on in the service${where}\n`,
    );
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  try {
    return await run({
      // Followed from the start, however short the run: the progress shows at once, then twice a second.
      wait: 0,
      pollMs: 500,
      onProgress: (report) => {
        runId = report.runId;
        display.onProgress(report);
      },
    });
  } finally {
    process.off('SIGINT', interrupted);
    display.stop();
  }
}

/**
 * An error answer as the CLI says it: 409 SyncRunning names the run that holds the lock; a locked-out logon
 * says when to try again.
 */
export function describeApiError(error: ApiError): string {
  const running = error.details.find((detail) => detail.path === 'runId')?.message;
  if (error.code === 'SyncRunning' && running) {
    return `error ${error.status} ${error.code}: another sync is running (run ${running}); try again when it has ended (adsync runs shows it)`;
  }
  if (error.code === 'LockedOut' && error.retryAfterSeconds !== undefined) {
    const minutes = Math.ceil(error.retryAfterSeconds / 60);
    return `error ${error.status} ${error.code}: too many failed logons of this user name in a row; try again in ${error.retryAfterSeconds} seconds (about ${minutes} minute${minutes === 1 ? '' : 's'})`;
  }
  return [
    `error ${error.status} ${error.code}: ${error.message}`,
    ...error.details.map((detail) => `  ${detail.path}: ${detail.message}`),
  ].join('\n');
}

/**
 * Reads a line from the terminal without echoing it (raw mode: nothing the user types is shown). Enter ends
 * it, Backspace removes the last character, Ctrl-C gives up.
 */
function readHiddenLine(prompt: string): Promise<string> {
  const stdin = process.stdin;
  // Echo off before the prompt: what is typed as soon as the prompt shows must not be shown.
  stdin.setRawMode(true);
  process.stderr.write(prompt);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (outcome: () => void): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      outcome();
    };
    const onData = (chunk: string): void => {
      for (const character of chunk) {
        if (character === '\r' || character === '\n') {
          finish(() => resolve(typed));
          return;
        }
        if (character === '\u0003') {
          finish(() => reject(new UsageError('no password given (Ctrl-C)')));
          return;
        }
        if (character === '\u007f' || character === '\b') typed = [...typed].slice(0, -1).join('');
        else typed += character;
      }
    };
    stdin.on('data', onData);
  });
}

/** A logon's password: from $VAR (`--password-env VAR`), or asked for without echo on a terminal. */
async function logonPassword(variable: string | undefined, userName: string): Promise<string> {
  if (variable) {
    const password = process.env[variable];
    if (!password) throw new UsageError(`$${variable} is empty`);
    return password;
  }
  if (!process.stdin.isTTY) {
    throw new UsageError(
      'logon asks for the password on a terminal; without one, name an environment variable that holds it: --password-env <VAR>',
    );
  }
  return readHiddenLine(`Password for ${userName}: `);
}

async function localClient(): Promise<ApiClient> {
  const home = process.env.ADSYNC_HOME ?? '.adsync';
  const token =
    process.env.ADSYNC_TOKEN ?? (await readFile(join(home, 'token'), 'utf8').catch(() => '')).trim();
  if (!token) {
    throw new UsageError(
      `No token: start the local stack (adsync serve) or set ADSYNC_TOKEN (looked in ${join(home, 'token')})`,
    );
  }
  return ApiClient.local(`http://127.0.0.1:${process.env.ADSYNC_PORT ?? 8080}`, token);
}

export async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ allowPositionals: true; options: typeof options }>>;
  const options = {
    json: { type: 'boolean' },
    api: { type: 'string' },
    file: { type: 'string' },
    'password-env': { type: 'string' },
    server: { type: 'string', multiple: true },
    domain: { type: 'string' },
    'base-dn': { type: 'string' },
    username: { type: 'string' },
    encryption: { type: 'string' },
    'ca-file': { type: 'string' },
    'tls-server-name': { type: 'string' },
    'allow-mass-deletion': { type: 'boolean' },
    user: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  } as const;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  const [command, sub] = positionals;
  if (values.help || !command) {
    (values.help ? process.stdout : process.stderr).write(`${USAGE}\n`);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  const print = (data: unknown, human: () => string) =>
    process.stdout.write(`${values.json ? JSON.stringify(data, null, 2) : human()}\n`);

  try {
    if (command === 'serve') {
      const { startLocalStack } = await import('../local/local-stack');
      const stack = await startLocalStack();
      process.stderr.write(
        `ad-sync local stack on ${stack.url} (data in ${stack.home})\n` +
          (stack.tokenGenerated
            ? `token (saved to ${join(stack.home, 'token')}): ${stack.token}\n` +
              `admin console: ${stack.url}/#token=${stack.token}\n`
            : `token: in ${join(stack.home, 'token')} or $ADSYNC_TOKEN\n` +
              `admin console: ${stack.url}/ (sign in with the token)\n`) +
          'Ctrl-C stops it.\n',
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await stack.stop();
      return EXIT.ok;
    }

    const api = values.api ? await ApiClient.signed(values.api) : await localClient();
    switch (command) {
      case 'config': {
        if (sub === 'get') {
          const view = await api.getConfig();
          print(
            view,
            () =>
              `${JSON.stringify(view.config, null, 2)}\nversion ${view.version}, password ${view.passwordSet ? 'set' : 'not set'}`,
          );
          return EXIT.ok;
        }
        if (sub === 'set') {
          const connectionFlags = {
            ...(values.server ? { servers: values.server } : {}),
            ...(values.domain ? { domain: values.domain } : {}),
            ...(values['base-dn'] !== undefined ? { baseDn: values['base-dn'] } : {}),
            ...(values.username ? { username: values.username } : {}),
            ...(values.encryption ? { encryption: values.encryption } : {}),
            ...(values['ca-file'] ? { caCertificate: await readFile(values['ca-file'], 'utf8') } : {}),
            ...(values['tls-server-name'] ? { tlsServerName: values['tls-server-name'] } : {}),
          };
          if (!values.file && Object.keys(connectionFlags).length === 0 && !values['password-env']) {
            throw new UsageError('config set needs --file <json> or flags to change');
          }
          // Flags change the saved configuration: the save names the version read (If-Match), so a change
          // made in between is not overwritten.
          const current = values.file ? undefined : await api.getConfig();
          const document = current
            ? { config: current.config }
            : (JSON.parse(await readFile(values.file as string, 'utf8')) as Record<string, unknown>);
          const body: Record<string, unknown> = 'config' in document ? { ...document } : { config: document };
          const config = body.config as { connection?: Record<string, unknown> };
          body.config = { ...config, connection: { ...config.connection, ...connectionFlags } };
          if (values['password-env']) {
            const password = process.env[values['password-env']];
            if (!password) throw new UsageError(`$${values['password-env']} is empty`);
            body.password = password;
          }
          // The file's document as it is: the API validates it and names each bad field.
          const view = await api.putConfig(body as RouteInput<'PUT /config'>['body'], current?.version);
          print(
            view,
            () => `saved: version ${view.version}, password ${view.passwordSet ? 'set' : 'not set'}`,
          );
          return EXIT.ok;
        }
        throw new UsageError('config needs get or set');
      }
      case 'test': {
        const report = await follow('test', (options) => api.testSettings({}, options));
        print(report, () => describeReport(report));
        return exitCodeOf(report);
      }
      case 'sync': {
        const { user } = values;
        if (user !== undefined && values['allow-mass-deletion']) {
          throw new UsageError('--user and --allow-mass-deletion do not go together');
        }
        const body = values['allow-mass-deletion'] ? { allowMassDeletion: true } : {};
        const report = await follow('sync', (options) =>
          user === undefined ? api.synchronize(body, options) : api.synchronizeUser(user, options),
        );
        print(report, () => describeReport(report));
        return exitCodeOf(report);
      }
      case 'users': {
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
      }
      case 'runs': {
        const { runs } = await api.listRuns();
        print({ runs }, () =>
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
      }
      case 'explain': {
        if (!sub || positionals.length > 2)
          throw new UsageError('explain needs one name: adsync explain <name> (quote a DN)');
        const explanation = await api.explainUser(sub);
        print(explanation, () => describeExplanation(explanation));
        return EXIT.ok;
      }
      case 'logon': {
        if (!sub || positionals.length > 2)
          throw new UsageError('logon needs one user name: adsync logon <userName>');
        const password = await logonPassword(values['password-env'], sub);
        const { user } = await api.logon({ userName: sub, password });
        print(
          { user },
          () =>
            `logged on: ${user.userName} (${user.fullName}), ${user.authentication === 'local' ? 'local user' : 'directory user'}; privileges ${user.privileges.join(', ') || 'none'}`,
        );
        return EXIT.ok;
      }
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${USAGE}\n`);
      return EXIT.usage;
    }
    if (error instanceof ApiError && error.status === 0) {
      process.stderr.write(`error: ${error.message}\n`);
      return EXIT.failed;
    }
    if (error instanceof ApiError) {
      process.stderr.write(`${describeApiError(error)}\n`);
      return EXIT.failed;
    }
    process.stderr.write(`error: ${(error as Error).message}\n`);
    return EXIT.failed;
  }
}

// Run directly (`tsx cli/adsync.ts`, as `npm start` does); bin/adsync.js imports main instead.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}

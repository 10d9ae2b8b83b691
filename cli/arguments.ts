/**
 * The `adsync` command line's arguments: the options it takes, its usage text, the exit codes, and the error
 * of a wrong call (which prints the usage and exits with 2).
 */
import type { parseArgs } from 'node:util';

export const USAGE = `Usage: adsync <command> [options]

Commands:
  serve                       start the local stack (DynamoDB Local, secret store, HTTP API, schedule)
  config get                  show the configuration (the password is never shown, only whether it is set)
  config set [--file <json>]  save a configuration: the config document, or { "config", "password" },
                              and/or flags that change the saved one:
             [--server <host[:port]>]... [--domain <dns>] [--base-dn <dn>] [--username <name>]
             [--encryption ldaps|starttls] [--ca-file <pem>] [--tls-server-name <name>]
             [--change-notifications on|off]  changes in seconds: AD's change notifications start a run
             [--password-env <VAR>]  take the bind password from an environment variable
  test                        Test Settings: run the whole pipeline, commit nothing
  sync [--allow-mass-deletion [--run <runId> --deletes <n>]]
                              synchronize now; apply the deletes the last run withheld, or exactly those of
                              that run and count (refused when a later run withheld others)
  sync --user <name>          synchronize one user now (sAMAccountName, UPN, DN or objectGUID)
                              (test and sync follow the run to its end, its progress on stderr)
  users                       list users
  groups [<name>] [--transitive]
                              list the synchronized groups, or one group and its members (with
                              --transitive, those of nested groups too)
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

/** Every option of every command; parsed strictly, so an unknown one is a usage error. */
export const OPTIONS = {
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
  'change-notifications': { type: 'string' },
  'allow-mass-deletion': { type: 'boolean' },
  run: { type: 'string' },
  deletes: { type: 'string' },
  user: { type: 'string' },
  transitive: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The options every command takes. */
const GLOBAL_OPTIONS = ['json', 'api', 'help'] as const;

/** The options each command takes besides the global ones: another command's is a usage error. */
const COMMAND_OPTIONS: Readonly<Record<string, readonly (keyof typeof OPTIONS)[]>> = {
  serve: [],
  config: [
    'file',
    'password-env',
    'server',
    'domain',
    'base-dn',
    'username',
    'encryption',
    'ca-file',
    'tls-server-name',
    'change-notifications',
  ],
  test: [],
  sync: ['allow-mass-deletion', 'run', 'deletes', 'user'],
  users: [],
  groups: ['transitive'],
  runs: [],
  explain: [],
  logon: ['password-env'],
};

/**
 * The first option given that `command` does not take, as `--name`; undefined when it takes all of them (or is
 * no command: that is reported as such).
 */
export function optionNotTaken(command: string, given: readonly string[]): string | undefined {
  const own = Object.hasOwn(COMMAND_OPTIONS, command) ? COMMAND_OPTIONS[command] : undefined;
  if (!own) return undefined;
  const taken = new Set<string>([...GLOBAL_OPTIONS, ...own]);
  const other = given.find((name) => !taken.has(name));
  return other === undefined ? undefined : `--${other}`;
}

/** The parsed command line: the options' values, and the command with its operands. */
export type CliArguments = ReturnType<typeof parseArgs<{ allowPositionals: true; options: typeof OPTIONS }>>;

export class UsageError extends Error {}

export const EXIT = { ok: 0, failed: 1, usage: 2, thresholdExceeded: 3 } as const;

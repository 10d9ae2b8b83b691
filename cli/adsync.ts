/**
 * The `adsync` command line: serve the local stack, or talk to an ad-sync API (the local stack by default,
 * a deployed one with --api and SigV4 signing). This file parses the arguments and hands each command to its
 * module under `commands/`: `serve`, `config` (get, set), `sync` (test, sync), `lists` (users, runs), `groups`,
 * `explain`, `logon`; the words they print are made in `presenter.ts`.
 *
 * Exit codes: 0 ok, 1 failed run or request (a refused logon too), 2 usage error, 3 deletion threshold exceeded.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ApiClient, ApiError } from './api-client';
import { type CliArguments, EXIT, OPTIONS, optionNotTaken, USAGE, UsageError } from './arguments';
import type { ApiCommand } from './commands/api-command';
import { config } from './commands/config';
import { explain } from './commands/explain';
import { groups } from './commands/groups';
import { runs, users } from './commands/lists';
import { logon } from './commands/logon';
import { serve } from './commands/serve';
import { sync, test } from './commands/sync';
import { describeApiError } from './presenter';
import { processTerminal, type Terminal } from './terminal';

/** The commands that talk to an API, by name. */
const API_COMMANDS: Readonly<Record<string, ApiCommand>> = {
  config,
  test,
  sync,
  users,
  groups,
  runs,
  explain,
  logon,
};

/** The local stack's API: where $ADSYNC_PORT says, with $ADSYNC_TOKEN or the token `adsync serve` saved. */
async function localClient(env: Terminal['env']): Promise<ApiClient> {
  const home = env.ADSYNC_HOME ?? '.adsync';
  const token = env.ADSYNC_TOKEN ?? (await readFile(join(home, 'token'), 'utf8').catch(() => '')).trim();
  if (!token) {
    throw new UsageError(
      `No token: start the local stack (adsync serve) or set ADSYNC_TOKEN (looked in ${join(home, 'token')})`,
    );
  }
  return ApiClient.local(`http://127.0.0.1:${env.ADSYNC_PORT ?? 8080}`, token);
}

/**
 * Runs one command line (without the node and script arguments) and resolves to its exit code. It writes to,
 * reads from and looks up variables in `terminal`: the process's own, unless a test gives stand-ins.
 */
export async function main(argv: string[], terminal: Terminal = processTerminal()): Promise<number> {
  const { stdout, stderr, env } = terminal;
  let parsed: CliArguments;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  const [command, ...operands] = positionals;
  if (values.help || !command) {
    (values.help ? stdout : stderr).write(`${USAGE}\n`);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  const notTaken = optionNotTaken(command, Object.keys(values));
  if (notTaken) {
    stderr.write(`${command} takes no ${notTaken}\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  const print = (data: unknown, human: () => string) =>
    stdout.write(`${values.json ? JSON.stringify(data, null, 2) : human()}\n`);

  try {
    if (command === 'serve') return await serve(terminal);
    const api = values.api ? await ApiClient.signed(values.api, env) : await localClient(env);
    // Own names only: `toString` is no command.
    if (!Object.hasOwn(API_COMMANDS, command)) throw new UsageError(`unknown command ${command}`);
    return await (API_COMMANDS[command] as ApiCommand)({ api, values, operands, print, terminal });
  } catch (error) {
    if (error instanceof UsageError) {
      stderr.write(`${error.message}\n\n${USAGE}\n`);
      return EXIT.usage;
    }
    if (error instanceof ApiError && error.status === 0) {
      stderr.write(`error: ${error.message}\n`);
      return EXIT.failed;
    }
    if (error instanceof ApiError) {
      stderr.write(`${describeApiError(error)}\n`);
      return EXIT.failed;
    }
    stderr.write(`error: ${(error as Error).message}\n`);
    return EXIT.failed;
  }
}

// Run directly (`tsx cli/adsync.ts`, as `npm start` does); bin/adsync.js imports main instead.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}

/**
 * `adsync logon <userName>` against the local stack (`adsync serve` in a child process): a local user's
 * password from an environment variable or typed at a terminal prompt that does not echo it (a real
 * pseudo-terminal, made by util-linux's `script`), the user printed (or as JSON), and the exit codes.
 * The CLI runs in the test's process (cli-in-process.ts), but at the prompt: there the real command is spawned
 * on the pseudo-terminal, since what is tested is what a real terminal shows of what is typed.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../local/dynamodb-local';
import { ApiClient, bearerToken } from '../../../shared/api/client';
import { adsyncInProcess } from '../../support/cli-in-process';
import { type ServeProcess, startServe } from '../../support/local-stack-process';

const BIN = fileURLToPath(new URL('../../../bin/adsync.js', import.meta.url));
const token = randomBytes(24).toString('hex');
const user = { userName: 'Cli Logon', password: ' a "quoted" pässword' };
let home: string;
let serve: ServeProcess;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ad-sync-logon-cli-'));
  env = { ADSYNC_HOME: home, ADSYNC_PORT: String(await freePort()), ADSYNC_TOKEN: token };
  serve = await startServe(env);
  await new ApiClient({ baseUrl: serve.url, sign: bearerToken(token) }).createUser(user);
});

afterAll(async () => {
  await serve?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

/** Runs `adsync <args>` on a pseudo-terminal, types `typed` once it asks for the password. */
function onTerminal(args: string[], typed: string): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, BIN, ...args]
    .map((part) => `'${part.replace(/'/g, `'\\''`)}'`)
    .join(' ');
  const child = spawn('script', ['--quiet', '--return', '--command', command, '/dev/null'], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  let asked = false;
  const read = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    if (!asked && output.includes('Password for')) {
      asked = true;
      child.stdin.write(`${typed}\r`);
    }
  };
  child.stdout.on('data', read);
  child.stderr.on('data', read);
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

describe('adsync logon', () => {
  it('logs a user on with the password from --password-env: exit 0 and the user, or --json', async () => {
    const withPassword = { ...env, LOGON_PASSWORD: user.password };
    const human = await adsyncInProcess(
      ['logon', user.userName, '--password-env', 'LOGON_PASSWORD'],
      withPassword,
    );
    expect(human).toMatchObject({ code: 0, stderr: '' });
    expect(human.stdout).toBe(
      `logged on: ${user.userName} (${user.userName}), local user; privileges login\n`,
    );
    const json = await adsyncInProcess(
      ['logon', user.userName, '--password-env', 'LOGON_PASSWORD', '--json'],
      withPassword,
    );
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      user: { userName: user.userName, authentication: 'local' },
    });
  });

  it('asks for the password on a terminal without echoing it', async () => {
    const { code, output } = await onTerminal(['logon', user.userName], user.password);
    expect(output).toContain(`Password for ${user.userName}: `);
    expect(output).toContain(`logged on: ${user.userName}`);
    expect(output).not.toContain('pässword');
    expect(code).toBe(0);
  });

  it('exits 1 on a refused logon, and says when a locked-out name may try again', async () => {
    const wrong = { ...env, LOGON_PASSWORD: 'not the password' };
    const args = ['logon', user.userName, '--password-env', 'LOGON_PASSWORD'];
    for (let i = 0; i < 5; i += 1) {
      const refused = await adsyncInProcess(args, wrong);
      expect(refused).toMatchObject({ code: 1, stdout: '' });
      expect(refused.stderr).toBe(
        'error 401 InvalidCredentials: The user name or password is wrong, or the user may not log on\n',
      );
    }
    const locked = await adsyncInProcess(args, { ...env, LOGON_PASSWORD: user.password });
    expect(locked.code).toBe(1);
    expect(locked.stderr).toMatch(
      /^error 429 LockedOut: too many failed logons of this user name in a row; try again in \d+ seconds \(about 15 minutes\)\n$/,
    );
  });

  it('exits 2 on a usage error: no user name, or no terminal and no --password-env', async () => {
    expect((await adsyncInProcess(['logon'], env)).code).toBe(2);
    expect((await adsyncInProcess(['logon', 'a', 'b', '--password-env', 'HOME'], env)).code).toBe(2);
    const noTerminal = await adsyncInProcess(['logon', user.userName], env);
    expect(noTerminal.code).toBe(2);
    expect(noTerminal.stderr).toMatch(/--password-env <VAR>/);
    const unset = await adsyncInProcess(
      ['logon', user.userName, '--password-env', 'NO_SUCH_VARIABLE_SET'],
      env,
    );
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(/\$NO_SUCH_VARIABLE_SET is empty/);
  });
});

/**
 * The `adsync` command line (cli/adsync.ts `main`) on a terminal of stand-ins: what it writes where, its exit
 * codes, and that it reads the terminal's environment and input, not the process's. Only what needs no API:
 * the commands against the local stack are in test/integration (api/local-stack, logon/logon-cli,
 * directory/explain-cli).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../cli/adsync';
import { USAGE } from '../../../cli/arguments';
import { recordingTerminal, typingKeyboard } from '../../support/cli-in-process';

/** A token for a local stack nobody asks: every command line below ends before a request. */
const LOCAL = { ADSYNC_TOKEN: 'a'.repeat(32), ADSYNC_PORT: '9' };

describe('main', () => {
  it('prints the usage on stdout with --help (exit 0), and on stderr without a command (exit 2)', async () => {
    const help = recordingTerminal({});
    expect(await main(['--help'], help)).toBe(0);
    expect({ stdout: help.stdout.text, stderr: help.stderr.text }).toEqual({
      stdout: `${USAGE}\n`,
      stderr: '',
    });

    const none = recordingTerminal({});
    expect(await main([], none)).toBe(2);
    expect({ stdout: none.stdout.text, stderr: none.stderr.text }).toEqual({
      stdout: '',
      stderr: `${USAGE}\n`,
    });
  });

  it('exits 2 for an unknown option or command, naming it before the usage', async () => {
    const option = recordingTerminal(LOCAL);
    expect(await main(['sync', '--no-such-flag'], option)).toBe(2);
    expect(option.stderr.text).toMatch(/^Unknown option '--no-such-flag'/);
    expect(option.stderr.text.endsWith(`\n\n${USAGE}\n`)).toBe(true);

    for (const command of ['frobnicate', 'toString']) {
      const unknown = recordingTerminal(LOCAL);
      expect(await main([command], unknown)).toBe(2);
      expect(unknown.stderr.text).toBe(`unknown command ${command}\n\n${USAGE}\n`);
      expect(unknown.stdout.text).toBe('');
    }
  });

  it("exits 2 for another command's option, naming it, before any request (or token) is needed", async () => {
    for (const [args, message] of [
      [['users', '--transitive'], 'users takes no --transitive'],
      [['explain', 'alice', '--user', 'bob'], 'explain takes no --user'],
      [['runs', '--file', 'config.json'], 'runs takes no --file'],
      [['serve', '--allow-mass-deletion'], 'serve takes no --allow-mass-deletion'],
      [['test', '--base-dn', 'OU=Staff,DC=company,DC=local'], 'test takes no --base-dn'],
    ] as const) {
      const terminal = recordingTerminal({});
      expect(await main([...args], terminal), args.join(' ')).toBe(2);
      expect(terminal.stderr.text, args.join(' ')).toBe(`${message}\n\n${USAGE}\n`);
    }
    // Every command takes the global options; groups takes --transitive with a name only.
    const transitive = recordingTerminal(LOCAL);
    expect(await main(['groups', '--transitive'], transitive)).toBe(2);
    expect(transitive.stderr.text).toMatch(/^--transitive lists one group's members/);
    const json = recordingTerminal({ ADSYNC_HOME: join('no', 'such', 'adsync-home') });
    expect(await main(['runs', '--json'], json)).toBe(2);
    expect(json.stderr.text).toMatch(/^No token/);
  });

  it('takes --run and --deletes only together, with --allow-mass-deletion, the count a whole number', async () => {
    for (const [args, message] of [
      [['sync', '--run', 'run-8', '--deletes', '140'], /name the deletes --allow-mass-deletion applies/],
      [['sync', '--allow-mass-deletion', '--run', 'run-8'], /go together/],
      [['sync', '--allow-mass-deletion', '--deletes', '140'], /go together/],
      [['sync', '--allow-mass-deletion', '--run', 'run-8', '--deletes', '1.5'], /go together/],
      [['sync', '--allow-mass-deletion', '--run', 'run-8', '--deletes', '0'], /go together/],
    ] as const) {
      const terminal = recordingTerminal(LOCAL);
      expect(await main([...args], terminal), args.join(' ')).toBe(2);
      expect(terminal.stderr.text).toMatch(message);
    }
  });

  it('looks for the token in the terminal environment and under its ADSYNC_HOME', async () => {
    const home = join('no', 'such', 'adsync-home');
    const terminal = recordingTerminal({ ADSYNC_HOME: home });
    expect(await main(['users'], terminal)).toBe(2);
    expect(terminal.stderr.text).toMatch(
      new RegExp(`^No token: start the local stack .* \\(looked in ${join(home, 'token')}\\)\n`),
    );
  });

  it("takes a deployed API's region from the terminal environment", async () => {
    const api = ['--api', 'https://api.example.com/prod'];
    const without = recordingTerminal({});
    expect(await main([...api, 'runs'], without)).toBe(1);
    expect(without.stderr.text).toBe(
      'error: cannot tell the AWS region of https://api.example.com/prod; set AWS_REGION\n',
    );
    const withRegion = recordingTerminal({ AWS_REGION: 'eu-central-1' });
    expect(await main([...api, 'frobnicate'], withRegion)).toBe(2);
    expect(withRegion.stderr.text).toMatch(/^unknown command frobnicate\n/);
  });
});

describe('main: logon', () => {
  it("reads --password-env's variable from the terminal environment", async () => {
    const terminal = recordingTerminal(LOCAL);
    // PATH is set in the process, not in this terminal's environment.
    expect(await main(['logon', 'alice', '--password-env', 'PATH'], terminal)).toBe(2);
    expect(terminal.stderr.text).toMatch(/^\$PATH is empty\n/);
  });

  it('asks for a password only on a terminal, and names --password-env otherwise', async () => {
    const terminal = recordingTerminal(LOCAL);
    expect(await main(['logon', 'alice'], terminal)).toBe(2);
    expect(terminal.stderr.text).toMatch(
      /^logon asks for the password on a terminal; .* --password-env <VAR>\n/,
    );
  });

  it('turns echo off before the prompt and on again after Ctrl-C, which gives up (exit 2)', async () => {
    const keyboard = typingKeyboard('secr\u0003et');
    const terminal = recordingTerminal(LOCAL, keyboard);
    expect(await main(['logon', 'alice'], terminal)).toBe(2);
    expect(keyboard.rawModes).toEqual([true, false]);
    expect(terminal.stderr.text).toBe(`Password for alice: \nno password given (Ctrl-C)\n\n${USAGE}\n`);
    expect(terminal.stdout.text).toBe('');
  });
});

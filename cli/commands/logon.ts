/**
 * `adsync logon <userName>`: checks a user's password as the application would (POST /logon). The password is
 * asked without echo on a terminal, or taken from an environment variable; never from the command line, where
 * other users could see it.
 */
import { EXIT, UsageError } from '../arguments';
import type { Terminal, TerminalInput } from '../terminal';
import type { ApiCommand } from './api-command';

/** A terminal's input, which raw mode turns into keys as they are typed. */
type Keyboard = TerminalInput & { setRawMode(raw: boolean): unknown };

const isKeyboard = (stdin: TerminalInput): stdin is Keyboard =>
  stdin.isTTY === true && stdin.setRawMode !== undefined;

/**
 * Reads a line from the terminal without echoing it (raw mode: nothing the user types is shown). Enter ends
 * it, Backspace removes the last character, Ctrl-C gives up.
 */
function readHiddenLine(prompt: string, stdin: Keyboard, stderr: Terminal['stderr']): Promise<string> {
  // Echo off before the prompt: what is typed as soon as the prompt shows must not be shown.
  stdin.setRawMode(true);
  stderr.write(prompt);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (outcome: () => void): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write('\n');
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
async function logonPassword(
  variable: string | undefined,
  userName: string,
  { stdin, stderr, env }: Terminal,
): Promise<string> {
  if (variable) {
    const password = env[variable];
    if (!password) throw new UsageError(`$${variable} is empty`);
    return password;
  }
  if (!isKeyboard(stdin)) {
    throw new UsageError(
      'logon asks for the password on a terminal; without one, name an environment variable that holds it: --password-env <VAR>',
    );
  }
  return readHiddenLine(`Password for ${userName}: `, stdin, stderr);
}

/** Logs on as the user; a refusal is an ApiError (exit code 1). */
export const logon: ApiCommand = async ({ api, values, operands, print, terminal }) => {
  const [userName] = operands;
  if (!userName || operands.length > 1)
    throw new UsageError('logon needs one user name: adsync logon <userName>');
  const password = await logonPassword(values['password-env'], userName, terminal);
  const { user } = await api.logon({ userName, password });
  print(
    { user },
    () =>
      `logged on: ${user.userName} (${user.fullName}), ${user.authentication === 'local' ? 'local user' : 'directory user'}; privileges ${user.privileges.join(', ') || 'none'}`,
  );
  return EXIT.ok;
};

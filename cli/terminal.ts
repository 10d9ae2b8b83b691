/**
 * What the `adsync` command line talks to: its output streams, its input and its environment. `main` is given
 * the process's own by default; a test gives stand-ins and runs the CLI in its own process, without starting
 * one for each command line.
 */

/** Where the CLI writes: process.stdout or process.stderr, or a stand-in with the same shape. */
export interface TerminalOutput {
  /** True on a terminal: the progress display redraws one line in place there, a log gets plain lines. */
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

/** Where the CLI reads what a user types: process.stdin, or a stand-in with the same shape. */
export interface TerminalInput {
  /** True on a terminal: only there is a password asked for. */
  readonly isTTY?: boolean;
  /** A terminal's: raw mode hands over each key as it is typed, and echoes none. */
  setRawMode?(raw: boolean): unknown;
  setEncoding(encoding: 'utf8'): unknown;
  resume(): unknown;
  pause(): unknown;
  on(event: 'data', listener: (chunk: string) => void): unknown;
  off(event: 'data', listener: (chunk: string) => void): unknown;
}

export interface Terminal {
  /** The result only: a table, a report, JSON. */
  readonly stdout: TerminalOutput;
  /** Errors, usage, progress and prompts. */
  readonly stderr: TerminalOutput;
  readonly stdin: TerminalInput;
  /** ADSYNC_HOME, ADSYNC_PORT, ADSYNC_TOKEN, AWS_REGION, and the variables `--password-env` names. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The process's own streams and environment. */
export function processTerminal(): Terminal {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    // Reached for only when read (a logon's prompt): every other command leaves the process's stdin untouched.
    get stdin() {
      return process.stdin;
    },
    env: process.env,
  };
}

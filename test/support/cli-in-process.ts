/**
 * The `adsync` CLI in the test's own process: `main` (cli/adsync.ts) with a terminal of stand-ins that keep
 * what it writes. A command line costs its requests, not a Node.js start and tsx's compile of the CLI (about a
 * second each for `adsync` of local-stack-process.ts, which spawns the real command).
 */
import { main } from '../../cli/adsync';
import type { Terminal, TerminalInput, TerminalOutput } from '../../cli/terminal';

/** An output stream that keeps what is written to it. */
export interface RecordedOutput extends TerminalOutput {
  readonly text: string;
}

/** Not a terminal by default, as a spawned command's stdout and stderr (pipes) are not. */
export function recordedOutput(isTTY = false): RecordedOutput {
  let text = '';
  return {
    isTTY,
    get text() {
      return text;
    },
    write(chunk: string) {
      text += chunk;
      return true;
    },
  };
}

/** An input that is no terminal and has nothing to read: a spawned command's stdin (a pipe) as a test leaves it. */
export const NO_INPUT: TerminalInput = {
  isTTY: false,
  setEncoding: () => undefined,
  resume: () => undefined,
  pause: () => undefined,
  on: () => undefined,
  off: () => undefined,
};

/** A keyboard that types `keys` once it is read, and says which raw modes it was put in. */
export interface TypingKeyboard extends TerminalInput {
  readonly rawModes: readonly boolean[];
}

export function typingKeyboard(keys: string): TypingKeyboard {
  const rawModes: boolean[] = [];
  const listeners = new Set<(chunk: string) => void>();
  return {
    isTTY: true,
    rawModes,
    setRawMode: (raw) => rawModes.push(raw),
    setEncoding: () => undefined,
    // As a terminal does: what was typed arrives after the reader has started listening.
    resume: () => {
      setImmediate(() => {
        for (const listener of listeners) listener(keys);
      });
    },
    pause: () => undefined,
    on: (_event, listener) => listeners.add(listener),
    off: (_event, listener) => listeners.delete(listener),
  };
}

/** A terminal of stand-ins: `env` alone as the environment, no input unless given, output kept. */
export function recordingTerminal(
  env: Terminal['env'],
  stdin: TerminalInput = NO_INPUT,
): Terminal & { readonly stdout: RecordedOutput; readonly stderr: RecordedOutput } {
  return { stdout: recordedOutput(), stderr: recordedOutput(), stdin, env };
}

/**
 * Runs `adsync <args>` in this process, as `adsync` (local-stack-process.ts) runs it in a child: `env` added to
 * the process's environment, no terminal; resolves with the exit code and what was written.
 */
export async function adsyncInProcess(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const terminal = recordingTerminal({ ...process.env, ...env });
  const code = await main(args, terminal);
  return { code, stdout: terminal.stdout.text, stderr: terminal.stderr.text };
}

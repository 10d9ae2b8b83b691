/** What every command that talks to an ad-sync API is given, and what it gives back: its exit code. */
import type { ApiClient } from '../api-client';
import type { CliArguments } from '../arguments';
import type { Terminal } from '../terminal';

/** Prints a result on stdout: the data as JSON with --json, else the text `human` makes of it. */
export type Print = (data: unknown, human: () => string) => void;

export interface CommandCall {
  /** The local stack's API, or a deployed one (--api). */
  readonly api: ApiClient;
  readonly values: CliArguments['values'];
  /** What follows the command's name (`adsync config set` -> `['set']`). */
  readonly operands: readonly string[];
  readonly print: Print;
  /** What the command writes to (besides `print`), reads from, and looks its variables up in. */
  readonly terminal: Terminal;
}

/** A command: resolves to the exit code; a wrong call throws a UsageError, a refused request an ApiError. */
export type ApiCommand = (call: CommandCall) => Promise<number>;

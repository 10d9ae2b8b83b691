/**
 * Reading what the handlers logged (Powertools Logger: one JSON object a line on stdout, as in Lambda), for
 * tests that check the log: the lines, and each line as the entry it must be.
 */

/** A log entry: the logger's fields (`level`, `message`, `service`, `timestamp`) and what the call added. */
export type LogEntry = Readonly<Record<string, unknown>> & {
  readonly message?: string;
  readonly level?: string;
};

/** The lines written in `chunks` (as `LoadedHandlers.logs()` keeps them): joined, split, blank lines left out. */
export function logLines(chunks: readonly string[]): string[] {
  return chunks
    .join('')
    .split('\n')
    .filter((line) => line.trim() !== '');
}

/**
 * Each line as the JSON object of one log entry; a line that is not one throws, naming it (a structured log
 * has no other lines). `T` is the shape the test expects of the entries it reads.
 */
export function logEntries<T extends LogEntry = LogEntry>(lines: readonly string[]): T[] {
  return lines.map((line) => {
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      throw new Error(`not a structured log line: ${line}`);
    }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new Error(`not a structured log line: ${line}`);
    }
    return entry as T;
  });
}

/** The entries of `lines` logged with `message`. */
export function entriesWithMessage<T extends LogEntry = LogEntry>(
  lines: readonly string[],
  message: string,
): T[] {
  return logEntries<T>(lines).filter((entry) => entry.message === message);
}

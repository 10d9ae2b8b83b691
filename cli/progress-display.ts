/**
 * Shows the progress of a followed operation on stderr: on a terminal, one line redrawn in place (and its
 * clock ticking between polls); otherwise (a log, a pipe) a plain line when the phase changes and every few
 * seconds, so a log stays short. Nothing goes to stdout, which carries only the result.
 */
import type { Report } from '../shared/api/schemas';
import { type ProgressSample, renderProgressLine } from './progress-line';
import type { TerminalOutput } from './terminal';

/** How often a plain (not terminal) progress line is written while the phase stays the same. */
export const PLAIN_INTERVAL_MS = 5000;

/** What the display writes to: the terminal's stderr (process.stderr, or a stand-in with the same shape). */
export type ProgressStream = TerminalOutput;

export interface ProgressDisplay {
  /** The shared client's `FollowOptions.onProgress`. */
  readonly onProgress: (report: Report) => void;
  /** Clears the line (terminal) and stops the clock. */
  stop(): void;
}

/** Starts showing the progress of `operation` (`sync`, `test`) on `stream`. */
export function showProgress(
  operation: string,
  stream: ProgressStream,
  now: () => number = Date.now,
): ProgressDisplay {
  const started = now();
  const terminal = stream.isTTY === true;
  let latest: Report | undefined;
  let sample: ProgressSample | undefined;
  let lastPlain: { phase: string | undefined; at: number } | undefined;

  const draw = (): void => {
    const measured = latest ? Date.parse(latest.finishedAt) : Number.NaN;
    const line = renderProgressLine({
      operation,
      progress: latest?.progress,
      elapsedMs: now() - started,
      measuredAt: Number.isNaN(measured) ? undefined : measured,
      previous: sample,
      bar: terminal,
      // One column short of the edge: a line as wide as the terminal wraps on some of them.
      width: terminal && stream.columns ? stream.columns - 1 : undefined,
    });
    sample = line.sample;
    if (terminal) {
      stream.write(`\r\x1b[K${line.text}`);
      return;
    }
    const phase = latest?.progress?.phase;
    const at = now();
    if (lastPlain && lastPlain.phase === phase && at - lastPlain.at < PLAIN_INTERVAL_MS) return;
    lastPlain = { phase, at };
    stream.write(`${line.text}\n`);
  };

  // On a terminal the line appears at once and its clock moves between polls; a log gets the first poll.
  const timer = terminal ? setInterval(draw, 1000) : undefined;
  timer?.unref?.();
  if (terminal) draw();

  return {
    onProgress(report) {
      latest = report;
      draw();
    },
    stop() {
      clearInterval(timer);
      if (terminal) stream.write('\r\x1b[K');
    },
  };
}

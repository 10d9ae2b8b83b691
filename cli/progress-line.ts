/**
 * The line the CLI shows on stderr while it follows a sync or a Test Settings (SPEC 7.1): the phase, the
 * counts of the running Report's `progress`, a bar once the number of changes to apply is known, a rate in
 * users per second, and the time so far. A pure function of its input, so it is tested without a terminal;
 * progress-display.ts draws it.
 */
import type { Progress } from '../shared/api/schemas';
import { PHASE_LABELS, STARTING_LABEL } from '../shared/domain/report-text';

/** A phase's label as the line writes it, after the operation: from a lower-case letter. */
const phaseWords = (progress: Progress | undefined): string => {
  const label = progress ? PHASE_LABELS[progress.phase] : STARTING_LABEL;
  return `${label.charAt(0).toLowerCase()}${label.slice(1)}`;
};

/** With no change seen for this long, the rate shown is 0 (the run is stuck, or between batches). */
export const STALE_RATE_MS = 10_000;

/** The count a rate was last measured from, kept from one line to the next. */
export interface ProgressSample {
  /** What the rate counts: users read while reading and planning, changes written while applying. */
  readonly metric: 'read' | 'applied';
  readonly done: number;
  /** When the count was measured, in milliseconds (the server's clock when the Report says). */
  readonly measuredAt: number;
  /** When the count was seen to change, in milliseconds since the client started following. */
  readonly seenAt: number;
  /** Users per second between the previous sample and this one. */
  readonly rate?: number;
}

export interface ProgressLineInput {
  /** What is followed: `sync`, `test`. */
  readonly operation: string;
  /** The running Report's progress; none before the first poll. */
  readonly progress?: Progress | undefined;
  /** Milliseconds since the operation was started. */
  readonly elapsedMs: number;
  /** When `progress` was measured (ms, such as the running Report's `finishedAt`); `elapsedMs` otherwise. */
  readonly measuredAt?: number | undefined;
  /** The sample the previous line returned. */
  readonly previous?: ProgressSample | undefined;
  /** Columns the line may take; no limit when undefined. */
  readonly width?: number | undefined;
  /** Whether to draw a bar (a terminal); plain lines for a log leave it out. */
  readonly bar?: boolean;
}

export interface ProgressLine {
  readonly text: string;
  /** To pass back as `previous` with the next progress. */
  readonly sample?: ProgressSample | undefined;
}

const BAR_MAX = 24;
const BAR_MIN = 8;
/** How long the bar stays (see Part.keep): after the counts of other phases, before the time. */
const BAR_KEEP = 20;

/** `12 s`, `3:05`, `1:02:03`. */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

const formatRate = (rate: number): string =>
  `${rate >= 10 || rate === 0 ? Math.round(rate) : rate.toFixed(1)} users/s`;

/** The sample for this progress, and the rate to show: measured when the count moved, kept while it does not. */
function nextSample(input: ProgressLineInput): ProgressSample | undefined {
  const { progress, previous, elapsedMs } = input;
  if (!progress || progress.phase === 'connect') return undefined;
  const metric: ProgressSample['metric'] =
    progress.phase === 'apply' || progress.phase === 'record' ? 'applied' : 'read';
  const done = progress[metric];
  const measuredAt = input.measuredAt ?? elapsedMs;
  const fresh = { metric, done, measuredAt, seenAt: elapsedMs };
  if (!previous || previous.metric !== metric || done < previous.done) return fresh;
  if (done === previous.done) {
    // Progress is written every few seconds while it moves; polls in between see the same count.
    if (previous.rate === undefined || elapsedMs - previous.seenAt < STALE_RATE_MS) return previous;
    return { ...previous, rate: 0 };
  }
  const seconds = (measuredAt - previous.measuredAt) / 1000;
  return seconds > 0 ? { ...fresh, rate: (done - previous.done) / seconds } : previous;
}

/** A part of the line, the lower `keep` the sooner it is left out when the line is too long. */
interface Part {
  readonly text: string;
  readonly keep: number;
  /** What goes before it: the bar and the fraction after it are joined by a space. */
  readonly join?: string;
  /** The bar, drawn at the width left for it. */
  readonly bar?: number;
}

const barOf = (fraction: number, size: number): string =>
  `[${'#'.repeat(Math.round(fraction * size)).padEnd(size, '-')}]`;

const compose = (parts: readonly Part[], barSize: number): string =>
  parts
    .map((part, i) => {
      const text = part.bar === undefined ? part.text : barOf(part.bar, barSize);
      return i === 0 ? text : `${part.join ?? ' · '}${text}`;
    })
    .join('');

/**
 * The progress line: `sync applying changes [######------] 420/1700 24% · read 1742 · in scope 1700 ·
 * planned 420 · 210 users/s · 12 s`. Too wide for `width`, it leaves out the counts of other phases, then
 * narrows the bar, then leaves out the bar, the time, the rate, in that order, and cuts what is left.
 */
export function renderProgressLine(input: ProgressLineInput): ProgressLine {
  const { operation, progress, width } = input;
  const sample = nextSample(input);
  const parts: Part[] = [{ text: `${operation} ${phaseWords(progress)}`, keep: 100 }];
  // Connecting, every count is still 0.
  if (progress && progress.phase !== 'connect') {
    const applying = progress.phase === 'apply' || progress.phase === 'record';
    const { toApply } = progress;
    if (toApply !== undefined) {
      const fraction = toApply === 0 ? 1 : Math.min(1, progress.applied / toApply);
      if (input.bar) parts.push({ text: '', keep: BAR_KEEP, join: ' ', bar: fraction });
      parts.push({
        text: `${progress.applied}/${toApply} ${Math.floor(fraction * 100)}%`,
        keep: 90,
        ...(input.bar ? { join: ' ' } : {}),
      });
    }
    // The count the phase moves stays longest; the others go last first.
    parts.push({ text: `read ${progress.read}`, keep: applying ? 13 : 80 });
    parts.push({ text: `in scope ${progress.inScope}`, keep: 12 });
    parts.push({ text: `planned ${progress.planned}`, keep: 11 });
    if (toApply === undefined) parts.push({ text: `applied ${progress.applied}`, keep: applying ? 80 : 10 });
  }
  if (sample?.rate !== undefined) parts.push({ text: formatRate(sample.rate), keep: 50 });
  parts.push({ text: formatElapsed(input.elapsedMs), keep: 40 });

  if (width === undefined) return { text: compose(parts, BAR_MAX), sample };
  // The counts of other phases go first, then the bar gives up width, then the rest goes, least useful first.
  let shown = parts;
  let barSize = BAR_MAX;
  const dropLeast = (): void => {
    const least = shown.reduce((min, part) => (part.keep < min.keep ? part : min));
    shown = shown.filter((part) => part !== least);
  };
  for (let over = compose(shown, barSize).length - width; over > 0 && shown.length > 1; ) {
    const hasBar = shown.some((part) => part.bar !== undefined);
    if (shown.some((part) => part.keep < BAR_KEEP) || !hasBar || barSize === BAR_MIN) dropLeast();
    else barSize = Math.max(BAR_MIN, barSize - over);
    over = compose(shown, barSize).length - width;
  }
  const text = compose(shown, barSize);
  return { text: text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text, sample };
}

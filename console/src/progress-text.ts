/**
 * What the console says about an operation under way (SPEC 7.1): its phase in words, its counts, and how far
 * apply has come once the number of changes to write is known. No DOM here, so it is unit-tested as is;
 * progress-view.ts draws it. The phases' words are shared/domain/report-text.ts's (the CLI's too).
 */
import { PHASE_LABELS, STARTING_LABEL } from '../../shared/domain/report-text';
import type { Progress } from './types';

export interface ProgressText {
  /** `Reading the directory`; `Starting` before the first progress. */
  readonly phase: string;
  /** Label and value of each count to show; none while starting or connecting. */
  readonly counts: ReadonlyArray<readonly [string, string]>;
  /** Changes written of those to write, once known. */
  readonly applied?: { readonly value: number; readonly max: number };
  /** One short line for a table cell: `Applying changes: 420 of 1700`. */
  readonly summary: string;
}

export function describeProgress(progress: Progress | undefined): ProgressText {
  if (!progress) return { phase: STARTING_LABEL, counts: [], summary: STARTING_LABEL };
  const phase = PHASE_LABELS[progress.phase];
  if (progress.phase === 'connect') return { phase, counts: [], summary: phase };
  const { toApply } = progress;
  const counts: Array<readonly [string, string]> = [
    ['Read', String(progress.read)],
    ['In scope', String(progress.inScope)],
    ['Planned', String(progress.planned)],
    ['Applied', toApply === undefined ? String(progress.applied) : `${progress.applied} of ${toApply}`],
  ];
  const applying = progress.phase === 'apply' || progress.phase === 'record';
  return {
    phase,
    counts,
    ...(toApply === undefined
      ? {}
      : { applied: { value: Math.min(progress.applied, toApply), max: toApply } }),
    summary: applying
      ? `${phase}: ${toApply === undefined ? progress.applied : `${progress.applied} of ${toApply}`}`
      : `${phase}: ${progress.read} read`,
  };
}

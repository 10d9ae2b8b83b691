/**
 * A long operation on screen while it runs (SPEC 7.1): the API answers 202 and the shared client polls the
 * Report; this draws its phase (a polite live region, said again only when the phase changes), a progress
 * bar (of the changes to apply once known, indeterminate before), the counts and the time so far.
 */
import { h, replaceChildren } from './dom';
import { describeProgress } from './progress-text';
import type { Report } from './types';

/** An operation the console started and follows to its end; pages come and go while it runs. */
export class FollowedOperation {
  readonly startedAt = Date.now();
  /** The last running Report polled. */
  latest: Report | undefined;
  /** The final Report. */
  readonly done: Promise<Report>;
  private readonly listeners = new Set<() => void>();

  /** `start` begins the operation with the shared client, passing it `onProgress`. */
  constructor(start: (onProgress: (report: Report) => void) => Promise<Report>) {
    this.done = start((report) => {
      this.latest = report;
      for (const listener of [...this.listeners]) listener();
    });
  }

  /** Calls `listener` after each poll until the returned function is called. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export interface ProgressView {
  readonly element: HTMLElement;
  /** Draws the Report so far (none: starting) and the time since the start. */
  update(report: Report | undefined, elapsedMs: number): void;
}

/** `id`: the prefix of the elements' ids; `title`: what runs, such as `Synchronizing:`. */
export function progressView(id: string, title: string): ProgressView {
  const status = h('p', {
    id: `${id}-progress-status`,
    class: 'progress-phase',
    role: 'status',
    'aria-live': 'polite',
  });
  const bar = h('progress', { id: `${id}-progress-bar`, 'aria-labelledby': `${id}-progress-status` });
  const counts = h('dl', { class: 'progress-counts', id: `${id}-progress-counts` });
  const elapsed = h('span', { class: 'progress-elapsed' });
  const element = h('div', { class: 'progress', id: `${id}-progress` }, status, bar, counts, elapsed);
  return {
    element,
    update(report, elapsedMs) {
      const text = describeProgress(report?.progress);
      // Said again by screen readers only when it changes: the phase, not each count.
      if (status.textContent !== `${title} ${text.phase}`) {
        replaceChildren(status, h('strong', {}, title), ` ${text.phase}`);
      }
      if (text.applied) {
        bar.max = Math.max(1, text.applied.max);
        bar.value = text.applied.max === 0 ? 1 : text.applied.value;
      } else {
        bar.removeAttribute('value');
      }
      replaceChildren(
        counts,
        text.counts.map(([label, value]) => h('div', {}, h('dt', {}, label), h('dd', {}, value))),
      );
      elapsed.textContent = `${Math.floor(elapsedMs / 1000)} s`;
    },
  };
}

/** Draws `operation` in `view` after each poll and every second, until it ends or the view leaves the page. */
export function showFollowing(view: ProgressView, operation: FollowedOperation): void {
  const draw = (): void => view.update(operation.latest, Date.now() - operation.startedAt);
  const redraw = (): void => {
    if (view.element.isConnected) draw();
    else stop();
  };
  const timer = setInterval(redraw, 1000);
  const unsubscribe = operation.subscribe(redraw);
  function stop(): void {
    clearInterval(timer);
    unsubscribe();
  }
  draw();
  void operation.done.then(stop, stop);
}

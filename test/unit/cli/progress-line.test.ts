/**
 * The CLI's progress line (cli/progress-line.ts) and how it is drawn on stderr (cli/progress-display.ts):
 * phases, counts with and without the number of changes to apply, the rate between polls, narrow terminals,
 * and plain lines for a log.
 */
import { describe, expect, it } from 'vitest';
import { PLAIN_INTERVAL_MS, type ProgressStream, showProgress } from '../../../cli/progress-display';
import {
  formatElapsed,
  type ProgressLineInput,
  renderProgressLine,
  STALE_RATE_MS,
} from '../../../cli/progress-line';
import type { Progress, Report } from '../../../shared/api/schemas';
import { aProgress, aReport } from '../../support/builders';

const line = (input: Partial<ProgressLineInput>): string =>
  renderProgressLine({ operation: 'sync', elapsedMs: 0, ...input }).text;

describe('renderProgressLine', () => {
  it('says the operation is starting before the first progress', () => {
    expect(line({ elapsedMs: 1500 })).toBe('sync starting · 1 s');
  });

  it('names each phase, with no counts while connecting', () => {
    expect(line({ progress: aProgress({ phase: 'connect' }), elapsedMs: 2000 })).toBe(
      'sync connecting to the directory · 2 s',
    );
    expect(line({ progress: aProgress({ phase: 'search', read: 1000, inScope: 900, planned: 12 }) })).toBe(
      'sync reading the directory · read 1000 · in scope 900 · planned 12 · applied 0 · 0 s',
    );
    expect(line({ progress: aProgress({ phase: 'plan' }) })).toMatch(/^sync planning · /);
    expect(line({ progress: aProgress({ phase: 'apply', toApply: 10 }) })).toMatch(/^sync applying changes /);
    expect(line({ progress: aProgress({ phase: 'record', applied: 10, toApply: 10 }) })).toMatch(
      /^sync recording the run · 10\/10 100%/,
    );
    expect(
      renderProgressLine({ operation: 'test', progress: aProgress({ phase: 'search' }), elapsedMs: 0 }).text,
    ).toMatch(/^test reading the directory/);
  });

  it('shows applied of toApply, with a bar when asked, once toApply is known', () => {
    const applying = aProgress({ phase: 'apply', read: 1742, inScope: 1700, planned: 1700, applied: 425 });
    expect(line({ progress: { ...applying, toApply: 1700 }, elapsedMs: 12_000, bar: true })).toBe(
      'sync applying changes [######------------------] 425/1700 25% · read 1742 · in scope 1700 · planned 1700 · 12 s',
    );
    expect(line({ progress: { ...applying, toApply: 1700 } })).toBe(
      'sync applying changes · 425/1700 25% · read 1742 · in scope 1700 · planned 1700 · 0 s',
    );
  });

  it('shows the applied count without a fraction or bar while toApply is absent', () => {
    const text = line({ progress: aProgress({ phase: 'apply', applied: 7 }), bar: true });
    expect(text).toContain('applied 7');
    expect(text).not.toMatch(/\[|%|\//);
  });

  it('counts nothing to apply as done', () => {
    expect(line({ progress: aProgress({ phase: 'apply', toApply: 0 }), bar: true })).toContain(
      `[${'#'.repeat(24)}] 0/0 100%`,
    );
  });

  describe('the rate', () => {
    it('is measured between two polls that saw the count move, in users per second', () => {
      const first = renderProgressLine({
        operation: 'sync',
        progress: aProgress({ read: 1000 }),
        elapsedMs: 3000,
      });
      expect(first.text).not.toContain('users/s');
      const second = renderProgressLine({
        operation: 'sync',
        progress: aProgress({ read: 3000 }),
        elapsedMs: 5000,
        previous: first.sample,
      });
      expect(second.text).toContain('1000 users/s');
    });

    it('counts changes written while applying, users read before', () => {
      const reading = renderProgressLine({
        operation: 'sync',
        progress: aProgress({ phase: 'search', read: 1700 }),
        elapsedMs: 1000,
      });
      // The phase changed: the rate starts again from the applied count.
      const applying = renderProgressLine({
        operation: 'sync',
        progress: aProgress({ phase: 'apply', read: 1700, applied: 100, toApply: 1700 }),
        elapsedMs: 2000,
        previous: reading.sample,
      });
      expect(applying.text).not.toContain('users/s');
      expect(applying.sample).toMatchObject({ metric: 'applied', done: 100 });
      const later = renderProgressLine({
        operation: 'sync',
        progress: aProgress({ phase: 'apply', read: 1700, applied: 500, toApply: 1700 }),
        elapsedMs: 6000,
        previous: applying.sample,
      });
      expect(later.text).toContain('100 users/s');
    });

    it('uses when the progress was measured (the server clock) rather than when it was polled', () => {
      const first = renderProgressLine({
        operation: 'sync',
        progress: aProgress({ read: 1000 }),
        elapsedMs: 1000,
        measuredAt: 1_700_000_000_000,
      });
      const second = renderProgressLine({
        operation: 'sync',
        progress: aProgress({ read: 2000 }),
        elapsedMs: 4000,
        measuredAt: 1_700_000_002_000,
        previous: first.sample,
      });
      expect(second.text).toContain('500 users/s');
    });

    it('keeps the last rate while polls see the same count, and shows 0 once it has stood still a while', () => {
      const first = renderProgressLine({ operation: 'sync', progress: aProgress({ read: 0 }), elapsedMs: 0 });
      const moved = renderProgressLine({
        operation: 'sync',
        progress: aProgress({ read: 400 }),
        elapsedMs: 2000,
        previous: first.sample,
      });
      const same = renderProgressLine({
        operation: 'sync',
        progress: aProgress({ read: 400 }),
        elapsedMs: 3000,
        previous: moved.sample,
      });
      expect(same.text).toContain('200 users/s');
      expect(same.sample).toBe(moved.sample);
      const still = renderProgressLine({
        operation: 'sync',
        progress: aProgress({ read: 400 }),
        elapsedMs: 2000 + STALE_RATE_MS,
        previous: same.sample,
      });
      expect(still.text).toContain('0 users/s');
    });

    it('shows a slow rate with a decimal', () => {
      const first = renderProgressLine({ operation: 'sync', progress: aProgress({ read: 0 }), elapsedMs: 0 });
      const second = renderProgressLine({
        operation: 'sync',
        progress: aProgress({ read: 5 }),
        elapsedMs: 2000,
        previous: first.sample,
      });
      expect(second.text).toContain('2.5 users/s');
    });
  });

  describe('on a narrow terminal', () => {
    const applying = aProgress({
      phase: 'apply',
      read: 1742,
      inScope: 1700,
      planned: 1700,
      applied: 850,
      toApply: 1700,
    });
    const withRate = renderProgressLine({
      operation: 'sync',
      progress: applying,
      elapsedMs: 14_000,
      previous: { metric: 'applied', done: 430, measuredAt: 12_000, seenAt: 12_000 },
      bar: true,
    });
    const at = (width: number): string =>
      renderProgressLine({
        operation: 'sync',
        progress: applying,
        elapsedMs: 14_000,
        previous: withRate.sample,
        bar: true,
        width,
      }).text;

    it('never takes more than the width', () => {
      for (let width = 1; width <= 140; width += 1) expect(at(width).length).toBeLessThanOrEqual(width);
    });

    it('leaves out the other counts first, then narrows the bar, then drops the bar, the time, the rate', () => {
      expect(withRate.text).toBe(
        'sync applying changes [############------------] 850/1700 50% · read 1742 · in scope 1700 · planned 1700 · 210 users/s · 14 s',
      );
      expect(at(100)).toBe(
        'sync applying changes [############------------] 850/1700 50% · read 1742 · 210 users/s · 14 s',
      );
      expect(at(80)).toBe('sync applying changes [###########-----------] 850/1700 50% · 210 users/s · 14 s');
      expect(at(60)).toBe('sync applying changes 850/1700 50% · 210 users/s · 14 s');
      expect(at(50)).toBe('sync applying changes 850/1700 50% · 210 users/s');
      expect(at(40)).toBe('sync applying changes 850/1700 50%');
    });

    it('cuts the phase last, marking the cut', () => {
      expect(at(30)).toBe('sync applying changes');
      expect(at(12)).toBe('sync applyi…');
    });
  });
});

describe('formatElapsed', () => {
  it('shows seconds, then minutes, then hours', () => {
    expect(formatElapsed(999)).toBe('0 s');
    expect(formatElapsed(59_999)).toBe('59 s');
    expect(formatElapsed(65_000)).toBe('1:05');
    expect(formatElapsed(3_723_000)).toBe('1:02:03');
  });
});

describe('showProgress', () => {
  const running = (progressNow: Progress, at: string): Report =>
    aReport({
      status: 'running',
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: at,
      counts: { directoryUsers: progressNow.read, inScope: progressNow.inScope },
      progress: progressNow,
    });

  const recorder = (tty: boolean, columns?: number) => {
    const written: string[] = [];
    const stream: ProgressStream = {
      isTTY: tty,
      ...(columns === undefined ? {} : { columns }),
      write: (text: string) => written.push(text),
    };
    return { stream, written };
  };

  it('on a terminal, redraws one line in place within its width and clears it at the end', () => {
    const { stream, written } = recorder(true, 40);
    let clock = 0;
    const display = showProgress('sync', stream, () => clock);
    clock = 3000;
    display.onProgress(running(aProgress({ phase: 'search', read: 500 }), '2026-01-01T00:00:03.000Z'));
    display.stop();
    const redraw = '\r\x1b[K';
    expect(written[0]).toBe(`${redraw}sync starting · 0 s`);
    expect(written[1]?.startsWith(`${redraw}sync reading the directory · read 500`)).toBe(true);
    expect((written[1] ?? '').length - redraw.length).toBeLessThanOrEqual(39);
    expect(written.at(-1)).toBe(redraw);
    expect(written.join('')).not.toContain('\n');
  });

  it('in a log, writes a plain line when the phase changes and every few seconds in between', () => {
    const { stream, written } = recorder(false);
    let clock = 0;
    const display = showProgress('sync', stream, () => clock);
    const poll = (at: number, p: Progress): void => {
      clock = at;
      display.onProgress(running(p, new Date(Date.UTC(2026, 0, 1) + at).toISOString()));
    };
    poll(1000, aProgress({ phase: 'connect' }));
    poll(2000, aProgress({ phase: 'search', read: 100 }));
    poll(3000, aProgress({ phase: 'search', read: 300 }));
    poll(2000 + PLAIN_INTERVAL_MS, aProgress({ phase: 'search', read: 900 }));
    poll(8000, aProgress({ phase: 'apply', read: 900, applied: 0, toApply: 10 }));
    display.stop();
    // The line at 7 s is the first after 5 s in the same phase; its rate, 600 users in the 4 s since the
    // poll before, comes from that poll too, though it was not written.
    expect(written).toEqual([
      'sync connecting to the directory · 1 s\n',
      'sync reading the directory · read 100 · in scope 0 · planned 0 · applied 0 · 2 s\n',
      'sync reading the directory · read 900 · in scope 0 · planned 0 · applied 0 · 150 users/s · 7 s\n',
      'sync applying changes · 0/10 0% · read 900 · in scope 0 · planned 0 · 8 s\n',
    ]);
  });
});

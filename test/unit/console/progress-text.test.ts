/** What the console says about an operation under way (console/src/progress-text.ts). */
import { describe, expect, it } from 'vitest';
import { describeProgress } from '../../../console/src/progress-text';
import { aProgress } from '../../support/builders';

describe('describeProgress', () => {
  it('says the operation is starting before its first progress, and shows no counts while connecting', () => {
    expect(describeProgress(undefined)).toEqual({ phase: 'Starting', counts: [], summary: 'Starting' });
    expect(describeProgress(aProgress({ phase: 'connect' }))).toEqual({
      phase: 'Connecting to the directory',
      counts: [],
      summary: 'Connecting to the directory',
    });
  });

  it('shows the counts read, in scope and planned while reading, with the users read as its summary', () => {
    expect(describeProgress(aProgress({ phase: 'search', read: 1200, inScope: 1100, planned: 40 }))).toEqual({
      phase: 'Reading the directory',
      counts: [
        ['Read', '1200'],
        ['In scope', '1100'],
        ['Planned', '40'],
        ['Applied', '0'],
      ],
      summary: 'Reading the directory: 1200 read',
    });
    expect(describeProgress(aProgress({ phase: 'plan', read: 5 })).summary).toBe('Planning: 5 read');
  });

  it('shows applied of toApply, and the value for a progress bar, once toApply is known', () => {
    const applying = describeProgress(
      aProgress({ phase: 'apply', read: 1742, inScope: 1700, planned: 1700, applied: 420, toApply: 1700 }),
    );
    expect(applying.counts.at(-1)).toEqual(['Applied', '420 of 1700']);
    expect(applying.applied).toEqual({ value: 420, max: 1700 });
    expect(applying.summary).toBe('Applying changes: 420 of 1700');
    expect(describeProgress(aProgress({ phase: 'record', applied: 3, toApply: 3 })).summary).toBe(
      'Recording the run: 3 of 3',
    );
  });

  it('has no bar value while toApply is absent', () => {
    const applying = describeProgress(aProgress({ phase: 'apply', applied: 7 }));
    expect(applying.applied).toBeUndefined();
    expect(applying.summary).toBe('Applying changes: 7');
  });
});

/** A run's state in words, shared by the CLI and the console (shared/domain/report-text.ts). */
import { describe, expect, it } from 'vitest';
import { RUN_PHASES } from '../../../shared/domain/report';
import {
  PHASE_LABELS,
  REMOVAL_WORDS,
  STARTING_LABEL,
  stepDetails,
  withheldChanges,
  withheldRemovals,
} from '../../../shared/domain/report-text';

const held = (action: string) => ({ action, withheld: true as const });
const applied = (action: string) => ({ action });

describe('PHASE_LABELS', () => {
  it('words each phase of a run under way, and the start before the first progress', () => {
    expect(RUN_PHASES.map((phase) => PHASE_LABELS[phase])).toEqual([
      'Connecting to the directory',
      'Reading the directory',
      'Planning',
      'Applying changes',
      'Recording the run',
    ]);
    expect(STARTING_LABEL).toBe('Starting');
  });
});

describe('withheldRemovals', () => {
  it('says deletes, suspensions or both from the changes marked withheld', () => {
    expect(withheldRemovals([held('delete'), held('delete')])).toBe('deletes');
    expect(withheldRemovals([held('suspend'), held('suspend')])).toBe('suspensions');
    expect(withheldRemovals([held('suspend'), held('delete')])).toBe('both');
  });

  it("reads the mark, not the reason's words, nor what a continued run's earlier invocations applied", () => {
    const worded = { action: 'suspend', reason: 'no longer returned by the directory; withheld: 3 deletes' };
    expect(withheldRemovals([held('delete'), worded, applied('suspend')])).toBe('deletes');
    expect(
      withheldChanges([held('delete'), worded, applied('suspend'), { action: 'delete', withheld: false }]),
    ).toEqual([held('delete')]);
  });

  it('says deletes when the list shows none held back (it is capped)', () => {
    expect(withheldRemovals([])).toBe('deletes');
    expect(withheldRemovals([applied('create')])).toBe('deletes');
  });
});

describe('REMOVAL_WORDS', () => {
  it('words each kind of held-back removal', () => {
    expect(REMOVAL_WORDS).toEqual({
      deletes: { plural: 'Deletes', verb: 'delete', participle: 'deleted' },
      suspensions: { plural: 'Suspensions', verb: 'suspend', participle: 'suspended' },
      both: {
        plural: 'Deletes and suspensions',
        verb: 'delete or suspend',
        participle: 'deleted or suspended',
      },
    });
  });
});

describe('stepDetails', () => {
  it('adds to the search step how the run found the users that left, in words', () => {
    const message = '0 users changed since USN 12';
    expect(stepDetails({ message, leavers: 'enumeration' })).toBe(
      `${message}; leavers found by enumerating the users under the base DN`,
    );
    expect(stepDetails({ message, leavers: 'fullRead' })).toBe(`${message}; leavers found by the full read`);
    expect(stepDetails({ message, leavers: 'tombstones' })).toBe(`${message}; leavers read from tombstones`);
  });

  it('is the message alone for a step that does not say, and empty for a step with neither', () => {
    expect(stepDetails({ message: 'bound as svc' })).toBe('bound as svc');
    expect(stepDetails({ leavers: 'fullRead' })).toBe('leavers found by the full read');
    expect(stepDetails({})).toBe('');
  });
});

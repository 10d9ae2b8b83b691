/** A run's state in words, shared by the CLI and the console (shared/domain/report-text.ts). */
import { describe, expect, it } from 'vitest';
import { RUN_PHASES } from '../../../shared/domain/report';
import {
  describeDeletionHold,
  membershipLines,
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

describe('describeDeletionHold', () => {
  const threshold = {
    reason: 'threshold',
    deletes: 30,
    directoryUsers: 120,
    maxCount: 50,
    maxPercent: 20,
  } as const;

  it('words the limit the deletes exceed, from the numbers the hold carries', () => {
    expect(describeDeletionHold({ ...threshold, exceeded: 'maxCount', maxCount: 10 })).toBe(
      '30 deletes exceed the maximum of 10',
    );
    expect(describeDeletionHold({ ...threshold, exceeded: 'maxPercent' })).toBe(
      '30 of 120 directory users (25.0%) exceed the maximum of 20%',
    );
    expect(describeDeletionHold({ ...threshold, exceeded: 'maxPercent', directoryUsers: 0 })).toBe(
      '30 of 0 directory users (100.0%) exceed the maximum of 20%',
    );
  });

  it('says when an approval named another count, and when the configuration changed during the run', () => {
    expect(describeDeletionHold({ ...threshold, exceeded: 'maxPercent', approvedDeletes: 28 })).toBe(
      '30 of 120 directory users (25.0%) exceed the maximum of 20% (allowMassDeletion approved 28 deletes; this run found 30)',
    );
    expect(describeDeletionHold({ reason: 'configurationChanged', startedOn: 7, savedSince: 9 })).toBe(
      'the configuration changed during the run (version 7 to 9); its deletes are not applied: run a sync again with the new configuration',
    );
  });
});

describe('membershipLines', () => {
  const rule = {
    rule: 0,
    group: 'CN=Exporters,DC=x',
    privileges: ['exportEmail' as const],
    ownArchiveAccess: [],
  };
  it('names the groups, and each rule with what it gives and through which groups', () => {
    expect(
      membershipLines({
        groups: ['Auditors', 'Exporters'],
        groupPrivileges: ['exportEmail'],
        groupArchiveAccess: ['write'],
        rules: [
          { ...rule, via: ['Auditors', 'Exporters'] },
          { ...rule, rule: 1, privileges: [], ownArchiveAccess: ['write' as const], via: ['Exporters'] },
        ],
      }),
    ).toEqual([
      'Groups: Auditors, Exporters',
      'privilegeRules.0 (CN=Exporters,DC=x) gives exportEmail, through Auditors > Exporters',
      'privilegeRules.1 (CN=Exporters,DC=x) gives write own archive, directly',
    ]);
  });

  it('says so when no group holds the user, and nothing without groups in use', () => {
    expect(membershipLines({ groups: [], groupPrivileges: [], groupArchiveAccess: [], rules: [] })).toEqual([
      'In no synchronized group',
      'No privilege rule gives it anything',
    ]);
    expect(membershipLines(undefined)).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import {
  currentRecordSentence,
  explainFailure,
  filterLines,
  plannedActionSentence,
  scopeSentence,
  userSyncOutcome,
} from '../../../console/src/explain-text';
import type { Report, User, UserExplanation } from '../../../console/src/types';
import { ApiError } from '../../../shared/api/client';
import { aReport } from '../../support/builders';

const filters: UserExplanation['filters'] = [
  { filter: 'exchangeUsersOnly', passed: true, state: 'passed', detail: 'mail: sales005@company.local' },
  {
    filter: 'enabledUsersOnly',
    passed: false,
    state: 'failed',
    detail: 'userAccountControl 514 (0x202): ACCOUNTDISABLE is set (the account is disabled)',
  },
  { filter: 'visibleInAddressListsOnly', passed: true, state: 'off', detail: 'off' },
  {
    filter: 'groups',
    passed: true,
    state: 'passed',
    detail: 'member through Sales DE → Sales Europe → All Staff (Nested)',
  },
];

const user: User = {
  userName: 'sales005',
  fullName: 'SALES Staff 005',
  emailAddresses: ['sales005@company.local'],
  authentication: 'directoryServices',
  privileges: ['login'],
  ownArchiveAccess: ['read'],
  createdAt: '2026-11-20T08:00:00.000Z',
  updatedAt: '2026-11-20T08:00:00.000Z',
  groups: [],
  groupPrivileges: [],
  groupArchiveAccess: [],
  effectivePrivileges: ['login'],
  attributes: {},
};

/** A run of this one user, which read it in scope. */
const report = (over: Partial<Report>): Report =>
  aReport({ trigger: 'user', counts: { directoryUsers: 1, inScope: 1 }, ...over });

describe('an explanation in words', () => {
  it('gives one line per filter: passed, failed or off, with what it found (the group chain as given)', () => {
    expect(filterLines({ filters })).toEqual([
      { label: 'Exchange users only', verdict: 'passed', detail: 'mail: sales005@company.local' },
      {
        label: 'Enabled users only',
        verdict: 'failed',
        detail: 'userAccountControl 514 (0x202): ACCOUNTDISABLE is set (the account is disabled)',
      },
      { label: 'Visible in address lists only', verdict: 'off', detail: 'The filter is off.' },
      {
        label: 'Groups',
        verdict: 'passed',
        detail: 'member through Sales DE → Sales Europe → All Staff (Nested)',
      },
    ]);
  });

  it("takes each line's verdict from the filter's state, not from its detail's words", () => {
    const worded: UserExplanation['filters'] = [
      { filter: 'exchangeUsersOnly', passed: false, state: 'failed', detail: 'off' },
      { filter: 'groups', passed: true, state: 'off', detail: 'off' },
    ];
    expect(filterLines({ filters: worded })).toEqual([
      { label: 'Exchange users only', verdict: 'failed', detail: 'off' },
      { label: 'Groups', verdict: 'off', detail: 'The filter is off.' },
    ]);
  });

  it('says whether the user is in scope, naming the filters that exclude it', () => {
    expect(scopeSentence({ filters, inScope: false })).toBe('Not in scope: excluded by Enabled users only.');
    expect(scopeSentence({ filters: [], inScope: true })).toBe(
      'In scope: every filter lets this user through.',
    );
  });

  it('says what a sync would do, with the fields an update changes', () => {
    const base = {
      changedFields: [],
      mapped: { userName: 'jsmith', fullName: 'J', emailAddresses: [], attributes: {} },
    };
    expect(plannedActionSentence({ ...base, plannedAction: 'create' })).toBe(
      'A sync would create the user jsmith.',
    );
    expect(
      plannedActionSentence({
        ...base,
        plannedAction: 'update',
        changedFields: ['fullName', 'emailAddresses'],
      }),
    ).toBe('A sync would update the user jsmith: full name, email addresses.');
    expect(plannedActionSentence({ changedFields: [], plannedAction: 'suspend', current: user })).toBe(
      'A sync would suspend the user sales005 (deleted when the grace period has passed).',
    );
    expect(plannedActionSentence({ changedFields: [], plannedAction: 'none' })).toBe(
      'A sync would do nothing with this user.',
    );
  });

  it("describes the database's record, with the time it was suspended", () => {
    const at = (iso: string) => `at ${iso}`;
    expect(currentRecordSentence(undefined, at)).toBe('The user database has no record of this user.');
    expect(currentRecordSentence(user, at)).toBe(
      'The user database holds sales005 (SALES Staff 005), a directory user.',
    );
    expect(currentRecordSentence({ ...user, suspendedAt: '2026-11-21T00:00:00.000Z' }, at)).toBe(
      'The user database holds sales005 (SALES Staff 005), a directory user, suspended since at 2026-11-21T00:00:00.000Z.',
    );
  });
});

describe("a one-user sync's outcome", () => {
  const change = (action: Report['changes'][number]['action'], extra = {}) => ({
    action,
    userName: 'jsmith',
    fullName: 'Smith, John',
    emailAddresses: [],
    changedFields: [],
    ...extra,
  });

  it('names the change applied', () => {
    expect(userSyncOutcome(report({ changes: [change('create')] }))).toEqual({
      ok: true,
      text: 'Synchronized: Created jsmith.',
    });
    expect(userSyncOutcome(report({ changes: [change('update', { changedFields: ['fullName'] })] }))).toEqual(
      { ok: true, text: 'Synchronized: Updated jsmith (fullName).' },
    );
    expect(userSyncOutcome(report({}))).toEqual({ ok: true, text: 'Synchronized: nothing to change.' });
  });

  it('reports a conflict, a failure, a threshold stop and a skipped run as not done', () => {
    expect(
      userSyncOutcome(report({ changes: [change('conflict', { reason: 'held by a local user' })] })),
    ).toEqual({ ok: false, text: 'Not synchronized: conflict for jsmith: held by a local user.' });
    expect(
      userSyncOutcome(
        report({ status: 'failed', error: { code: 'NotFound', message: 'no user jsmith under DC=x' } }),
      ),
    ).toEqual({ ok: false, text: 'The sync of this user failed: no user jsmith under DC=x (NotFound).' });
    expect(userSyncOutcome(report({ status: 'deletionThresholdExceeded' })).ok).toBe(false);
    expect(userSyncOutcome(report({ status: 'skipped' })).text).toBe('Skipped: another sync was running.');
  });
});

describe('an explanation that failed', () => {
  it('says 404 is no such user under the base DN', () => {
    expect(explainFailure('nobody', new ApiError(404, 'NotFound', 'no such user'))).toEqual({
      text: 'No such user in the directory under the base DN: “nobody”.',
      names: [],
    });
  });

  it('lists the distinguished names of an ambiguous name', () => {
    const error = new ApiError(409, 'AmbiguousName', 'ambiguous', [
      { path: 'distinguishedName', message: 'CN=A,DC=x' },
      { path: 'distinguishedName', message: 'CN=B,DC=x' },
    ]);
    expect(explainFailure('twin', error)).toEqual({
      text: '“twin” designates several directory users; explain one by its distinguished name:',
      names: ['CN=A,DC=x', 'CN=B,DC=x'],
    });
  });

  it('passes any other error on in words', () => {
    expect(explainFailure('x', new Error('Bad Gateway')).text).toBe(
      'The user could not be explained: Bad Gateway',
    );
  });
});

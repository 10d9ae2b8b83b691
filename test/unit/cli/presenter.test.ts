/** The CLI's wording of an error answer (cli/presenter.ts): a 409 names the sync that is running. */
import { describe, expect, it } from 'vitest';
import { describeApiError, describeExplanation, describeReport } from '../../../cli/presenter';
import { ApiError } from '../../../shared/api/client';
import type { Report } from '../../../shared/api/schemas';
import { aReport } from '../../support/builders';

describe('describeApiError', () => {
  it('names the running run of a 409 SyncRunning and where to see it', () => {
    const error = new ApiError(409, 'SyncRunning', 'A sync is already running', [
      { path: 'runId', message: '01JD5Z3M7N' },
    ]);
    expect(describeApiError(error)).toBe(
      'error 409 SyncRunning: another sync is running (run 01JD5Z3M7N); try again when it has ended (adsync runs shows it)',
    );
  });

  it('says any other error with its code, message and each field detail', () => {
    const error = new ApiError(400, 'ValidationError', 'invalid configuration', [
      { path: 'config.connection.servers.0', message: 'must be a host name' },
    ]);
    expect(describeApiError(error)).toBe(
      'error 400 ValidationError: invalid configuration\n  config.connection.servers.0: must be a host name',
    );
  });

  it('keeps the message of a 409 that names no run', () => {
    expect(describeApiError(new ApiError(409, 'SyncRunning', 'A sync is already running'))).toBe(
      'error 409 SyncRunning: A sync is already running',
    );
  });

  it('says when a locked-out logon may try again, from Retry-After', () => {
    const error = new ApiError(429, 'LockedOut', 'Too many failed logons', [], 61);
    expect(describeApiError(error)).toBe(
      'error 429 LockedOut: too many failed logons of this user name in a row; try again in 61 seconds (about 2 minutes)',
    );
  });
});

describe('describeExplanation', () => {
  const excluded = {
    distinguishedName: 'CN=Erin Evans,OU=Engineering,DC=company,DC=local',
    objectGuid: '8e1b6a0c-3f0e-4d5a-9a3c-1f2e3d4c5b6a',
    attributes: {
      sAMAccountName: 'erin',
      proxyAddresses: [],
      userAccountControl: 514,
      msExchHideFromAddressLists: false,
    },
    filters: [
      {
        filter: 'exchangeUsersOnly',
        passed: false,
        state: 'failed',
        detail: 'no e-mail address: mail is empty and proxyAddresses is empty',
      },
      {
        filter: 'enabledUsersOnly',
        passed: false,
        state: 'failed',
        detail: 'userAccountControl 514 (0x202): ACCOUNTDISABLE is set (the account is disabled)',
      },
      { filter: 'visibleInAddressListsOnly', passed: true, state: 'off', detail: 'off' },
      { filter: 'groups', passed: true, state: 'passed', detail: 'member through Level 1 → Level 2 → Staff' },
    ],
    inScope: false,
    plannedAction: 'delete',
    changedFields: [],
    reason: 'out of scope: noEmailAddress, disabled',
    current: {
      userName: 'erin',
      fullName: 'Erin Evans',
      emailAddresses: ['erin@company.local'],
      authentication: 'directoryServices',
      privileges: ['login'],
      ownArchiveAccess: ['read'],
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      groups: [],
      groupPrivileges: [],
      groupArchiveAccess: [],
      effectivePrivileges: ['login'],
      attributes: {},
    },
  } as const;

  it('gives a PASS/FAIL line per filter with its detail (the group chain as a path), and the planned action', () => {
    expect(describeExplanation(excluded)).toBe(
      [
        'erin  CN=Erin Evans,OU=Engineering,DC=company,DC=local',
        'objectGUID 8e1b6a0c-3f0e-4d5a-9a3c-1f2e3d4c5b6a',
        '',
        'FAIL  exchangeUsersOnly         no e-mail address: mail is empty and proxyAddresses is empty',
        'FAIL  enabledUsersOnly          userAccountControl 514 (0x202): ACCOUNTDISABLE is set (the account is disabled)',
        'off   visibleInAddressListsOnly off',
        'PASS  groups                    member through Level 1 → Level 2 → Staff',
        '',
        'NOT in scope',
        'planned action: delete',
        'reason: out of scope: noEmailAddress, disabled',
        'in the user database: erin (Erin Evans), directoryServices',
      ].join('\n'),
    );
  });

  it("says what a user's groups would give it, and why, after the reason", () => {
    const text = describeExplanation({
      ...excluded,
      membership: {
        groups: ['Staff'],
        groupPrivileges: ['exportEmail'],
        groupArchiveAccess: [],
        rules: [
          {
            rule: 0,
            group: 'CN=Exporters,DC=company,DC=local',
            privileges: ['exportEmail'],
            ownArchiveAccess: [],
            via: ['Staff', 'Exporters'],
          },
        ],
      },
    });
    expect(text).toContain(
      'reason: out of scope: noEmailAddress, disabled\nGroups: Staff\n' +
        'privilegeRules.0 (CN=Exporters,DC=company,DC=local) gives exportEmail, through Staff > Exporters\n',
    );
  });

  it("decides a filter's column from its state, not from its detail's words", () => {
    const text = describeExplanation({
      ...excluded,
      filters: [
        { filter: 'exchangeUsersOnly', passed: false, state: 'failed', detail: 'off' },
        { filter: 'groups', passed: true, state: 'off', detail: 'off' },
      ],
    });
    expect(text).toContain('FAIL  exchangeUsersOnly         off\noff   groups                    off\n');
  });

  it('shows the mapped user and the changed fields of an update', () => {
    const text = describeExplanation({
      ...excluded,
      filters: [],
      inScope: true,
      mapped: {
        userName: 'erin',
        fullName: 'Erin E.',
        emailAddresses: ['erin@company.local'],
        attributes: {},
      },
      plannedAction: 'update',
      changedFields: ['fullName'],
    });
    expect(text).toContain(
      'in scope\nmaps to: erin (Erin E.) erin@company.local\nplanned action: update (fullName)',
    );
  });

  it('lists the mapped attributes under the mapped user, and a rule that fails on the user', () => {
    const mapped = describeExplanation({
      ...excluded,
      inScope: true,
      mapped: { userName: 'erin', fullName: 'E', emailAddresses: [], attributes: { title: 'Clerk', n: 7 } },
      plannedAction: 'create',
      changedFields: [],
    });
    expect(mapped).toContain('maps to: erin (E) (no addresses)\n  n: 7\n  title: "Clerk"\n');
    const failed = describeExplanation({
      ...excluded,
      mappingFailed: { field: 'mapping.attributes.n', detail: '"x" is not an integer' },
      plannedAction: 'none',
    });
    expect(failed).toContain('mapping failed: mapping.attributes.n: "x" is not an integer');
  });
});

describe('describeReport', () => {
  const removal = (action: 'delete' | 'suspend', userName: string, withheld: boolean) => ({
    action,
    userName,
    fullName: userName,
    emailAddresses: [],
    changedFields: [],
    reason: withheld
      ? 'no longer returned by the directory; withheld: 3 deletes exceed the maximum of 2'
      : 'gone',
    ...(withheld ? { withheld: true as const } : {}),
  });
  const stopped = (changes: Report['changes']): Report =>
    aReport({
      status: 'deletionThresholdExceeded',
      changes,
      deletesWithheld: changes.filter((c) => c.withheld).length,
    });
  const lastLine = (report: Report) => describeReport(report).split('\n').at(-1);
  const AGAIN = 'Run `adsync sync --allow-mass-deletion` to apply them once.';

  it('names what the deletion threshold held back: deletes, suspensions, or both', () => {
    expect(lastLine(stopped([removal('delete', 'a', true), removal('delete', 'b', true)]))).toBe(
      `Deletes were withheld. ${AGAIN}`,
    );
    expect(lastLine(stopped([removal('suspend', 'a', true), removal('suspend', 'b', true)]))).toBe(
      `Suspensions were withheld. ${AGAIN}`,
    );
    expect(lastLine(stopped([removal('suspend', 'a', true), removal('delete', 'b', true)]))).toBe(
      `Deletes and suspensions were withheld. ${AGAIN}`,
    );
  });

  it("reads the withheld mark: a continued run's applied suspensions do not make its held-back deletes suspensions", () => {
    expect(lastLine(stopped([removal('suspend', 'earlier', false), removal('delete', 'b', true)]))).toBe(
      `Deletes were withheld. ${AGAIN}`,
    );
  });

  it('offers no approval for a run whose configuration changed under it: it says to sync again', () => {
    const report: Report = {
      ...stopped([removal('delete', 'a', true)]),
      deletesWithheldBecause: { reason: 'configurationChanged', startedOn: 4, savedSince: 5 },
    };
    expect(lastLine(report)).toBe(
      'Deletes were withheld: the configuration changed during the run. Run `adsync sync` again with the new configuration.',
    );
    expect(describeReport(report)).not.toContain('--allow-mass-deletion');
  });

  it('says nothing of withheld changes for a run that did not stop at the threshold', () => {
    const report = { ...stopped([removal('delete', 'a', false)]), status: 'succeeded' as const };
    expect(describeReport(report)).not.toContain('withheld.');
  });
});

describe('describeReport: groups and privileges by group', () => {
  const change = (userName: string, membership?: Report['changes'][number]['membership']) => ({
    action: 'update' as const,
    userName,
    fullName: userName,
    emailAddresses: [],
    changedFields: ['groupPrivileges' as const],
    ...(membership ? { membership } : {}),
  });
  const exporters = {
    groups: ['Exporters', 'Staff'],
    groupPrivileges: ['exportEmail' as const],
    groupArchiveAccess: [],
    rules: [
      {
        rule: 0,
        group: 'CN=Exporters,OU=Groups,DC=company,DC=local',
        privileges: ['exportEmail' as const],
        ownArchiveAccess: [],
        via: ['Staff', 'Exporters'],
      },
    ],
  };

  it("lists each change's groups and the rules that give it something, with the chain of groups", () => {
    const text = describeReport(
      aReport({ dryRun: true, changes: [change('jdoe', exporters), change('plain')] }),
    );
    const row = text.split('\n').find((line) => line.startsWith('jdoe ') && line.includes('Groups:'));
    expect(row).toContain(
      'Groups: Exporters, Staff; privilegeRules.0 (CN=Exporters,OU=Groups,DC=company,DC=local) gives exportEmail, through Staff > Exporters',
    );
    expect(text).toContain('groups of');
    // A change without a membership is in the changes' table only (whose rows start with the action).
    expect(text.split('\n').filter((line) => /\bplain\b/.test(line))).toHaveLength(1);
    expect(text.split('\n').some((line) => line.startsWith('plain'))).toBe(false);
  });

  it('says when a user is in no synchronized group and no rule gives it anything', () => {
    const none = { groups: [], groupPrivileges: [], groupArchiveAccess: [], rules: [] };
    const text = describeReport(aReport({ changes: [change('left', none)] }));
    expect(text).toContain('In no synchronized group; No privilege rule gives it anything');
  });

  it('has no such table when no change carries a membership', () => {
    expect(describeReport(aReport({ changes: [change('plain')] }))).not.toContain('groups of');
  });
});

import { describe, expect, it } from 'vitest';
import {
  configDocumentOf,
  fieldErrorsOf,
  fieldOfFailure,
  fieldOfPath,
  formValuesOf,
} from '../../../console/src/config-form';
import { defaultConfig, parseConfig } from '../../../shared/config/config-schema';
import { configIssuesOf } from '../../support/config-issues';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

const saved = parseConfig({
  connection: {
    servers: ['dc1.company.local', '10.0.0.5:636'],
    domain: 'company.local',
    baseDn: 'DC=company,DC=local',
    caCertificate: PEM,
    tlsServerName: 'dc1.company.local',
    username: 'svc-sync@company.local',
  },
  filters: { groups: ['CN=Staff,OU=Groups,DC=company,DC=local'] },
  options: {
    deleteUsers: true,
    deletionGraceDays: 30,
    deletionThreshold: { maxCount: 50, maxPercent: 12.5 },
  },
  defaultPrivileges: { privileges: ['login', 'exportEmail'], ownArchiveAccess: ['read', 'write'] },
  schedule: { enabled: true, intervalMinutes: 30, changeNotifications: true },
  alerts: { staleAfterHours: 48, failuresBeforeBackoff: 5 },
  logon: { maxFailures: 3, lockoutMinutes: 30 },
  groups: { sync: 'selected' },
  privilegeRules: [
    { group: 'CN=Staff,OU=Groups,DC=company,DC=local', privileges: ['exportEmail'], ownArchiveAccess: [] },
  ],
  mapping: {
    userName: 'userPrincipalName',
    attributes: {
      department: { from: 'department' },
      phones: { from: ['mobile', 'telephoneNumber'], transform: 'all', default: [] },
      label: { expression: 'department & "/" & title' },
    },
  },
});

describe('the Directory Services form', () => {
  it('gives back the configuration it was filled from', () => {
    expect(parseConfig(configDocumentOf(formValuesOf(saved)))).toEqual(saved);
  });

  it('shows the mapping rules as JSON, one attribute name as a string, and sends rules that are not JSON as typed', () => {
    const values = formValuesOf(saved);
    expect(JSON.parse(values.mappingAttributes).department).toEqual({ from: 'department' });
    expect(values.mappingUserName).toBe('userPrincipalName');
    expect(formValuesOf(defaultConfig()).mappingAttributes).toBe('{}');
    const typed = configDocumentOf({ ...values, mappingAttributes: '{ "dept": ' });
    expect(typed.mapping?.attributes).toBe('{ "dept": ');
    expect(fieldOfPath('config.mapping.attributes')).toBe('mappingAttributes');
    expect(fieldOfPath('config.mapping.attributes.dept')).toBe('mappingAttributes');
    expect(fieldOfPath('config.mapping.userName')).toBe('mappingUserName');
  });

  it('shows changes in seconds as a toggle, and saves it either way', () => {
    expect(formValuesOf(saved).changeNotifications).toBe(true);
    const off = configDocumentOf({ ...formValuesOf(saved), changeNotifications: false });
    expect(off.schedule).toEqual({ enabled: true, intervalMinutes: 30, changeNotifications: false });
  });

  it('shows the grace period as a number field and saves what is typed in it', () => {
    expect(formValuesOf(saved).deletionGraceDays).toBe('30');
    expect(
      configDocumentOf({ ...formValuesOf(saved), deletionGraceDays: ' 0 ' }).options?.deletionGraceDays,
    ).toBe(0);
  });

  it('names the grace period field for a value out of 0..365', () => {
    for (const days of ['366', '-1', '1.5', 'a week']) {
      const issues = configIssuesOf(configDocumentOf({ ...formValuesOf(saved), deletionGraceDays: days }));
      expect(issues.map((issue) => fieldOfPath(`config.${issue.path}`))).toEqual(['deletionGraceDays']);
    }
  });

  it('shows the alert settings as number fields, and names each for a value out of range', () => {
    expect(formValuesOf(saved)).toMatchObject({ staleAfterHours: '48', failuresBeforeBackoff: '5' });
    for (const [field, value] of [
      ['staleAfterHours', '0'],
      ['staleAfterHours', '721'],
      ['failuresBeforeBackoff', '101'],
      ['failuresBeforeBackoff', 'three'],
    ] as const) {
      const issues = configIssuesOf(configDocumentOf({ ...formValuesOf(saved), [field]: value }));
      expect(issues.map((issue) => fieldOfPath(`config.${issue.path}`))).toEqual([field]);
    }
  });

  it('keeps the sections it does not show (the logon lockout policy) as they were saved', () => {
    expect(configDocumentOf({ ...formValuesOf(saved), domain: 'other.local' }).logon).toEqual({
      maxFailures: 3,
      lockoutMinutes: 30,
    });
    const document = configDocumentOf({ ...formValuesOf(saved), domain: 'other.local' });
    expect(document.groups).toEqual({ sync: 'selected' });
    expect(document.privilegeRules).toEqual(saved.privilegeRules);
  });

  it('leaves empty optional fields out, so that the defaults apply', () => {
    const values = { ...formValuesOf(defaultConfig()), domain: ' company.local ' };
    const document = configDocumentOf(values);
    expect(document.connection).toEqual({
      servers: [],
      domain: 'company.local',
      encryption: 'ldaps',
      timeoutSeconds: 10,
    });
    expect(parseConfig(document).connection.baseDn).toBeUndefined();
  });

  it('splits servers on lines, commas and spaces', () => {
    const values = {
      ...formValuesOf(saved),
      servers: 'dc1.company.local\n dc2.company.local, 10.0.0.5:636\n\n',
    };
    expect(configDocumentOf(values).connection?.servers).toEqual([
      'dc1.company.local',
      'dc2.company.local',
      '10.0.0.5:636',
    ]);
  });

  it('sends a number field that is not a number as typed, so that the API names that field', () => {
    const values = { ...formValuesOf(saved), maxCount: 'lots' };
    const issues = configIssuesOf(configDocumentOf(values));
    expect(issues.map((issue) => fieldOfPath(issue.path))).toEqual(['maxCount']);
  });
});

describe('fieldOfPath', () => {
  it.each([
    ['config.connection.baseDn', 'baseDn'],
    ['connection.baseDn', 'baseDn'],
    ['config.connection.servers.1', 'servers'],
    ['config.filters.groups.3', 'groups'],
    ['config.options.deletionThreshold.maxPercent', 'maxPercent'],
    ['config.options.deletionGraceDays', 'deletionGraceDays'],
    ['config.defaultPrivileges.ownArchiveAccess.0', 'ownArchiveAccess'],
    ['config.schedule.intervalMinutes', 'intervalMinutes'],
    ['config.schedule.changeNotifications', 'changeNotifications'],
    ['config.alerts.staleAfterHours', 'staleAfterHours'],
    ['config.alerts.failuresBeforeBackoff', 'failuresBeforeBackoff'],
    ['password', 'password'],
  ])('maps %s to the %s field', (path, field) => {
    expect(fieldOfPath(path)).toBe(field);
  });

  it('knows no field for paths the form does not show', () => {
    expect(fieldOfPath('config')).toBeUndefined();
    expect(fieldOfPath('If-Match')).toBeUndefined();
    expect(fieldOfPath('config.connection.authentication')).toBeUndefined();
  });

  it('finds a field for every path the configuration schema reports', () => {
    const bad = {
      connection: {
        servers: ['not a host'],
        domain: 'not a domain!',
        baseDn: 'nonsense',
        encryption: 'none',
        caCertificate: 'x',
        tlsServerName: '!',
        username: 'a b',
        timeoutSeconds: 0,
      },
      filters: {
        exchangeUsersOnly: 'yes',
        enabledUsersOnly: 1,
        visibleInAddressListsOnly: null,
        groups: ['x'],
      },
      options: {
        deleteUsers: 'no',
        deletionGraceDays: 366,
        deletionThreshold: { maxCount: -1, maxPercent: 101 },
      },
      defaultPrivileges: { privileges: ['fly'], ownArchiveAccess: ['own'] },
      schedule: { enabled: 'on', intervalMinutes: 0 },
      alerts: { staleAfterHours: 0, failuresBeforeBackoff: 0 },
    };
    const errors = fieldErrorsOf(
      configIssuesOf(bad).map((issue) => ({ ...issue, path: `config.${issue.path}` })),
    );
    expect(errors.other).toEqual([]);
    expect(errors.byField.size).toBe(22);
  });
});

describe('fieldErrorsOf', () => {
  it('joins several messages of one field and keeps the rest for the summary', () => {
    const errors = fieldErrorsOf([
      { path: 'config.connection.servers.0', message: 'bad' },
      { path: 'config.connection.servers.2', message: 'worse' },
      { path: 'If-Match', message: 'must be a configuration version' },
    ]);
    expect([...errors.byField]).toEqual([['servers', 'bad; worse']]);
    expect(errors.other).toEqual([{ path: 'If-Match', message: 'must be a configuration version' }]);
  });
});

describe('fieldOfFailure', () => {
  const failed = (code: string, message: string) => ({ status: 'failed' as const, error: { code, message } });

  it('puts a base DN that does not exist at the Base DN field', () => {
    expect(
      fieldOfFailure(
        failed('NoSuchObject', 'the base DN OU=Nowhere,DC=company,DC=local does not exist on dc1:636'),
      ),
    ).toBe('baseDn');
  });

  it('puts a selected group that does not exist at the groups', () => {
    expect(
      fieldOfFailure(failed('NoSuchObject', 'the selected group CN=Gone,DC=x does not exist on dc1:636')),
    ).toBe('groups');
  });

  it.each([
    ['InvalidCredentials', 'password'],
    ['MissingPassword', 'password'],
    ['Tls', 'caCertificate'],
    ['Unreachable', 'servers'],
    ['DiscoveryFailed', 'domain'],
  ])('puts %s at the %s field', (code, field) => {
    expect(fieldOfFailure(failed(code, 'message'))).toBe(field);
  });

  it('names no field for failures that are not about one setting, or for runs that did not fail', () => {
    expect(fieldOfFailure(failed('PartialRead', 'the connection dropped'))).toBeUndefined();
    expect(fieldOfFailure({ status: 'succeeded' })).toBeUndefined();
    expect(fieldOfFailure({ status: 'deletionThresholdExceeded' })).toBeUndefined();
  });
});

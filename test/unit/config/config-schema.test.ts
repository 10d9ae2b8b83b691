import { describe, expect, it } from 'vitest';
import { parseConfig, parseServerAddress } from '../../../shared/config/config-schema';
import { configIssuesOf } from '../../support/config-issues';

const minimal = { connection: { domain: 'company.local' } };

describe('parseConfig', () => {
  it('fills in every default of the configuration document', () => {
    expect(parseConfig(minimal)).toEqual({
      connection: {
        servers: [],
        domain: 'company.local',
        encryption: 'ldaps',
        authentication: 'standard',
        timeoutSeconds: 10,
      },
      filters: {
        exchangeUsersOnly: true,
        enabledUsersOnly: true,
        visibleInAddressListsOnly: false,
        groups: [],
      },
      options: {
        deleteUsers: false,
        deletionGraceDays: 0,
        deletionThreshold: { maxCount: 500, maxPercent: 20 },
      },
      defaultPrivileges: { privileges: ['login'], ownArchiveAccess: ['read'] },
      schedule: { enabled: false, intervalMinutes: 60, changeNotifications: false },
      mapping: { userName: 'sAMAccountName', attributes: {} },
      logon: { maxFailures: 5, lockoutMinutes: 15 },
      groups: { sync: 'none' },
      privilegeRules: [],
      alerts: { staleAfterHours: 26, failuresBeforeBackoff: 3 },
    });
  });

  it('accepts the full example of the specification', () => {
    const config = parseConfig({
      connection: {
        servers: ['dc1.company.local', '10.0.0.5:636', '[fd00::5]:636'],
        domain: 'company.local',
        baseDn: 'DC=company,DC=local',
        encryption: 'starttls',
        caCertificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
        tlsServerName: 'dc1.company.local',
        authentication: 'standard',
        username: 'svc-sync@company.local',
        timeoutSeconds: 30,
      },
      filters: { groups: ['CN=Staff (All),OU=Groups,DC=company,DC=local'] },
      options: { deleteUsers: true, deletionThreshold: { maxCount: 0, maxPercent: 0 } },
      defaultPrivileges: { privileges: ['login', 'archiveEmail'], ownArchiveAccess: ['read', 'write'] },
      schedule: { enabled: true, intervalMinutes: 15 },
    });
    expect(config.connection.encryption).toBe('starttls');
    expect(config.options.deletionThreshold).toEqual({ maxCount: 0, maxPercent: 0 });
  });

  it.each([
    ['svc-sync@company.local'],
    ['COMPANY\\svc-sync'],
    ['CN=svc-sync,OU=Service Accounts,DC=company,DC=local'],
  ])('accepts the bind name %s', (username) => {
    expect(parseConfig({ connection: { ...minimal.connection, username } }).connection.username).toBe(
      username,
    );
  });

  it('rejects unknown fields, naming them', () => {
    expect(configIssuesOf({ ...minimal, extra: 1 })).toEqual([
      { path: '(root)', message: expect.stringContaining('extra') },
    ]);
    expect(configIssuesOf({ connection: { ...minimal.connection, pasword: 'x' } })).toEqual([
      { path: 'connection', message: expect.stringContaining('pasword') },
    ]);
  });

  it('takes the logon lockout policy, and refuses one out of range, naming the field', () => {
    expect(parseConfig({ ...minimal, logon: { maxFailures: 3 } }).logon).toEqual({
      maxFailures: 3,
      lockoutMinutes: 15,
    });
    expect(parseConfig({ ...minimal, logon: { maxFailures: 100, lockoutMinutes: 1440 } }).logon).toEqual({
      maxFailures: 100,
      lockoutMinutes: 1440,
    });
    for (const [logon, path] of [
      [{ maxFailures: 0 }, 'logon.maxFailures'],
      [{ maxFailures: 101 }, 'logon.maxFailures'],
      [{ maxFailures: 2.5 }, 'logon.maxFailures'],
      [{ maxFailures: '5' }, 'logon.maxFailures'],
      [{ lockoutMinutes: 0 }, 'logon.lockoutMinutes'],
      [{ lockoutMinutes: 1441 }, 'logon.lockoutMinutes'],
      [{ lockoutSeconds: 60 }, 'logon'],
    ] as const) {
      expect(configIssuesOf({ ...minimal, logon }), JSON.stringify(logon)).toEqual([
        { path, message: expect.any(String) },
      ]);
    }
  });

  it('takes the alert settings, and refuses them out of range, naming the field', () => {
    expect(
      parseConfig({ ...minimal, alerts: { staleAfterHours: 1, failuresBeforeBackoff: 100 } }).alerts,
    ).toEqual({
      staleAfterHours: 1,
      failuresBeforeBackoff: 100,
    });
    expect(parseConfig({ ...minimal, alerts: { staleAfterHours: 720 } }).alerts.failuresBeforeBackoff).toBe(
      3,
    );
    expect(parseConfig({ ...minimal, alerts: { staleAfterHours: 0.25 } }).alerts.staleAfterHours).toBe(0.25);
    for (const [alerts, path] of [
      [{ staleAfterHours: 0 }, 'alerts.staleAfterHours'],
      [{ staleAfterHours: 721 }, 'alerts.staleAfterHours'],
      [{ staleAfterHours: 0.001 }, 'alerts.staleAfterHours'],
      [{ staleAfterHours: '26' }, 'alerts.staleAfterHours'],
      [{ failuresBeforeBackoff: 0 }, 'alerts.failuresBeforeBackoff'],
      [{ failuresBeforeBackoff: 101 }, 'alerts.failuresBeforeBackoff'],
      [{ failuresBeforeBackoff: '3' }, 'alerts.failuresBeforeBackoff'],
      [{ email: 'ops@company.example' }, 'alerts'],
    ] as const) {
      expect(configIssuesOf({ ...minimal, alerts }), JSON.stringify(alerts)).toEqual([
        { path, message: expect.any(String) },
      ]);
    }
  });

  it('rejects Windows authentication and says why', () => {
    const [issue] = configIssuesOf({ connection: { ...minimal.connection, authentication: 'windows' } });
    expect(issue?.path).toBe('connection.authentication');
    expect(issue?.message).toMatch(/Lambda/);
  });

  it('requires a domain when no servers are given (DC discovery)', () => {
    expect(configIssuesOf({ connection: {} })).toEqual([
      { path: 'connection.domain', message: expect.stringContaining('DNS') },
    ]);
    expect(parseConfig({ connection: { servers: ['dc1'] } }).connection.domain).toBeUndefined();
  });

  it.each([
    [{ connection: { ...minimal.connection, timeoutSeconds: 0 } }, 'connection.timeoutSeconds'],
    [{ connection: { ...minimal.connection, timeoutSeconds: 2.5 } }, 'connection.timeoutSeconds'],
    [{ connection: { ...minimal.connection, encryption: 'none' } }, 'connection.encryption'],
    [{ connection: { ...minimal.connection, servers: ['dc1:99999'] } }, 'connection.servers.0'],
    [{ connection: { ...minimal.connection, servers: ['dc1', 'bad host'] } }, 'connection.servers.1'],
    [{ connection: { ...minimal.connection, baseDn: 'company.local' } }, 'connection.baseDn'],
    [{ connection: { ...minimal.connection, caCertificate: 'not a pem' } }, 'connection.caCertificate'],
    [{ connection: { ...minimal.connection, username: 'just a name' } }, 'connection.username'],
    [{ ...minimal, filters: { groups: ['Staff'] } }, 'filters.groups.0'],
    [{ ...minimal, filters: { groups: ['CN=A,DC=x', 'CN=A,DC=x'] } }, 'filters.groups'],
    [{ ...minimal, filters: { exchangeUsersOnly: 'yes' } }, 'filters.exchangeUsersOnly'],
    [
      { ...minimal, options: { deletionThreshold: { maxPercent: 101 } } },
      'options.deletionThreshold.maxPercent',
    ],
    [{ ...minimal, options: { deletionThreshold: { maxCount: -1 } } }, 'options.deletionThreshold.maxCount'],
    [{ ...minimal, defaultPrivileges: { privileges: ['admin'] } }, 'defaultPrivileges.privileges.0'],
    [
      { ...minimal, defaultPrivileges: { ownArchiveAccess: ['read', 'read'] } },
      'defaultPrivileges.ownArchiveAccess',
    ],
    [{ ...minimal, schedule: { intervalMinutes: 0 } }, 'schedule.intervalMinutes'],
  ])('rejects %j at %s', (input, path) => {
    expect(configIssuesOf(input).map((issue) => issue.path)).toEqual([path]);
  });

  it('rejects what is not an object', () => {
    expect(configIssuesOf(null)[0]?.path).toBe('(root)');
    expect(configIssuesOf([])[0]?.path).toBe('(root)');
  });
});

describe('parseServerAddress', () => {
  it.each([
    ['dc1.company.local', { host: 'dc1.company.local' }],
    ['dc1.company.local:3269', { host: 'dc1.company.local', port: 3269 }],
    ['10.0.0.5:636', { host: '10.0.0.5', port: 636 }],
    ['[fd00::5]:636', { host: 'fd00::5', port: 636 }],
    ['[::1]', { host: '::1' }],
  ])('reads %s', (input, expected) => {
    expect(parseServerAddress(input)).toEqual(expected);
  });

  it.each([['dc1:0'], ['dc1:65536'], ['dc 1'], ['ldaps://dc1'], [''], ['dc1:'], ['-dc1']])(
    'rejects %j',
    (input) => {
      expect(parseServerAddress(input)).toBeUndefined();
    },
  );
});

describe('groups and privilege rules', () => {
  const staff = 'CN=Staff,OU=Groups,DC=company,DC=local';

  it('synchronizes no group by default, and takes a base DN for them', () => {
    expect(parseConfig(minimal).groups).toEqual({ sync: 'none' });
    expect(
      parseConfig({ ...minimal, groups: { sync: 'all', baseDn: 'OU=Groups,DC=company,DC=local' } }).groups,
    ).toEqual({
      sync: 'all',
      baseDn: 'OU=Groups,DC=company,DC=local',
    });
  });

  it('refuses an unknown sync mode and unknown fields, naming them', () => {
    expect(configIssuesOf({ ...minimal, groups: { sync: 'some' } }).map((i) => i.path)).toEqual([
      'groups.sync',
    ]);
    expect(configIssuesOf({ ...minimal, groups: { nested: true } }).map((i) => i.path)).toEqual(['groups']);
  });

  it('accepts rules with their privileges and archive access', () => {
    const config = parseConfig({
      ...minimal,
      privilegeRules: [{ group: staff, privileges: ['exportEmail'], ownArchiveAccess: ['write'] }],
    });
    expect(config.privilegeRules).toEqual([
      { group: staff, privileges: ['exportEmail'], ownArchiveAccess: ['write'] },
    ]);
  });

  it('refuses more than 100 rules, unknown privileges and a rule given twice', () => {
    const many = Array.from({ length: 101 }, (_, i) => ({ group: `CN=G${i},DC=company,DC=local` }));
    expect(configIssuesOf({ ...minimal, privilegeRules: many }).map((i) => i.path)).toEqual([
      'privilegeRules',
    ]);
    expect(
      configIssuesOf({ ...minimal, privilegeRules: [{ group: staff, privileges: ['fly'] }] }).map(
        (i) => i.path,
      ),
    ).toEqual(['privilegeRules.0.privileges.0']);
    expect(
      configIssuesOf({ ...minimal, privilegeRules: [{ group: staff }, { group: staff.toLowerCase() }] }),
    ).toEqual([{ path: 'privilegeRules.1.group', message: 'has a rule already' }]);
  });

  it('refuses a rule naming a container, or a group outside the base DN', () => {
    const connection = { domain: 'company.local', baseDn: 'DC=company,DC=local' };
    expect(
      configIssuesOf({ connection, privilegeRules: [{ group: 'OU=Groups,DC=company,DC=local' }] }),
    ).toEqual([{ path: 'privilegeRules.0.group', message: 'must name a group (CN=...), not a container' }]);
    expect(
      configIssuesOf({ connection, privilegeRules: [{ group: 'CN=Staff,DC=other,DC=local' }] }).map(
        (i) => i.path,
      ),
    ).toEqual(['privilegeRules.0.group']);
    expect(
      configIssuesOf({
        connection,
        groups: { sync: 'all', baseDn: 'OU=Groups,DC=company,DC=local' },
        privilegeRules: [{ group: 'CN=Staff,OU=Other,DC=company,DC=local' }],
      }),
    ).toEqual([
      {
        path: 'privilegeRules.0.group',
        message: "must be a group under the groups' base DN OU=Groups,DC=company,DC=local",
      },
    ]);
  });

  it("takes a rule's group anywhere in the base DN's domain unless the groups are all read under a base DN", () => {
    // Users in OU=Staff, groups in OU=Groups beside it: `selected` and the rules search the whole domain.
    const connection = { domain: 'company.local', baseDn: 'OU=Staff,DC=company,DC=local' };
    const privilegeRules = [{ group: 'CN=Sales,OU=Groups,DC=company,DC=local' }];
    expect(parseConfig({ connection, privilegeRules }).privilegeRules).toHaveLength(1);
    expect(
      parseConfig({ connection, groups: { sync: 'selected' }, privilegeRules }).privilegeRules,
    ).toHaveLength(1);
    expect(
      configIssuesOf({ connection, privilegeRules: [{ group: 'CN=Sales,OU=Groups,DC=other,DC=local' }] }),
    ).toEqual([
      {
        path: 'privilegeRules.0.group',
        message: "must be a group under the groups' base DN DC=company,DC=local",
      },
    ]);
    // `all` reads the groups under the base DN (default: the connection's); an explicit one holds for every mode.
    expect(configIssuesOf({ connection, groups: { sync: 'all' }, privilegeRules })).toEqual([
      {
        path: 'privilegeRules.0.group',
        message: "must be a group under the groups' base DN OU=Staff,DC=company,DC=local",
      },
    ]);
    expect(
      configIssuesOf({
        connection,
        groups: { sync: 'selected', baseDn: 'OU=Teams,DC=company,DC=local' },
        privilegeRules,
      }).map((i) => i.path),
    ).toEqual(['privilegeRules.0.group']);
  });
});

describe('distinguished names in the configuration', () => {
  it('are kept as AD writes them, without the spaces RFC 4514 ignores, and compared so', () => {
    const config = parseConfig({
      connection: { domain: 'corp.local', baseDn: ' OU=Staff, DC=corp, DC=local' },
      filters: { groups: ['CN=Sales, OU=Groups,DC=corp,  DC=local'] },
      groups: { sync: 'selected', baseDn: 'OU=Groups , DC=corp,DC=local' },
      privilegeRules: [{ group: 'CN=Smith\\, Team , OU=Groups, DC=corp, DC=local', privileges: ['login'] }],
    });
    expect(config.connection.baseDn).toBe('OU=Staff,DC=corp,DC=local');
    expect(config.filters.groups).toEqual(['CN=Sales,OU=Groups,DC=corp,DC=local']);
    expect(config.groups.baseDn).toBe('OU=Groups,DC=corp,DC=local');
    expect(config.privilegeRules[0]?.group).toBe('CN=Smith\\, Team,OU=Groups,DC=corp,DC=local');
  });
});

describe('a document with several problems', () => {
  /** The paths of every problem named, in order: one entry per problem. */
  const pathsOf = (input: unknown) =>
    configIssuesOf(input)
      .map((issue) => issue.path)
      .sort();
  const staff = 'CN=Staff,OU=Groups,DC=company,DC=local';

  it('names every independent problem at once: a bad value, a missing domain and a rule over several fields', () => {
    expect(
      pathsOf({
        connection: {},
        privilegeRules: [{ group: 'OU=X,DC=company,DC=local', privileges: ['bogus'] }],
      }),
    ).toEqual(['connection.domain', 'privilegeRules.0.group', 'privilegeRules.0.privileges.0']);
    expect(
      pathsOf({
        connection: { timeoutSeconds: 'ten', encryption: 'none' },
        groups: { sync: 'all', baseDn: 'OU=Groups,DC=company,DC=local' },
        filters: { enabledUsersOnly: 'yes' },
        privilegeRules: [
          { group: staff, ownArchiveAccess: ['everything'] },
          { group: staff.toLowerCase() },
          { group: 'CN=Other,OU=Elsewhere,DC=company,DC=local', extra: 1 },
        ],
      }),
    ).toEqual([
      'connection.domain',
      'connection.encryption',
      'connection.timeoutSeconds',
      'filters.enabledUsersOnly',
      'privilegeRules.0.ownArchiveAccess.0',
      'privilegeRules.1.group',
      'privilegeRules.2',
      'privilegeRules.2.group',
    ]);
  });

  it('checks the mapping fields, their names and their count whatever else is wrong', () => {
    expect(
      pathsOf({
        ...minimal,
        schedule: { intervalMinutes: 0 },
        mapping: {
          userName: 'cn',
          attributes: {
            'bad-name': { from: 'thumbnailPhoto' },
            sid: { from: 'objectSid', transform: 'guid' },
            Dept: { from: 'department' },
            dept: { from: 'department', transform: 'titlecase' },
            userName: { from: 'cn' },
          },
        },
      }),
    ).toEqual([
      'mapping.attributes.bad-name',
      'mapping.attributes.bad-name',
      'mapping.attributes.dept',
      'mapping.attributes.dept',
      'mapping.attributes.sid',
      'mapping.attributes.userName',
      'mapping.userName',
      'schedule.intervalMinutes',
    ]);
    const attributes = Object.fromEntries(
      Array.from({ length: 51 }, (_, i) => [`f${i}`, { from: i === 7 ? 'jpegPhoto' : 'cn' }]),
    );
    expect(pathsOf({ connection: {}, mapping: { attributes } })).toEqual([
      'connection.domain',
      'mapping.attributes',
      'mapping.attributes.f7',
    ]);
  });

  it('finds a value listed twice among the valid ones, and says nothing of invalid ones repeated', () => {
    expect(
      pathsOf({
        ...minimal,
        defaultPrivileges: { privileges: ['login', 'bogus', 'login'], ownArchiveAccess: ['all', 'all'] },
        filters: { groups: [staff, 'Staff', 'Staff', staff] },
      }),
    ).toEqual([
      'defaultPrivileges.ownArchiveAccess.0',
      'defaultPrivileges.ownArchiveAccess.1',
      'defaultPrivileges.privileges',
      'defaultPrivileges.privileges.1',
      'filters.groups',
      'filters.groups.1',
      'filters.groups.2',
    ]);
  });

  it('says nothing that follows from a value already refused', () => {
    // No object: nothing inside it is checked, and no rule reads it.
    expect(
      pathsOf({ connection: 'dc1', privilegeRules: ['Staff', { group: 'OU=X,DC=company,DC=local' }] }),
    ).toEqual(['connection', 'privilegeRules.0', 'privilegeRules.1.group']);
    // A bad server or domain is no missing domain.
    expect(pathsOf({ connection: { servers: ['bad host'] } })).toEqual(['connection.servers.0']);
    expect(pathsOf({ connection: { domain: 'not a domain' } })).toEqual(['connection.domain']);
    // Where groups are searched is unknown while a setting it depends on is refused: no rule is outside it.
    const outside = { group: 'CN=Staff,OU=Other,DC=company,DC=local' };
    for (const [input, refused] of [
      [
        { connection: { domain: 'company.local', baseDn: 'company' }, groups: { sync: 'all' } },
        'connection.baseDn',
      ],
      [{ ...minimal, groups: { sync: 'some', baseDn: 'OU=Groups,DC=company,DC=local' } }, 'groups.sync'],
      [{ ...minimal, groups: { baseDn: 'Groups' } }, 'groups.baseDn'],
    ] as const) {
      expect(pathsOf({ ...input, privilegeRules: [outside, outside] }), refused).toEqual(
        ['privilegeRules.1.group', refused].sort(),
      );
    }
    // A list over its maximum is one problem, its items unread: the rules over several fields wait for it.
    const many = Array.from({ length: 101 }, (_, i) => `CN=G${i},DC=company,DC=local`);
    expect(pathsOf({ connection: {}, filters: { groups: many }, schedule: { enabled: 1 } })).toEqual([
      'filters.groups',
      'schedule.enabled',
    ]);
    // A group that is no DN is neither a container nor a repeat.
    expect(pathsOf({ ...minimal, privilegeRules: [{ group: 'Staff' }, { group: 'Staff' }] })).toEqual([
      'privilegeRules.0.group',
      'privilegeRules.1.group',
    ]);
  });
});

/**
 * The Directory Services form as data: the configuration document <-> the form's values, and which form field
 * an API error path or a failed Test Settings run is about. Pure, so it is unit-tested without a browser.
 */
import type { ArchiveAccess, Config, ConfigInput, FieldIssue, Privilege, Report } from './types';

export interface ConfigFormValues {
  /** One server per line (or separated by commas or spaces); empty = discover DCs by DNS SRV. */
  servers: string;
  domain: string;
  baseDn: string;
  encryption: 'ldaps' | 'starttls';
  caCertificate: string;
  tlsServerName: string;
  username: string;
  timeoutSeconds: string;
  exchangeUsersOnly: boolean;
  enabledUsersOnly: boolean;
  visibleInAddressListsOnly: boolean;
  groups: string[];
  deleteUsers: boolean;
  maxCount: string;
  maxPercent: string;
  /** Days a deleted directory user stays suspended before it is deleted; 0 = deleted at once. */
  deletionGraceDays: string;
  privileges: Privilege[];
  ownArchiveAccess: ArchiveAccess[];
  scheduleEnabled: boolean;
  intervalMinutes: string;
  /** Changes in seconds: AD's change notifications start a run (schedule.changeNotifications). */
  changeNotifications: boolean;
  /** Hours without a successful run after which the sync is stale (alerts.staleAfterHours). */
  staleAfterHours: string;
  /** Failed scheduled runs in a row after which the schedule backs off (alerts.failuresBeforeBackoff). */
  failuresBeforeBackoff: string;
  /** The logon's lockout policy: not on this form, carried through a save as it was saved. */
  logon: Config['logon'];
  /** Which groups are synchronized, and the privilege rules: not on this form, carried through a save. */
  groupSync: Config['groups'];
  privilegeRules: Config['privilegeRules'];
  /** Attribute mapping: where the user name comes from, and the fields' rules as JSON text (mapping-editor). */
  mappingUserName: Config['mapping']['userName'];
  mappingAttributes: string;
}

/** A field of the form: the configuration's fields and the write-only password. */
export type FormField =
  | Exclude<keyof ConfigFormValues, 'logon' | 'groupSync' | 'privilegeRules'>
  | 'password';

export const PRIVILEGE_LABELS: Readonly<Record<Privilege, string>> = {
  login: 'Log on',
  changePassword: 'Change password',
  archiveEmail: 'Archive email',
  modifyArchiveProfiles: 'Modify archive profiles',
  deleteArchiveProfiles: 'Delete archive profiles',
  exportEmail: 'Export email',
  modifyExportProfiles: 'Modify export profiles',
  deleteExportProfiles: 'Delete export profiles',
  deleteMessages: 'Delete messages',
};

export const ARCHIVE_ACCESS_LABELS: Readonly<Record<ArchiveAccess, string>> = {
  read: 'Read',
  write: 'Write',
  delete: 'Delete',
};

export const PRIVILEGES = Object.keys(PRIVILEGE_LABELS) as Privilege[];
export const ARCHIVE_ACCESS = Object.keys(ARCHIVE_ACCESS_LABELS) as ArchiveAccess[];

export function formValuesOf(config: Config): ConfigFormValues {
  const { connection, filters, options, defaultPrivileges, schedule, alerts, logon, groups, privilegeRules } =
    config;
  const { mapping } = config;
  return {
    servers: connection.servers.join('\n'),
    domain: connection.domain ?? '',
    baseDn: connection.baseDn ?? '',
    encryption: connection.encryption,
    caCertificate: connection.caCertificate ?? '',
    tlsServerName: connection.tlsServerName ?? '',
    username: connection.username ?? '',
    timeoutSeconds: String(connection.timeoutSeconds),
    exchangeUsersOnly: filters.exchangeUsersOnly,
    enabledUsersOnly: filters.enabledUsersOnly,
    visibleInAddressListsOnly: filters.visibleInAddressListsOnly,
    groups: [...filters.groups],
    deleteUsers: options.deleteUsers,
    maxCount: String(options.deletionThreshold.maxCount),
    maxPercent: String(options.deletionThreshold.maxPercent),
    deletionGraceDays: String(options.deletionGraceDays),
    privileges: [...defaultPrivileges.privileges],
    ownArchiveAccess: [...defaultPrivileges.ownArchiveAccess],
    scheduleEnabled: schedule.enabled,
    intervalMinutes: String(schedule.intervalMinutes),
    changeNotifications: schedule.changeNotifications,
    staleAfterHours: String(alerts.staleAfterHours),
    failuresBeforeBackoff: String(alerts.failuresBeforeBackoff),
    logon: { ...logon },
    groupSync: { ...groups },
    privilegeRules: privilegeRules.map((rule) => ({ ...rule })),
    mappingUserName: mapping.userName,
    mappingAttributes: mappingText(mapping.attributes),
  };
}

/** The rules as the editor shows them: JSON, a field a line group, `from` as given (one name as a string). */
export function mappingText(attributes: Config['mapping']['attributes']): string {
  const shown = Object.fromEntries(
    Object.entries(attributes).map(([field, rule]) => [
      field,
      'from' in rule && rule.from.length === 1 ? { ...rule, from: rule.from[0] } : rule,
    ]),
  );
  return Object.keys(shown).length === 0 ? '{}' : JSON.stringify(shown, null, 2);
}

/**
 * The mapping the form describes. Rules that are not JSON are sent as the text they are, so that the API names
 * the field (`mapping.attributes`) as for any other bad value.
 */
export function mappingOf(values: Pick<ConfigFormValues, 'mappingUserName' | 'mappingAttributes'>): {
  userName: Config['mapping']['userName'];
  attributes: Record<string, unknown>;
} {
  let attributes: unknown;
  try {
    attributes = JSON.parse(values.mappingAttributes.trim() || '{}');
  } catch {
    attributes = values.mappingAttributes;
  }
  return { userName: values.mappingUserName, attributes: attributes as Record<string, unknown> };
}

/** A number field's value; text that is not a number is sent as is, so that the API names the field. */
const numberOrText = (text: string): number | string => {
  const trimmed = text.trim();
  return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
};

/** The body of PUT /config and POST /test-settings for a draft: the document, and the password if typed. */
export function settingsRequestOf(draft: { readonly values: ConfigFormValues; readonly password: string }): {
  config: ConfigInput;
  password?: string;
} {
  return { config: configDocumentOf(draft.values), ...(draft.password ? { password: draft.password } : {}) };
}

/** The configuration document the form describes. Empty optional text fields are left out (= not set). */
export function configDocumentOf(values: ConfigFormValues): ConfigInput {
  const optional = <K extends string>(key: K, text: string) =>
    (text.trim() === '' ? {} : { [key]: text.trim() }) as Partial<Record<K, string>>;
  return {
    connection: {
      servers: values.servers.split(/[\s,;]+/).filter(Boolean),
      ...optional('domain', values.domain),
      ...optional('baseDn', values.baseDn),
      encryption: values.encryption,
      // A certificate keeps its line breaks; only surrounding blank space goes.
      ...(values.caCertificate.trim() === '' ? {} : { caCertificate: `${values.caCertificate.trim()}\n` }),
      ...optional('tlsServerName', values.tlsServerName),
      ...optional('username', values.username),
      timeoutSeconds: numberOrText(values.timeoutSeconds) as number,
    },
    filters: {
      exchangeUsersOnly: values.exchangeUsersOnly,
      enabledUsersOnly: values.enabledUsersOnly,
      visibleInAddressListsOnly: values.visibleInAddressListsOnly,
      groups: [...values.groups],
    },
    options: {
      deleteUsers: values.deleteUsers,
      deletionGraceDays: numberOrText(values.deletionGraceDays) as number,
      deletionThreshold: {
        maxCount: numberOrText(values.maxCount) as number,
        maxPercent: numberOrText(values.maxPercent) as number,
      },
    },
    defaultPrivileges: {
      privileges: PRIVILEGES.filter((p) => values.privileges.includes(p)),
      ownArchiveAccess: ARCHIVE_ACCESS.filter((a) => values.ownArchiveAccess.includes(a)),
    },
    schedule: {
      enabled: values.scheduleEnabled,
      intervalMinutes: numberOrText(values.intervalMinutes) as number,
      changeNotifications: values.changeNotifications,
    },
    alerts: {
      staleAfterHours: numberOrText(values.staleAfterHours) as number,
      failuresBeforeBackoff: numberOrText(values.failuresBeforeBackoff) as number,
    },
    logon: { ...values.logon },
    groups: { ...values.groupSync },
    privilegeRules: values.privilegeRules.map((rule) => ({ ...rule })),
    mapping: mappingOf(values) as ConfigInput['mapping'],
  };
}

const FIELD_BY_PATH: Readonly<Record<string, FormField>> = {
  password: 'password',
  'connection.servers': 'servers',
  'connection.domain': 'domain',
  'connection.baseDn': 'baseDn',
  'connection.encryption': 'encryption',
  'connection.caCertificate': 'caCertificate',
  'connection.tlsServerName': 'tlsServerName',
  'connection.username': 'username',
  'connection.timeoutSeconds': 'timeoutSeconds',
  'filters.exchangeUsersOnly': 'exchangeUsersOnly',
  'filters.enabledUsersOnly': 'enabledUsersOnly',
  'filters.visibleInAddressListsOnly': 'visibleInAddressListsOnly',
  'filters.groups': 'groups',
  'options.deleteUsers': 'deleteUsers',
  'options.deletionThreshold.maxCount': 'maxCount',
  'options.deletionThreshold.maxPercent': 'maxPercent',
  'options.deletionGraceDays': 'deletionGraceDays',
  'defaultPrivileges.privileges': 'privileges',
  'defaultPrivileges.ownArchiveAccess': 'ownArchiveAccess',
  'schedule.enabled': 'scheduleEnabled',
  'schedule.intervalMinutes': 'intervalMinutes',
  'schedule.changeNotifications': 'changeNotifications',
  'alerts.staleAfterHours': 'staleAfterHours',
  'alerts.failuresBeforeBackoff': 'failuresBeforeBackoff',
  'mapping.userName': 'mappingUserName',
  'mapping.attributes': 'mappingAttributes',
};

/**
 * The form field an API error path names: `config.connection.baseDn` -> baseDn, `config.filters.groups.3` ->
 * groups (list items belong to their list). Undefined for paths the form has no field for.
 */
export function fieldOfPath(path: string): FormField | undefined {
  const parts = path.split('.').filter((part) => part !== '');
  if (parts[0] === 'config') parts.shift();
  while (parts.length > 0) {
    const field = FIELD_BY_PATH[parts.join('.')];
    if (field) return field;
    parts.pop();
  }
  return undefined;
}

export interface FieldErrors {
  /** Messages by field, in the order the API gave them. */
  readonly byField: ReadonlyMap<FormField, string>;
  /** Issues no field shows (they go to the form's error summary only). */
  readonly other: readonly FieldIssue[];
}

/** Sorts an API error's details onto the form's fields. */
export function fieldErrorsOf(details: readonly FieldIssue[]): FieldErrors {
  const byField = new Map<FormField, string>();
  const other: FieldIssue[] = [];
  for (const issue of details) {
    const field = fieldOfPath(issue.path);
    if (!field) other.push(issue);
    else byField.set(field, byField.has(field) ? `${byField.get(field)}; ${issue.message}` : issue.message);
  }
  return { byField, other };
}

/**
 * The form field a failed Test Settings or sync run is about, when the failure points at one setting: a base DN
 * or group that does not exist, refused credentials, an unreachable server, an untrusted certificate.
 */
export function fieldOfFailure(report: Pick<Report, 'status' | 'error'>): FormField | undefined {
  if (report.status !== 'failed' || !report.error) return undefined;
  const { code, message } = report.error;
  switch (code) {
    case 'NoSuchObject':
      if (/base DN/i.test(message)) return 'baseDn';
      if (/group/i.test(message)) return 'groups';
      return undefined;
    case 'InvalidCredentials':
    case 'MissingPassword':
    case 'PasswordTargetMismatch':
      return 'password';
    case 'Tls':
      return 'caCertificate';
    case 'Unreachable':
    case 'Timeout':
      return 'servers';
    case 'DiscoveryFailed':
      return 'domain';
    case 'ValidationError':
      if (/base DN/i.test(message)) return 'baseDn';
      if (/user name/i.test(message)) return 'username';
      return undefined;
    default:
      return undefined;
  }
}

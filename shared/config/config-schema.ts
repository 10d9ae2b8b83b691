/**
 * The configuration document (docs/contract.md#configuration): one zod schema that validates input at the
 * edge, supplies the defaults, and yields the TypeScript types. Unknown fields are rejected; errors name the
 * field path.
 */
import * as z from 'zod';
import {
  type AttributeRule,
  fieldNameProblem,
  MAPPING_BUDGET,
  USER_NAME_SOURCES,
} from '../domain/attribute-rules';
import {
  compactDistinguishedName,
  isAtOrUnder,
  isDistinguishedName,
  namingContextOf,
  parseDistinguishedName,
} from '../domain/distinguished-name';
import { ARCHIVE_ACCESS, type ArchiveAccess, PRIVILEGES, type Privilege } from '../domain/privileges';
import { listedIssues, ValidationError } from '../errors';
import { ATTRIBUTE_RULE_SCHEMA, parseRule } from './mapping-rules';

export type { ArchiveAccess, Privilege };
export { ARCHIVE_ACCESS, PRIVILEGES };

const HOST_LABEL = '[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const DNS_NAME = new RegExp(`^${HOST_LABEL}(\\.${HOST_LABEL})*\\.?$`);
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/** `host`, `host:port`, `1.2.3.4:636` or `[::1]:636`. */
export function parseServerAddress(value: string): { host: string; port?: number } | undefined {
  const bracketed = /^\[([0-9A-Fa-f:.]+)\](?::(\d{1,5}))?$/.exec(value);
  const plain = /^([^:[\]]+)(?::(\d{1,5}))?$/.exec(value);
  const match = bracketed ?? plain;
  if (!match?.[1]) return undefined;
  const host = match[1];
  if (!bracketed && !DNS_NAME.test(host) && !IPV4.test(host)) return undefined;
  if (match[2] === undefined) return { host };
  const port = Number(match[2]);
  return port >= 1 && port <= 65535 ? { host, port } : undefined;
}

/** A DN, kept as AD writes it (compactDistinguishedName): a group named here is matched to the groups read. */
const distinguishedName = z
  .string()
  .trim()
  .max(2048)
  .refine(isDistinguishedName, {
    error: 'must be a distinguished name such as CN=Staff,OU=Groups,DC=company,DC=local',
  })
  .overwrite(compactDistinguishedName);

/**
 * Whether the document being checked has no problem that makes these values unusable: none at or under
 * their paths, and none above them but an unknown key (an object that is no object, say). A rule over several
 * fields runs with what is valid, so every independent problem is named at once and none follows from another.
 */
const usable = (ctx: z.RefinementCtx, ...paths: readonly PropertyKey[][]): boolean =>
  !ctx.issues.some((issue) => {
    const at = issue.path ?? [];
    return paths.some((path) =>
      at.length > path.length
        ? path.every((key, i) => at[i] === key)
        : issue.code !== 'unrecognized_keys' && at.every((key, i) => path[i] === key),
    );
  });

/**
 * A list of distinct values, at most `max` of them. The length is checked first: a longer list is one
 * problem, not one per element (85,000 bad elements made an 85,000-problem error). Repeats are looked for
 * among the valid values also when others are invalid: they are a problem of their own.
 */
const uniqueList = <T extends z.ZodType>(item: T, max: number) =>
  z
    .array(item)
    .max(max)
    .superRefine(
      (values, ctx) => {
        const valid = values.filter((_, index) => usable(ctx, [index]));
        if (new Set(valid).size !== valid.length)
          ctx.addIssue({ code: 'custom', message: 'must not list a value twice' });
      },
      { when: (payload) => Array.isArray(payload.value) },
    );

export const connectionSchema = z.strictObject({
  servers: z
    .array(
      z
        .string()
        .trim()
        .refine((s) => parseServerAddress(s) !== undefined, {
          error: 'must be a host name or IP address, optionally with :port',
        }),
    )
    .max(20)
    .default([]),
  domain: z
    .string()
    .trim()
    .max(253)
    .refine((s) => s === '' || DNS_NAME.test(s), {
      error: 'must be a DNS domain name such as company.local',
    })
    .optional(),
  baseDn: z
    .string()
    .trim()
    .max(2048)
    .refine((s) => s === '' || isDistinguishedName(s), {
      error:
        'must be a distinguished name such as DC=company,DC=local, or empty to read it from the directory',
    })
    .overwrite((s) => (s === '' ? s : compactDistinguishedName(s)))
    .optional(),
  encryption: z.enum(['ldaps', 'starttls']).default('ldaps'),
  caCertificate: z
    .string()
    .max(65_536)
    .refine((s) => /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(s), {
      error: 'must be one or more PEM certificates (-----BEGIN CERTIFICATE-----)',
    })
    .optional(),
  tlsServerName: z
    .string()
    .trim()
    .max(253)
    .refine((s) => DNS_NAME.test(s) || IPV4.test(s), {
      error: 'must be the host name in the DC certificate',
    })
    .optional(),
  authentication: z
    .string()
    .default('standard')
    .refine((s) => s === 'standard', {
      error:
        'only "standard" (simple bind over TLS with user name and password) is supported: Windows ' +
        "authentication uses the service's own domain identity, which a Lambda function does not have",
    })
    .transform(() => 'standard' as const),
  username: z
    .string()
    .trim()
    .max(512)
    .refine(
      (s) =>
        s === '' || /^[^@\s]+@[^@\s]+$/.test(s) || /^[^\\\s]+\\[^\\]+$/.test(s) || isDistinguishedName(s),
      {
        error: 'must be a UPN (svc-sync@company.local), a DN, or DOMAIN\\user',
      },
    )
    .optional(),
  timeoutSeconds: z.int().min(1).max(300).default(10),
});

/** One rule of `mapping.attributes`, checked (domain/attribute-rules.ts); a refusal names the field. */
const attributeRule = z
  .unknown()
  .transform((input, ctx): AttributeRule => {
    const rule = parseRule(input);
    if (typeof rule !== 'string') return rule;
    // The other fields' rules and names are still checked: each refusal is a problem of its own.
    ctx.addIssue({ code: 'custom', message: rule, continue: true });
    return z.NEVER;
  })
  .meta(ATTRIBUTE_RULE_SCHEMA);

/**
 * Attribute mapping (docs/contract.md#attribute-mapping): where the user name comes from, and the fields of
 * the User's `attributes`, each from LDAP attributes (with a transform) or a JSONata expression.
 */
const mappingSchema = z.strictObject({
  userName: z.enum(USER_NAME_SOURCES).default('sAMAccountName'),
  attributes: z
    .record(z.string(), attributeRule)
    .superRefine((attributes, ctx) => {
      const fields = Object.keys(attributes);
      if (fields.length > MAPPING_BUDGET.maxFields) {
        ctx.addIssue({
          code: 'custom',
          message: `has ${fields.length} fields; at most ${MAPPING_BUDGET.maxFields}`,
        });
      }
      const seen = new Set<string>();
      for (const field of fields) {
        const problem =
          fieldNameProblem(field) ??
          (seen.has(field.toLowerCase()) ? 'another field has this name in another case' : undefined);
        seen.add(field.toLowerCase());
        if (problem) ctx.addIssue({ code: 'custom', path: [field], message: problem });
      }
    })
    .default({}),
});

/** The document's shape with its defaults; `configSchema` adds the rules that span fields. */
const configFields = z.strictObject({
  connection: connectionSchema.prefault({}),
  filters: z
    .strictObject({
      exchangeUsersOnly: z.boolean().default(true),
      enabledUsersOnly: z.boolean().default(true),
      visibleInAddressListsOnly: z.boolean().default(false),
      groups: uniqueList(distinguishedName, 100).default([]),
    })
    .prefault({}),
  options: z
    .strictObject({
      deleteUsers: z.boolean().default(false),
      /**
       * Days a directory user the sync would delete is kept suspended first (docs/contract.md#deletes): 0
       * deletes at once, as MailStore does.
       */
      deletionGraceDays: z.int().min(0).max(365).default(0),
      deletionThreshold: z
        .strictObject({
          maxCount: z.int().min(0).max(10_000_000).default(500),
          maxPercent: z.number().min(0).max(100).default(20),
        })
        .prefault({}),
    })
    .prefault({}),
  defaultPrivileges: z
    .strictObject({
      privileges: uniqueList(z.enum(PRIVILEGES), PRIVILEGES.length).default(['login']),
      ownArchiveAccess: uniqueList(z.enum(ARCHIVE_ACCESS), ARCHIVE_ACCESS.length).default(['read']),
    })
    .prefault({}),
  schedule: z
    .strictObject({
      enabled: z.boolean().default(false),
      intervalMinutes: z.int().min(1).max(10_080).default(60),
      /**
       * Changes in seconds (docs/contract.md#changes-in-seconds): a watch holds an LDAP change notification
       * search open on the DC and starts an incremental run (trigger `notification`) when something in scope
       * changes. The schedule stays the safety net.
       */
      changeNotifications: z.boolean().default(false),
    })
    .prefault({}),
  /**
   * Lockout safety of POST /logon (docs/security.md#logon): after `maxFailures` failed logons of one user name
   * in a row, its logons are refused for `lockoutMinutes` without asking the directory. Keep `maxFailures`
   * below AD's lockout threshold, and `lockoutMinutes` at least AD's lockout observation window.
   */
  logon: z
    .strictObject({
      maxFailures: z.int().min(1).max(100).default(5),
      lockoutMinutes: z.int().min(1).max(1440).default(15),
    })
    .prefault({}),
  /**
   * Which groups are synchronized (docs/contract.md#groups): none, the selected groups of `filters.groups` and
   * every group nested in them, or every group under `baseDn` (default: the connection's base DN).
   */
  groups: z
    .strictObject({
      sync: z.enum(['none', 'selected', 'all']).default('none'),
      baseDn: distinguishedName.optional(),
    })
    .prefault({}),
  /**
   * Privileges by group (docs/contract.md#privileges-by-group): a directory user in the group (nested groups
   * included) gets these, in `groupPrivileges` and `groupArchiveAccess`, as long as it is a member.
   */
  privilegeRules: z
    .array(
      z.strictObject({
        group: distinguishedName,
        privileges: uniqueList(z.enum(PRIVILEGES), PRIVILEGES.length).default([]),
        ownArchiveAccess: uniqueList(z.enum(ARCHIVE_ACCESS), ARCHIVE_ACCESS.length).default([]),
      }),
    )
    .max(100)
    .default([]),
  /**
   * What operators are told (docs/contract.md#operators-are-told): `sync.stale` when no run has succeeded for
   * `staleAfterHours`; after `failuresBeforeBackoff` failed scheduled runs in a row the schedule backs off.
   */
  mapping: mappingSchema.prefault({}),
  alerts: z
    .strictObject({
      // Hours, fractions too (1.5): checked at the schedule's occurrences, so finer than its interval means each.
      staleAfterHours: z.number().min(0.01).max(720).default(26),
      failuresBeforeBackoff: z.int().min(1).max(100).default(3),
    })
    .prefault({}),
});

/**
 * The rules that span fields run whatever else is wrong with the document (`when`), each on the fields it
 * reads that are valid (`usable`): one answer names every problem.
 */
export const configSchema = configFields.superRefine(
  (config, ctx) => {
    if (
      usable(ctx, ['connection', 'servers'], ['connection', 'domain']) &&
      config.connection.servers.length === 0 &&
      !config.connection.domain
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['connection', 'domain'],
        message: 'is required when no servers are given: domain controllers are discovered from it by DNS',
      });
    }
    checkPrivilegeRules(config, ctx);
  },
  { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
);

/** `groups.baseDn`, else the connection's, when either is known: where `all` reads groups (the change watch's). */
export function groupsBaseDnOf(config: Pick<Config, 'groups' | 'connection'>): string | undefined {
  return config.groups.baseDn || config.connection.baseDn || undefined;
}

/**
 * Where a run searches groups (docs/contract.md#groups): `groups.baseDn` when given; else, for `all`, the run's
 * base DN; else (the groups nested in the selected groups and in the rules' groups) the whole domain, the naming
 * context holding the base DN: groups commonly sit in an OU beside the users' (`OU=Groups` next to `OU=Staff`).
 * Undefined when neither DN is known (at save, without `connection.baseDn`: the run takes the DC's).
 */
export function groupSearchBaseOf(
  config: Pick<Config, 'groups'>,
  baseDn: string | undefined,
  defaultNamingContext?: string,
): string | undefined {
  if (config.groups.baseDn) return config.groups.baseDn;
  if (!baseDn || !isDistinguishedName(baseDn)) return baseDn || undefined;
  return config.groups.sync === 'all' ? baseDn : namingContextOf(baseDn, defaultNamingContext);
}

/**
 * A rule's group must be a group where the run searches groups (groupSearchBaseOf: `groups.baseDn`, else the
 * base DN for `all`, else the base DN's domain): a DN whose first RDN is not a CN (an OU, the domain) names no
 * group, and a rule for a group outside would never apply. Whether the CN is a group object is asked of the
 * directory by every run (and Test Settings), which fails naming the rule.
 */
function checkPrivilegeRules(config: z.output<typeof configFields>, ctx: z.RefinementCtx): void {
  // A list that is none (or too long: then this is not run) has no rules to check; each rule is checked apart.
  if (!Array.isArray(config.privilegeRules)) return;
  // Where groups are searched is known only from valid settings: with a bad one, no rule is said to be outside.
  const base = usable(ctx, ['groups', 'baseDn'], ['groups', 'sync'], ['connection', 'baseDn'])
    ? groupSearchBaseOf(config, config.connection.baseDn)
    : undefined;
  const seen = new Set<string>();
  config.privilegeRules.forEach((rule, index) => {
    const path = ['privilegeRules', index, 'group'];
    if (!usable(ctx, path) || !isDistinguishedName(rule.group)) return;
    const first = parseDistinguishedName(rule.group)[0];
    if (first?.attribute.toLowerCase() !== 'cn') {
      ctx.addIssue({ code: 'custom', path, message: 'must name a group (CN=...), not a container' });
    } else if (base && isDistinguishedName(base) && !isAtOrUnder(rule.group, base)) {
      ctx.addIssue({ code: 'custom', path, message: `must be a group under the groups' base DN ${base}` });
    }
    const key = rule.group.toLowerCase();
    if (seen.has(key)) ctx.addIssue({ code: 'custom', path, message: 'has a rule already' });
    seen.add(key);
  });
}

/**
 * The configuration of a fresh installation: every default, nothing site-specific yet. It is not complete
 * (no domain or server), which is why it is built without the cross-field rules.
 */
export const defaultConfig = (): Config => configFields.parse({});

/** A validated configuration with every default filled in. */
export type Config = z.output<typeof configSchema>;
/** What a client may send: every field with a default may be left out. */
export type ConfigInput = z.input<typeof configSchema>;
export type ConnectionConfig = Config['connection'];
export type FilterConfig = Config['filters'];
export type LogonConfig = Config['logon'];
export type GroupsConfig = Config['groups'];
export type PrivilegeRule = Config['privilegeRules'][number];
export type AlertsConfig = Config['alerts'];
export type MappingSettings = Config['mapping'];

/** Turns zod issues into the field paths of the API error shape (`connection.timeoutSeconds`). */
export function toValidationError(
  error: z.ZodError,
  prefix: readonly (string | number)[] = [],
  subject = 'configuration',
): ValidationError {
  const details = error.issues.map((issue) => ({
    path: [...prefix, ...issue.path].map(String).join('.') || '(root)',
    message: issue.message,
  }));
  // The message repeats the problems the error lists (ValidationError adds how many more there were).
  const summary = listedIssues(details)
    .map((d) => `${d.path}: ${d.message}`)
    .join('; ');
  return new ValidationError(`Invalid ${subject}: ${summary}`, details, { cause: error });
}

/** Validates a configuration document; throws ValidationError naming every bad field. */
export function parseConfig(input: unknown): Config {
  const result = configSchema.safeParse(input);
  if (!result.success) throw toValidationError(result.error);
  return result.data;
}

/**
 * A `mapping` given as JSON text (GET /directory/users/{name}?mapping=: a rule tried before it is saved),
 * checked as a save checks it; a ValidationError names `mapping...` like a save's.
 */
export function parseMapping(json: string): MappingSettings {
  let input: unknown;
  try {
    input = JSON.parse(json);
  } catch {
    throw new ValidationError('Invalid mapping: not JSON', [{ path: 'mapping', message: 'must be JSON' }]);
  }
  const result = mappingSchema.safeParse(input);
  if (!result.success) throw toValidationError(result.error, ['mapping'], 'mapping');
  return result.data;
}

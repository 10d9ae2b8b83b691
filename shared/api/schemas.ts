/**
 * The API's request and response bodies (docs/contract.md#http-api) as zod schemas: requests are validated
 * with them, the OpenAPI document is generated from them, and the API's types are inferred from them. The
 * types the use cases answer are checked against them at compile time (`documenting` below), so the document
 * and the running API cannot drift apart.
 */
import * as z from 'zod';
import { ARCHIVE_ACCESS, configSchema, PRIVILEGES } from '../config/config-schema';
import type { Report as DomainReport, RunSummary as DomainRunSummary } from '../domain/report';
import { LEAVER_DETECTIONS, RUN_PHASES, RUN_STATUSES, RUN_TRIGGERS } from '../domain/report';
import { exclusionReasonList } from '../domain/scope-policy';
import type { PublicUser } from '../domain/user';
import type { DirectoryGroup } from '../ports/directory-reader';
import type { listBaseDns } from '../use-cases/browse-directory';
import type { ConfigurationView } from '../use-cases/configuration';
import { FILTER_NAMES, FILTER_STATES, type UserExplanation } from '../use-cases/explain-user';
import type { listUsers } from '../use-cases/manage-users';
import type { RunHistory } from '../use-cases/operation-status';
import { documenting } from './documenting';
import { group, groupMembers, groupsPage, membershipExplanation } from './group-schemas';
import { changedField, mappedAttributes } from './mapping-schemas';
import { runError, scheduleHealth, staleness } from './schedule-schemas';
import { watchStatus } from './watch-schemas';

export type { DeepReadonly } from './documenting';

const password = z.string().min(1).max(1024);

export const putConfigBody = z.strictObject({
  config: configSchema,
  password: password.optional(),
});

export const testSettingsBody = z.strictObject({
  config: configSchema.optional(),
  password: password.optional(),
});

/** `true`: the deletes the last run withheld; or that run and its count, named (409 when they no longer match). */
export const syncBody = z.strictObject({
  allowMassDeletion: z
    .union([
      z.boolean(),
      z.strictObject({ runId: z.string().min(1).max(128), deletes: z.int().min(1).max(100_000_000) }),
    ])
    .optional(),
});

/** Names an administrator can type and an application can store: no control characters, no slashes. */
const userName = z
  .string()
  .trim()
  .min(1)
  .max(256)
  .regex(/^[^\p{Cc}/\\]+$/u, { error: 'must not contain control characters or slashes' });

export const createUserBody = z.strictObject({
  userName,
  fullName: z.string().trim().min(1).max(256).optional(),
  emailAddresses: z.array(z.email()).max(100).optional(),
  password: z.string().min(8).max(1024).optional(),
});

/**
 * A logon: the user name, and the password as typed (never trimmed: a leading space is part of it). An empty
 * password is accepted here and refused by the logon (401), without being sent anywhere.
 */
export const logonBody = z.strictObject({
  userName: z.string().trim().min(1).max(256),
  password: z.string().max(1024),
});

export const userNameParameter = z.strictObject({ userName: z.string().min(1).max(256) });
/**
 * A directory user named by sAMAccountName, userPrincipalName, distinguished name or objectGUID (parsed
 * strictly by domain/user-lookup.ts; every value is escaped or encoded before it reaches a filter).
 */
export const directoryUserParameter = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(2048)
    .regex(/^[^\p{Cc}]+$/u, { error: 'must not contain control characters' })
    .describe('sAMAccountName, userPrincipalName, distinguished name or objectGUID (AD string form)'),
});
export const runIdParameter = z.strictObject({ runId: z.string().min(1).max(128) });
export const previewIdParameter = z.strictObject({ previewId: z.string().min(1).max(128) });

/**
 * `Prefer: wait=N` (RFC 7240): wait up to N seconds for the operation to end and answer its result (200)
 * instead of 202. Other preferences, and a wait that is not a number, are ignored as the RFC asks.
 */
export const preferHeader = z.object({
  Prefer: z
    .string()
    .max(1024)
    .optional()
    .describe(
      'RFC 7240: `wait=N` waits up to N seconds (the AWS API at most 25) and answers 200 with the Report when the operation ends in time, with `Preference-Applied: wait=N`; otherwise 202',
    ),
});

/**
 * `If-Match: 3` or `If-Match: "3"` (a weak `W/` is ignored): the configuration version a change is based on;
 * without it the save is unconditional.
 */
export const ifMatchHeader = z.object({
  'If-Match': z
    .string()
    .transform((header, context) => {
      const version = Number(
        header
          .trim()
          .replace(/^W\//, '')
          .replace(/^"(.*)"$/, '$1'),
      );
      if (Number.isInteger(version) && version >= 0) return version;
      context.addIssue({ code: 'custom', message: 'must be a configuration version', input: header });
      return z.NEVER;
    })
    .optional()
    .describe('the configuration version the change is based on; without it the save is unconditional'),
});

export const usersQuery = z.strictObject({ cursor: z.string().max(2048).optional() });
export const groupsQuery = z.strictObject({ search: z.string().max(256).optional() });
export const explainQuery = z.strictObject({
  mapping: z
    .string()
    .max(8192)
    .optional()
    .describe(
      "an unsaved mapping to try, as the JSON of the configuration's `mapping` (checked as a save checks it: 400 naming mapping.attributes.<field>)",
    ),
});
export { groupMembersQuery, groupNameParameter, groupsPageQuery } from './group-schemas';

const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

const user = documenting<PublicUser>()(
  z.object({
    userName: z.string(),
    fullName: z.string(),
    emailAddresses: z.array(z.string()),
    authentication: z.enum(['directoryServices', 'local']),
    distinguishedName: z.string().optional(),
    objectGuid: z.string().optional(),
    privileges: z.array(z.enum(PRIVILEGES)),
    ownArchiveAccess: z.array(z.enum(ARCHIVE_ACCESS)),
    createdAt: z.string(),
    updatedAt: z.string(),
    suspendedAt: z
      .string()
      .optional()
      .describe('set while a deleted directory user waits out options.deletionGraceDays; it cannot log on'),
    groups: z
      .array(z.string())
      .describe('the names of the synchronized groups the user belongs to, nested groups included'),
    groupPrivileges: z
      .array(z.enum(PRIVILEGES))
      .describe('what the privilege rules of its groups give it; gone when it leaves the group'),
    groupArchiveAccess: z.array(z.enum(ARCHIVE_ACCESS)),
    effectivePrivileges: z
      .array(z.enum(PRIVILEGES))
      .describe('privileges and groupPrivileges together; POST /logon requires login among them'),
    attributes: mappedAttributes,
  }),
);

const counts = z.object({
  directoryUsers: z.int(),
  inScope: z.int(),
  excluded: z.int(),
  created: z.int(),
  updated: z.int(),
  deleted: z.int(),
  suspended: z.int(),
  restored: z.int(),
  unchanged: z.int(),
  conflicts: z.int(),
});

const omitted = z.object({ changes: z.int(), excluded: z.int() });

const progress = z.object({
  phase: z.enum(RUN_PHASES),
  read: z.int(),
  inScope: z.int(),
  planned: z.int(),
  applied: z.int(),
  toApply: z.int().optional(),
});

/** Why a run held its deletes back (domain/report.ts DeletionHold): data to word, never a sentence to search. */
const deletionHold = z
  .discriminatedUnion('reason', [
    z.object({
      reason: z.literal('threshold'),
      exceeded: z
        .enum(['maxCount', 'maxPercent'])
        .describe('the limit of options.deletionThreshold exceeded'),
      deletes: z.int().describe("the deletes and suspensions the run found (with its earlier invocations')"),
      directoryUsers: z.int().describe('directory users in the database before the run: the percentage base'),
      maxCount: z.int(),
      maxPercent: z.number(),
      approvedDeletes: z
        .int()
        .optional()
        .describe("the count an allowMassDeletion approval named, when it was not the run's"),
    }),
    z.object({
      reason: z.literal('configurationChanged'),
      startedOn: z.int().describe('the configuration version the run started on'),
      savedSince: z.int().describe('the version saved since: the run applies no deletes'),
    }),
  ])
  .describe('with deletesWithheld: why the run held them back');

const runSummaryFields = z.object({
  runId: z.string(),
  dryRun: z.boolean(),
  status: z.enum(RUN_STATUSES),
  trigger: z.enum(RUN_TRIGGERS).optional(),
  startedAt: z.string(),
  finishedAt: z.string(),
  scheduledAt: z
    .string()
    .optional()
    .describe("on a scheduled run: the time of the schedule's occurrence it ran for"),
  server: z.string().optional(),
  baseDn: z.string().optional(),
  counts,
  error: runError.optional(),
  deletesWithheld: z.int().optional(),
  deletesWithheldBecause: deletionHold.optional(),
  configVersion: z.int().optional(),
  omitted: omitted.optional(),
  progress: progress.optional(),
  schedule: scheduleHealth
    .optional()
    .describe(
      "on a scheduled run that failed: the schedule's state after it (failures in a row, back-off, why)",
    ),
});
const runSummary = documenting<DomainRunSummary>()(runSummaryFields);

const report = documenting<DomainReport>()(
  runSummaryFields.extend({
    steps: z.array(
      z.object({
        name: z.string(),
        ok: z.boolean(),
        ms: z.number(),
        message: z.string().optional(),
        leavers: z.enum(LEAVER_DETECTIONS).optional(),
        readOverlapMs: z.number().optional(),
      }),
    ),
    changes: z.array(
      z.object({
        action: z.enum(['create', 'update', 'delete', 'suspend', 'restore', 'conflict']),
        userName: z.string(),
        fullName: z.string(),
        emailAddresses: z.array(z.string()),
        changedFields: z.array(z.string()),
        reason: z.string().optional(),
        membership: membershipExplanation
          .optional()
          .describe(
            "when the run reads groups: on a create, and on Test Settings' update whose changedFields name groups, groupPrivileges or groupArchiveAccess; what the user's groups would give it, and why",
          ),
        withheld: z
          .literal(true)
          .optional()
          .describe(
            'on a delete or suspend the run held back (the deletion threshold, or a configuration changed under the run); absent otherwise',
          ),
        attributes: mappedAttributes
          .optional()
          .describe(
            'Test Settings only, on its first 100 creates and updates: the mapped attributes each would write',
          ),
      }),
    ),
    excluded: z.array(
      z.object({
        userName: z.string(),
        distinguishedName: z.string(),
        reasons: z.array(z.enum(exclusionReasonList)),
        detail: z
          .string()
          .optional()
          .describe('with mappingFailed: the field whose rule failed on this user, and why'),
      }),
    ),
  }),
);

export const responses = {
  error: errorBody,
  configuration: documenting<ConfigurationView>()(
    z.object({ config: configSchema, version: z.int(), passwordSet: z.boolean() }),
  ),
  report,
  /** 202: a sync started; its Report is at `Location`. */
  runStarted: z.object({ runId: z.string(), status: z.literal('running') }),
  /** 202: a preview started; its Report is at `Location`. */
  previewStarted: z.object({ previewId: z.string(), status: z.literal('running') }),
  runs: documenting<RunHistory>()(
    z.object({
      runs: z.array(runSummary),
      schedule: scheduleHealth
        .extend({ enabled: z.boolean() })
        .optional()
        .describe("the schedule's state now: ok, failing or backed off (with when it runs again), and why"),
      stale: staleness
        .optional()
        .describe('present when no run has succeeded for alerts.staleAfterHours (the sync.stale event)'),
      watch: watchStatus
        .optional()
        .describe(
          "while schedule.changeNotifications is on: the change watch's state (watching, or failing and why)",
        ),
    }),
  ),
  users: documenting<Awaited<ReturnType<typeof listUsers>>>()(
    z.object({ users: z.array(user), cursor: z.string().optional() }),
  ),
  user,
  groupsPage,
  group,
  groupMembers,
  /** 200 of POST /logon: the user whose password was right. */
  logon: z.object({ user }),
  baseDns: documenting<Awaited<ReturnType<typeof listBaseDns>>>()(
    z.object({ defaultNamingContext: z.string().optional(), namingContexts: z.array(z.string()) }),
  ),
  groups: documenting<{ groups: DirectoryGroup[] }>()(
    z.object({
      groups: z.array(z.object({ dn: z.string(), name: z.string(), description: z.string().optional() })),
    }),
  ),
  /** 200 of GET /directory/users/{name}: one directory user, decided as a sync decides it. */
  userExplanation: documenting<UserExplanation>()(
    z.object({
      distinguishedName: z.string(),
      objectGuid: z.string(),
      attributes: z
        .object({
          sAMAccountName: z.string(),
          userPrincipalName: z.string().optional(),
          displayName: z.string().optional(),
          cn: z.string().optional(),
          mail: z.string().optional(),
          proxyAddresses: z.array(z.string()),
          userAccountControl: z.int(),
          msExchHideFromAddressLists: z
            .boolean()
            .optional()
            .describe("absent where the directory's schema has no such attribute (no Exchange schema)"),
        })
        .describe('the attributes a sync reads, as it reads them'),
      filters: z.array(
        z.object({
          filter: z.enum(FILTER_NAMES),
          passed: z.boolean(),
          state: z
            .enum(FILTER_STATES)
            .describe(
              '`off` when the filter is off (then `passed` is true), else whether it let the user through',
            ),
          detail: z.string().describe('what the filter found, in words; "off" when the filter is off'),
        }),
      ),
      inScope: z.boolean(),
      mapped: z
        .object({
          userName: z.string(),
          fullName: z.string(),
          emailAddresses: z.array(z.string()),
          attributes: mappedAttributes,
        })
        .optional()
        .describe('the user the mapping makes of it, when in scope'),
      mappingFailed: z
        .object({ field: z.string(), detail: z.string() })
        .optional()
        .describe('set when a mapping rule fails on this user: a run excludes it with mappingFailed'),
      plannedAction: z.enum([
        'create',
        'update',
        'unchanged',
        'conflict',
        'delete',
        'suspend',
        'restore',
        'none',
      ]),
      changedFields: z.array(changedField),
      reason: z.string().optional(),
      membership: membershipExplanation.optional(),
      current: user.optional().describe("the user database's record of this user, when it has one"),
    }),
  ),
  openApiDocument: z.looseObject({
    openapi: z.string(),
    info: z.looseObject({ title: z.string(), version: z.string() }),
    paths: z.record(z.string(), z.unknown()),
  }),
} as const;

/** The API's bodies as a client sees them. */
export type ErrorBody = z.output<typeof errorBody>;
export type ConfigurationBody = z.output<typeof responses.configuration>;
export type Report = z.output<typeof report>;
export type RunSummary = z.output<typeof runSummary>;
export type RunHistoryBody = z.output<typeof responses.runs>;
export type RunStarted = z.output<typeof responses.runStarted>;
export type PreviewStarted = z.output<typeof responses.previewStarted>;
export type Progress = z.output<typeof progress>;
export type User = z.output<typeof user>;
export type UsersPage = z.output<typeof responses.users>;
export type { Group, GroupMembers, GroupsPage } from './group-schemas';
export type BaseDns = z.output<typeof responses.baseDns>;
export type Groups = z.output<typeof responses.groups>;
export type UserExplanationBody = z.output<typeof responses.userExplanation>;
export type OpenApiDocument = z.output<typeof responses.openApiDocument>;

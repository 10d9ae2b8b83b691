/**
 * The API's request and response bodies (docs/contract.md#http-api) as zod schemas: requests are checked with
 * them, and the OpenAPI document is generated from them.
 */
import { z } from 'zod';
import { ARCHIVE_ACCESS, configSchema, PRIVILEGES } from '../config/config-schema';
import { RUN_STATUSES } from '../domain/report';
import { exclusionReasonList } from '../domain/scope-policy';

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

export const userNameParameter = z.strictObject({ userName: z.string().min(1).max(256) });
export const runIdParameter = z.strictObject({ runId: z.string().min(1).max(128) });

export const usersQuery = z.strictObject({ cursor: z.string().max(2048).optional() });
export const groupsQuery = z.strictObject({ search: z.string().max(256).optional() });

const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

const user = z.object({
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
});

const counts = z.object({
  directoryUsers: z.int(),
  inScope: z.int(),
  excluded: z.int(),
  created: z.int(),
  updated: z.int(),
  deleted: z.int(),
  unchanged: z.int(),
  conflicts: z.int(),
});

const runSummary = z.object({
  runId: z.string(),
  dryRun: z.boolean(),
  status: z.enum(RUN_STATUSES),
  trigger: z.enum(['api', 'schedule']).optional(),
  startedAt: z.string(),
  finishedAt: z.string(),
  server: z.string().optional(),
  baseDn: z.string().optional(),
  counts,
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  deletesWithheld: z.int().optional(),
  configVersion: z.int().optional(),
});

const report = runSummary.extend({
  steps: z.array(
    z.object({ name: z.string(), ok: z.boolean(), ms: z.number(), message: z.string().optional() }),
  ),
  changes: z.array(
    z.object({
      action: z.enum(['create', 'update', 'delete', 'conflict']),
      userName: z.string(),
      fullName: z.string(),
      emailAddresses: z.array(z.string()),
      changedFields: z.array(z.string()),
      reason: z.string().optional(),
    }),
  ),
  excluded: z.array(
    z.object({
      userName: z.string(),
      distinguishedName: z.string(),
      reasons: z.array(z.enum(exclusionReasonList)),
    }),
  ),
  omitted: z.object({ changes: z.int(), excluded: z.int() }).optional(),
});

export const responses = {
  error: errorBody,
  configuration: z.object({ config: configSchema, version: z.int(), passwordSet: z.boolean() }),
  report,
  runs: z.object({ runs: z.array(runSummary) }),
  users: z.object({ users: z.array(user), cursor: z.string().optional() }),
  user,
  baseDns: z.object({ defaultNamingContext: z.string().optional(), namingContexts: z.array(z.string()) }),
  groups: z.object({
    groups: z.array(z.object({ dn: z.string(), name: z.string(), description: z.string().optional() })),
  }),
} as const;

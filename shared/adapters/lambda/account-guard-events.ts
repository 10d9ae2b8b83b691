/**
 * What the logon function sends the logon guard (functions/logon-guard.ts) and gets back: the request
 * (ports/account-guard.ts) and the account's standing, or the error the guard met, by its code. Both are
 * validated on arrival: the guard reads nothing but what its schema allows, and the logon binds on nothing
 * but a standing that parses.
 */
import * as z from 'zod';
import { connectionSchema } from '../../config/config-schema';
import type { AccountStanding } from '../../domain/account-lockout';

export const accountGuardEvent = z.strictObject({
  source: z.literal('ad-sync.logon-guard'),
  connection: connectionSchema,
  configVersion: z.int().min(0),
  objectGuid: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i),
});

const standingSchema = z.strictObject({
  server: z.string().min(1),
  objectGuid: z.string().min(1),
  distinguishedName: z.string().min(1),
  userPrincipalName: z.string().min(1).optional(),
  namingContext: z.string().min(1),
  policy: z.strictObject({
    threshold: z.int().min(0),
    observationWindowSeconds: z.number().min(0),
    passwordSettings: z.string().min(1).optional(),
  }),
  badPwdCount: z.int().min(0),
  badPasswordTime: z.iso.datetime().optional(),
  lockedOut: z.boolean(),
  readAt: z.iso.datetime(),
});

export const accountGuardAnswer = z.union([
  z.strictObject({ standing: standingSchema.nullable() }),
  z.strictObject({ error: z.strictObject({ code: z.string(), message: z.string() }) }),
]);

export type AccountGuardEvent = z.infer<typeof accountGuardEvent>;
export type AccountGuardAnswer = z.infer<typeof accountGuardAnswer>;

/** A standing as JSON carries it (dates as ISO 8601). */
export function toStandingAnswer(standing: AccountStanding | undefined): AccountGuardAnswer {
  if (!standing) return { standing: null };
  const { badPasswordTime, readAt, ...rest } = standing;
  return {
    standing: {
      ...rest,
      ...(badPasswordTime ? { badPasswordTime: badPasswordTime.toISOString() } : {}),
      readAt: readAt.toISOString(),
    },
  };
}

/** The standing an answer carries (undefined: no such account). */
export function standingOf(answer: {
  standing: z.infer<typeof standingSchema> | null;
}): AccountStanding | undefined {
  const standing = answer.standing;
  if (!standing) return undefined;
  const { userPrincipalName, badPasswordTime, policy } = standing;
  return {
    server: standing.server,
    objectGuid: standing.objectGuid,
    distinguishedName: standing.distinguishedName,
    ...(userPrincipalName ? { userPrincipalName } : {}),
    namingContext: standing.namingContext,
    policy: {
      threshold: policy.threshold,
      observationWindowSeconds: policy.observationWindowSeconds,
      ...(policy.passwordSettings ? { passwordSettings: policy.passwordSettings } : {}),
    },
    badPwdCount: standing.badPwdCount,
    ...(badPasswordTime ? { badPasswordTime: new Date(badPasswordTime) } : {}),
    lockedOut: standing.lockedOut,
    readAt: new Date(standing.readAt),
  };
}

/**
 * Whether a bind as a user could lock the user's AD account (POST /logon, docs/security.md#logon): decided
 * from what the DC the bind would go to says of the account, with no I/O. AD counts a bad password in the
 * account's `badPwdCount` on that DC, forgets the count once `lockOutObservationWindow` has passed since the
 * last bad password (`badPasswordTime`), and locks the account when the count reaches `lockoutThreshold` (the
 * domain's, or the fine-grained password policy's that applies to the user). A bind is made only while one
 * more bad password could not reach the threshold: whatever the password, the bind cannot lock the account.
 */

/** The lockout policy that applies to an account: the domain's, or a fine-grained password policy's. */
export interface AccountLockoutPolicy {
  /** Bad passwords that lock the account; 0: AD never locks it. */
  readonly threshold: number;
  /** How long AD keeps counting after a bad password, in seconds. */
  readonly observationWindowSeconds: number;
  /** The DN of the password settings object, when one applies; absent for the domain's policy. */
  readonly passwordSettings?: string;
}

/**
 * An account as the domain's PDC emulator sees it (each DC keeps a count, and a bad password on any DC is
 * checked again, and counted, on the PDC emulator, which locks the account): the policy, the count and whether
 * it is locked.
 */
export interface AccountStanding {
  /** `host:port` of the DC that was read (the PDC emulator); the bind must go to it and no other. */
  readonly server: string;
  /** The account's objectGUID on that DC. */
  readonly objectGuid: string;
  readonly distinguishedName: string;
  readonly userPrincipalName?: string;
  /** The domain's naming context, where the bound user looks for itself (the identity check). */
  readonly namingContext: string;
  readonly policy: AccountLockoutPolicy;
  readonly badPwdCount: number;
  /** When the last bad password was counted; absent when never. */
  readonly badPasswordTime?: Date;
  /** AD says the account is locked out now (msDS-User-Account-Control-Computed, UF_LOCKOUT). */
  readonly lockedOut: boolean;
  /** The DC's own time when it was read: badPasswordTime is on the DC's clock, and so is the judgement. */
  readonly readAt: Date;
}

export type BindSafety =
  | { readonly safe: true }
  | { readonly safe: false; readonly why: 'lockedOut' | 'oneMoreLocks'; readonly retryAfterSeconds: number };

/** Bad passwords AD still counts at `now`: none once the observation window has passed since the last one. */
export function countingBadPasswords(standing: AccountStanding, now: Date): number {
  const last = standing.badPasswordTime;
  if (standing.badPwdCount <= 0) return 0;
  // A count without a time is not known to have expired: it counts.
  if (!last) return standing.badPwdCount;
  const since = (now.getTime() - last.getTime()) / 1000;
  return since >= standing.policy.observationWindowSeconds ? 0 : standing.badPwdCount;
}

/**
 * Whether a bind as this account may be made now (`now`: the DC's time, `readAt`). Not when the account is
 * locked out (the bind could only fail), nor when one more bad password would reach the threshold: then not
 * until AD forgets the count.
 */
export function bindSafety(standing: AccountStanding, now: Date = standing.readAt): BindSafety {
  const forgottenIn = (): number => {
    const last = standing.badPasswordTime?.getTime() ?? now.getTime();
    const ends = last + standing.policy.observationWindowSeconds * 1000;
    return Math.max(1, Math.ceil((ends - now.getTime()) / 1000));
  };
  if (standing.lockedOut) return { safe: false, why: 'lockedOut', retryAfterSeconds: forgottenIn() };
  const { threshold } = standing.policy;
  if (threshold === 0) return { safe: true };
  if (countingBadPasswords(standing, now) + 1 >= threshold) {
    return { safe: false, why: 'oneMoreLocks', retryAfterSeconds: forgottenIn() };
  }
  return { safe: true };
}

/** AD's intervals (`lockOutObservationWindow`): negative counts of 100 ns; "-9223372036854775808" is never. */
export function intervalSeconds(value: string): number {
  if (!/^-?\d+$/.test(value)) throw new Error(`"${value}" is not an AD interval`);
  const ticks = BigInt(value);
  const magnitude = ticks < 0n ? -ticks : ticks;
  return Number(magnitude / 10_000_000n);
}

/** AD's FILETIME (`badPasswordTime`): 100 ns since 1601-01-01 UTC; 0 is never. */
export function fileTimeDate(value: string): Date | undefined {
  if (!/^\d+$/.test(value)) throw new Error(`"${value}" is not an AD time`);
  const ticks = BigInt(value);
  if (ticks === 0n) return undefined;
  const EPOCH_OFFSET_MS = 11_644_473_600_000n;
  return new Date(Number(ticks / 10_000n - EPOCH_OFFSET_MS));
}

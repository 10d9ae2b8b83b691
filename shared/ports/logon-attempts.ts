/** How many failed logons in a row a user name may have, and for how long they count. */
export interface LockoutPolicy {
  readonly maxFailures: number;
  readonly lockoutSeconds: number;
}

/** Whether a logon may be tried: yes, with the failures in a row counting it; or not for some seconds. */
export type LogonAdmission =
  | { readonly admitted: true; readonly failures: number }
  | { readonly admitted: false; readonly retryAfterSeconds: number };

/**
 * The failed logons of each user name in a row (the lockout safety of POST /logon). An attempt is counted
 * when it is admitted, before the password is checked, so that attempts at the same moment can never reach
 * the directory more than `maxFailures` times together; a success clears the count, and an attempt whose
 * password could not be checked is withdrawn. A count lasts `lockoutSeconds` after its last attempt.
 */
export interface LogonAttempts {
  /**
   * Counts an attempt, unless the name has `maxFailures` counted already: then it is locked out until the
   * count expires (`retryAfterSeconds`). Correct under concurrent attempts (one atomic conditional update).
   */
  admit(userName: string, policy: LockoutPolicy): Promise<LogonAdmission>;
  /** Takes back an admitted attempt whose password could not be checked (the directory was unavailable). */
  withdraw(userName: string): Promise<void>;
  /** Clears the count: a successful logon. */
  clear(userName: string): Promise<void>;
  /**
   * Holds the name's one bind to the directory for at most `seconds`: false when another attempt holds it.
   * A logon reads what the DC says of the account, then binds; two at once could both read the same count
   * and together lock the account. Called after `admit` (whose count item it marks).
   */
  holdBind(userName: string, seconds: number): Promise<boolean>;
  /** Ends a hold (also ended by `clear`, and by its time). */
  releaseBind(userName: string): Promise<void>;
}

/**
 * Turns a local user's password into the slow salted hash that is stored instead of it, and checks a password
 * against a stored hash. Checking is deliberately slow (docs/security.md#logon): a logon pays for one check
 * whoever it refuses, so a refusal does not tell an unknown user from a wrong password by its time.
 */
export interface PasswordHasher {
  /** A new hash of `password`, salted: two hashes of one password differ. */
  hash(password: string): Promise<string>;
  /** Whether `password` is the one `stored` was made from; false for a hash of a scheme it does not know. */
  verify(password: string, stored: string): Promise<boolean>;
  /**
   * Checks `password` against a hash of nobody's password: it costs what `verify` of a stored hash costs and
   * never succeeds. A logon that has no hash to check (an unknown user, a directory user) spends it instead.
   */
  verifyAgainstNobody(password: string): Promise<false>;
}

/** The stored password hashes of local users (kept apart from the users: reading users never reads them). */
export interface PasswordHashes {
  /** The hash of a local user's password; undefined when the user has none. */
  getPasswordHash(userName: string): Promise<string | undefined>;
}

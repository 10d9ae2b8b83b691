import type { SavedPassword } from '../domain/password-binding';

/**
 * The bind password, write-only from the API's point of view: it is set and used, never returned. It is kept
 * with the fingerprint of the connection it was saved for (domain/password-binding.ts).
 */
export interface SecretStore {
  /**
   * The saved password. With `configVersion` (the configuration about to be used), a value cached while
   * another configuration version was current is fetched again: a save is seen at once.
   */
  getPassword(configVersion?: number): Promise<SavedPassword | undefined>;
  /** Saves the password; `undefined` removes it (putting back the state before a failed save). */
  setPassword(saved: SavedPassword | undefined): Promise<void>;
}

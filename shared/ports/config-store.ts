import type { Config } from '../config/config-schema';

export interface StoredConfig {
  readonly config: Config;
  /** Grows by one with every save; 0 before the first. */
  readonly version: number;
}

/** The saved configuration, versioned. */
export interface ConfigStore {
  getConfig(): Promise<StoredConfig | undefined>;
  /**
   * Saves the configuration as the next version. With `expectedVersion`, only if that is still the current
   * one (throws VersionConflictError otherwise); two saves can never both win.
   */
  saveConfig(config: Config, expectedVersion?: number): Promise<StoredConfig>;
}

import { connectionTarget } from '../../shared/domain/password-binding';
import type { ConfigStore } from '../../shared/ports/config-store';
import type { SecretStore } from '../../shared/ports/secret-store';

/**
 * A secret store holding `password` as saved together with whatever configuration `configs` holds: the
 * password is bound to the saved connection, as a save through the API binds it.
 */
export function savedWithConfiguration(configs: ConfigStore, password: string): SecretStore {
  return {
    async getPassword() {
      const stored = await configs.getConfig();
      if (!stored) return undefined;
      return { password, target: connectionTarget(stored.config.connection), configVersion: stored.version };
    },
    async setPassword() {},
  };
}

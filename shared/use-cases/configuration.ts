/**
 * Reading and saving the configuration (SPEC section 2). The password goes to the secret store only; the
 * configuration document never holds it and nothing returns it: callers learn only whether one is set.
 */
import { type Config, defaultConfig } from '../config/config-schema';
import { ValidationError, VersionConflictError } from '../errors';
import type { ConfigStore, ScheduleController, SecretStore, StoredConfig } from '../ports/settings';

export interface SettingsDependencies {
  readonly configs: ConfigStore;
  readonly secrets: SecretStore;
  /** In AWS, the EventBridge schedule; absent where the schedule reads the saved configuration itself. */
  readonly schedule?: ScheduleController;
}

export interface ConfigurationView {
  readonly config: Config;
  readonly version: number;
  readonly passwordSet: boolean;
}

/** The saved configuration, or the defaults of a fresh installation at version 0. */
export async function getConfiguration(deps: SettingsDependencies): Promise<ConfigurationView> {
  const [stored, password] = await Promise.all([deps.configs.getConfig(), deps.secrets.getPassword()]);
  return {
    config: stored?.config ?? defaultConfig(),
    version: stored?.version ?? 0,
    passwordSet: password !== undefined,
  };
}

/** The saved configuration or the defaults, without touching the secret store. */
export async function currentConfig(configs: ConfigStore): Promise<Config> {
  return (await configs.getConfig())?.config ?? defaultConfig();
}

/** The saved configuration; a ValidationError when there is none yet (the defaults name no directory). */
export async function requireSavedConfiguration(
  deps: Pick<SettingsDependencies, 'configs'>,
): Promise<StoredConfig> {
  const stored = await deps.configs.getConfig();
  if (!stored) {
    throw new ValidationError('No configuration is saved yet', [
      { path: 'config', message: 'save a configuration (PUT /config) first' },
    ]);
  }
  return stored;
}

export interface SaveConfigurationRequest {
  readonly config: Config;
  readonly password?: string;
  /** The version the client based its change on (`If-Match`); without it the save is unconditional. */
  readonly expectedVersion?: number;
}

/**
 * Whether a configuration would send the bind password somewhere else: other servers or domain, another
 * account, or other TLS trust. The saved password is only ever sent where it was saved for.
 */
export function connectionTargetChanged(a: Config['connection'], b: Config['connection']): boolean {
  const target = (c: Config['connection']) =>
    JSON.stringify([
      c.servers,
      c.domain ?? '',
      c.username ?? '',
      c.encryption,
      c.caCertificate ?? '',
      c.tlsServerName ?? '',
    ]);
  return target(a) !== target(b);
}

const passwordRequired = (): ValidationError =>
  new ValidationError('The password is required for this connection', [
    {
      path: 'password',
      message:
        'is required when the servers, domain, user name, encryption or certificate change: the saved password is sent only where it was saved for',
    },
  ]);

/**
 * The password for testing settings: the one in the request, or the saved one when the request tests the
 * saved connection (its filters or options may differ).
 */
export async function passwordForTest(
  deps: SettingsDependencies,
  config: Config | undefined,
  password: string | undefined,
): Promise<string | undefined> {
  if (password !== undefined) return password;
  const savedPassword = await deps.secrets.getPassword();
  if (config === undefined || savedPassword === undefined) return savedPassword;
  const saved = await deps.configs.getConfig();
  if (!saved || connectionTargetChanged(saved.config.connection, config.connection)) throw passwordRequired();
  return savedPassword;
}

/** Saves the configuration (and, when given, the password) as the next version. */
export async function saveConfiguration(
  deps: SettingsDependencies,
  request: SaveConfigurationRequest,
): Promise<ConfigurationView> {
  const [current, savedPassword] = await Promise.all([deps.configs.getConfig(), deps.secrets.getPassword()]);
  const currentVersion = current?.version ?? 0;
  if (request.expectedVersion !== undefined && currentVersion !== request.expectedVersion) {
    throw new VersionConflictError(
      `the configuration is at version ${currentVersion}, not ${request.expectedVersion}`,
    );
  }
  if (
    request.password === undefined &&
    savedPassword !== undefined &&
    current &&
    connectionTargetChanged(current.config.connection, request.config.connection)
  ) {
    throw passwordRequired();
  }
  // Saved on the version just read: a save in between makes this one a VersionConflict, never a lost update.
  const saved = await deps.configs.saveConfig(request.config, currentVersion);
  if (request.password !== undefined) await deps.secrets.setPassword(request.password);
  await deps.schedule?.apply(request.config.schedule);
  return { ...saved, passwordSet: request.password !== undefined || savedPassword !== undefined };
}

/**
 * Reading and saving the configuration (docs/contract.md). The password goes to the secret store only; the
 * configuration document never holds it and nothing returns it: callers learn only whether one is set.
 */
import { type Config, defaultConfig } from '../config/config-schema';
import { type BindPassword, connectionTarget, type SavedPassword } from '../domain/password-binding';
import { ValidationError, VersionConflictError } from '../errors';
import type { ConfigStore, StoredConfig } from '../ports/config-store';
import type { ScheduleController } from '../ports/schedule-controller';
import type { SecretStore } from '../ports/secret-store';

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
  const stored = await deps.configs.getConfig();
  const config = stored?.config ?? defaultConfig();
  const saved = await deps.secrets.getPassword(stored?.version ?? 0);
  return { config, version: stored?.version ?? 0, passwordSet: isFor(saved, config) };
}

/** Whether a saved password is set for this configuration's connection (and so would be used with it). */
function isFor(saved: SavedPassword | undefined, config: Config): saved is SavedPassword {
  return saved !== undefined && saved.target === connectionTarget(config.connection);
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

export const passwordRequired = (): ValidationError =>
  new ValidationError('The password is required for this connection', [
    {
      path: 'password',
      message:
        'is required when the servers, domain, user name, encryption or certificate change: the saved password is sent only where it was saved for',
    },
  ]);

/**
 * The password for testing settings: the one in the request, or the saved one when the request tests the
 * connection it was saved for (its filters or options may differ).
 */
export async function passwordForTest(
  deps: SettingsDependencies,
  config: Config | undefined,
  password: string | undefined,
): Promise<BindPassword | undefined> {
  if (password !== undefined) return password;
  const stored = await deps.configs.getConfig();
  const saved = await deps.secrets.getPassword(stored?.version ?? 0);
  if (saved === undefined) return undefined;
  if (config !== undefined && !isFor(saved, config)) throw passwordRequired();
  return saved;
}

/** The saved configuration with its password (checked against the connection again at every bind). */
export async function savedConfigurationWithPassword(
  deps: SettingsDependencies,
): Promise<{ stored: StoredConfig; password: SavedPassword | undefined }> {
  const stored = await requireSavedConfiguration(deps);
  return { stored, password: await deps.secrets.getPassword(stored.version) };
}

const sameSecret = (a: SavedPassword | undefined, b: SavedPassword): boolean =>
  a !== undefined &&
  a.password === b.password &&
  a.target === b.target &&
  a.configVersion === b.configVersion;

/**
 * Saves the configuration (and, when given, the password) as the next version. The password is written
 * first, bound to the new connection and version, and put back as it was when the configuration's save
 * fails: at no moment does a saved configuration meet a password saved for another target that it could use
 * (every use checks the binding too).
 */
export async function saveConfiguration(
  deps: SettingsDependencies,
  request: SaveConfigurationRequest,
): Promise<ConfigurationView> {
  const current = await deps.configs.getConfig();
  const currentVersion = current?.version ?? 0;
  if (request.expectedVersion !== undefined && currentVersion !== request.expectedVersion) {
    throw new VersionConflictError(
      `the configuration is at version ${currentVersion}, not ${request.expectedVersion}`,
    );
  }
  const saved = await deps.secrets.getPassword(currentVersion);
  const target = connectionTarget(request.config.connection);
  // The first save is checked too: a password may be there without a configuration (an earlier failed save).
  if (request.password === undefined && saved !== undefined && saved.target !== target) {
    throw passwordRequired();
  }
  const written =
    request.password === undefined
      ? undefined
      : { password: request.password, target, configVersion: currentVersion + 1 };
  if (written) await deps.secrets.setPassword(written);
  let stored: StoredConfig;
  try {
    // Saved on the version just read: a save in between makes this one a VersionConflict, never a lost update.
    stored = await deps.configs.saveConfig(request.config, currentVersion);
  } catch (error) {
    // Put back what was there, unless a concurrent save has written the secret since (its own, then).
    if (written && sameSecret(await deps.secrets.getPassword(), written))
      await deps.secrets.setPassword(saved);
    throw error;
  }
  await deps.schedule?.apply(request.config.schedule);
  return { ...stored, passwordSet: request.password !== undefined || saved !== undefined };
}

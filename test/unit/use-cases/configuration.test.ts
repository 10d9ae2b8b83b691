/**
 * Reading and saving the configuration (shared/use-cases/configuration.ts) with the in-memory settings: the
 * version check, and the rule that a saved password is used only with the connection it was saved for, and
 * is put back when the configuration's save fails.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { type Config, defaultConfig, parseConfig } from '../../../shared/config/config-schema';
import { connectionTarget, type SavedPassword } from '../../../shared/domain/password-binding';
import { ValidationError, VersionConflictError } from '../../../shared/errors';
import type { ScheduleController } from '../../../shared/ports/schedule-controller';
import type { SecretStore } from '../../../shared/ports/secret-store';
import {
  currentConfig,
  getConfiguration,
  passwordForTest,
  requireSavedConfiguration,
  type SettingsDependencies,
  saveConfiguration,
  savedConfigurationWithPassword,
} from '../../../shared/use-cases/configuration';
import { InMemorySettings } from '../../support/in-memory';
import { inMemoryConfig } from '../../support/in-memory-app';

/** The secret store: one saved password, and every write in order. */
class InMemorySecretStore implements SecretStore {
  saved: SavedPassword | undefined;
  readonly writes: (SavedPassword | undefined)[] = [];

  async getPassword() {
    return this.saved;
  }

  async setPassword(saved: SavedPassword | undefined) {
    this.writes.push(saved);
    this.saved = saved;
  }
}

/** The schedules it was told of, in order. */
class RecordingSchedule implements ScheduleController {
  readonly applied: Config['schedule'][] = [];

  async apply(schedule: Config['schedule']) {
    this.applied.push(schedule);
  }
}

const config = inMemoryConfig();
/** The same connection with other filters: the saved password is still for it. */
const sameConnection = parseConfig({ ...config, filters: { ...config.filters, enabledUsersOnly: false } });
/** Another directory: a saved password must not be sent there. */
const otherConnection = parseConfig({
  ...config,
  connection: { ...config.connection, servers: ['dc9.elsewhere.local'] },
});

let settings: InMemorySettings;
let secrets: InMemorySecretStore;
let schedule: RecordingSchedule;
let deps: SettingsDependencies;

beforeEach(() => {
  settings = new InMemorySettings();
  secrets = new InMemorySecretStore();
  schedule = new RecordingSchedule();
  deps = { configs: settings, secrets, schedule };
});

/** The state a successful first save with `password` leaves. */
async function savedWithPassword(password = 'service-password') {
  return saveConfiguration(deps, { config, password });
}

describe('getConfiguration', () => {
  it('gives the defaults at version 0, without a password, on a fresh installation', async () => {
    expect(await getConfiguration(deps)).toEqual({ config: defaultConfig(), version: 0, passwordSet: false });
  });

  it('gives the saved configuration and version, and that a password is set for it', async () => {
    await savedWithPassword();
    expect(await getConfiguration(deps)).toEqual({ config, version: 1, passwordSet: true });
  });

  it('says no password is set when the saved one is for another connection', async () => {
    await savedWithPassword();
    await settings.saveConfig(otherConnection, 1);
    expect(await getConfiguration(deps)).toMatchObject({ version: 2, passwordSet: false });
  });
});

describe('currentConfig', () => {
  it('gives the defaults until a configuration is saved, then the saved one', async () => {
    expect(await currentConfig(settings)).toEqual(defaultConfig());
    await settings.saveConfig(config);
    expect(await currentConfig(settings)).toEqual(config);
  });
});

describe('requireSavedConfiguration', () => {
  it('refuses with a ValidationError on config while nothing is saved', async () => {
    const error = await requireSavedConfiguration(deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ details: [{ path: 'config' }] });
  });

  it('gives the saved configuration with its version', async () => {
    await settings.saveConfig(config);
    expect(await requireSavedConfiguration(deps)).toEqual({ config, version: 1 });
  });
});

describe('passwordForTest', () => {
  it("takes the request's password before the saved one", async () => {
    await savedWithPassword();
    expect(await passwordForTest(deps, otherConnection, 'typed')).toBe('typed');
  });

  it('has none when neither the request nor the store has one', async () => {
    expect(await passwordForTest(deps, config, undefined)).toBeUndefined();
  });

  it('gives the saved password for the saved connection, or for settings with the same connection', async () => {
    await savedWithPassword();
    expect(await passwordForTest(deps, undefined, undefined)).toEqual(secrets.saved);
    expect(await passwordForTest(deps, sameConnection, undefined)).toEqual(secrets.saved);
  });

  it('refuses to send the saved password to another connection: the password is required', async () => {
    await savedWithPassword();
    const error = await passwordForTest(deps, otherConnection, undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ details: [{ path: 'password' }] });
  });
});

describe('savedConfigurationWithPassword', () => {
  it('refuses while nothing is saved', async () => {
    await expect(savedConfigurationWithPassword(deps)).rejects.toBeInstanceOf(ValidationError);
  });

  it('gives the saved configuration and its password', async () => {
    await savedWithPassword('service-password');
    expect(await savedConfigurationWithPassword(deps)).toEqual({
      stored: { config, version: 1 },
      password: {
        password: 'service-password',
        target: connectionTarget(config.connection),
        configVersion: 1,
      },
    });
  });
});

describe('saveConfiguration', () => {
  it('saves the first version with its password, bound to its connection, and applies the schedule', async () => {
    expect(await savedWithPassword('service-password')).toEqual({ config, version: 1, passwordSet: true });
    expect(await settings.getConfig()).toEqual({ config, version: 1 });
    expect(secrets.saved).toEqual({
      password: 'service-password',
      target: connectionTarget(config.connection),
      configVersion: 1,
    });
    expect(schedule.applied).toEqual([config.schedule]);
  });

  it('saves without a password: none is set', async () => {
    expect(await saveConfiguration(deps, { config })).toEqual({ config, version: 1, passwordSet: false });
    expect(secrets.writes).toEqual([]);
  });

  it('keeps the saved password when the connection stays the same', async () => {
    await savedWithPassword();
    const kept = secrets.saved;
    expect(await saveConfiguration(deps, { config: sameConnection, expectedVersion: 1 })).toEqual({
      config: sameConnection,
      version: 2,
      passwordSet: true,
    });
    expect(secrets.saved).toBe(kept);
  });

  it('requires the password again when the connection changes, and saves nothing', async () => {
    await savedWithPassword();
    const error = await saveConfiguration(deps, { config: otherConnection }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ details: [{ path: 'password' }] });
    expect(await settings.getConfig()).toEqual({ config, version: 1 });
    expect(schedule.applied).toHaveLength(1);
  });

  it('requires it on a first save too, when a password for another connection was left by a failed save', async () => {
    secrets.saved = {
      password: 'left',
      target: connectionTarget(otherConnection.connection),
      configVersion: 1,
    };
    await expect(saveConfiguration(deps, { config })).rejects.toBeInstanceOf(ValidationError);
    expect(await settings.getConfig()).toBeUndefined();
  });

  it('refuses a save based on another version with a VersionConflict, before writing anything', async () => {
    await savedWithPassword('first');
    const error = await saveConfiguration(deps, {
      config: otherConnection,
      password: 'second',
      expectedVersion: 0,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VersionConflictError);
    expect(secrets.saved?.password).toBe('first');
    expect(await settings.getConfig()).toEqual({ config, version: 1 });
  });

  it("puts the password back when the configuration's save fails", async () => {
    await savedWithPassword('first');
    const before = secrets.saved;
    const failing = new Error('the table is unavailable');
    settings.saveConfig = async () => {
      throw failing;
    };
    const error = await saveConfiguration(deps, { config: otherConnection, password: 'second' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBe(failing);
    expect(secrets.writes.map((w) => w?.password)).toEqual(['first', 'second', 'first']);
    expect(secrets.saved).toEqual(before);
    expect(schedule.applied).toHaveLength(1);
  });

  it('removes the password again when a first save with it fails', async () => {
    settings.saveConfig = async () => {
      throw new Error('the table is unavailable');
    };
    await expect(saveConfiguration(deps, { config, password: 'first' })).rejects.toThrow('unavailable');
    expect(secrets.saved).toBeUndefined();
  });

  it('leaves a password a concurrent save wrote in between: that save owns it', async () => {
    await savedWithPassword('first');
    const concurrent: SavedPassword = {
      password: 'concurrent',
      target: connectionTarget(config.connection),
      configVersion: 2,
    };
    settings.saveConfig = async () => {
      secrets.saved = concurrent;
      throw new Error('version conflict');
    };
    await expect(saveConfiguration(deps, { config, password: 'mine' })).rejects.toThrow('version conflict');
    expect(secrets.saved).toBe(concurrent);
  });

  it("leaves a concurrent save's password even when it is the same one, saved with another version", async () => {
    await savedWithPassword('first');
    const concurrent: SavedPassword = {
      password: 'same',
      target: connectionTarget(config.connection),
      configVersion: 3,
    };
    settings.saveConfig = async () => {
      secrets.saved = concurrent;
      throw new Error('version conflict');
    };
    await expect(saveConfiguration(deps, { config, password: 'same' })).rejects.toThrow('version conflict');
    expect(secrets.saved).toBe(concurrent);
  });

  it('works without a schedule controller (where the schedule reads the saved configuration itself)', async () => {
    const { schedule: _, ...withoutSchedule } = deps;
    expect(await saveConfiguration(withoutSchedule, { config })).toMatchObject({ version: 1 });
  });
});

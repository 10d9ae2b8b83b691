/** `adsync config get` and `adsync config set`: the saved configuration, shown or changed. */
import { readFile } from 'node:fs/promises';
import type { RouteInput } from '../../shared/api/client';
import { EXIT, UsageError } from '../arguments';
import type { ApiCommand } from './api-command';

/**
 * `get` shows the configuration (never the password, only whether it is set); `set` saves a file's document,
 * or the saved one changed by flags, with a password from an environment variable.
 */
export const config: ApiCommand = async ({ api, values, operands, print, terminal }) => {
  const [sub] = operands;
  if (sub === 'get') {
    const view = await api.getConfig();
    print(
      view,
      () =>
        `${JSON.stringify(view.config, null, 2)}\nversion ${view.version}, password ${view.passwordSet ? 'set' : 'not set'}`,
    );
    return EXIT.ok;
  }
  if (sub === 'set') {
    const connectionFlags = {
      ...(values.server ? { servers: values.server } : {}),
      ...(values.domain ? { domain: values.domain } : {}),
      ...(values['base-dn'] !== undefined ? { baseDn: values['base-dn'] } : {}),
      ...(values.username ? { username: values.username } : {}),
      ...(values.encryption ? { encryption: values.encryption } : {}),
      ...(values['ca-file'] ? { caCertificate: await readFile(values['ca-file'], 'utf8') } : {}),
      ...(values['tls-server-name'] ? { tlsServerName: values['tls-server-name'] } : {}),
    };
    const scheduleFlags = changeNotificationsFlag(values['change-notifications']);
    if (
      !values.file &&
      Object.keys(connectionFlags).length === 0 &&
      Object.keys(scheduleFlags).length === 0 &&
      !values['password-env']
    ) {
      throw new UsageError('config set needs --file <json> or flags to change');
    }
    // Flags change the saved configuration: the save names the version read (If-Match), so a change
    // made in between is not overwritten.
    const current = values.file ? undefined : await api.getConfig();
    const document = current
      ? { config: current.config }
      : (JSON.parse(await readFile(values.file as string, 'utf8')) as Record<string, unknown>);
    const body: Record<string, unknown> = 'config' in document ? { ...document } : { config: document };
    const config = body.config as {
      connection?: Record<string, unknown>;
      schedule?: Record<string, unknown>;
    };
    body.config = {
      ...config,
      connection: { ...config.connection, ...connectionFlags },
      ...(Object.keys(scheduleFlags).length > 0
        ? { schedule: { ...config.schedule, ...scheduleFlags } }
        : {}),
    };
    if (values['password-env']) {
      const password = terminal.env[values['password-env']];
      if (!password) throw new UsageError(`$${values['password-env']} is empty`);
      body.password = password;
    }
    // The file's document as it is: the API validates it and names each bad field.
    const view = await api.putConfig(body as RouteInput<'PUT /config'>['body'], current?.version);
    print(view, () => `saved: version ${view.version}, password ${view.passwordSet ? 'set' : 'not set'}`);
    return EXIT.ok;
  }
  throw new UsageError('config needs get or set');
};

/** `--change-notifications on|off`: schedule.changeNotifications (docs/contract.md#changes-in-seconds). */
function changeNotificationsFlag(value: string | undefined): { changeNotifications?: boolean } {
  if (value === undefined) return {};
  if (value === 'on' || value === 'off') return { changeNotifications: value === 'on' };
  throw new UsageError(`--change-notifications takes on or off, not ${JSON.stringify(value)}`);
}

/** GET /config and PUT /config. */
import { httpApi, parseInput } from '../shared/api/http-api';
import { putConfigBody } from '../shared/api/schemas';
import { ValidationError } from '../shared/errors';
import { createAppContext } from '../shared/runtime/app-context';
import { getConfiguration, saveConfiguration } from '../shared/use-cases/configuration';

const app = createAppContext();

/** `If-Match: 3` or `If-Match: "3"`; absent means an unconditional save. */
function expectedVersion(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const version = Number(
    header
      .trim()
      .replace(/^W\//, '')
      .replace(/^"(.*)"$/, '$1'),
  );
  if (!Number.isInteger(version) || version < 0) {
    throw new ValidationError('Invalid If-Match', [
      { path: 'If-Match', message: 'must be a configuration version' },
    ]);
  }
  return version;
}

export const handler = httpApi({
  'GET /config': async () => ({ statusCode: 200, body: await getConfiguration(app) }),
  'PUT /config': async ({ body, headers }) => {
    const { config, password } = parseInput(putConfigBody, body);
    const version = expectedVersion(headers['if-match']);
    const saved = await saveConfiguration(app, {
      config,
      ...(password === undefined ? {} : { password }),
      ...(version === undefined ? {} : { expectedVersion: version }),
    });
    return { statusCode: 200, body: saved };
  },
});

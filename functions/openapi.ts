/** GET /openapi.json. The document is built once per container. */
import packageJson from '../package.json' with { type: 'json' };
import { httpApi } from '../shared/api/http-api';
import { buildOpenApiDocument } from '../shared/api/openapi';

const document = buildOpenApiDocument(packageJson.version);

export const handler = httpApi({
  'GET /openapi.json': async () => ({ body: document }),
});

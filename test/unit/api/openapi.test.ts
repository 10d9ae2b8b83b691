/**
 * The OpenAPI document (shared/api/openapi.ts): what it declares for each route, and `@redocly/cli lint`
 * with its recommended rules (redocly.yaml). The contract test (test/integration/api/contract.test.ts) holds
 * the running API to it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Ajv2020 from 'ajv/dist/2020';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../../shared/api/openapi';
import { routes } from '../../../shared/api/routes';
import { parseConfig } from '../../../shared/config/config-schema';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const document = buildOpenApiDocument('1.2.3') as unknown as {
  servers: { url: string }[];
  paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; responses: object }>>;
};
const operation = (method: string, resource: string) =>
  document.paths[resource]?.[method.toLowerCase()] as {
    parameters?: { name: string; in: string; required: boolean; schema: object }[];
    requestBody?: { required: boolean };
    responses: Record<string, unknown>;
  };
const statusesOf = (method: string, resource: string): string[] =>
  Object.keys(operation(method, resource).responses);

describe('the OpenAPI document', () => {
  it('passes @redocly/cli lint with the recommended rules, without an error or a warning', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'ad-sync-openapi-'));
    try {
      const file = join(folder, 'openapi.json');
      await writeFile(file, JSON.stringify(document));
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [join(ROOT, 'node_modules/@redocly/cli/bin/cli.js'), 'lint', '--format=json', file],
        // Offline: no telemetry, no update check.
        {
          cwd: ROOT,
          env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        },
      );
      const result = JSON.parse(stdout) as { totals: object; problems: unknown[] };
      expect(result.problems).toEqual([]);
      expect(result.totals).toMatchObject({ errors: 0, warnings: 0 });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('names the local stack and the AWS deployment as servers', () => {
    expect(document.servers.map((server) => server.url)).toEqual([
      'http://127.0.0.1:{port}',
      'https://{restApiId}.execute-api.{region}.amazonaws.com/v1',
    ]);
  });

  it('declares 409 exactly where the API answers it', () => {
    const conflicts = routes
      .filter((route) => statusesOf(route.method, route.resource).includes('409'))
      .map((route) => `${route.method} ${route.resource}`);
    expect(conflicts).toEqual([
      'PUT /config',
      'POST /sync',
      'POST /sync/users/{name}',
      'POST /users',
      'DELETE /users/{userName}',
      'GET /directory/users/{name}',
    ]);
  });

  it('declares 502 on the routes that read the directory or start an operation, and 404 on those that name a resource', () => {
    const declaring = (status: string) =>
      routes
        .filter((route) => statusesOf(route.method, route.resource).includes(status))
        .map((route) => `${route.method} ${route.resource}`);
    expect(declaring('502')).toEqual([
      'POST /test-settings',
      'POST /sync',
      'POST /sync/users/{name}',
      'GET /directory/base-dns',
      'GET /directory/groups',
      'GET /directory/users/{name}',
    ]);
    expect(declaring('404')).toEqual([
      'GET /test-settings/{previewId}',
      'GET /sync/runs/{runId}',
      'GET /users/{userName}',
      'DELETE /users/{userName}',
      'GET /groups/{name}',
      'GET /groups/{name}/members',
      'GET /directory/users/{name}',
    ]);
  });

  it.each(routes.map((route) => [route.method, route.resource] as const))(
    '%s %s declares the failures of every route and of both edges',
    (method, resource) => {
      expect(statusesOf(method, resource)).toEqual(
        expect.arrayContaining(['400', '401', '403', '405', '413', '421', '429', '500', '504']),
      );
    },
  );

  it.each([
    ['/sync', 'RunStarted', ['runId', 'status']],
    ['/test-settings', 'PreviewStarted', ['previewId', 'status']],
  ])(
    'POST %s answers 202 with Location, or 200 with the Report and Preference-Applied under Prefer: wait',
    (path, _name, fields) => {
      const post = operation('POST', path);
      interface Answer {
        headers: Record<string, { required: boolean }>;
        content: { 'application/json': { schema: { required: string[]; properties: object } } };
      }
      const accepted = post.responses['202'] as Answer;
      expect(accepted.headers.Location?.required).toBe(true);
      expect(accepted.content['application/json'].schema.required).toEqual(fields);
      const completed = post.responses['200'] as Answer & {
        content: { 'application/json': { schema: { properties: { progress?: object } } } };
      };
      expect(completed.headers['Preference-Applied']?.required).toBe(true);
      expect(completed.content['application/json'].schema.properties.progress).toBeDefined();
      expect(post.parameters).toEqual([
        expect.objectContaining({ name: 'Prefer', in: 'header', required: false }),
      ]);
    },
  );

  it("carries state as data: a Report change's withheld mark and an explained filter's state", () => {
    const bodyOf = (method: string, resource: string) =>
      (
        operation(method, resource).responses['200'] as {
          content: { 'application/json': { schema: { properties: Record<string, { items: object }> } } };
        }
      ).content['application/json'].schema.properties;
    const change = bodyOf('GET', '/sync/runs/{runId}').changes?.items as {
      properties: Record<string, object>;
      required: string[];
    };
    expect(change.properties.withheld).toMatchObject({ type: 'boolean', const: true });
    expect(change.required).not.toContain('withheld');
    const filter = bodyOf('GET', '/directory/users/{name}').filters?.items as {
      properties: Record<string, object>;
      required: string[];
    };
    expect(filter.properties.state).toMatchObject({ type: 'string', enum: ['passed', 'failed', 'off'] });
    expect(filter.required).toEqual(['filter', 'passed', 'state', 'detail']);
  });

  it('takes path, query and header parameters from the route schemas', () => {
    expect(operation('GET', '/users/{userName}').parameters).toEqual([
      {
        name: 'userName',
        in: 'path',
        required: true,
        schema: { type: 'string', minLength: 1, maxLength: 256 },
      },
    ]);
    expect(operation('GET', '/users').parameters).toEqual([
      { name: 'cursor', in: 'query', required: false, schema: { type: 'string', maxLength: 2048 } },
    ]);
    expect(operation('PUT', '/config').parameters).toEqual([
      expect.objectContaining({
        name: 'If-Match',
        in: 'header',
        required: false,
        schema: { type: 'string' },
      }),
    ]);
  });

  it('requires a request body where an empty one is refused', () => {
    expect(operation('PUT', '/config').requestBody?.required).toBe(true);
    expect(operation('POST', '/users').requestBody?.required).toBe(true);
    expect(operation('POST', '/sync').requestBody?.required).toBe(false);
    expect(operation('POST', '/test-settings').requestBody?.required).toBe(false);
  });

  it('declares what POST /logon answers: the user, one 401 for every refusal, 429 with Retry-After, 503', () => {
    const logon = operation('POST', '/logon');
    expect(logon.requestBody?.required).toBe(true);
    expect(Object.keys(logon.responses)).toEqual(expect.arrayContaining(['200', '401', '429', '503']));
    const codesOf = (status: string): unknown =>
      (
        logon.responses[status] as {
          content: { 'application/json': { schema: { allOf?: { properties?: unknown }[] } } };
        }
      ).content['application/json'].schema.allOf?.[1];
    // The route's own 401 and 429 replace the common ones, and name their codes too.
    expect(codesOf('401')).toEqual({
      properties: { error: { properties: { code: { enum: ['InvalidCredentials', 'Unauthorized'] } } } },
    });
    expect(codesOf('429')).toEqual({
      properties: { error: { properties: { code: { enum: ['LockedOut', 'THROTTLED'] } } } },
    });
    expect(codesOf('503')).toEqual({
      properties: { error: { properties: { code: { enum: ['DirectoryUnavailable'] } } } },
    });
    expect((logon.responses['429'] as { headers: object }).headers).toEqual({
      'Retry-After': { description: expect.stringMatching(/seconds/), schema: { type: 'string' } },
    });
    const ok = logon.responses['200'] as {
      content: { 'application/json': { schema: { required: string[]; properties: { user: object } } } };
    };
    expect(ok.content['application/json'].schema.required).toEqual(['user']);
    // Other routes keep the common 401 and 429.
    expect(operation('GET', '/users').responses['401']).toEqual({
      $ref: '#/components/responses/Unauthorized',
    });
  });

  it('describes a mapping rule as saved and as given: sources with a transform and a default, or an expression', () => {
    // The rule's schema: the one node of the document that describes it.
    const found: object[] = [];
    const walk = (node: unknown): void => {
      if (typeof node !== 'object' || node === null) return;
      if (String((node as { description?: unknown }).description).startsWith('A mapping rule'))
        found.push(node);
      for (const child of Object.values(node)) walk(child);
    };
    walk(buildOpenApiDocument('1'));
    expect(found.length).toBeGreaterThan(0);
    const rule = new Ajv2020({ strict: false }).compile(found[0] as object);
    const given = {
      dept: { from: 'department' },
      manager: { from: ['manager'], transform: 'userName' },
      flags: { from: ['userAccountControl'], transform: 'int', default: 0 },
      teams: { from: 'memberOf', transform: 'all', default: ['none'] },
      badge: { expression: '$string(employeeID)' },
    };
    const saved = parseConfig({ connection: { domain: 'company.local' }, mapping: { attributes: given } })
      .mapping.attributes;
    for (const [name, value] of [...Object.entries(given), ...Object.entries(saved)]) {
      expect(rule(value), `${name}: ${JSON.stringify(rule.errors)}`).toBe(true);
    }
    for (const wrong of [
      { from: [] },
      { from: 'department', color: 'red' },
      { expression: 1 },
      {},
      'department',
    ]) {
      expect(rule(wrong), JSON.stringify(wrong)).toBe(false);
    }
  });
});

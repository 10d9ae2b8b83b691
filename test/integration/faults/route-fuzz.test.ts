/**
 * Random bodies, queries and raw text to every route (fast-check): each answer is a 4xx with the error
 * shape, never a 500, never a stack trace.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../../shared/api/routes';
import type { JsonResponse } from '../../support/api-events';
import { type LoadedHandlers, loadHandlers } from '../../support/lambda-handlers';

let loaded: LoadedHandlers;
beforeAll(async () => {
  loaded = await loadHandlers();
});

/** Paths with their parameters filled in. */
const pathOf = (resource: string): string => resource.replace(/\{\w+\}/g, 'fuzz-target');

function expectClientError(response: JsonResponse): void {
  expect(response.statusCode).toBeGreaterThanOrEqual(400);
  expect(response.statusCode).toBeLessThan(500);
  expect(response.body).toEqual({
    error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }),
  });
  expect(response.raw).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
}

/** JSON that no schema accepts: not an object, or an object with a key no schema knows. */
const invalidBody = fc.oneof(
  fc.jsonValue().filter((value) => value === null || typeof value !== 'object' || Array.isArray(value)),
  fc
    .tuple(
      fc.string({ minLength: 1 }).map((k) => `fuzz_${k}`),
      fc.jsonValue(),
      fc.dictionary(fc.string(), fc.jsonValue()),
    )
    .map(([key, value, rest]) => ({ ...rest, [key]: value })),
);

const bodyRoutes = routes.filter((route) => 'body' in route);

describe('random input to every route', () => {
  it.each(bodyRoutes.map((route) => [route.method, route.resource, route.function] as const))(
    '%s %s answers invalid JSON bodies with 400',
    async (method, resource, fn) => {
      await fc.assert(
        fc.asyncProperty(invalidBody, async (body) => {
          const response = await loaded.call(fn, method, pathOf(resource), { body });
          expectClientError(response);
          expect(response.statusCode).toBe(400);
        }),
        { numRuns: 60 },
      );
    },
  );

  it.each(routes.map((route) => [route.method, route.resource, route.function] as const))(
    '%s %s answers raw text that is not JSON with 400',
    async (method, resource, fn) => {
      await fc.assert(
        fc.asyncProperty(
          fc.string({ minLength: 1 }).filter((text) => {
            try {
              JSON.parse(text);
              return false;
            } catch {
              return true;
            }
          }),
          async (rawBody) => {
            expectClientError(await loaded.call(fn, method, pathOf(resource), { rawBody }));
          },
        ),
        { numRuns: 30 },
      );
    },
  );

  it.each(
    routes
      .filter((route) => route.method === 'GET')
      .map((route) => [route.resource, route.function] as const),
  )('GET %s answers unknown query parameters with 400 or ignores them, never 500', async (resource, fn) => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.string({ minLength: 1 }).map((k) => `fuzz_${k}`),
          fc.string(),
        ),
        async (query) => {
          const response = await loaded.call(fn, 'GET', pathOf(resource), { query });
          expect(response.statusCode).not.toBe(500);
          if (response.statusCode >= 400) expectClientError(response);
        },
      ),
      { numRuns: 20 },
    );
  });

  it.each(['PATCH', 'HEAD', 'OPTIONS', 'TRACE'])(
    'answers the method %s with 405 on every route',
    async (method) => {
      for (const route of routes) {
        const response = await loaded.call(route.function, method, pathOf(route.resource));
        expectClientError(response);
        expect(response.statusCode).toBe(405);
      }
    },
  );
});

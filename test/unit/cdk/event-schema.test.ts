/**
 * docs/events.schema.json, the schema the stack registers: JSON Schema draft-04 (the dialect the EventBridge
 * schema registry takes), written with keywords that mean the same in the draft Ajv validates with in the
 * tests, and in step with the code: the event types, the user fields, and the API's User.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { EVENT_SCHEMA_FILE } from '../../../cdk/events';
import { responses } from '../../../shared/api/schemas';
import { EVENT_TYPES, GROUP_EVENT_TYPES } from '../../../shared/domain/change-event';
import type { UserField } from '../../../shared/domain/plan-sync';

type Schema = Record<string, unknown>;
const schema = JSON.parse(readFileSync(EVENT_SCHEMA_FILE, 'utf8')) as Schema;
const definitions = schema.definitions as Record<string, Schema>;

/** Keywords whose meaning draft-04 and draft-07 share (no `$id`, `const`, numeric `exclusiveMinimum`...). */
const SHARED_KEYWORDS = new Set([
  '$schema',
  '$ref',
  'title',
  'description',
  'type',
  'required',
  'properties',
  'additionalProperties',
  'items',
  'enum',
  'pattern',
  'minLength',
  'minimum',
  'oneOf',
  'uniqueItems',
  'format',
  'definitions',
]);

/** Every keyword used anywhere in a schema (property names and definition names are not keywords). */
function keywordsOf(node: unknown): string[] {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return [];
  return Object.entries(node).flatMap(([key, value]) => {
    if (key === 'properties' || key === 'definitions') {
      return [key, ...Object.values(value as Record<string, unknown>).flatMap(keywordsOf)];
    }
    if (key === 'enum' || key === 'required') return [key];
    return [key, ...keywordsOf(value)];
  });
}

const enumOf = (node: Schema | undefined): unknown => node?.enum;
const USER_FIELDS: readonly UserField[] = [
  'userName',
  'fullName',
  'emailAddresses',
  'distinguishedName',
  'userPrincipalName',
  'objectGuid',
  'groups',
  'groupPrivileges',
  'groupArchiveAccess',
];

describe('the change event schema (docs/events.schema.json)', () => {
  it('is draft-04, in keywords that draft-04 and the validator read alike', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
    const unknown = keywordsOf(schema).filter((keyword) => !SHARED_KEYWORDS.has(keyword));
    expect(unknown).toEqual([]);
    // Every reference points at a definition that exists.
    const refs = JSON.stringify(schema).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const ref of refs) {
      const name = ref.replace(/^"\$ref":"#\/definitions\//, '').replace(/"$/, '');
      expect(definitions[name], ref).toBeDefined();
    }
  });

  it("describes EventBridge's envelope with the event as detail: source ad-sync, detail-type the type", () => {
    const properties = schema.properties as Record<string, Schema>;
    expect(schema.required).toEqual([
      'version',
      'id',
      'detail-type',
      'source',
      'account',
      'time',
      'region',
      'resources',
      'detail',
    ]);
    expect(properties.source).toEqual({ enum: ['ad-sync'] });
    expect(properties['detail-type']).toEqual({ $ref: '#/definitions/EventType' });
    expect(properties.detail).toEqual({
      oneOf: [{ $ref: '#/definitions/ChangeEvent' }, { $ref: '#/definitions/GroupChangeEvent' }],
    });
  });

  it('names the event types and user fields the code has', () => {
    expect(enumOf(definitions.EventType)).toEqual([
      ...Object.values(EVENT_TYPES),
      ...Object.values(GROUP_EVENT_TYPES),
    ]);
    expect(
      enumOf(
        (definitions.GroupChangeEvent as Schema).properties
          ? ((definitions.GroupChangeEvent as Schema).properties as Record<string, Schema>).type
          : undefined,
      ),
    ).toEqual(Object.values(GROUP_EVENT_TYPES));
    // The maintained fields, and a mapped attribute as `attributes.<field>` (SPEC 8.3).
    const pattern = new RegExp(String((definitions.UserField as Schema).pattern));
    expect(USER_FIELDS.every((f) => pattern.test(f))).toBe(true);
    expect(['attributes.department', 'attributes.x_1'].every((f) => pattern.test(f))).toBe(true);
    expect(
      ['attributes.', 'attributes.1x', 'department', 'attributes.a.b', 'version'].some((f) =>
        pattern.test(f),
      ),
    ).toBe(false);
    const event = definitions.ChangeEvent as Schema;
    // The document's fields, each required (SPEC 7.4).
    expect(Object.keys(event.properties as Schema).sort()).toEqual(
      ['id', 'type', 'time', 'runId', 'userName', 'objectGuid', 'changedFields', 'user'].sort(),
    );
    expect([...(event.required as string[])].sort()).toEqual(Object.keys(event.properties as Schema).sort());
  });

  it("gives the user the API's User: the same fields, required ones and enums", () => {
    const page = z.toJSONSchema(responses.users, { target: 'draft-4', io: 'output' }) as unknown as {
      properties: { users: { items: Schema } };
    };
    const apiUser = page.properties.users.items;
    const eventUser = definitions.User as Schema;
    const fields = (s: Schema) => Object.keys(s.properties as Schema).sort();
    expect(fields(eventUser)).toEqual(fields(apiUser));
    expect([...(eventUser.required as string[])].sort()).toEqual([...(apiUser.required as string[])].sort());
    expect(eventUser.additionalProperties).toBe(false);
    const apiProperties = apiUser.properties as Record<string, Schema>;
    const eventProperties = eventUser.properties as Record<string, Schema>;
    expect(eventProperties.authentication?.enum).toEqual(apiProperties.authentication?.enum);
    for (const list of ['privileges', 'ownArchiveAccess']) {
      expect((eventProperties[list]?.items as Schema | undefined)?.enum, list).toEqual(
        (apiProperties[list]?.items as Schema | undefined)?.enum,
      );
    }
  });
});

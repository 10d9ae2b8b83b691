/**
 * Property tests (fast-check) of what comes from outside: configuration documents, group DNs put into
 * filters, and DN strings.
 */
import fc from 'fast-check';
import { FilterParser } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { groupMemberFilter } from '../../../shared/adapters/ldap/user-searches';
import { parseConfig } from '../../../shared/config/config-schema';
import { escapeRdnValue, parseDistinguishedName } from '../../../shared/domain/distinguished-name';
import { ValidationError } from '../../../shared/errors';

/** Strings with the characters that break naive code: NUL, filter and DN metacharacters, spaces, Unicode. */
const nasty = fc.string({
  unit: fc.oneof(
    fc.constantFrom(
      '\0',
      '*',
      '(',
      ')',
      '\\',
      ',',
      '+',
      '"',
      '<',
      '>',
      ';',
      '=',
      '#',
      ' ',
      '\n',
      'ü',
      '山',
      '😀',
    ),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
  ),
  maxLength: 40,
});

describe('configuration validation', () => {
  it('accepts or rejects any JSON value with a ValidationError, never anything else', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (input) => {
        try {
          parseConfig(input);
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
          expect((error as ValidationError).details.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('names a field path for every problem in a config-shaped document', () => {
    const connection = fc.record(
      {
        servers: fc.array(fc.oneof(nasty, fc.domain())),
        domain: fc.oneof(nasty, fc.domain()),
        baseDn: nasty,
        encryption: fc.constantFrom('ldaps', 'starttls', 'none'),
        username: nasty,
        timeoutSeconds: fc.oneof(fc.integer(), fc.double()),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        fc.record(
          { connection, filters: fc.record({ groups: fc.array(nasty) }, { requiredKeys: [] }) },
          { requiredKeys: [] },
        ),
        (input) => {
          try {
            const config = parseConfig(input);
            expect(parseConfig(config)).toEqual(config);
          } catch (error) {
            expect(error).toBeInstanceOf(ValidationError);
            for (const detail of (error as ValidationError).details)
              expect(detail.path).toMatch(/^(connection|filters)\b|^\(root\)$/);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('group DNs in filters (RFC 4515)', () => {
  it('carry any value as exactly one value: the filter text parses back to the same filter', () => {
    fc.assert(
      fc.property(nasty, (value) => {
        const dn = `CN=${value},OU=Groups,DC=company,DC=local`;
        const text = groupMemberFilter(dn).toString();
        const parsed = FilterParser.parseString(text);
        expect(parsed.toString()).toBe(text);
        // Three clauses, always: a value can never add a clause or widen the search.
        expect((parsed as unknown as { filters: unknown[] }).filters).toHaveLength(3);
        expect(JSON.stringify(parsed)).toContain(JSON.stringify(dn).slice(1, -1));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('DN values (RFC 4514)', () => {
  it('round-trip through escaping and parsing', () => {
    fc.assert(
      fc.property(
        nasty.filter((value) => value.length > 0),
        (value) => {
          const [rdn] = parseDistinguishedName(`CN=${escapeRdnValue(value)},DC=company,DC=local`);
          expect(rdn).toEqual({ attribute: 'CN', value });
        },
      ),
      { numRuns: 1000 },
    );
  });
});

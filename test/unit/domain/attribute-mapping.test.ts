/**
 * Attribute mapping (SPEC 8.3): the rules checked when the configuration is saved, the transforms, JSONata
 * under its budget, and a user mapped. Pure: no directory, no database.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig, parseMapping } from '../../../shared/config/config-schema';
import { evaluateRuleExpression } from '../../../shared/config/mapping-expression';
import { attributesRead } from '../../../shared/config/mapping-rules';
import {
  changedAttributes,
  type MappingConfig,
  MappingError,
  mapAttributes,
  mappedUserName,
  referencedDns,
  sameAttributes,
} from '../../../shared/domain/attribute-mapping';
import type { AttributeRule } from '../../../shared/domain/attribute-rules';
import { dateText, guidText, sidText, transformValues } from '../../../shared/domain/attribute-values';
import { ValidationError } from '../../../shared/errors';
import { directoryEntry } from '../../support/in-memory';

const base = { connection: { domain: 'company.local' } };

/** The error details of saving a configuration with this mapping (none when it is accepted). */
function refusals(mapping: unknown): { path: string; message: string }[] {
  try {
    parseConfig({ ...base, mapping });
    return [];
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return [...error.details];
  }
}
const refusalOf = (field: string, rule: unknown) => refusals({ attributes: { [field]: rule } });

describe('mapping in the configuration', () => {
  it('defaults to sAMAccountName and no attributes, and accepts every kind of rule', () => {
    expect(parseConfig(base).mapping).toEqual({ userName: 'sAMAccountName', attributes: {} });
    const config = parseConfig({
      ...base,
      mapping: {
        userName: 'userPrincipalName',
        attributes: {
          department: { from: 'department' },
          phones: { from: ['telephoneNumber', 'mobile'], transform: 'all', default: [] },
          manager: { from: 'manager', transform: 'userName' },
          expires: { from: 'accountExpires', transform: 'date', default: 'never' },
          guid: { from: 'objectGUID', transform: 'guid' },
          sid: { from: 'objectSid', transform: 'sid' },
          label: { expression: '$uppercase(department) & " / " & title' },
        },
      },
    });
    expect(config.mapping.attributes.phones).toEqual({
      from: ['telephoneNumber', 'mobile'],
      transform: 'all',
      default: [],
    });
    expect(config.mapping.attributes.department).toEqual({ from: ['department'] });
  });

  it.each([
    ['a broken expression', 'label', { expression: 'department &' }, /does not compile/],
    ['an expression over 1,000 characters', 'label', { expression: `"${'x'.repeat(1000)}"` }, /1000/],
    ['an empty expression', 'label', { expression: ' ' }, /JSONata expression/],
    ['an expression with another key', 'label', { expression: 'a', from: 'b' }, /no other keys/],
    [
      'a regular expression with nested repetition',
      'm',
      { expression: '$match(mail, /(a+)+b/)' },
      /exponential/,
    ],
    ['an unknown transform', 'dept', { from: 'department', transform: 'titlecase' }, /unknown transform/],
    ['a binary attribute', 'photo', { from: 'thumbnailPhoto' }, /binary attribute/],
    ['a binary attribute in an expression', 'photo', { expression: '$string(jpegPhoto)' }, /binary/],
    ['objectGUID without guid', 'id', { from: 'objectGUID', transform: 'lower' }, /guid or sid/],
    ['guid of a text attribute', 'id', { from: 'employeeID', transform: 'guid' }, /reads objectGUID only/],
    [
      'guid of objectSid',
      'id',
      { from: 'objectSid', transform: 'guid' },
      /guid reads objectGUID only, not objectSid/,
    ],
    [
      'sid of objectGUID',
      'id',
      { from: 'objectGUID', transform: 'sid' },
      /sid reads objectSid only, not objectGUID/,
    ],
    ['guid of both', 'id', { from: ['objectGUID', 'objectSid'], transform: 'guid' }, /not objectSid/],
    ['objectSid as a date', 'id', { from: 'objectSid', transform: 'date' }, /guid or sid, or first or all/],
    ['binary mixed with text', 'id', { from: ['objectGUID', 'employeeID'] }, /cannot be mixed/],
    ['an attribute option', 'm', { from: 'member;range=0-10' }, /not an LDAP attribute name/],
    ['no from', 'dept', {}, /"from"/],
    ['an unknown key', 'dept', { from: 'department', fallback: 'x' }, /unknown key "fallback"/],
    ['a default that is an object', 'dept', { from: 'department', default: { a: 1 } }, /an object/],
    ['an oversized default', 'dept', { from: 'department', default: 'x'.repeat(5000) }, /4096/],
    ['a rule that is a string', 'dept', 'department', /must be a rule/],
  ])('refuses %s, naming mapping.attributes.<field>', (_what, field, rule, message) => {
    const details = refusalOf(field, rule);
    expect(details).toHaveLength(1);
    expect(details[0]?.path).toBe(`mapping.attributes.${field}`);
    expect(details[0]?.message).toMatch(message);
  });

  it("refuses field names that are not names, or one of the User's own fields, in any case", () => {
    for (const field of [
      '1dept',
      'dept-name',
      'a'.repeat(65),
      '',
      'userName',
      'EMAILADDRESSES',
      'attributes',
    ]) {
      const details = refusalOf(field, { from: 'department' });
      expect(details.map((d) => d.path)).toEqual([`mapping.attributes.${field}`]);
    }
    expect(refusalOf('a'.repeat(64), { from: 'department' })).toEqual([]);
    // The item's bookkeeping is no User field: its names are free (mapped fields live in `attributes`).
    for (const field of ['version', 'lastChange'])
      expect(refusalOf(field, { from: 'department' })).toEqual([]);
    expect(refusalOf('userPrincipalName', { from: 'userPrincipalName' })).toHaveLength(1);
    expect(refusals({ attributes: { dept: { from: 'department' }, Dept: { from: 'department' } } })).toEqual([
      { path: 'mapping.attributes.Dept', message: 'another field has this name in another case' },
    ]);
  });

  it('refuses more than 50 fields, and a user name source it does not know', () => {
    const attributes = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`f${i}`, { from: 'cn' }]));
    expect(refusals({ attributes })).toEqual([
      { path: 'mapping.attributes', message: 'has 51 fields; at most 50' },
    ]);
    expect(refusals({ userName: 'cn' }).map((d) => d.path)).toEqual(['mapping.userName']);
    expect(refusals({ userName: 'mail', extra: 1 }).map((d) => d.path)).toEqual(['mapping']);
  });

  it('accepts objectGUID and objectSid with their own transform, and with first (explicit or not) or all', () => {
    for (const rule of [
      { from: 'objectGUID' },
      { from: 'objectGUID', transform: 'first' },
      { from: 'OBJECTGUID', transform: 'all' },
      { from: 'objectGUID', transform: 'guid' },
      { from: 'objectSid', transform: 'first' },
      { from: 'objectSid', transform: 'sid' },
      { from: ['objectSid', 'objectGUID'], transform: 'first' },
    ])
      expect(refusalOf('id', rule), JSON.stringify(rule)).toEqual([]);
  });

  it('accepts regular expressions without nested repetition', () => {
    expect(refusalOf('m', { expression: '$match(mail, /^([a-z]+)@(\\w+)\\.local$/)' })).toEqual([]);
    expect(refusalOf('m', { expression: '$replace(title, /(ab)+|x*/, "-")' })).toEqual([]);
  });

  it('checks a mapping given as JSON (a rule tried before it is saved) as a save does', () => {
    expect(parseMapping('{"attributes":{"dept":{"from":"department"}}}')).toEqual({
      userName: 'sAMAccountName',
      attributes: { dept: { from: ['department'] } },
    });
    const refused = (json: string) => {
      try {
        parseMapping(json);
      } catch (error) {
        return (error as ValidationError).details.map((d) => d.path);
      }
      return [];
    };
    expect(refused('{"attributes":{"dept":{"expression":"("}}}')).toEqual(['mapping.attributes.dept']);
    expect(refused('{"attributes":')).toEqual(['mapping']);
  });

  it('reads the attributes the rules name, expressions included, each once', () => {
    const rules: Record<string, AttributeRule> = {
      a: { from: ['Department', 'company'] },
      b: { expression: 'department & "-" & $lowercase(title) & $x' },
    };
    expect(attributesRead(rules)).toEqual(['company', 'department', 'title']);
  });
});

describe('the transforms', () => {
  it('reads generalized time and FILETIME as ISO 8601, never for 0 and 2^63-1', () => {
    expect(dateText('20260101120000.0Z')).toBe('2026-01-01T12:00:00.000Z');
    expect(dateText('20260101120000+0130')).toBe('2026-01-01T10:30:00.000Z');
    expect(dateText('134000000000000000')).toBe('2025-08-18T14:13:20.000Z');
    expect(dateText('0')).toBe('never');
    expect(dateText('9223372036854775807')).toBe('never');
    expect(() => dateText('yesterday')).toThrow(/neither generalized time nor a FILETIME/);
    expect(() => dateText('20261301000000Z')).toThrow(/not a valid time/);
  });

  it('turns objectGUID and objectSid bytes into their string forms, and refuses other lengths', () => {
    const guid = Uint8Array.from(Buffer.from('ff1996f6868b11d0b42d00c04fc964ff', 'hex'));
    expect(guidText(guid)).toBe('f69619ff-8b86-d011-b42d-00c04fc964ff');
    expect(() => guidText(Uint8Array.of(1, 2))).toThrow(/16-byte GUID/);
    const sid = Buffer.alloc(8 + 4 * 5);
    sid.writeUInt8(1, 0);
    sid.writeUInt8(5, 1);
    sid.writeUIntBE(5, 2, 6);
    [21, 1004336348, 1177238915, 682003330, 1106].forEach((sub, i) => {
      sid.writeUInt32LE(sub, 8 + 4 * i);
    });
    expect(sidText(Uint8Array.from(sid))).toBe('S-1-5-21-1004336348-1177238915-682003330-1106');
    expect(() => sidText(Uint8Array.of(1, 5, 0, 0))).toThrow(/not a SID/);
    expect(() => sidText('S-1-5')).toThrow(/not a SID/);
  });

  it('reads int within the safe integers only: 2^53 and beyond are no longer exact in JSON', () => {
    const int = (text: string) => transformValues('n', [text], 'int', () => undefined);
    expect(int('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(int('-9007199254740991')).toBe(-Number.MAX_SAFE_INTEGER);
    expect(int(' 00042 ')).toBe(42);
    for (const text of [
      '9007199254740992',
      '-9007199254740992',
      '9007199254740993',
      '12345678901234567',
      '1e3',
      '4.0',
      '',
    ])
      expect(() => int(text), text).toThrow(
        `${JSON.stringify(text)} is not an integer from -(2^53-1) to 2^53-1`,
      );
  });
});

const ENTRY = directoryEntry(1, {
  attributes: {
    department: ['Sales'],
    title: ['Clerk'],
    telephonenumber: ['+49 1', '+49 2'],
    manager: ['CN=Boss,OU=Staff,DC=company,DC=local'],
    accountexpires: ['0'],
    msexchhidefromaddresslists: ['TRUE'],
    employeenumber: ['00042'],
    objectguid: [Uint8Array.from(Buffer.from('ff1996f6868b11d0b42d00c04fc964ff', 'hex'))],
  },
});

const mapping = (
  attributes: Record<string, AttributeRule>,
  userName: MappingConfig['userName'] = 'sAMAccountName',
) => ({
  userName,
  attributes,
});
/** Time stands still unless a test gives a clock: a loaded machine cannot run a rule out of its budget. */
const STILL = () => 0;
const map = (attributes: Record<string, AttributeRule>, clock: () => number = STILL) =>
  mapAttributes(ENTRY, mapping(attributes), {
    userNameOf: (dn) => (dn.startsWith('CN=Boss') ? 'boss' : undefined),
    evaluate: evaluateRuleExpression,
    clock,
  });
const failureOf = async (attributes: Record<string, AttributeRule>, clock?: () => number) => {
  const error = await map(attributes, clock).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MappingError);
  return error as MappingError;
};

describe('mapAttributes', () => {
  it("reads only the entry's own attributes: a rule from constructor or toString finds none, as for any absent one", async () => {
    expect(
      await map({
        ctor: { from: ['constructor'] },
        text: { from: ['toString'], default: 'none' },
        proto: { from: ['__proto__'], transform: 'all' },
      }),
    ).toEqual({ text: 'none' });
  });

  it('maps each rule: first value, all, case, userName, date, bool, int, guid, defaults, absent fields', async () => {
    expect(
      await map({
        department: { from: ['department'] },
        upper: { from: ['Title'], transform: 'upper' },
        lower: { from: ['title'], transform: 'lower' },
        phones: { from: ['telephoneNumber'], transform: 'all' },
        phone: { from: ['telephoneNumber'] },
        manager: { from: ['manager'], transform: 'userName' },
        expires: { from: ['accountExpires'], transform: 'date' },
        hidden: { from: ['msExchHideFromAddressLists'], transform: 'bool' },
        employee: { from: ['employeeNumber'], transform: 'int' },
        guid: { from: ['objectGUID'], transform: 'guid' },
        guidFirst: { from: ['objectGUID'], transform: 'first' },
        fallback: { from: ['costCenter', 'department'] },
        defaulted: { from: ['costCenter'], default: 'none' },
        absent: { from: ['costCenter'] },
      }),
    ).toEqual({
      department: 'Sales',
      upper: 'CLERK',
      lower: 'clerk',
      phones: ['+49 1', '+49 2'],
      phone: '+49 1',
      manager: 'boss',
      expires: 'never',
      hidden: true,
      employee: 42,
      guid: 'f69619ff-8b86-d011-b42d-00c04fc964ff',
      guidFirst: 'f69619ff-8b86-d011-b42d-00c04fc964ff',
      fallback: 'Sales',
      defaulted: 'none',
    });
  });

  it('evaluates expressions over the attributes they read; undefined leaves the field out', async () => {
    expect(
      await map({
        label: { expression: 'department & " / " & title' },
        count: { expression: '$count(telephoneNumber)' },
        nothing: { expression: 'costCenter' },
        list: { expression: '[department, title]' },
      }),
    ).toEqual({ label: 'Sales / Clerk', count: 2, list: ['Sales', 'Clerk'] });
  });

  it('fails the user, naming the field, on a value a transform cannot read or a result that is no value', async () => {
    const bad = await failureOf({
      ok: { from: ['department'] },
      when: { from: ['title'], transform: 'date' },
    });
    expect(bad.field).toBe('when');
    expect(bad.path).toBe('mapping.attributes.when');
    expect(bad.detailed).toMatch(/^mapping\.attributes\.when: "Clerk" is neither generalized time/);
    expect((await failureOf({ n: { from: ['title'], transform: 'int' } })).detail).toMatch(/not an integer/);
    expect((await failureOf({ b: { from: ['title'], transform: 'bool' } })).detail).toMatch(/TRUE or FALSE/);
    expect((await failureOf({ o: { expression: '{"a": 1}' } })).detail).toMatch(/an object/);
    expect((await failureOf({ o: { expression: '[1, 2]' } })).detail).toMatch(/list of something else/);
    expect((await failureOf({ o: { expression: '$unknownFunction(1)' } })).detail).toMatch(
      /unknownFunction|function/i,
    );
    expect((await failureOf({ o: { expression: '$pad("x", 5000)' } })).detail).toMatch(/4096/);
  });

  it('stops an expression that loops, recurses or builds a huge value, within its budget', async () => {
    const started = performance.now();
    // A real loop, stopped by real time.
    const loop = await failureOf({ loop: { expression: '($f := function($x) { $f($x + 1) }; $f(0))' } }, () =>
      performance.now(),
    );
    expect(loop.detail).toMatch(/50 ms/);
    const deep = await failureOf({ deep: { expression: '($f := function($x) { 1 + $f($x) }; $f(0))' } });
    expect(deep.detail).toMatch(/stack|recursive/i);
    const huge = await failureOf({ huge: { expression: '$pad("x", 100000000)' } });
    expect(huge.detail).toMatch(/1 MiB/);
    const doubling = await failureOf({
      d: { expression: '$reduce([1..40], function($a) { $a & $a }, "x")' },
    });
    expect(doubling.detail).toMatch(/1 MiB|argument/);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("shares the 50 ms among a user's expressions (on the given clock)", async () => {
    let now = 0;
    const clock = () => {
      now += 10;
      return now;
    };
    const failure = await failureOf(
      { a: { expression: '1 + 1' }, b: { expression: '$sum([1..100])' } },
      clock,
    );
    expect(failure.detail).toMatch(/50 ms/);
  });

  it('counts a value by the UTF-8 bytes of its content, not its JSON: 4,096 bytes fit a field, 4,097 do not', async () => {
    const quotes = '"'.repeat(4096);
    const euros = `${'\u20ac'.repeat(1365)}x`; // 3 bytes each: 4,096 bytes in 1,366 characters
    const list = Array.from({ length: 1024 }, () => 'abcd'); // 4,096 bytes in 1,024 items
    const kept = await map({
      q: { expression: `$pad("", 4096, '"')` },
      e: { expression: `"${euros}"` },
      l: { expression: `[1..1024].("abcd")` },
    });
    expect(kept).toEqual({ q: quotes, e: euros, l: list });
    expect((await failureOf({ q: { expression: `$pad("", 4097, '"')` } })).detail).toMatch(
      /4097 bytes, more than the 4096/,
    );
    expect((await failureOf({ e: { expression: `"${euros}x"` } })).detail).toMatch(/4097 bytes/);
    expect(refusalOf('dept', { from: 'department', default: 'x'.repeat(4096) })).toEqual([]);
    expect(refusalOf('dept', { from: 'department', default: '"'.repeat(4097) })[0]?.message).toMatch(
      /4097 bytes/,
    );
  });

  it('holds 32 KiB of values a user (eight fields of 4,096 bytes), not a byte more', async () => {
    const fields = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, { expression: '$pad("x", 4096)' }]));
    expect(Object.keys(await map(fields(8)))).toHaveLength(8);
    const failure = await failureOf({ ...fields(8), more: { expression: '"x"' } });
    expect(failure.detail).toMatch(/32769 bytes, more than the 32768/);
  });

  it('fails a user whose mapped attributes exceed 32 KiB together', async () => {
    const attributes = Object.fromEntries(
      Array.from({ length: 10 }, (_, i) => [`f${i}`, { expression: '$pad("x", 4000)' }]),
    );
    const failure = await failureOf(attributes);
    expect(failure.path).toBe('mapping.attributes.*');
    expect(failure.detail).toMatch(/32768/);
  });
});

describe('the user name and the references', () => {
  it('takes the name the mapping names, and fails a user without it', () => {
    expect(mappedUserName(ENTRY, 'sAMAccountName')).toBe('user1');
    expect(mappedUserName(ENTRY, 'userPrincipalName')).toBe('user1@company.local');
    expect(mappedUserName(ENTRY, 'mail')).toBe('user1@company.local');
    const { mail: _m, ...noMail } = ENTRY;
    expect(() => mappedUserName(noMail, 'mail')).toThrow(MappingError);
    try {
      mappedUserName(noMail, 'mail');
    } catch (error) {
      expect((error as MappingError).detailed).toBe('mapping.userName: the user has no mail');
    }
  });

  it('lists the DNs of userName rules, and compares attributes whatever their order', () => {
    expect(
      referencedDns(
        ENTRY,
        mapping({ m: { from: ['manager'], transform: 'userName' }, d: { from: ['department'] } }),
      ),
    ).toEqual(['CN=Boss,OU=Staff,DC=company,DC=local']);
    expect(sameAttributes({ a: 1, b: ['x'] }, { b: ['x'], a: 1 })).toBe(true);
    expect(sameAttributes({ a: 1 }, undefined)).toBe(false);
    expect(sameAttributes({}, undefined)).toBe(true);
    expect(changedAttributes({ a: 1, b: 'x', c: true }, { a: 1, b: 'y', d: 'gone' })).toEqual([
      'attributes.b',
      'attributes.c',
      'attributes.d',
    ]);
  });
});

import type { Client, Entry } from 'ldapts';
import { describe, expect, it } from 'vitest';
import {
  attributesCutShort,
  parseRangedAttributeName,
  readAllValues,
  returnedAttribute,
} from '../../../shared/adapters/ldap/ranged-attribute';
import { ldaptsEntry } from '../../support/ldapts-entry';

const DN = 'CN=Alice,OU=Staff,DC=company,DC=local';
const reversed = (e: Entry): Entry => Object.fromEntries(Object.entries(e).reverse()) as Entry;

describe('parseRangedAttributeName', () => {
  it('reads a bounded range as Active Directory returns it', () => {
    expect(parseRangedAttributeName('member;range=0-1499', 'member')).toEqual({ start: 0, end: 1499 });
  });

  it('marks the last chunk with end null', () => {
    expect(parseRangedAttributeName('member;range=1500-*', 'member')).toEqual({ start: 1500, end: null });
  });

  it('treats the plain attribute name as the complete value set (Samba without ranging)', () => {
    expect(parseRangedAttributeName('member', 'member')).toBe('complete');
  });

  it('compares attribute names case-insensitively', () => {
    expect(parseRangedAttributeName('Member;Range=0-9', 'MEMBER')).toEqual({ start: 0, end: 9 });
  });

  it.each([
    ['memberOf;range=0-*', 'member'],
    ['member;range=', 'member'],
    ['member;range=a-b', 'member'],
    ['member;range=10-2', 'member'],
    ['member;binary', 'member'],
    ['cn', 'member'],
  ])('ignores %s when reading %s', (returned, attribute) => {
    expect(parseRangedAttributeName(returned, attribute)).toBeUndefined();
  });
});

describe('returnedAttribute', () => {
  it("takes the server's ranged key over the empty one ldapts adds under the requested name, in either order", () => {
    const entry = ldaptsEntry(DN, [['member;range=0-1499', ['a', 'b']]], ['member']);
    expect(Object.keys(entry)).toEqual(['dn', 'member;range=0-1499', 'member']);
    for (const e of [entry, reversed(entry)]) {
      expect(returnedAttribute(e, 'member')).toEqual({ range: { start: 0, end: 1499 }, value: ['a', 'b'] });
    }
  });

  it('takes a range cut short over the empty last-chunk key of a range read', () => {
    const entry = ldaptsEntry(DN, [['member;range=1500-2999', ['c']]], ['member;range=1500-*']);
    for (const e of [entry, reversed(entry)]) {
      expect(returnedAttribute(e, 'member')).toEqual({ range: { start: 1500, end: 2999 }, value: 'c' });
    }
  });

  it('reads the plain key, the empty one of an absent attribute, and nothing for an attribute not asked for', () => {
    expect(returnedAttribute(ldaptsEntry(DN, [['member', ['a']]], ['member']), 'member')).toEqual({
      range: 'complete',
      value: 'a',
    });
    expect(returnedAttribute(ldaptsEntry(DN, [], ['member']), 'member')).toEqual({
      range: 'complete',
      value: [],
    });
    expect(returnedAttribute(ldaptsEntry(DN, [], ['cn']), 'member')).toBeUndefined();
  });
});

describe('attributesCutShort', () => {
  it('names the attributes returned with more values to come, not whole or plain ones', () => {
    const entry = ldaptsEntry(
      DN,
      [
        ['proxyAddresses;range=0-1499', ['smtp:a@x']],
        ['otherTelephone;range=0-*', ['1']],
        ['cn', ['Alice']],
      ],
      ['proxyAddresses', 'otherTelephone', 'cn', 'mail'],
    );
    expect(attributesCutShort(entry)).toEqual(['proxyAddresses']);
    expect(
      attributesCutShort(ldaptsEntry(DN, [['proxyAddresses', ['smtp:a@x']]], ['proxyAddresses'])),
    ).toEqual([]);
  });
});

describe('readAllValues', () => {
  /** A client answering each range read with the entries it is given, in turn. */
  const answering = (...entries: Entry[]) =>
    ({ search: async () => ({ searchEntries: [entries.shift()] }) }) as unknown as Client;

  it("reads every chunk as ldapts returns it (the empty requested key beside AD's range)", async () => {
    const client = answering(
      reversed(ldaptsEntry(DN, [['memberOf;range=0-1', ['g1', 'g2']]], ['memberOf;range=0-*'])),
      ldaptsEntry(DN, [['memberOf;range=2-*', ['g3']]], ['memberOf;range=2-*']),
    );
    expect(await readAllValues(client, DN, 'memberOf')).toEqual(['g1', 'g2', 'g3']);
  });

  it('reads an attribute the object does not have as no values', async () => {
    const client = answering(ldaptsEntry(DN, [], ['memberOf;range=0-*']));
    expect(await readAllValues(client, DN, 'memberOf')).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { parseRangedAttributeName } from '../../../shared/adapters/ldap/ranged-attribute';

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

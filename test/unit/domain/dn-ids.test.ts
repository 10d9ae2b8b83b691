/** DN ids (dn-ids.ts): one id per DN, found again exactly, ASCII or not, past the first buffers. */
import { describe, expect, it } from 'vitest';
import { DnIds } from '../../../shared/domain/dn-ids';

describe('DN ids', () => {
  it('gives each DN one id, in order, and finds it again', () => {
    const ids = new DnIds();
    const dns = Array.from({ length: 50_000 }, (_, i) => `cn=user ${i},ou=staff,dc=company,dc=local`);
    dns.forEach((dn, i) => {
      expect(ids.intern(dn)).toBe(i);
    });
    expect(ids.intern(dns[123] as string)).toBe(123);
    expect(ids.size).toBe(50_000);
    for (const i of [0, 1, 4095, 49_999]) expect(ids.get(dns[i] as string)).toBe(i);
    expect(ids.get('cn=user 50000,ou=staff,dc=company,dc=local')).toBeUndefined();
    expect(ids.get('cn=user 1,ou=staff,dc=company,dc=loca')).toBeUndefined();
  });

  it('tells apart DNs that are not ASCII, and those of the same UTF-8 length', () => {
    const ids = new DnIds();
    const a = ids.intern('cn=jürgen,ou=staff,dc=company,dc=local');
    const b = ids.intern('cn=山田,ou=staff,dc=company,dc=local');
    const c = ids.intern('cn=jurgen,ou=staff,dc=company,dc=local');
    expect(new Set([a, b, c]).size).toBe(3);
    expect(ids.get('cn=jürgen,ou=staff,dc=company,dc=local')).toBe(a);
    expect(ids.get('cn=山田,ou=staff,dc=company,dc=local')).toBe(b);
    expect(ids.get('cn=jurgen,ou=staff,dc=company,dc=local')).toBe(c);
    expect(ids.get('cn=jürgen,ou=staff,dc=company,dc=locaL')).toBeUndefined();
  });
});

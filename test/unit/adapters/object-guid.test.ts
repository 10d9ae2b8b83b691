import { describe, expect, it } from 'vitest';
import { formatObjectGuid, parseObjectGuid } from '../../../shared/adapters/ldap/object-guid';

describe('formatObjectGuid', () => {
  it('writes the first three fields little-endian, as AD tools show GUIDs', () => {
    const bytes = Buffer.from('33221100554477668899aabbccddeeff', 'hex');
    expect(formatObjectGuid(bytes)).toBe('00112233-4455-6677-8899-aabbccddeeff');
  });

  it('round-trips with parseObjectGuid', () => {
    const bytes = Buffer.from('c262a19e0b3b2a4f8e3b5a0e9d1c7f60', 'hex');
    expect(parseObjectGuid(formatObjectGuid(bytes))).toEqual(bytes);
  });

  it('rejects what is not 16 bytes or not a GUID', () => {
    expect(() => formatObjectGuid(Buffer.alloc(15))).toThrow(/16 bytes/);
    expect(() => parseObjectGuid('not-a-guid')).toThrow(/not a GUID/);
  });
});

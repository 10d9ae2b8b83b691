import { Attribute, BerReader, BerWriter } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { parseAttribute, utf8OrBytes } from '../../../shared/adapters/ldap/attribute-parsing';

/** An attribute as the server sends it (BER), from its type and raw values. */
function encoded(type: string, values: Buffer[]): Buffer {
  const writer = new BerWriter();
  new Attribute({ type, values }).write(writer);
  return writer.buffer;
}

/** The attribute as ldapts' own parse reads it, and as parseAttribute does. */
function bothWays(type: string, values: Buffer[]) {
  const ldapts = new Attribute();
  ldapts.parse(new BerReader(encoded(type, values)));
  const ours = new Attribute();
  parseAttribute.call(ours as never, new BerReader(encoded(type, values)));
  return { ldapts, ours };
}

const guid = Buffer.from('c2620e74cf5bda4b9b2d0e8b6f1f3c0a', 'hex');

describe('parseAttribute', () => {
  it.each([
    ['text', 'displayName', [Buffer.from('Jürgen Müller ✓ 𝄞')]],
    ['several values', 'proxyAddresses', [Buffer.from('SMTP:a@x.local'), Buffer.from('smtp:b@x.local')]],
    ['an empty value', 'mail', [Buffer.alloc(0)]],
    ['a byte-order mark', 'cn', [Buffer.from('\ufeffName')]],
    ['bytes that are not UTF-8 (an objectGUID)', 'objectGUID', [guid]],
    ['text and bytes in one attribute', 'otherMailbox', [Buffer.from('ok'), Buffer.from([0xc3, 0x28])]],
    [
      'overlong and surrogate encodings',
      'description',
      [Buffer.from([0xc0, 0xaf]), Buffer.from([0xed, 0xa0, 0x80])],
    ],
    ['a ;binary type', 'userCertificate;binary', [Buffer.from('text as bytes')]],
    ['no value', 'member', []],
  ])('reads %s as ldapts does', (_what, type, values) => {
    const { ldapts, ours } = bothWays(type, values);
    expect(ours.type).toBe(ldapts.type);
    expect(ours.values).toEqual(ldapts.values);
    expect(ours.parsedBuffers).toEqual(ldapts.parsedBuffers);
  });

  it('gives the text of valid UTF-8 and the bytes of anything else', () => {
    expect(utf8OrBytes(Buffer.from('a€'))).toBe('a€');
    expect(utf8OrBytes(guid)).toBe(guid);
  });
});

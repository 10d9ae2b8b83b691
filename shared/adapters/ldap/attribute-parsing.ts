/**
 * ldapts' parsing of an entry's attribute (`Attribute.prototype.parse`), with each value's UTF-8 checked by
 * `isUtf8` and decoded by `toString` instead of by a fatal TextDecoder. The values are the same: text where
 * the bytes are valid UTF-8 (a leading byte-order mark dropped, as TextDecoder drops it), else the bytes. But
 * ldapts' decoder throws for bytes that are not UTF-8, and an objectGUID seldom is: an exception per user
 * read, and TextDecoder's cost per call on every value (about 150 ms of CPU in a 10,000-user full read, of the
 * 2.7 s its process used, measured in a CPU profile). Installed by CompletePagingClient; an ldapts without
 * that method fails loudly there.
 */
import { isUtf8 } from 'node:buffer';
import { Attribute, Ber, type BerReader, ProtocolOperation } from 'ldapts';

interface AttributeInternals {
  type: string;
  values: (string | Buffer)[];
  readonly buffers: Buffer[];
  _isBinaryType(): boolean;
}

/** The bytes as text when they are valid UTF-8 (without a leading byte-order mark), else the bytes. */
export function utf8OrBytes(bytes: Buffer): string | Buffer {
  if (!isUtf8(bytes)) return bytes;
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  return bytes.toString('utf8', bom ? 3 : 0);
}

/** ldapts 9.2's Attribute.parse, the values decoded by `utf8OrBytes`. */
export function parseAttribute(this: AttributeInternals, reader: BerReader): void {
  reader.readSequence();
  this.type = reader.readString() ?? '';
  const isBinaryType = this._isBinaryType();
  if (reader.peek() === ProtocolOperation.LBER_SET && reader.readSequence(ProtocolOperation.LBER_SET)) {
    const end = reader.offset + reader.length;
    while (reader.offset < end) {
      const buffer = reader.readString(Ber.OctetString, true) ?? Buffer.alloc(0);
      this.buffers.push(buffer);
      this.values.push(isBinaryType ? buffer : utf8OrBytes(buffer));
    }
  }
}

/** Makes ldapts parse attributes with `parseAttribute` (once; every client after that shares it). */
export function installAttributeParsing(): void {
  const prototype = Attribute.prototype as unknown as {
    parse: unknown;
    _isBinaryType: unknown;
  };
  if (prototype.parse === parseAttribute) return;
  if (typeof prototype.parse !== 'function' || typeof prototype._isBinaryType !== 'function') {
    throw new Error('ldapts no longer has the Attribute internals attribute-parsing.ts replaces; review it');
  }
  prototype.parse = parseAttribute;
}

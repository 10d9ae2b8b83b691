/**
 * Search entries built the way ldapts builds them from a server's answer, for the unit tests of the code that
 * reads them: each attribute goes through BER (so values are decoded, and binary ones kept as Buffers, as ldapts
 * does on the wire), and SearchEntry.toObject turns the entry into an object with the attributes the search
 * requested. toObject adds an empty `[]` under every requested name the server did not return under that
 * exact name, after the returned ones (AD's `member;range=0-1499` comes with an empty `member`): a hand-made
 * object would miss that key, and a test of it could pass against code that reads the real entry wrong.
 */
import { Attribute, BerReader, BerWriter, type Entry, SearchEntry } from 'ldapts';
import { BINARY_ATTRIBUTES } from '../../shared/adapters/ldap/user-searches';

/** One attribute as the server returns it: its name (with any `;range=`) and its values. */
export type ReturnedValues = readonly [name: string, values: readonly (string | Buffer)[]];

/** An attribute as ldapts reads it off the wire: written as BER, then parsed. */
function overTheWire([name, values]: ReturnedValues): Attribute {
  const writer = new BerWriter();
  new Attribute({ type: name, values: [...values] as string[] | Buffer[] }).write(writer);
  const parsed = new Attribute();
  parsed.parse(new BerReader(writer.buffer));
  return parsed;
}

/**
 * The Entry ldapts returns for a search that requested `requested` and got `returned` (in the server's order),
 * with objectGUID and objectSid asked for as Buffers, as the product asks.
 */
export function ldaptsEntry(
  dn: string,
  returned: readonly ReturnedValues[],
  requested: readonly string[],
): Entry {
  const entry = new SearchEntry({ messageId: 1, name: dn, attributes: returned.map(overTheWire) });
  return entry.toObject([...requested], BINARY_ATTRIBUTES);
}

/**
 * Range retrieval of multi-valued attributes (MS-ADTS 3.1.1.3.1.3.3): Active Directory returns at most
 * MaxValRange (1,500) values of an attribute such as `member` per request, under the name
 * `member;range=0-1499`; the last chunk ends in `*`. Samba returns everything at once unless asked for a
 * range. Asking for `<attribute>;range=<start>-*` works with both.
 */
import type { Client } from 'ldapts';

/** Where one returned attribute sits in the ranged sequence; `end: null` marks the last chunk (`*`). */
export type RangedAttribute = { readonly start: number; readonly end: number | null } | 'complete';

/**
 * Reads the range, if any, from an attribute name returned by the server.
 * Returns undefined when the name is not the wanted attribute (names compare case-insensitively).
 */
export function parseRangedAttributeName(
  returnedName: string,
  attribute: string,
): RangedAttribute | undefined {
  const name = returnedName.toLowerCase();
  const wanted = attribute.toLowerCase();
  if (name === wanted) return 'complete';
  const match = /^([^;]+);range=(\d+)-(\d+|\*)$/.exec(name);
  if (!match || match[1] !== wanted) return undefined;
  const start = Number(match[2]);
  const end = match[3] === '*' ? null : Number(match[3]);
  if (end !== null && end < start) return undefined;
  return { start, end };
}

const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

/** All values of one attribute of one entry, following ranges until the server marks the last chunk. */
export async function readAllValues(client: Client, dn: string, attribute: string): Promise<string[]> {
  const values: string[] = [];
  let start = 0;
  for (;;) {
    const { searchEntries } = await client.search(dn, {
      scope: 'base',
      filter: '(objectClass=*)',
      attributes: [`${attribute};range=${start}-*`],
    });
    const entry = searchEntries[0];
    if (!entry) throw new Error(`${dn} was not returned when reading ${attribute}`);
    const returned = Object.entries(entry)
      .map(([name, value]) => ({ range: parseRangedAttributeName(name, attribute), value }))
      .find((candidate) => candidate.range !== undefined);
    if (!returned?.range) return values; // attribute absent: no (more) values
    values.push(...asArray(returned.value).map(String));
    if (returned.range === 'complete' || returned.range.end === null) return values;
    if (returned.range.start !== start) {
      throw new Error(
        `${dn}: asked for ${attribute} from ${start}, got a range starting at ${returned.range.start}`,
      );
    }
    start = returned.range.end + 1;
  }
}

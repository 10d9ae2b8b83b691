/**
 * Range retrieval of multi-valued attributes (MS-ADTS 3.1.1.3.1.3.3): Active Directory returns at most
 * MaxValRange (1,500) values of an attribute such as `member` per request, under the name
 * `member;range=0-1499`; the last chunk ends in `*`. Samba returns everything at once unless asked for a
 * range. Asking for `<attribute>;range=<start>-*` works with both.
 */
import type { Client, Entry } from 'ldapts';

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

export const asArray = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value === undefined ? [] : [value];

/** A value as text: a Buffer as UTF-8, as ldapts would have decoded it. */
export const asText = (value: unknown): string =>
  Buffer.isBuffer(value) ? value.toString('utf8') : String(value);

/** One attribute as a search entry carries it: where its key sits in the ranged sequence, and its value. */
interface ReturnedAttribute {
  readonly range: RangedAttribute;
  readonly value: unknown;
}

/** Whether the entry's key holds every value (the plain name, or a range from 0 to the last chunk). */
const isWhole = ({ range }: ReturnedAttribute): boolean =>
  range === 'complete' || (range.start === 0 && range.end === null);

/** How much a key tells: a range cut short, then a last chunk, then the plain name; values over none. */
const weightOf = (returned: ReturnedAttribute): number =>
  (returned.range === 'complete' ? 0 : returned.range.end === null ? 2 : 4) +
  (asArray(returned.value).length > 0 ? 1 : 0);

/**
 * The attribute as a search entry carries it, whatever the order of the entry's keys; undefined when it has no
 * key for it. ldapts (SearchEntry.toObject) adds an empty `[]` under the requested name of every attribute the
 * server did not return under that exact name, so AD's `member;range=0-1499` comes with an empty `member`, and a
 * read of `member;range=1500-*` with an empty key of that name beside AD's `member;range=1500-2999`. The
 * server's key always wins: a range over the plain name, a range cut short over a last chunk, values over none.
 */
export function returnedAttribute(entry: Entry, attribute: string): ReturnedAttribute | undefined {
  let best: ReturnedAttribute | undefined;
  for (const [name, value] of Object.entries(entry)) {
    const range = parseRangedAttributeName(name, attribute);
    if (range === undefined) continue;
    const candidate = { range, value };
    if (best === undefined || weightOf(candidate) > weightOf(best)) best = candidate;
  }
  return best;
}

/**
 * The attributes the server returned cut short in a search entry (`proxyAddresses;range=0-1499`), by their
 * names without the range: their other values must be read by range retrieval (readAllValues).
 */
export function attributesCutShort(entry: Entry): string[] {
  const names = new Set<string>();
  for (const name of Object.keys(entry)) {
    const attribute = /^([^;]+);range=/i.exec(name)?.[1];
    if (attribute === undefined) continue;
    const range = parseRangedAttributeName(name, attribute);
    if (range !== undefined && !isWhole({ range, value: [] })) names.add(attribute);
  }
  return [...names];
}

/**
 * Every value of one attribute of a search entry as text: those the entry holds, or all of them by range
 * retrieval when the server cut the attribute short (more than 1,500 values on AD).
 */
export async function allValuesOf(client: Client, entry: Entry, attribute: string): Promise<string[]> {
  const returned = returnedAttribute(entry, attribute);
  if (returned === undefined) return [];
  if (!isWhole(returned)) return readAllValues(client, entry.dn, attribute);
  return asArray(returned.value).map(asText);
}

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
    const returned = returnedAttribute(entry, attribute);
    if (!returned) return values; // attribute absent: no (more) values
    values.push(...asArray(returned.value).map(asText));
    if (returned.range === 'complete' || returned.range.end === null) return values;
    if (returned.range.start !== start) {
      throw new Error(
        `${dn}: asked for ${attribute} from ${start}, got a range starting at ${returned.range.start}`,
      );
    }
    start = returned.range.end + 1;
  }
}

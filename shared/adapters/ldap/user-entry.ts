/**
 * LDAP search entries (as ldapts returns them) turned into the values the sync uses: a user entry into a
 * DirectoryEntry, an objectGUID into its string form. ldapts gives a single value as a string, several as
 * an array, and a requested but absent attribute as `[]`.
 */
import type { Entry } from 'ldapts';
import { sidText } from '../../domain/attribute-values';
import type { DirectoryEntry } from '../../domain/user';
import { PartialReadError, UnreadableAttributeError } from '../../errors';
import { formatObjectGuid } from './object-guid';
import { asArray, asText, returnedAttribute } from './ranged-attribute';

/** The first value of an attribute as text, or undefined when it is absent or empty. */
export const single = (value: unknown): string | undefined => {
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined || first === null) return undefined;
  const text = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  return text === '' ? undefined : text;
};

/** Every value of an attribute as text. */
export const many = (value: unknown): string[] => asArray(value).map(asText);

export function guidOf(entry: Entry): string {
  const value = Array.isArray(entry.objectGUID) ? entry.objectGUID[0] : entry.objectGUID;
  if (!Buffer.isBuffer(value) || value.length !== 16) {
    throw new PartialReadError(`${entry.dn} was returned without a readable objectGUID`);
  }
  return formatObjectGuid(value);
}

/** An entry's objectSid in its string form (`S-1-5-21-...`), or undefined when it has none readable. */
export function sidOf(entry: Entry): string | undefined {
  const value = Array.isArray(entry.objectSid) ? entry.objectSid[0] : entry.objectSid;
  if (!Buffer.isBuffer(value)) return undefined;
  try {
    return sidText(value);
  } catch {
    return undefined;
  }
}

/** What the conversion needs besides the entry. */
export interface UserEntryContext {
  /**
   * Whether msExchHideFromAddressLists is in the directory's schema (Exchange's schema extension). Where it
   * is, an absent value means "not hidden", as in AD; where it is not, nobody's flag is known.
   */
  readonly hideFlagInSchema: boolean;
  /**
   * Every value of the attributes the search returned cut short (ranged, more than 1,500 values on AD), read
   * separately by range retrieval, by lower-cased name.
   */
  readonly rangedValues?: ReadonlyMap<string, readonly string[]>;
  /** The attributes attribute mapping reads (lower-cased), returned in DirectoryEntry.attributes. */
  readonly mapped?: ReadonlySet<string>;
}

/** objectGUID and objectSid stay bytes (their transforms read them); every other value is text. */
const KEPT_AS_BYTES = new Set(['objectguid', 'objectsid']);

/**
 * Every value of an attribute of the entry as text: those read by range retrieval, else those of the key that
 * carries it (a ranged key, whatever the order, over the empty one ldapts adds under the requested name).
 */
function valuesOf(entry: Entry, attribute: string, context: UserEntryContext): unknown[] {
  const read = context.rangedValues?.get(attribute.toLowerCase());
  if (read !== undefined) return [...read];
  return asArray(returnedAttribute(entry, attribute)?.value);
}

/** The values of the mapped attributes the entry has, by lower-cased name. */
function mappedValuesOf(
  entry: Entry,
  mapped: ReadonlySet<string>,
  context: UserEntryContext,
): Record<string, (string | Uint8Array)[]> {
  const values: Record<string, (string | Uint8Array)[]> = {};
  for (const lower of mapped) {
    const list = valuesOf(entry, lower, context).map((v) =>
      Buffer.isBuffer(v) ? (KEPT_AS_BYTES.has(lower) ? new Uint8Array(v) : v.toString('utf8')) : String(v),
    );
    if (list.length > 0) values[lower] = list;
  }
  return values;
}

const INCOMPLETE = 'the read is incomplete, and nothing of it is applied';

/** A value for an error message: quoted, and short. */
const shown = (values: readonly string[]): string => {
  const text = values.length === 1 ? JSON.stringify(values[0]) : JSON.stringify(values);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

/**
 * userAccountControl: AD sets it on every user object, so an entry without it is one the bind account may
 * not fully read (an ACL), not an enabled account; a value that is not a 32-bit integer is not flags.
 */
function accountControlOf(entry: Entry): number {
  const values = many(entry.userAccountControl).filter((v) => v !== '');
  if (values.length === 0) {
    throw new UnreadableAttributeError(
      `${entry.dn}: userAccountControl was not returned; Active Directory sets it on every user, so the ` +
        `bind account may not read it on this object (check its permissions); ${INCOMPLETE}`,
    );
  }
  const value = values.length === 1 && /^-?\d{1,10}$/.test(values[0] ?? '') ? Number(values[0]) : Number.NaN;
  if (!(value >= -(2 ** 31) && value < 2 ** 31)) {
    throw new UnreadableAttributeError(
      `${entry.dn}: userAccountControl ${shown(values)} is not a 32-bit integer, so whether the account is ` +
        `enabled is unknown; ${INCOMPLETE}`,
    );
  }
  return value;
}

/**
 * msExchHideFromAddressLists: absent on most users (not hidden) where the schema has it; unknown
 * (undefined) where it does not, for the scope policy to refuse a filter on it.
 */
function hiddenFlagOf(entry: Entry, hideFlagInSchema: boolean): boolean | undefined {
  const values = many(entry.msExchHideFromAddressLists).filter((v) => v !== '');
  if (values.length === 0) return hideFlagInSchema ? false : undefined;
  const value = values.length === 1 ? values[0]?.toUpperCase() : undefined;
  if (value !== 'TRUE' && value !== 'FALSE') {
    throw new UnreadableAttributeError(
      `${entry.dn}: msExchHideFromAddressLists ${shown(values)} is not TRUE or FALSE, so whether the user ` +
        `is hidden from address lists is unknown; ${INCOMPLETE}`,
    );
  }
  return value === 'TRUE';
}

/** A user entry of the search as a DirectoryEntry; an entry the sync cannot rely on throws. */
export function toDirectoryEntry(entry: Entry, context: UserEntryContext): DirectoryEntry {
  const sAMAccountName = single(entry.sAMAccountName);
  if (!sAMAccountName) throw new PartialReadError(`${entry.dn} has no sAMAccountName`);
  const userPrincipalName = single(entry.userPrincipalName);
  const displayName = single(entry.displayName);
  const cn = single(entry.cn);
  const mail = single(entry.mail);
  return {
    objectGuid: guidOf(entry),
    distinguishedName: entry.dn,
    sAMAccountName,
    ...(userPrincipalName ? { userPrincipalName } : {}),
    ...(displayName ? { displayName } : {}),
    ...(cn ? { cn } : {}),
    ...(mail ? { mail } : {}),
    proxyAddresses: many(valuesOf(entry, 'proxyAddresses', context)),
    userAccountControl: accountControlOf(entry),
    hiddenFromAddressLists: hiddenFlagOf(entry, context.hideFlagInSchema),
    ...(context.mapped && context.mapped.size > 0
      ? { attributes: mappedValuesOf(entry, context.mapped, context) }
      : {}),
  };
}

/**
 * The transforms of attribute mapping (docs/contract.md#attribute-mapping): LDAP values (text, or the bytes of
 * objectGUID and objectSid) into mapped values. Pure; a value a transform cannot read throws a
 * MappingValueError naming what it found.
 */
import type { AttributeValue, Transform } from './attribute-rules';

/** A raw LDAP value: text, or bytes for objectGUID and objectSid. */
export type RawValue = string | Uint8Array;

export class MappingValueError extends Error {
  override readonly name = 'MappingValueError';
}

/** A value for a message: quoted, and short. */
const shown = (value: RawValue): string => {
  const text = typeof value === 'string' ? JSON.stringify(value) : `<${value.length} bytes>`;
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

const textOf = (value: RawValue): string =>
  typeof value === 'string' ? value : Buffer.from(value).toString('base64');

/** objectGUID's string form: the first three fields little-endian, the last two big-endian. */
export function guidText(value: RawValue): string {
  if (typeof value === 'string' || value.length !== 16)
    throw new MappingValueError(`${shown(value)} is not a 16-byte GUID`);
  const hex = Buffer.from(value).toString('hex');
  const le = (from: number, to: number) => (hex.slice(from, to).match(/../g) ?? []).reverse().join('');
  return [le(0, 8), le(8, 12), le(12, 16), hex.slice(16, 20), hex.slice(20, 32)].join('-');
}

/** A SID's string form (S-1-5-21-...): revision, 48-bit authority (big-endian), sub-authorities (little-endian). */
export function sidText(value: RawValue): string {
  if (typeof value === 'string' || value.length < 8)
    throw new MappingValueError(`${shown(value)} is not a SID`);
  const bytes = Buffer.from(value);
  const count = bytes[1] as number;
  if (bytes[0] !== 1 || bytes.length !== 8 + 4 * count)
    throw new MappingValueError(`${shown(value)} is not a SID`);
  const authority = bytes.readUIntBE(2, 6);
  const subs = Array.from({ length: count }, (_, i) => bytes.readUInt32LE(8 + 4 * i));
  return ['S', 1, authority, ...subs].join('-');
}

/** FILETIME's "never": 0, and 2^63-1 (accountExpires of an account that does not expire). */
const NEVER = new Set(['0', '9223372036854775807']);
/** 100-ns intervals between 1601-01-01 and 1970-01-01. */
const EPOCH_OFFSET = 116_444_736_000_000_000n;
const GENERALIZED = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,](\d+))?(Z|[+-]\d{4})$/;

/**
 * AD's times as ISO 8601: generalized time (`20260101120000.0Z`, whenCreated) and FILETIME integers
 * (accountExpires, pwdLastSet: 100-ns intervals since 1601), `never` for 0 and 2^63-1.
 */
export function dateText(value: RawValue): string {
  const text = textOf(value).trim();
  if (NEVER.has(text)) return 'never';
  if (/^\d{1,19}$/.test(text)) {
    const ms = (BigInt(text) - EPOCH_OFFSET) / 10_000n;
    const date = new Date(Number(ms));
    if (Number.isNaN(date.getTime())) throw new MappingValueError(`${shown(value)} is out of the date range`);
    return date.toISOString();
  }
  const match = GENERALIZED.exec(text);
  if (!match) throw new MappingValueError(`${shown(value)} is neither generalized time nor a FILETIME`);
  const [, y, mo, d, h, mi, s, fraction = '0', zone] = match;
  const offset = zone === 'Z' ? 'Z' : `${zone?.slice(0, 3)}:${zone?.slice(3)}`;
  const millis = fraction.padEnd(3, '0').slice(0, 3);
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}.${millis}${offset}`);
  if (Number.isNaN(date.getTime())) throw new MappingValueError(`${shown(value)} is not a valid time`);
  return date.toISOString();
}

function boolOf(value: RawValue): boolean {
  const text = textOf(value).trim().toUpperCase();
  if (text === 'TRUE') return true;
  if (text === 'FALSE') return false;
  throw new MappingValueError(`${shown(value)} is not TRUE or FALSE`);
}

/**
 * An integer JSON consumers read exactly: -(2^53-1) to 2^53-1 (a double holds 2^53 too, but also 2^53+1 rounded
 * to it, so 2^53 is no longer exact).
 */
function intOf(value: RawValue): number {
  const text = textOf(value).trim();
  const number = /^-?\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(number))
    throw new MappingValueError(`${shown(value)} is not an integer from -(2^53-1) to 2^53-1`);
  return number;
}

/** Binary values in their string form: objectGUID as a GUID, objectSid as a SID. */
const binaryText = (attribute: string, value: RawValue): string =>
  typeof value === 'string' ? value : attribute === 'objectsid' ? sidText(value) : guidText(value);

/**
 * One attribute's values (at least one) through a transform; `userName` resolves DNs with `userNameOf` (a
 * DN that names no user it can tell gives no value). `first` is the default.
 */
export function transformValues(
  attribute: string,
  values: readonly RawValue[],
  transform: Transform | undefined,
  userNameOf: (dn: string) => string | undefined,
): AttributeValue | undefined {
  const first = values[0] as RawValue;
  switch (transform ?? 'first') {
    case 'first':
      return binaryText(attribute, first);
    case 'all':
      return values.map((v) => binaryText(attribute, v));
    case 'lower':
      return textOf(first).toLowerCase();
    case 'upper':
      return textOf(first).toUpperCase();
    case 'userName':
      return userNameOf(textOf(first));
    case 'guid':
      return guidText(first);
    case 'sid':
      return sidText(first);
    case 'date':
      return dateText(first);
    case 'bool':
      return boolOf(first);
    case 'int':
      return intOf(first);
  }
}

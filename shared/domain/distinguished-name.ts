/**
 * Distinguished names (RFC 4514) as far as the sync needs them: validating what an administrator types,
 * comparing names the way the directory does, and deriving a base DN from a DNS domain.
 */

export interface RelativeDistinguishedName {
  readonly attribute: string;
  readonly value: string;
}

const HEX_PAIR = /^[0-9a-fA-F]{2}$/;

/**
 * Splits a DN into its RDNs, unescaping values (`\,`, `\2C`, multi-byte `\C3\BC`).
 * Multi-valued RDNs (`+`) are kept as one RDN per attribute. Throws on malformed input.
 */
export function parseDistinguishedName(dn: string): RelativeDistinguishedName[] {
  if (dn.trim() === '') throw new Error('a distinguished name cannot be empty');
  const rdns: RelativeDistinguishedName[] = [];
  let i = 0;
  while (i < dn.length) {
    const equals = dn.indexOf('=', i);
    if (equals < 0) throw new Error(`"${dn}" is not a distinguished name: "${dn.slice(i)}" has no "="`);
    const attribute = dn.slice(i, equals).trim();
    if (!/^([A-Za-z][A-Za-z0-9-]*|\d+(\.\d+)*)$/.test(attribute)) {
      throw new Error(`"${dn}" is not a distinguished name: bad attribute type "${attribute}"`);
    }
    const bytes: number[] = [];
    // Unescaped spaces around a value are not part of it; escaped ones (`\\ `) are.
    let significant = 0;
    let j = equals + 1;
    while (j < dn.length && dn[j] === ' ') j += 1;
    for (; j < dn.length; j += 1) {
      const c = dn[j] as string;
      if (c === ',' || c === '+') break;
      if (c === '\\') {
        const next = dn.slice(j + 1, j + 3);
        if (HEX_PAIR.test(next)) {
          bytes.push(Number.parseInt(next, 16));
          j += 2;
        } else if (j + 1 < dn.length) {
          const escaped = dn.codePointAt(j + 1) as number;
          bytes.push(...Buffer.from(String.fromCodePoint(escaped), 'utf8'));
          j += escaped > 0xffff ? 2 : 1;
        } else {
          throw new Error(`"${dn}" is not a distinguished name: it ends in a lone backslash`);
        }
        significant = bytes.length;
      } else {
        const codePoint = dn.codePointAt(j) as number;
        bytes.push(...Buffer.from(String.fromCodePoint(codePoint), 'utf8'));
        if (codePoint > 0xffff) j += 1;
        if (c !== ' ') significant = bytes.length;
      }
    }
    const value = Buffer.from(bytes.slice(0, significant)).toString('utf8');
    if (value === '') throw new Error(`"${dn}" is not a distinguished name: ${attribute} has an empty value`);
    rdns.push({ attribute, value });
    i = j + 1;
    if (j < dn.length && i >= dn.length)
      throw new Error(`"${dn}" is not a distinguished name: it ends in "${dn[j]}"`);
  }
  return rdns;
}

export function isDistinguishedName(dn: string): boolean {
  try {
    parseDistinguishedName(dn);
    return true;
  } catch {
    return false;
  }
}

/**
 * The DN without the spaces RFC 4514 ignores (around `,`, `+` and an RDN's `=`, at either end): what AD writes
 * (`CN=Sales,OU=Groups,DC=corp,DC=local`), so that a DN typed `CN=Sales, OU=Groups, DC=corp, DC=local` is the
 * same string as the one the directory returns. Escaped spaces (`\ `) and spaces inside a value are kept, and
 * nothing else changes (no case, no escapes). Expects a valid DN.
 */
export function compactDistinguishedName(dn: string): string {
  let out = '';
  let spaces = '';
  let inType = true;
  let atStart = true; // of a type or a value: leading spaces are dropped
  for (let i = 0; i < dn.length; i += 1) {
    const c = dn[i] as string;
    if (c === ' ') {
      if (!atStart) spaces += c;
    } else if (c === ',' || c === '+' || (c === '=' && inType)) {
      // Spaces before a separator are dropped, and those after it (atStart).
      out += c;
      spaces = '';
      inType = c !== '=';
      atStart = true;
    } else {
      // A backslash takes the next character with it (an escaped space or separator is a value's own).
      const escaped = c === '\\' ? dn.slice(i, i + 2) : c;
      if (c === '\\') i += 1;
      out += (inType ? '' : spaces) + escaped;
      spaces = '';
      atStart = false;
    }
  }
  return out;
}

/** RFC 4514 escaping of one attribute value for an RDN (`CN=<escaped>`). */
export function escapeRdnValue(value: string): string {
  const characters = [...value];
  return characters
    .map((c, i) => {
      if (c === '\0') return '\\00';
      if ('\\,+"<>;='.includes(c)) return `\\${c}`;
      if (c === ' ' && (i === 0 || i === characters.length - 1)) return '\\ ';
      if (c === '#' && i === 0) return '\\#';
      return c;
    })
    .join('');
}

/** company.local -> DC=company,DC=local (what MailStore derives when no base DN is given). */
export function baseDnFromDomain(domain: string): string {
  return domain
    .trim()
    .replace(/\.$/, '')
    .split('.')
    .map((label) => `DC=${label}`)
    .join(',');
}

/** An RDN as the directory compares it: attribute types and values case-insensitively. */
const comparable = ({ attribute, value }: RelativeDistinguishedName): string =>
  `${attribute.toLowerCase()}=${value.toLowerCase()}`;

/**
 * Whether `dn` is `baseDn` or an object below it, comparing RDNs as AD does (case-insensitively, after
 * unescaping: `CN=a\2Cb` and `cn=A\,B` are the same). Both must be valid DNs.
 */
export function isAtOrUnder(dn: string, baseDn: string): boolean {
  const rdns = parseDistinguishedName(dn).map(comparable);
  const base = parseDistinguishedName(baseDn).map(comparable);
  if (rdns.length < base.length) return false;
  const tail = rdns.slice(rdns.length - base.length);
  return tail.every((rdn, i) => rdn === base[i]);
}

/** The value of a DN's first RDN (a group's CN), for a person to read; the DN itself when it has none. */
export function leafName(dn: string): string {
  try {
    return parseDistinguishedName(dn)[0]?.value ?? dn;
  } catch {
    return dn;
  }
}

/** Whether two DNs name the same object, compared as the directory compares them (see isAtOrUnder). */
export function sameDistinguishedName(a: string, b: string): boolean {
  try {
    return parseDistinguishedName(a).length === parseDistinguishedName(b).length && isAtOrUnder(a, b);
  } catch {
    return false;
  }
}

/**
 * The naming context (the domain) a DN lies in: the DC's default naming context when the DN is at or under it,
 * else the DN's trailing `DC=` RDNs (an AD domain's naming context is named by them alone), else the DN itself.
 * `OU=Staff,DC=corp,DC=local` -> `DC=corp,DC=local`. The DN must be valid.
 */
export function namingContextOf(dn: string, defaultNamingContext?: string): string {
  if (
    defaultNamingContext &&
    isDistinguishedName(defaultNamingContext) &&
    isAtOrUnder(dn, defaultNamingContext)
  )
    return defaultNamingContext;
  const rdns = parseDistinguishedName(dn);
  let first = rdns.length;
  while (first > 0 && rdns[first - 1]?.attribute.toLowerCase() === 'dc') first -= 1;
  if (first === rdns.length) return dn;
  return rdns
    .slice(first)
    .map(({ attribute, value }) => `${attribute}=${escapeRdnValue(value)}`)
    .join(',');
}

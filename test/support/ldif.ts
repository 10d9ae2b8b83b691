/**
 * A small RFC 2849 reader for the test fixtures: content records only (no change records), with folded
 * lines, comments and base64 values. The tests use it as their oracle: what they expect of the directory
 * is computed from the LDIF the directory was seeded with.
 */
export interface LdifEntry {
  readonly dn: string;
  /** Attribute names as written in the file; values in file order. */
  readonly attributes: ReadonlyMap<string, readonly string[]>;
}

export function parseLdif(text: string): LdifEntry[] {
  const entries: LdifEntry[] = [];
  for (const block of text.replace(/\r\n/g, '\n').split(/\n{2,}/)) {
    const lines: string[] = [];
    for (const raw of block.split('\n')) {
      if (raw.startsWith('#')) continue;
      if (raw.startsWith(' ') && lines.length > 0) lines[lines.length - 1] += raw.slice(1);
      else if (raw.length > 0) lines.push(raw);
    }
    if (lines.length === 0) continue;
    let dn: string | undefined;
    const attributes = new Map<string, string[]>();
    for (const line of lines) {
      const match = /^([^:]+)(::?)\s?(.*)$/.exec(line);
      if (!match) throw new Error(`not an LDIF line: ${line}`);
      const [, name = '', separator, encoded = ''] = match;
      const value = separator === '::' ? Buffer.from(encoded, 'base64').toString('utf8') : encoded;
      if (name.toLowerCase() === 'dn') dn = value;
      else attributes.set(name, [...(attributes.get(name) ?? []), value]);
    }
    if (dn === undefined) throw new Error(`LDIF record without dn: ${lines[0]}`);
    entries.push({ dn, attributes });
  }
  return entries;
}

/** Values of an attribute, matched case-insensitively as LDAP does. */
export function valuesOf(entry: LdifEntry, attribute: string): readonly string[] {
  const wanted = attribute.toLowerCase();
  for (const [name, values] of entry.attributes) if (name.toLowerCase() === wanted) return values;
  return [];
}

import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type LdifEntry, parseLdif, valuesOf } from './ldif';

/** The fixture files, in the order the test setup loads them. */
export const fixtureFiles = {
  schemaAttribute: fileURLToPath(new URL('../fixtures/schema-1-attribute.ldif', import.meta.url)),
  schemaMailRecipient: fileURLToPath(new URL('../fixtures/schema-2-mail-recipient.ldif', import.meta.url)),
  directory: fileURLToPath(new URL('../fixtures/directory.ldif', import.meta.url)),
} as const;

/**
 * Accounts every freshly provisioned Samba domain has besides the fixture; `dns-<host>` is named after the
 * DC's NetBIOS name (the host name, at most 15 characters).
 */
export const builtInUsers = {
  enabled: ['Administrator', `dns-${hostname().split('.')[0]?.slice(0, 15).toLowerCase()}`],
  disabled: ['Guest', 'krbtgt'],
} as const;

const ACCOUNTDISABLE = 0x2;

const hasClass = (entry: LdifEntry, objectClass: string): boolean =>
  valuesOf(entry, 'objectClass').some((c) => c.toLowerCase() === objectClass.toLowerCase());

/**
 * The fixture directory as the tests see it, read from `test/fixtures/directory.ldif`.
 * "Users" are what `(&(objectCategory=person)(objectClass=user))` selects: user objects that are not computers.
 */
export class FixtureDirectory {
  readonly entries: readonly LdifEntry[];
  private readonly byDn: ReadonlyMap<string, LdifEntry>;

  constructor(ldif = readFileSync(fixtureFiles.directory, 'utf8')) {
    this.entries = parseLdif(ldif);
    this.byDn = new Map(this.entries.map((e) => [e.dn.toLowerCase(), e]));
  }

  get users(): LdifEntry[] {
    return this.entries.filter((e) => hasClass(e, 'user') && !hasClass(e, 'computer'));
  }

  get groups(): LdifEntry[] {
    return this.entries.filter((e) => hasClass(e, 'group'));
  }

  group(cn: string): LdifEntry {
    const found = this.groups.find((g) => valuesOf(g, 'cn')[0] === cn);
    if (!found) throw new Error(`no fixture group with cn ${cn}`);
    return found;
  }

  static isDisabled(user: LdifEntry): boolean {
    return (Number(valuesOf(user, 'userAccountControl')[0] ?? 0) & ACCOUNTDISABLE) !== 0;
  }

  static accountName(entry: LdifEntry): string {
    const name = valuesOf(entry, 'sAMAccountName')[0];
    if (name === undefined) throw new Error(`${entry.dn} has no sAMAccountName`);
    return name;
  }

  /** Users that are members of the group directly or through nested groups (cycles allowed). */
  transitiveUserMembers(group: LdifEntry): LdifEntry[] {
    const seen = new Set<string>();
    const users: LdifEntry[] = [];
    const visit = (entry: LdifEntry): void => {
      for (const memberDn of valuesOf(entry, 'member')) {
        const key = memberDn.toLowerCase();
        if (seen.has(key)) continue;
        seen.add(key);
        const member = this.byDn.get(key);
        if (!member) throw new Error(`${entry.dn} lists unknown member ${memberDn}`);
        if (hasClass(member, 'group')) visit(member);
        else if (hasClass(member, 'user') && !hasClass(member, 'computer')) users.push(member);
      }
    };
    visit(group);
    return users;
  }
}

/**
 * An OU of a test file's own, changed as Administrator (the sync itself binds as the read-only service
 * account), and removed with everything in it at the end.
 */
import { randomUUID } from 'node:crypto';
import { Attribute, Change, type Client } from 'ldapts';
import { inject } from 'vitest';
import { ldapsClient } from './clients';

/** A unique OU name under the fixture's base DN, and a short tag for names unique in the domain. */
export function scratchOuName(label: string): { readonly dn: string; readonly tag: string } {
  const tag = randomUUID().slice(0, 8);
  return { dn: `OU=${label} ${tag},${inject('directory').baseDn}`, tag };
}

/** userAccountControl of a plain enabled user that needs no password: NORMAL_ACCOUNT | PASSWD_NOTREQD. */
export const UF_NORMAL_PASSWD_NOTREQD = 0x200 | 0x20;

/** A new user object with these attributes: enabled, no password needed (unless the attributes say otherwise). */
export const userEntry = (
  attributes: Record<string, string | string[]>,
): Record<string, string | string[]> => ({
  objectClass: ['top', 'person', 'organizationalPerson', 'user'],
  userAccountControl: String(UF_NORMAL_PASSWD_NOTREQD),
  ...attributes,
});

/** A modification that replaces an attribute's values. */
export const replace = (type: string, values: string[]): Change =>
  new Change({ operation: 'replace', modification: new Attribute({ type, values }) });

export async function administratorClient(): Promise<Client> {
  const { administrator } = inject('directory');
  const admin = ldapsClient();
  await admin.bind(administrator.upn, administrator.password);
  return admin;
}

/** Creates the OU; `remove()` deletes what it holds, the OU, and unbinds. */
export async function createScratchOu(
  dn: string,
): Promise<{ readonly admin: Client; remove(): Promise<void> }> {
  const admin = await administratorClient();
  await admin.add(dn, { objectClass: ['top', 'organizationalUnit'] });
  return {
    admin,
    async remove() {
      const { searchEntries } = await admin.search(dn, { scope: 'one', attributes: ['dn'] });
      for (const entry of searchEntries) await admin.del(entry.dn);
      await admin.del(dn);
      await admin.unbind();
    },
  };
}

/**
 * A team in a scratch OU: for each name, a user `CN=<label> <name>` (sAMAccountName `<prefix>-<name>`, with a
 * userPrincipalName, a display name and a mail address in the test domain), and a group of them all.
 */
export async function addTeam(
  admin: Client,
  team: {
    readonly userDn: (name: string) => string;
    readonly groupDn: string;
    readonly label: string;
    readonly prefix: string;
    readonly tag: string;
    readonly names: readonly string[];
  },
): Promise<void> {
  const { domain } = inject('directory');
  for (const name of team.names) {
    await admin.add(
      team.userDn(name),
      userEntry({
        sAMAccountName: `${team.prefix}-${name}`,
        userPrincipalName: `${team.prefix}-${name}@${domain}`,
        displayName: `${team.label} ${name}`,
        mail: `${team.prefix}-${name}@${domain}`,
      }),
    );
  }
  await admin.add(team.groupDn, {
    objectClass: ['top', 'group'],
    sAMAccountName: `${team.prefix}-team-${team.tag}`,
    member: team.names.map(team.userDn),
  });
}

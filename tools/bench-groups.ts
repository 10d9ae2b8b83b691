/**
 * The groups of `npm run bench -- --groups G`: G groups under OU=Groups of the bench OU, about 100 direct
 * members each (every user in G * 100 / N groups), every tenth group holding the one before it (one level of
 * nesting) and groups 9 and 10 holding each other (a cycle). Seeded offline with ldbadd like the users; a
 * directory of the same users kept already is copied and only the groups are added to the copy (the users'
 * seed of 100,000 takes about 19 minutes).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, lstatSync } from 'node:fs';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { groupIndexKeys, groupKey, groupMembersSortKey } from '../shared/adapters/dynamodb/keys';
import { ensureTable } from '../shared/adapters/dynamodb/table';
import { allGroupsFilter, GROUP_ATTRIBUTES, GROUP_PAGE_SIZE } from '../shared/adapters/ldap/group-searches';
import { BINARY_ATTRIBUTES } from '../shared/adapters/ldap/user-searches';
import { type DirectoryConnection, ldapsClientFor } from '../test/support/samba-dc';
import { batchWriteAll, type Timed, time } from './bench-floors';

const run = promisify(execFile);

/** Direct members of each group. */
export const GROUP_SIZE = 100;

export const groupsOu = (base: string): string => `OU=Groups,${base}`;
export const benchGroupDn = (base: string, g: number): string =>
  `CN=Bench Group ${String(g).padStart(5, '0')},${groupsOu(base)}`;
const userDn = (base: string, i: number): string => `CN=Bench User ${String(i).padStart(7, '0')},${base}`;

/** The LDIF of the groups (the users must exist: `member` links to them). */
export function benchGroupsLdif(base: string, users: number, groups: number): string {
  const blocks = [`dn: ${groupsOu(base)}\nobjectClass: top\nobjectClass: organizationalUnit\nou: Groups`];
  for (let g = 1; g <= groups; g += 1) {
    const n = String(g).padStart(5, '0');
    const lines = [
      `dn: ${benchGroupDn(base, g)}`,
      'objectClass: top',
      'objectClass: group',
      `cn: Bench Group ${n}`,
      `sAMAccountName: bg${n}`,
      `description: Bench group ${n}`,
      // A global security group.
      `groupType: ${0x80000002 | 0}`,
    ];
    const first = ((g - 1) * GROUP_SIZE) % users;
    for (let k = 0; k < Math.min(GROUP_SIZE, users); k += 1)
      lines.push(`member: ${userDn(base, ((first + k) % users) + 1)}`);
    // Members that are groups come after their groups exist (ldbadd adds in order): 10 holds 9, 20 holds 19...
    if (g % 10 === 0) lines.push(`member: ${benchGroupDn(base, g - 1)}`);
    blocks.push(lines.join('\n'));
  }
  // The cycle's other half: 9 holds 10 (10 holds 9 already).
  if (groups >= 10)
    blocks.push(
      `dn: ${benchGroupDn(base, 9)}\nchangetype: modify\nadd: member\nmember: ${benchGroupDn(base, 10)}\n-`,
    );
  return `${blocks.join('\n\n')}\n`;
}

/**
 * Makes `folder` a copy of the kept users' directory `usersFolder` (its paths rewritten) with the groups added,
 * unless it exists already. Offline: no DC runs.
 */
export async function seedGroupsOnCopy(
  usersFolder: string,
  folder: string,
  groupsLdif: string,
  log: (line: string) => void,
): Promise<void> {
  if (existsSync(join(folder, 'credentials.json'))) {
    log(`reusing the directory with groups in ${folder}`);
    return;
  }
  await rm(folder, { recursive: true, force: true });
  const started = Date.now();
  // Without credentials.json: a copy cut short is not taken for a seeded one.
  await cp(usersFolder, folder, {
    recursive: true,
    // Nor the sockets and pid file of a DC that served it.
    filter: (source) =>
      !source.endsWith('credentials.json') && !source.endsWith('samba.pid') && !lstatSync(source).isSocket(),
  });
  const config = join(folder, 'etc', 'smb.conf');
  await writeFile(config, (await readFile(config, 'utf8')).split(usersFolder).join(folder));
  log(`copied ${usersFolder} in ${Date.now() - started} ms`);
  const seeded = Date.now();
  const ldb = ['-H', join(folder, 'private', 'sam.ldb'), `--configfile=${config}`];
  const adds = join(folder, 'groups-add.ldif');
  const [added, modified] = groupsLdif.split('\n\ndn: ').reduce<[string[], string[]]>(
    ([a, m], block, i) => {
      const text = i === 0 ? block : `dn: ${block}`;
      (text.includes('changetype: modify') ? m : a).push(text);
      return [a, m];
    },
    [[], []],
  );
  await writeFile(adds, `${added.join('\n\n').trim()}\n`);
  await run('ldbadd', [...ldb, '-o', 'batch_mode:1', adds], { maxBuffer: 64 * 1024 * 1024 });
  if (modified.length > 0) {
    const mods = join(folder, 'groups-modify.ldif');
    await writeFile(mods, `${modified.join('\n\n').trim()}\n`);
    await run('ldbmodify', [...ldb, mods], { maxBuffer: 64 * 1024 * 1024 });
  }
  await rm(adds);
  log(`seeded the groups in ${Date.now() - seeded} ms`);
  await cp(join(usersFolder, 'credentials.json'), join(folder, 'credentials.json'));
}

/** Floor read of the groups: the same search, attributes and page size as the sync's; the memberships read. */
export async function floorGroupRead(connection: DirectoryConnection, base: string): Promise<Timed<number>> {
  const reader = ldapsClientFor(connection, { connectTimeout: 10_000, timeout: 120_000 });
  const read = await time(async () => {
    await reader.bind(connection.serviceAccount.upn, connection.serviceAccount.password);
    let members = 0;
    for await (const page of reader.searchPaginated(groupsOu(base), {
      scope: 'sub',
      filter: allGroupsFilter(),
      attributes: [...GROUP_ATTRIBUTES],
      explicitBufferAttributes: BINARY_ATTRIBUTES,
      paged: { pageSize: GROUP_PAGE_SIZE },
    }))
      for (const entry of page.searchEntries) members += [entry.member ?? []].flat().length;
    return members;
  });
  await reader.unbind();
  return read;
}

/**
 * Floor write of the groups: raw BatchWriteItem of what the group pass writes, a group item and its members'
 * chunk (GROUP_SIZE members of about 100 bytes) per group, into a table of its own.
 */
export async function floorGroupWrite(client: DynamoDBClient, groups: number): Promise<Timed<number>> {
  const table = `bench-floor-groups-${randomUUID()}`;
  await ensureTable(client, table);
  const documents = DynamoDBDocumentClient.from(client);
  const items = Array.from({ length: groups }, (_, g) => {
    const objectGuid = randomUUID();
    const name = `bg${String(g + 1).padStart(5, '0')}`;
    const members = Array.from({ length: GROUP_SIZE }, (_, k) => ({
      type: 'user',
      name: `b${String(g * GROUP_SIZE + k).padStart(7, '0')}`,
      objectGuid: randomUUID(),
    }));
    return [
      { ...groupKey(objectGuid, groupMembersSortKey(0)), members },
      {
        ...groupKey(objectGuid),
        ...groupIndexKeys(name),
        name,
        displayName: name,
        distinguishedName: `CN=${name},OU=Groups,OU=Bench,DC=company,DC=local`,
        objectGuid,
        emailAddresses: [],
        kind: 'security',
        scope: 'global',
        memberCount: GROUP_SIZE,
        membersHash: randomUUID(),
        version: 1,
      },
    ];
  }).flat();
  return time(async () => {
    await batchWriteAll(documents, table, items);
    return items.length;
  });
}

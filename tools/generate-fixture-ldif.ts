/**
 * Writes `test/fixtures/directory.ldif`, the directory the integration tests run against.
 *
 * The LDIF is committed and is the source of truth: tests derive what they expect from it (by parsing it),
 * never from this generator. Re-run after changing the cases below: `npx tsx tools/generate-fixture-ldif.ts`.
 *
 * What it covers: users in several OUs, enabled and disabled; addresses in `mail`, only in SMTP
 * `proxyAddresses` (primary and secondary), or none; users hidden from address lists; groups nested three
 * deep; one group with more than 1,500 members (real AD ranges `member` at 1,500 values); names with
 * RFC 4514/4515 special characters and non-ASCII letters; contacts and computers that must never sync.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { escapeRdnValue } from '../shared/domain/distinguished-name';

const BASE_DN = 'DC=company,DC=local';
const MAIL_DOMAIN = 'company.local';
const BULK_USERS = 1600;

type Value = string | readonly string[];
interface Entry {
  readonly dn: string;
  readonly attributes: Readonly<Record<string, Value>>;
}

const UF_ACCOUNTDISABLE = 0x2;
const UF_NORMAL_ACCOUNT = 0x200;
const UF_WORKSTATION_TRUST_ACCOUNT = 0x1000;

const ou = (name: string, parent = BASE_DN): string => `OU=${escapeRdnValue(name)},${parent}`;
const cn = (name: string, parent: string): string => `CN=${escapeRdnValue(name)},${parent}`;

const OU_SALES = ou('Sales');
const OU_ENGINEERING = ou('Engineering');
const OU_SPECIAL = ou('Special, Chars');
const OU_SERVICE = ou('Service Accounts');
const OU_GROUPS = ou('Groups');
const OU_BULK = ou('Bulk');
const CN_COMPUTERS = `CN=Computers,${BASE_DN}`;

interface UserSpec {
  readonly parent: string;
  readonly cn: string;
  readonly sam: string;
  readonly displayName?: string;
  readonly mail?: string;
  readonly proxyAddresses?: readonly string[];
  readonly disabled?: boolean;
  readonly hidden?: 'TRUE' | 'FALSE';
  readonly description?: string;
}

function user(spec: UserSpec): Entry {
  const attributes: Record<string, Value> = {
    objectClass: ['top', 'person', 'organizationalPerson', 'user'],
    cn: spec.cn,
    sAMAccountName: spec.sam,
    userPrincipalName: `${spec.sam}@${MAIL_DOMAIN}`,
    userAccountControl: String(UF_NORMAL_ACCOUNT | (spec.disabled ? UF_ACCOUNTDISABLE : 0)),
  };
  if (spec.displayName !== undefined) attributes.displayName = spec.displayName;
  if (spec.mail !== undefined) attributes.mail = spec.mail;
  if (spec.proxyAddresses !== undefined) attributes.proxyAddresses = spec.proxyAddresses;
  if (spec.hidden !== undefined) attributes.msExchHideFromAddressLists = spec.hidden;
  if (spec.description !== undefined) attributes.description = spec.description;
  return { dn: cn(spec.cn, spec.parent), attributes };
}

function group(name: string, members: readonly string[], description: string, parent = OU_GROUPS): Entry {
  const attributes: Record<string, Value> = {
    objectClass: ['top', 'group'],
    cn: name,
    sAMAccountName: `grp-${name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'star'}`.slice(0, 20),
    description,
  };
  if (members.length > 0) attributes.member = members;
  return { dn: cn(name, parent), attributes };
}

const entries: Entry[] = [];
const add = <T extends Entry>(entry: T): T => {
  entries.push(entry);
  return entry;
};

for (const name of ['Sales', 'Engineering', 'Special, Chars', 'Service Accounts', 'Groups', 'Bulk']) {
  add({ dn: ou(name), attributes: { objectClass: ['top', 'organizationalUnit'], ou: name } });
}

// The service account the sync binds as: a plain user with the default read rights of Authenticated Users.
// Its password is set by the test setup, at random, on every run.
add(
  user({
    parent: OU_SERVICE,
    cn: 'svc-sync',
    sam: 'svc-sync',
    description: 'ad-sync service account (read only)',
  }),
);

// Edge cases of the mapping and the filters, each named for what it covers.
const alice = add(
  user({
    parent: OU_SALES,
    cn: 'Alice Archer',
    sam: 'alice',
    displayName: 'Alice Archer',
    mail: 'Alice.Archer@company.local',
  }),
);
const bob = add(
  user({
    parent: OU_SALES,
    cn: 'Bob Baker',
    sam: 'bob',
    displayName: 'Bob Baker',
    proxyAddresses: [
      'smtp:bob.secondary@company.local',
      'SMTP:Bob.Baker@company.local',
      'X500:/o=Company/ou=Exchange/cn=bob',
    ],
    description: 'addresses only in proxyAddresses, primary listed second',
  }),
);
const carol = add(
  user({
    parent: OU_SALES,
    cn: 'Carol Cooper',
    sam: 'carol',
    displayName: 'Carol Cooper',
    mail: 'carol@company.local',
    proxyAddresses: ['SMTP:CAROL@company.local', 'smtp:c.cooper@company.local', 'SIP:carol@company.local'],
    description: 'mail duplicated in proxyAddresses with another case',
  }),
);
const dave = add(
  user({ parent: OU_ENGINEERING, cn: 'Dave Dawson', sam: 'dave', description: 'no address, no displayName' }),
);
const erin = add(
  user({
    parent: OU_ENGINEERING,
    cn: 'Erin Evans',
    sam: 'erin',
    displayName: 'Erin Evans',
    mail: 'erin@company.local',
    disabled: true,
  }),
);
const frank = add(
  user({
    parent: OU_ENGINEERING,
    cn: 'Frank Fischer',
    sam: 'frank',
    displayName: 'Frank Fischer',
    mail: 'frank@company.local',
    hidden: 'TRUE',
  }),
);
const grace = add(
  user({
    parent: OU_ENGINEERING,
    cn: 'Grace Green',
    sam: 'grace',
    displayName: 'Grace Green',
    mail: 'grace@company.local',
    hidden: 'FALSE',
  }),
);
const heidi = add(
  user({
    parent: OU_ENGINEERING,
    cn: 'Heidi Hall',
    sam: 'heidi',
    displayName: 'Heidi Hall',
    proxyAddresses: ['SMTP:heidi@company.local'],
    disabled: true,
    hidden: 'TRUE',
    description: 'disabled and hidden, address only in proxyAddresses',
  }),
);

// Names that need escaping in DNs (RFC 4514) and in filters (RFC 4515), and non-ASCII letters.
const special = [
  add(
    user({
      parent: OU_SPECIAL,
      cn: 'Smith, John',
      sam: 'jsmith',
      displayName: 'Smith, John',
      mail: 'john.smith@company.local',
    }),
  ),
  add(
    user({
      parent: OU_SPECIAL,
      cn: 'Anna+Bert',
      sam: 'annabert',
      displayName: 'Anna+Bert',
      mail: 'anna.bert@company.local',
    }),
  ),
  add(
    user({
      parent: OU_SPECIAL,
      cn: '"Quoted" Quinn',
      sam: 'quinn',
      displayName: '"Quoted" Quinn',
      mail: 'quinn@company.local',
    }),
  ),
  add(
    user({
      parent: OU_SPECIAL,
      cn: 'Pat (Contractor)',
      sam: 'pat',
      displayName: 'Pat (Contractor)',
      mail: 'pat@company.local',
    }),
  ),
  add(
    user({
      parent: OU_SPECIAL,
      cn: 'Star * Struck',
      sam: 'star',
      displayName: 'Star * Struck',
      mail: 'star@company.local',
    }),
  ),
  add(
    user({
      parent: OU_SPECIAL,
      cn: 'Back\\Slash',
      sam: 'backslash',
      displayName: 'Back\\Slash',
      mail: 'backslash@company.local',
    }),
  ),
  add(
    user({
      parent: OU_SPECIAL,
      cn: 'Semi;Colon <Angle>',
      sam: 'semicolon',
      displayName: 'Semi;Colon <Angle>',
      mail: 'semi@company.local',
    }),
  ),
  add(
    user({
      parent: OU_SPECIAL,
      cn: '#Hash Leading',
      sam: 'hash',
      displayName: '#Hash Leading',
      mail: 'hash@company.local',
    }),
  ),
  add(
    user({
      parent: OU_SPECIAL,
      cn: 'Jürgen Müller',
      sam: 'jmueller',
      displayName: 'Jürgen Müller',
      mail: 'juergen.mueller@company.local',
    }),
  ),
  add(
    user({
      parent: OU_SPECIAL,
      cn: 'Zoë Çelik',
      sam: 'zcelik',
      displayName: 'Zoë Çelik',
      proxyAddresses: ['SMTP:zoe.celik@company.local'],
    }),
  ),
  add(
    user({
      parent: OU_SPECIAL,
      cn: 'Łukasz Żółć',
      sam: 'lzolc',
      displayName: 'Łukasz Żółć',
      mail: 'lukasz@company.local',
    }),
  ),
  add(
    user({
      parent: OU_SPECIAL,
      cn: '山田 太郎',
      sam: 'tyamada',
      displayName: '山田 太郎',
      mail: 'taro.yamada@company.local',
    }),
  ),
];

// Ordinary staff: enough users per OU for paging, with every fifth disabled and every seventh without address.
function staff(parent: string, prefix: string, count: number): Entry[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(3, '0');
    const sam = `${prefix}${n}`;
    return add(
      user({
        parent,
        cn: `${prefix.toUpperCase()} Staff ${n}`,
        sam,
        displayName: `${prefix.toUpperCase()} Staff ${n}`,
        ...((i + 1) % 7 === 0 ? {} : { mail: `${sam}@company.local` }),
        disabled: (i + 1) % 5 === 0,
      }),
    );
  });
}
const sales = staff(OU_SALES, 'sales', 60);
const engineering = staff(OU_ENGINEERING, 'eng', 60);

// Bulk users, all members of one group larger than AD's 1,500-value range.
const bulk = Array.from({ length: BULK_USERS }, (_, i) => {
  const n = String(i + 1).padStart(4, '0');
  const sam = `bulk${n}`;
  const k = i + 1;
  return add(
    user({
      parent: OU_BULK,
      cn: `Bulk User ${n}`,
      sam,
      displayName: `Bulk User ${n}`,
      ...(k % 13 === 0
        ? { proxyAddresses: [`SMTP:${sam}@company.local`, `smtp:${sam}.alias@company.local`] }
        : {}),
      ...(k % 13 !== 0 && k % 17 !== 0 ? { mail: `${sam}@company.local` } : {}),
      disabled: k % 10 === 0,
      ...(k % 11 === 0 ? { hidden: 'TRUE' as const } : {}),
    }),
  );
});

// Objects that are not users and must never be synchronized, even when they have addresses or are members.
const contact = add({
  dn: cn('Partner Contact', OU_SALES),
  attributes: {
    objectClass: ['top', 'person', 'organizationalPerson', 'contact'],
    cn: 'Partner Contact',
    displayName: 'Partner Contact',
    mail: 'partner@example.com',
    proxyAddresses: ['SMTP:partner@example.com'],
  },
});
add({
  dn: cn('Supplier Contact', OU_ENGINEERING),
  attributes: {
    objectClass: ['top', 'person', 'organizationalPerson', 'contact'],
    cn: 'Supplier Contact',
    mail: 'supplier@example.com',
  },
});
const computers = ['WS001', 'WS002', 'SRV-FILE01'].map((name) =>
  add({
    dn: cn(name, CN_COMPUTERS),
    attributes: {
      objectClass: ['top', 'person', 'organizationalPerson', 'user', 'computer'],
      cn: name,
      sAMAccountName: `${name}$`,
      userAccountControl: String(UF_WORKSTATION_TRUST_ACCOUNT),
      mail: `${name.toLowerCase()}@company.local`,
    },
  }),
);

// Groups nested three deep: All Staff (Nested) > Sales Europe > Sales DE > users. Contacts and computers are
// members too: transitive membership must still yield users only.
const dns = (list: readonly Entry[]): string[] => list.map((e) => e.dn);
const salesDe = add(
  group(
    'Sales DE',
    [...dns([alice, special[8] as Entry, special[0] as Entry]), ...dns(sales.slice(0, 10))],
    'third level',
  ),
);
const salesEurope = add(
  group(
    'Sales Europe',
    [salesDe.dn, bob.dn, carol.dn, ...dns(sales.slice(10, 20)), contact.dn],
    'second level',
  ),
);
add(
  group(
    'All Staff (Nested)',
    [salesEurope.dn, dave.dn, erin.dn, heidi.dn, (computers[0] as Entry).dn, ...dns(special.slice(3, 6))],
    'top level; name needs filter escaping',
  ),
);
add(group('Engineering Team', [frank.dn, grace.dn, ...dns(engineering.slice(0, 30))], 'flat group'));
add(group('Big Group', dns(bulk), `all ${BULK_USERS} bulk users`));
add(group('Empty Group', [], 'no members'));
// Groups whose names are filter metacharacters: selecting them must match only their own members.
add(group('*', [grace.dn], 'named like a wildcard'));
add(group('x)(objectClass=*', [frank.dn], 'named like a filter injection'));

/** Encodes one LDIF line (RFC 2849): base64 when the value is not safe as is. */
function ldifLine(name: string, value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: LDIF SAFE-STRING excludes control characters
  const safe = /^[\x01-\x09\x0b\x0c\x0e-\x1f\x21-\x39\x3b\x3d-\x7f][\x01-\x09\x0b\x0c\x0e-\x7f]*$/.test(
    value,
  );
  return safe && !value.endsWith(' ')
    ? `${name}: ${value}`
    : `${name}:: ${Buffer.from(value, 'utf8').toString('base64')}`;
}

function toLdif(list: readonly Entry[]): string {
  const blocks = list.map((entry) => {
    const lines = [ldifLine('dn', entry.dn)];
    for (const [name, value] of Object.entries(entry.attributes)) {
      for (const v of typeof value === 'string' ? [value] : value) lines.push(ldifLine(name, v));
    }
    return lines.join('\n');
  });
  return [
    '# Generated by tools/generate-fixture-ldif.ts; the integration tests derive their expectations from this file.',
    `# ${entries.length} entries under ${BASE_DN}.`,
    '',
    blocks.join('\n\n'),
    '',
  ].join('\n');
}

const target = fileURLToPath(new URL('../test/fixtures/directory.ldif', import.meta.url));
writeFileSync(target, toLdif(entries));
console.log(`wrote ${entries.length} entries to ${target}`);

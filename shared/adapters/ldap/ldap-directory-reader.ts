/**
 * DirectoryReader over ldapts: LDAPS (or StartTLS) with certificate and host-name checks, connect and
 * operation timeouts always set, paged reads, range retrieval, transitive group membership, and every
 * failure translated once into a DirectoryError. Filters are built as ldapts Filter objects, so values
 * (a group DN such as `CN=x)(objectClass=*`) are BER-encoded as values and can never change a filter's shape.
 */
import type { SrvRecord } from 'node:dns';
import { resolveSrv as resolveSrvRecords } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import {
  AndFilter,
  Ber,
  BerWriter,
  type Client,
  Control,
  type Entry,
  EqualityFilter,
  ExtensibleFilter,
  type Filter,
  GreaterThanEqualsFilter,
  InsufficientAccessError,
  NoSuchObjectError,
  OrFilter,
  ResultCodeError,
  SubstringFilter,
  UnavailableCriticalExtensionError,
} from 'ldapts';
import { type ConnectionConfig, parseServerAddress } from '../../config/config-schema';
import type { DirectoryEntry } from '../../domain/user';
import type { UserLookup } from '../../domain/user-lookup';
import { type DirectoryError, DiscoveryError, PartialReadError, rephrase } from '../../errors';
import type {
  DirectoryGroup,
  DirectoryReader,
  DirectorySession,
  DirectorySyncState,
  DirSyncAccess,
  RootDse,
  ServerAddress,
} from '../../ports/directory-reader';
import { toDirectoryError } from './directory-errors';
import { parseObjectGuid } from './object-guid';
import { OneConnectionClient } from './one-connection-client';
import { readAllValues } from './ranged-attribute';
import { guidOf, many, single, toDirectoryEntry } from './user-entry';

/** AD's default MaxPageSize; larger pages are cut to it by the server anyway. */
export const PAGE_SIZE = 1000;
const LDAPS_PORT = 636;
const LDAP_PORT = 389;

/** The attributes a sync reads of each user (the benchmark's floor read asks for the same). */
export const USER_ATTRIBUTES = [
  'objectGUID',
  'distinguishedName',
  'sAMAccountName',
  'userPrincipalName',
  'displayName',
  'cn',
  'mail',
  'proxyAddresses',
  'userAccountControl',
  'msExchHideFromAddressLists',
] as const;
/** Binary attributes must be asked for as Buffers: a GUID that happens to be valid UTF-8 would be mangled. */
export const BINARY_ATTRIBUTES = ['objectGUID'];

const LDAP_MATCHING_RULE_IN_CHAIN = '1.2.840.113556.1.4.1941';
const DIRSYNC_OID = '1.2.840.113556.1.4.841';

/** The DirSync request control (MS-ADTS 3.1.1.3.4.1.3): no flags, 1 MB at most, no cookie (a first call). */
class DirSyncControl extends Control {
  constructor() {
    super(DIRSYNC_OID, { critical: true });
  }

  protected override writeControl(writer: BerWriter): void {
    const value = new BerWriter();
    value.startSequence();
    value.writeInt(0);
    value.writeInt(1024 * 1024);
    value.writeString('');
    value.endSequence();
    writer.writeBuffer(value.buffer, Ber.OctetString);
  }
}

/** `(&...(objectCategory=person)(objectClass=user))`: user accounts, never contacts or computers. */
export const userFilter = (...more: Filter[]): Filter =>
  new AndFilter({
    filters: [
      // The narrowing terms first: Samba evaluates an AND's indexed terms in order and stops at an empty
      // one, so `(uSNChanged>=N)` before the class terms answers a no-change read without loading the index
      // of every user (20 ms at 100,000 users, 1 ms this way). AD chooses its index itself.
      ...more,
      new EqualityFilter({ attribute: 'objectCategory', value: 'person' }),
      new EqualityFilter({ attribute: 'objectClass', value: 'user' }),
    ],
  });

/**
 * Users that are members of the group, directly or through nested groups (LDAP_MATCHING_RULE_IN_CHAIN).
 * The DN is carried as the filter's value, never spliced into filter text; its text form is RFC 4515-escaped.
 */
export const groupMemberFilter = (groupDn: string): Filter =>
  userFilter(
    new ExtensibleFilter({ matchType: 'memberOf', rule: LDAP_MATCHING_RULE_IN_CHAIN, value: groupDn }),
  );

/**
 * The filter of one user lookup (GET /directory/users/{name}): an objectGUID as its 16 bytes, or the name as
 * the value of sAMAccountName and userPrincipalName equality filters (RFC 4515-escaped in its text form, so
 * `*`, `(`, `)` and `\\` match themselves). A DN is read with a base-scope search and this filter's users-only part.
 */
export const userLookupFilter = (lookup: UserLookup): Filter => {
  switch (lookup.kind) {
    case 'objectGuid':
      return userFilter(
        new EqualityFilter({ attribute: 'objectGUID', value: parseObjectGuid(lookup.objectGuid) }),
      );
    case 'distinguishedName':
      return userFilter();
    case 'accountName':
      return userFilter(
        new OrFilter({
          filters: ['sAMAccountName', 'userPrincipalName'].map(
            (attribute) => new EqualityFilter({ attribute, value: lookup.name }),
          ),
        }),
      );
  }
};

type SrvResolver = (name: string) => Promise<SrvRecord[]>;

/** RFC 2782 order without the randomness: lower priority first, then higher weight. */
export function orderSrvRecords(records: readonly SrvRecord[]): SrvRecord[] {
  return [...records].sort(
    (a, b) => a.priority - b.priority || b.weight - a.weight || a.name.localeCompare(b.name),
  );
}

const withoutTrailingDot = (name: string): string => name.replace(/\.+$/, '');

/**
 * DNS is not authenticated: a spoofed SRV answer can name any host, and without a pinned CA or server name
 * the certificate check only proves that the host is who DNS said, so the bind would send the password to
 * it. Discovered hosts must therefore be the domain or under it (`*.company.local`), unless the certificate
 * is pinned by `caCertificate` or `tlsServerName`. Checked before any connection is made.
 */
function assertInsideDomain(servers: readonly ServerAddress[], connection: ConnectionConfig): void {
  if (connection.caCertificate || connection.tlsServerName) return;
  const domain = withoutTrailingDot(connection.domain ?? '').toLowerCase();
  const outside = servers
    .map(({ host }) => host)
    .filter((host) => {
      const name = host.toLowerCase();
      return domain === '' || (name !== domain && !name.endsWith(`.${domain}`));
    });
  if (outside.length === 0) return;
  const names = outside.map((host) => `"${host || '.'}"`).join(', ');
  throw new DiscoveryError(
    `DNS named domain controllers outside the domain ${domain}: ${names}. A discovered DC must be ${domain} ` +
      `or a host under it; to use DCs named otherwise, list them in servers or pin their certificate with ` +
      `caCertificate or tlsServerName (nothing was connected to)`,
  );
}

export class LdapDirectoryReader implements DirectoryReader {
  constructor(private readonly resolveSrv: SrvResolver = resolveSrvRecords) {}

  async resolveServers(connection: ConnectionConfig): Promise<ServerAddress[]> {
    const defaultPort = connection.encryption === 'ldaps' ? LDAPS_PORT : LDAP_PORT;
    if (connection.servers.length > 0) {
      return connection.servers.map((server) => {
        const address = parseServerAddress(server);
        if (!address) throw new DiscoveryError(`"${server}" is not a server address`);
        return { host: address.host, port: address.port ?? defaultPort };
      });
    }
    const domain = connection.domain;
    if (!domain) throw new DiscoveryError('no servers are configured and no domain to discover them from');
    const name = `_ldap._tcp.dc._msdcs.${domain}`;
    let records: SrvRecord[];
    try {
      records = await this.resolveSrv(name);
    } catch (error) {
      throw new DiscoveryError(
        `no domain controllers found: DNS SRV lookup of ${name} failed (${(error as Error).message})`,
        {
          cause: error,
        },
      );
    }
    if (records.length === 0)
      throw new DiscoveryError(`no domain controllers found: ${name} has no SRV records`);
    const servers = orderSrvRecords(records).map((record) => ({
      host: withoutTrailingDot(record.name),
      // SRV records announce the LDAP port (389); LDAPS runs on 636 of the same hosts.
      port: connection.encryption === 'ldaps' ? LDAPS_PORT : record.port,
    }));
    assertInsideDomain(servers, connection);
    return servers;
  }

  async connect(servers: readonly ServerAddress[], connection: ConnectionConfig): Promise<DirectorySession> {
    const failures: string[] = [];
    let firstError: DirectoryError | undefined;
    for (const server of servers) {
      try {
        return await LdapDirectorySession.open(server, connection);
      } catch (error) {
        const failure = toDirectoryError(error, formatServer(server), 'connect');
        firstError ??= failure;
        failures.push(failure.message);
      }
    }
    if (!firstError) throw new DiscoveryError('no server to connect to');
    if (failures.length === 1) throw firstError;
    throw rephrase(firstError, `no domain controller answered: ${failures.join('; ')}`);
  }
}

/** `host:port`, `[::1]:636` for IPv6. */
export const formatServer = ({ host, port }: ServerAddress): string =>
  `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;

/**
 * The TLS rules of every connection to a DC (the sync's, and a logon's bind as the user): the certificate
 * verified (against `caCertificate` when given), TLS 1.2 at least, and the host name checked.
 */
export function tlsOptionsFor(address: ServerAddress, connection: ConnectionConfig): ConnectionOptions {
  return {
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    ...(connection.caCertificate ? { ca: [connection.caCertificate] } : {}),
    // Host-name verification needs a name; for an IP without tlsServerName Node checks the IP SANs.
    ...(connection.tlsServerName
      ? { servername: connection.tlsServerName }
      : isIP(address.host) === 0
        ? { servername: address.host }
        : {}),
  };
}

class LdapDirectorySession implements DirectorySession {
  /** Whether msExchHideFromAddressLists is in the schema: one small search, at the first user read. */
  private hideFlagInSchema: Promise<boolean> | undefined;

  private constructor(
    readonly server: string,
    readonly rootDse: RootDse,
    private readonly schemaNamingContext: string | undefined,
    private readonly client: Client,
  ) {}

  /** Opens the TLS connection and reads the rootDSE (anonymously readable on every DC). */
  static async open(address: ServerAddress, connection: ConnectionConfig): Promise<LdapDirectorySession> {
    const server = formatServer(address);
    const timeout = connection.timeoutSeconds * 1000;
    const tlsOptions = tlsOptionsFor(address, connection);
    const ldaps = connection.encryption === 'ldaps';
    const client = new OneConnectionClient({
      url: `${ldaps ? 'ldaps' : 'ldap'}://${server}`,
      // Both are needed: with only one, a server that accepts but never answers hangs forever.
      connectTimeout: timeout,
      timeout,
      ...(ldaps ? { tlsOptions } : {}),
    });
    try {
      if (!ldaps) await client.startTLS(tlsOptions);
      const { rootDse, schemaNamingContext } = await readRootDse(client);
      return new LdapDirectorySession(server, rootDse, schemaNamingContext, client);
    } catch (error) {
      await client.unbind().catch(() => {});
      throw toDirectoryError(error, server, 'connect');
    }
  }

  async bind(username: string, password: string): Promise<void> {
    // An empty password makes a simple bind "unauthenticated" and succeed without checking anything.
    if (password === '') throw toDirectoryError(new Error('empty password'), this.server, 'bind');
    try {
      await this.client.bind(username, password);
    } catch (error) {
      throw toDirectoryError(error, this.server, 'bind');
    }
  }

  async assertExists(dn: string, what: string): Promise<void> {
    try {
      await this.client.search(dn, { scope: 'base', attributes: ['objectClass'] });
    } catch (error) {
      const failure = toDirectoryError(error, this.server, 'read');
      throw failure.code === 'NoSuchObject'
        ? rephrase(failure, `${what} ${dn} does not exist on ${this.server}`)
        : failure;
    }
  }

  userPages(baseDn: string, changedSinceUsn?: number): AsyncIterable<DirectoryEntry[]> {
    const changed =
      changedSinceUsn === undefined
        ? []
        : [new GreaterThanEqualsFilter({ attribute: 'uSNChanged', value: String(changedSinceUsn) })];
    return this.searchUserPages(baseDn, userFilter(...changed));
  }

  async readUsersByGuid(baseDn: string, guids: readonly string[]): Promise<DirectoryEntry[]> {
    const entries: DirectoryEntry[] = [];
    // Binary values go in as Buffers (a string filter with escaped bytes would not match), 100 per search.
    for (let i = 0; i < guids.length; i += 100) {
      const anyOf = new OrFilter({
        filters: guids
          .slice(i, i + 100)
          .map((guid) => new EqualityFilter({ attribute: 'objectGUID', value: parseObjectGuid(guid) })),
      });
      entries.push(...(await this.searchUsers(baseDn, userFilter(anyOf))));
    }
    return entries;
  }

  async findUserEntries(baseDn: string, lookup: UserLookup): Promise<DirectoryEntry[]> {
    if (lookup.kind !== 'distinguishedName') return this.searchUsers(baseDn, userLookupFilter(lookup));
    try {
      return await this.searchUsers(lookup.distinguishedName, userLookupFilter(lookup), 'base');
    } catch (error) {
      if (toDirectoryError(error, this.server, 'read').code === 'NoSuchObject') return [];
      throw error;
    }
  }

  async isGroupMember(userDn: string, groupDn: string): Promise<boolean> {
    try {
      const { searchEntries } = await this.client.search(userDn, {
        scope: 'base',
        filter: groupMemberFilter(groupDn),
        attributes: ['objectClass'],
      });
      return searchEntries.length > 0;
    } catch (error) {
      throw toDirectoryError(error, this.server, 'read');
    }
  }

  async readMemberOf(dn: string): Promise<string[]> {
    try {
      // memberOf is ranged like member when an object is in more than 1,500 groups.
      return await readAllValues(this.client, dn, 'memberOf');
    } catch (error) {
      throw toDirectoryError(error, this.server, 'read');
    }
  }

  /** All pages of a user search; any failure on the way makes the whole read fail. */
  private async searchUsers(
    baseDn: string,
    filter: Filter,
    scope: 'base' | 'sub' = 'sub',
  ): Promise<DirectoryEntry[]> {
    const entries: DirectoryEntry[] = [];
    for await (const page of this.searchUserPages(baseDn, filter, scope)) entries.push(...page);
    return entries;
  }

  /** The pages of a user search, one at a time; any failure on the way throws a DirectoryError. */
  private async *searchUserPages(
    baseDn: string,
    filter: Filter,
    scope: 'base' | 'sub' = 'sub',
  ): AsyncGenerator<DirectoryEntry[]> {
    let hideFlagInSchema: boolean;
    try {
      this.hideFlagInSchema ??= attributeInSchema(
        this.client,
        this.schemaNamingContext,
        'msExchHideFromAddressLists',
      );
      hideFlagInSchema = await this.hideFlagInSchema;
    } catch (error) {
      throw toDirectoryError(error, this.server, 'read');
    }
    const pages = this.client.searchPaginated(baseDn, {
      scope,
      filter,
      attributes: [...USER_ATTRIBUTES],
      explicitBufferAttributes: BINARY_ATTRIBUTES,
      paged: { pageSize: PAGE_SIZE },
    });
    // One page ahead: the next page is asked for as soon as this one has arrived, so that the DC builds it
    // while this one is converted and planned. A failure of that request is thrown where it is awaited.
    let ahead = pages.next();
    while (true) {
      let next: IteratorResult<{ searchEntries: Entry[] }>;
      try {
        next = await ahead;
      } catch (error) {
        throw toDirectoryError(error, this.server, 'read');
      }
      if (next.done) return;
      ahead = pages.next();
      ahead.catch(() => {});
      const entries: DirectoryEntry[] = [];
      try {
        for (const entry of next.value.searchEntries)
          entries.push(await this.toDirectoryEntry(entry, hideFlagInSchema));
      } catch (error) {
        throw toDirectoryError(error, this.server, 'read');
      }
      yield entries;
    }
  }

  async readSyncState(): Promise<DirectorySyncState> {
    try {
      const { searchEntries } = await this.client.search('', {
        scope: 'base',
        filter: '(objectClass=*)',
        attributes: ['highestCommittedUSN', 'dsServiceName'],
      });
      const dsServiceName = single(searchEntries[0]?.dsServiceName);
      const highestCommittedUsn = Number(single(searchEntries[0]?.highestCommittedUSN));
      if (!dsServiceName || !Number.isSafeInteger(highestCommittedUsn)) {
        throw new PartialReadError(`${this.server} did not return highestCommittedUSN and dsServiceName`);
      }
      const { searchEntries: settings } = await this.client.search(dsServiceName, {
        scope: 'base',
        filter: '(objectClass=*)',
        attributes: ['invocationId'],
        explicitBufferAttributes: ['invocationId'],
      });
      const invocationId = settings[0]?.invocationId;
      const bytes = Array.isArray(invocationId) ? invocationId[0] : invocationId;
      if (!Buffer.isBuffer(bytes))
        throw new PartialReadError(`${this.server} did not return its invocationId`);
      return { dsServiceName, invocationId: bytes.toString('hex'), highestCommittedUsn };
    } catch (error) {
      throw toDirectoryError(error, this.server, 'read');
    }
  }

  async probeDirSync(): Promise<DirSyncAccess> {
    const namingContext = this.rootDse.defaultNamingContext;
    if (!namingContext) return 'unsupported';
    try {
      // A DirSync search for an objectGUID no object has: it answers at once, with nothing, if allowed.
      await this.client.search(
        namingContext,
        {
          scope: 'sub',
          filter: new EqualityFilter({ attribute: 'objectGUID', value: Buffer.alloc(16) }),
          attributes: ['objectGUID'],
        },
        new DirSyncControl(),
      );
      return 'permitted';
    } catch (error) {
      if (error instanceof UnavailableCriticalExtensionError) return 'unsupported';
      // Any refusal by the server (insufficient access, unwilling to perform): the account may not use it.
      if (error instanceof ResultCodeError) return 'notPermitted';
      throw toDirectoryError(error, this.server, 'read');
    }
  }

  async *scopeGuidPages(baseDn: string): AsyncIterable<string[]> {
    const pages = this.client.searchPaginated(baseDn, {
      scope: 'sub',
      filter: userFilter(),
      attributes: ['objectGUID'],
      explicitBufferAttributes: BINARY_ATTRIBUTES,
      paged: { pageSize: PAGE_SIZE },
    });
    // One page ahead, as searchUserPages reads: the DC builds the next page while this one is taken in.
    let ahead = pages.next();
    while (true) {
      let next: IteratorResult<{ searchEntries: Entry[] }>;
      try {
        next = await ahead;
      } catch (error) {
        throw toDirectoryError(error, this.server, 'read');
      }
      if (next.done) return;
      ahead = pages.next();
      ahead.catch(() => {});
      try {
        yield next.value.searchEntries.map(guidOf);
      } catch (error) {
        throw toDirectoryError(error, this.server, 'read');
      }
    }
  }

  async readGroupMemberGuids(baseDn: string, groupDn: string): Promise<Set<string>> {
    try {
      return await this.searchGuids(baseDn, groupMemberFilter(groupDn));
    } catch (error) {
      throw toDirectoryError(error, this.server, 'read');
    }
  }

  /** The objectGUIDs a paged search of the subtree finds, all pages. */
  private async searchGuids(base: string, filter: Filter): Promise<Set<string>> {
    const guids = new Set<string>();
    for await (const page of this.client.searchPaginated(base, {
      scope: 'sub',
      filter,
      attributes: ['objectGUID'],
      explicitBufferAttributes: BINARY_ATTRIBUTES,
      paged: { pageSize: PAGE_SIZE },
    })) {
      for (const entry of page.searchEntries) guids.add(guidOf(entry));
    }
    return guids;
  }

  async searchGroups(baseDn: string, search: string, limit: number): Promise<DirectoryGroup[]> {
    const term = search.trim();
    const filter = new AndFilter({
      filters: [
        new EqualityFilter({ attribute: 'objectCategory', value: 'group' }),
        ...(term
          ? [
              new OrFilter({
                filters: ['cn', 'sAMAccountName', 'description'].map(
                  (attribute) => new SubstringFilter({ attribute, any: [term] }),
                ),
              }),
            ]
          : []),
      ],
    });
    try {
      // sizeLimit: the server stops at `limit` entries and ldapts returns them instead of failing.
      const { searchEntries } = await this.client.search(baseDn, {
        scope: 'sub',
        filter,
        attributes: ['cn', 'description'],
        sizeLimit: limit,
      });
      return searchEntries
        .map((entry) => {
          const description = single(entry.description);
          return {
            dn: entry.dn,
            name: single(entry.cn) ?? entry.dn,
            ...(description ? { description } : {}),
          };
        })
        .sort((a, b) => a.name.localeCompare(b.name));
    } catch (error) {
      throw toDirectoryError(error, this.server, 'read');
    }
  }

  async close(): Promise<void> {
    await this.client.unbind().catch(() => {});
  }

  private async toDirectoryEntry(entry: Entry, hideFlagInSchema: boolean): Promise<DirectoryEntry> {
    // AD ranges attributes with more than 1,500 values in search results too.
    const ranged = Object.keys(entry).some((name) => /^proxyAddresses;range=/i.test(name));
    return toDirectoryEntry(entry, {
      hideFlagInSchema,
      ...(ranged ? { proxyAddresses: await readAllValues(this.client, entry.dn, 'proxyAddresses') } : {}),
    });
  }
}

async function readRootDse(
  client: Client,
): Promise<{ rootDse: RootDse; schemaNamingContext: string | undefined }> {
  const { searchEntries } = await client.search('', {
    scope: 'base',
    filter: '(objectClass=*)',
    attributes: ['defaultNamingContext', 'namingContexts', 'dnsHostName', 'schemaNamingContext'],
  });
  const entry = searchEntries[0] ?? { dn: '' };
  const defaultNamingContext = single(entry.defaultNamingContext);
  const dnsHostName = single(entry.dnsHostName);
  return {
    rootDse: {
      ...(defaultNamingContext ? { defaultNamingContext } : {}),
      namingContexts: many(entry.namingContexts),
      ...(dnsHostName ? { dnsHostName } : {}),
    },
    schemaNamingContext: single(entry.schemaNamingContext),
  };
}

/**
 * Whether the schema defines an attribute (an attributeSchema object with this lDAPDisplayName that is not
 * defunct). Where the schema lacks an attribute, no entry has it and no search or filter on it says so: an
 * absent msExchHideFromAddressLists would read as "not hidden" for everyone; hence the check. A schema the
 * bind account may not read counts as lacking it.
 */
export async function attributeInSchema(
  client: Client,
  schemaNamingContext: string | undefined,
  lDAPDisplayName: string,
): Promise<boolean> {
  if (!schemaNamingContext) return false;
  try {
    const { searchEntries } = await client.search(schemaNamingContext, {
      scope: 'one',
      filter: new AndFilter({
        filters: [
          new EqualityFilter({ attribute: 'objectClass', value: 'attributeSchema' }),
          new EqualityFilter({ attribute: 'lDAPDisplayName', value: lDAPDisplayName }),
        ],
      }),
      attributes: ['isDefunct'],
    });
    return searchEntries.some((entry) => single(entry.isDefunct)?.toUpperCase() !== 'TRUE');
  } catch (error) {
    if (error instanceof NoSuchObjectError || error instanceof InsufficientAccessError) return false;
    throw error;
  }
}

/**
 * DirectoryReader over ldapts: LDAPS (or StartTLS) with certificate and host-name checks, connect and
 * operation timeouts always set, paged reads, range retrieval, transitive group membership, and every
 * failure translated once into a DirectoryError. Which DCs to try is `domain-controllers.ts`, the TLS rules
 * `tls-options.ts`, what a user read asks for `user-searches.ts`, the group searches `group-searches.ts`, a
 * group's members and the users' primary groups `group-member-searches.ts`.
 */
import { resolveSrv as resolveSrvRecords } from 'node:dns/promises';
import { type Entry, EqualityFilter, type Filter, GreaterThanEqualsFilter, OrFilter } from 'ldapts';
import type { ConnectionConfig } from '../../config/config-schema';
import type { AccountStanding } from '../../domain/account-lockout';
import type { DirectoryGroupEntry } from '../../domain/group';
import type { DirectoryEntry } from '../../domain/user';
import type { UserLookup } from '../../domain/user-lookup';
import {
  type DirectoryError,
  DiscoveryError,
  OutsideDomainError,
  PartialReadError,
  rephrase,
} from '../../errors';
import type {
  AccountNames,
  DirectoryGroup,
  DirectoryReader,
  DirectorySession,
  DirectorySyncState,
  DirSyncAccess,
  PrimaryGroupIds,
  RootDse,
  ServerAddress,
} from '../../ports/directory-reader';
import { readAccountStanding, readPdcEmulator } from './account-searches';
import {
  changedContainers,
  referencingFilter,
  untrackedAttributes,
  usersChangedSince,
} from './change-searches';
import { lookupErrorOf, toDirectoryError } from './directory-errors';
import { probeDirSync } from './dirsync-probe';
import { formatServer, resolveServers, type SrvResolver } from './domain-controllers';
import {
  isGroupMember,
  primaryGroupSearch,
  readGroupMemberGuids,
  readPrimaryGroupDn,
  toPrimaryGroupMembers,
} from './group-member-searches';
import {
  allGroupsFilter,
  groupGuidsFilter,
  groupSearch,
  nestedGroupsFilter,
  searchGroups,
  toGroupEntry,
} from './group-searches';
import { NotificationClient, watchNotifications } from './notification-search';
import { parseObjectGuid } from './object-guid';
import { pagesAhead } from './pages-ahead';
import { attributesCutShort, readAllValues } from './ranged-attribute';
import { readRootDse } from './root-dse';
import { attributeInSchema } from './schema-attributes';
import { tlsOptionsFor } from './tls-options';
import { guidOf, single, toDirectoryEntry } from './user-entry';
import {
  BINARY_ATTRIBUTES,
  FIRST_PAGE_SIZE,
  PAGE_SIZE,
  readAccountNames,
  USER_ATTRIBUTES,
  userFilter,
  userLookupFilter,
} from './user-searches';

export class LdapDirectoryReader implements DirectoryReader {
  constructor(private readonly resolveSrv: SrvResolver = resolveSrvRecords) {}

  resolveServers(connection: ConnectionConfig): Promise<ServerAddress[]> {
    return resolveServers(connection, this.resolveSrv);
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

export class LdapDirectorySession implements DirectorySession {
  /** Whether msExchHideFromAddressLists is in the schema: one small search, at the first user read. */
  private hideFlagInSchema: Promise<boolean> | undefined;
  /** The attributes attribute mapping reads (alsoRead), lower-cased. */
  private mapped: ReadonlySet<string> = new Set();

  /** A session over a connected client: `open` connects one (and a unit test gives one of its own). */
  constructor(
    readonly server: string,
    readonly rootDse: RootDse,
    private readonly schemaNamingContext: string | undefined,
    private readonly client: NotificationClient,
  ) {}

  /** Opens the TLS connection and reads the rootDSE (anonymously readable on every DC). */
  static async open(address: ServerAddress, connection: ConnectionConfig): Promise<LdapDirectorySession> {
    const server = formatServer(address);
    const timeout = connection.timeoutSeconds * 1000;
    const tlsOptions = tlsOptionsFor(address, connection);
    const ldaps = connection.encryption === 'ldaps';
    const client = new NotificationClient({
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
      const failure = lookupErrorOf(error, this.server, dn, `${what} ${dn}`);
      throw failure.code === 'NoSuchObject' && !(failure instanceof OutsideDomainError)
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

  alsoRead(attributes: readonly string[]): void {
    this.mapped = new Set(attributes.map((a) => a.toLowerCase()));
  }

  /** A read, any failure of it translated into a DirectoryError. */
  private async reading<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      throw toDirectoryError(error, this.server, 'read');
    }
  }

  readAccountNames(dns: readonly string[]): Promise<AccountNames[]> {
    return this.reading(() => readAccountNames(this.client, this.namingContext(), dns));
  }

  changedContainers(baseDn: string, sinceUsn: number): Promise<string[]> {
    return this.reading(() => changedContainers(this.client, baseDn, sinceUsn));
  }

  usersChangedSince(sinceUsn: number) {
    return this.reading(() => usersChangedSince(this.client, this.namingContext(), sinceUsn));
  }

  untrackedAttributes(attributes: readonly string[]): Promise<string[]> {
    return this.reading(() => untrackedAttributes(this.client, this.schemaNamingContext, attributes));
  }

  async usersReferencing(
    baseDn: string,
    attributes: readonly string[],
    dns: readonly string[],
  ): Promise<DirectoryEntry[]> {
    const entries: DirectoryEntry[] = [];
    // At most 100 values a search, as readUsersByGuid.
    const step = Math.max(1, Math.floor(100 / Math.max(1, attributes.length)));
    for (let i = 0; i < dns.length && attributes.length > 0; i += step) {
      entries.push(
        ...(await this.searchUsers(baseDn, referencingFilter(attributes, dns.slice(i, i + step)))),
      );
    }
    return entries;
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
      // No such object, or one outside the directory's domain (AD's referral): no such user here.
      if (toDirectoryError(error, this.server, 'read').code === 'NoSuchObject') return [];
      throw error;
    }
  }

  async isGroupMember(userDn: string, groupDn: string): Promise<boolean> {
    return this.reading(() => isGroupMember(this.client, this.namingContext(), userDn, groupDn));
  }

  async readPrimaryGroup(userDn: string): Promise<string | undefined> {
    return this.reading(() => readPrimaryGroupDn(this.client, this.namingContext(), userDn));
  }

  async readMemberOf(dn: string): Promise<string[]> {
    try {
      // memberOf is ranged like member when an object is in more than 1,500 groups.
      return await readAllValues(this.client, dn, 'memberOf');
    } catch (error) {
      throw lookupErrorOf(error, this.server, dn);
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
    const pages = this.client.searchPages(
      baseDn,
      {
        scope,
        filter,
        attributes: [...USER_ATTRIBUTES, ...this.mapped],
        explicitBufferAttributes: BINARY_ATTRIBUTES,
      },
      { first: FIRST_PAGE_SIZE, rest: PAGE_SIZE },
    );
    yield* pagesAhead(this.server, pages, async (searchEntries) => {
      const entries: DirectoryEntry[] = [];
      for (const entry of searchEntries) entries.push(await this.toDirectoryEntry(entry, hideFlagInSchema));
      return entries;
    });
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
    return probeDirSync(this.client, this.rootDse.defaultNamingContext);
  }

  async *scopeGuidPages(baseDn: string): AsyncIterable<string[]> {
    const pages = this.client.searchPaginated(baseDn, {
      scope: 'sub',
      filter: userFilter(),
      attributes: ['objectGUID'],
      explicitBufferAttributes: BINARY_ATTRIBUTES,
      paged: { pageSize: PAGE_SIZE },
    });
    yield* pagesAhead(this.server, pages, (entries) => entries.map(guidOf));
  }

  async readAccountStanding(objectGuid: string): Promise<AccountStanding | undefined> {
    const namingContext = this.namingContext();
    return this.reading(() => readAccountStanding(this.client, this.server, namingContext, objectGuid));
  }

  async readPdcEmulator(): Promise<string> {
    const namingContext = this.namingContext();
    return this.reading(() => readPdcEmulator(this.client, this.server, namingContext));
  }

  /** The domain's naming context (the rootDSE's defaultNamingContext); a DC naming none fails the read. */
  private namingContext(): string {
    const namingContext = this.rootDse.defaultNamingContext;
    if (!namingContext) throw new PartialReadError(`${this.server} named no defaultNamingContext`);
    return namingContext;
  }

  async readGroupMemberGuids(baseDn: string, groupDn: string): Promise<Set<string>> {
    return this.reading(() => readGroupMemberGuids(this.client, this.namingContext(), baseDn, groupDn));
  }

  async searchGroups(baseDn: string, search: string, limit: number): Promise<DirectoryGroup[]> {
    return this.reading(() => searchGroups(this.client, baseDn, search, limit));
  }

  primaryGroupPages(baseDn: string, rids?: PrimaryGroupIds, scope: 'base' | 'sub' = 'sub') {
    const search = this.client.searchPaginated(baseDn, primaryGroupSearch(scope, rids));
    return pagesAhead(this.server, search, toPrimaryGroupMembers);
  }

  async *groupGuidPages(baseDn: string, changedSinceUsn?: number): AsyncIterable<string[]> {
    // searchPages: a caller that needs only the first page (any group changed?) ends the search on the server.
    const pages = this.client.searchPages(
      baseDn,
      {
        scope: 'sub',
        filter: groupGuidsFilter(changedSinceUsn),
        attributes: ['objectGUID'],
        explicitBufferAttributes: BINARY_ATTRIBUTES,
      },
      { first: PAGE_SIZE, rest: PAGE_SIZE },
    );
    yield* pagesAhead(this.server, pages, (entries) => entries.map(guidOf));
  }

  async *groupPages(baseDn: string, roots?: readonly string[]): AsyncIterable<DirectoryGroupEntry[]> {
    const convert = async (entries: Entry[]) => {
      const groups: DirectoryGroupEntry[] = [];
      for (const entry of entries) groups.push(await toGroupEntry(this.client, entry));
      return groups;
    };
    if (roots === undefined) {
      yield* pagesAhead(
        this.server,
        this.client.searchPaginated(baseDn, groupSearch(allGroupsFilter(), 'sub')),
        convert,
      );
      return;
    }
    if (roots.length === 0) return;
    // The roots by their DN (each must be a group: a DN of anything else returns nothing), then what is nested.
    for (const root of roots) {
      const search = this.client.searchPaginated(root, groupSearch(allGroupsFilter(), 'base'));
      try {
        for await (const page of pagesAhead(this.server, search, convert)) yield page;
      } catch (error) {
        // A root that does not exist is no group: the caller names what asked for it (a rule, say).
        if ((error as DirectoryError).code !== 'NoSuchObject') throw error;
      }
    }
    yield* pagesAhead(
      this.server,
      this.client.searchPaginated(baseDn, groupSearch(nestedGroupsFilter(roots), 'sub')),
      convert,
    );
  }

  watchChanges(...[namingContext, onChange, options]: Parameters<DirectorySession['watchChanges']>) {
    return watchNotifications(this.client, this.server, namingContext, onChange, options);
  }

  async close(): Promise<void> {
    await this.client.unbind().catch(() => {});
  }

  private async toDirectoryEntry(entry: Entry, hideFlagInSchema: boolean): Promise<DirectoryEntry> {
    // AD ranges attributes with more than 1,500 values in search results too (proxyAddresses, a mapped
    // multi-valued attribute): their other values are read by range retrieval.
    const rangedValues = new Map<string, readonly string[]>();
    for (const attribute of attributesCutShort(entry)) {
      rangedValues.set(attribute.toLowerCase(), await readAllValues(this.client, entry.dn, attribute));
    }
    return toDirectoryEntry(entry, { hideFlagInSchema, mapped: this.mapped, rangedValues });
  }
}

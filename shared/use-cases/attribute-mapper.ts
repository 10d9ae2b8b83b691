/**
 * Attribute mapping in a run (docs/contract.md#attribute-mapping), a page at a time: the session asked for the
 * attributes the rules read, the DNs of `userName` rules (a manager) resolved to mapped user names (from the
 * users this read has seen, else read by DN from the directory, batched), then each user mapped
 * (domain/attribute-mapping.ts). A rule that fails on a user fails that user, never the page.
 */
import type { Config } from '../config/config-schema';
import { evaluateRuleExpression } from '../config/mapping-expression';
import { attributesRead } from '../config/mapping-rules';
import {
  type MappingConfig,
  MappingError,
  mapAttributes,
  mappedUserName,
  referencedDns,
} from '../domain/attribute-mapping';
import { isExpressionRule } from '../domain/attribute-rules';
import { type ExclusionReason, exclusionReasons, type ScopeContext } from '../domain/scope-policy';
import type { DirectoryEntry, MappedUser } from '../domain/user';
import { mapDirectoryUser } from '../domain/user-mapping';
import type { AccountNames, DirectorySession } from '../ports/directory-reader';

/** A user mapped, or why its mapping failed. */
export type MappingOutcome =
  | { readonly user: MappedUser; readonly failure?: undefined }
  | { readonly user?: undefined; readonly failure: MappingError };

/** A directory entry with the scope policy's verdict and, in scope, the user it maps to. */
export interface ScopedEntry {
  readonly entry: DirectoryEntry;
  reasons: readonly ExclusionReason[];
  user?: MappedUser;
  /** With `mappingFailed`: the field path and what failed (`mapping.attributes.dept: ...`). */
  failure?: string;
}

/** DNs and names remembered at most: beyond, a DN not remembered is read again (bounded memory). */
const MAX_REMEMBERED = 200_000;

export class AttributeMapper {
  /** Lower-cased DN -> the mapped user name of that account, or null when it has none (or is no user). */
  private readonly names = new Map<string, string | null>();
  private readonly resolvesNames: boolean;

  constructor(
    private readonly mapping: MappingConfig,
    private readonly session: Pick<DirectorySession, 'readAccountNames'>,
    private readonly clock?: () => number,
  ) {
    this.resolvesNames = Object.values(mapping.attributes).some(
      (rule) => !isExpressionRule(rule) && rule.transform === 'userName',
    );
  }

  /** The mapper of a configuration, with the session told which attributes to read. */
  static of(
    config: Pick<Config, 'mapping'>,
    session: DirectorySession,
    clock?: () => number,
  ): AttributeMapper {
    session.alsoRead(attributesRead(config.mapping.attributes));
    return new AttributeMapper(config.mapping, session, clock);
  }

  /**
   * Remembers the names of the users a read returned (in scope or not): a manager read in this run is not read
   * again. Call it with every page, before mapping its users.
   */
  remember(entries: readonly DirectoryEntry[]): void {
    if (!this.resolvesNames) return;
    for (const entry of entries) {
      if (this.names.size >= MAX_REMEMBERED) return;
      this.names.set(entry.distinguishedName.toLowerCase(), this.nameOf(entry));
    }
  }

  /**
   * A page through the scope policy, then the mapping of those in scope: each entry with its exclusion
   * reasons (`mappingFailed` when a rule failed on it, with the failure in words) and, in scope, its user.
   */
  async scopeAndMap(entries: readonly DirectoryEntry[], scope: ScopeContext): Promise<ScopedEntry[]> {
    const scoped: ScopedEntry[] = entries.map((entry) => ({
      entry,
      reasons: exclusionReasons(entry, scope),
    }));
    this.remember(entries);
    const candidates = scoped.filter((s) => s.reasons.length === 0);
    const outcomes = await this.map(candidates.map((s) => s.entry));
    outcomes.forEach((outcome, i) => {
      const slot = candidates[i] as ScopedEntry;
      if (outcome.user) slot.user = outcome.user;
      else {
        slot.reasons = ['mappingFailed'];
        slot.failure = outcome.failure.detailed;
      }
    });
    return scoped;
  }

  /** Each entry mapped, in order; the DNs its `userName` rules refer to are resolved first, in batches. */
  async map(entries: readonly DirectoryEntry[]): Promise<MappingOutcome[]> {
    if (this.resolvesNames) await this.resolve(entries.flatMap((e) => referencedDns(e, this.mapping)));
    const outcomes: MappingOutcome[] = [];
    for (const entry of entries) outcomes.push(await this.mapOne(entry));
    return outcomes;
  }

  private async mapOne(entry: DirectoryEntry): Promise<MappingOutcome> {
    try {
      const userName = mappedUserName(entry, this.mapping.userName);
      const attributes = await mapAttributes(entry, this.mapping, {
        userNameOf: (dn) => this.names.get(dn.toLowerCase()) ?? undefined,
        evaluate: evaluateRuleExpression,
        ...(this.clock ? { clock: this.clock } : {}),
      });
      return { user: mapDirectoryUser(entry, { userName, attributes }) };
    } catch (error) {
      if (error instanceof MappingError) return { failure: error };
      throw error;
    }
  }

  private nameOf(
    account: Pick<AccountNames, 'sAMAccountName' | 'userPrincipalName' | 'mail'>,
  ): string | null {
    const source = this.mapping.userName;
    return (source === 'sAMAccountName' ? account.sAMAccountName : account[source]?.trim()) || null;
  }

  /** Reads the accounts of the DNs not known yet (those that are no user stay unresolved: null). */
  private async resolve(dns: readonly string[]): Promise<void> {
    const unknown = [...new Set(dns.map((dn) => dn.toLowerCase()))].filter((dn) => !this.names.has(dn));
    if (unknown.length === 0) return;
    const original = new Map(dns.map((dn) => [dn.toLowerCase(), dn]));
    const found = await this.session.readAccountNames(unknown.map((dn) => original.get(dn) ?? dn));
    const resolved = new Map(found.map((a) => [a.distinguishedName.toLowerCase(), this.nameOf(a)]));
    if (this.names.size >= MAX_REMEMBERED) this.names.clear();
    for (const dn of unknown) this.names.set(dn, resolved.get(dn) ?? null);
  }
}

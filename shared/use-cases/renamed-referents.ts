/**
 * The users an incremental run maps again because a user their rules name may have been renamed. A `userName`
 * rule (a manager) maps a DN to the referenced user's mapped user name; when that user's name changes, the users
 * naming it keep their uSNChanged (nothing of theirs changed, or only a DN value the DC rewrote itself), so a
 * read of the changes alone would leave their field on the old name until the next full read. So, after the
 * read, the users under the base DN whose rule attributes hold the DN of such a user are read too (one search
 * per 100 values) and planned as any page:
 *
 * - a user in scope that the read found under another user name than the database holds (its old and new DN),
 *   or that the database does not hold yet (created: moved into the base DN, say, and renamed on the way);
 * - a user changed since the cursor that the database does not hold, so its old name is unknown: one outside
 *   the base DN (a manager elsewhere in the domain) or excluded by a filter (a disabled manager);
 * - a user a one-user sync renamed since the last clean run (the cursor's `renamedDns`).
 *
 * A DN alone changing (a move) changes no mapped value: the rule maps to the name, and the DC keeps DN-valued
 * attributes pointing at the moved object. So a user in scope whose name stayed is not looked for.
 */
import type { MappingConfig } from '../domain/attribute-mapping';
import { isExpressionRule } from '../domain/attribute-rules';
import type { GuidLedger } from '../domain/guid-ledger';
import type { PlannedChange } from '../domain/plan-sync';
import type { DirectoryEntry } from '../domain/user';
import type { DirectorySession } from '../ports/directory-reader';
import type { ReadScope } from './read-scope';
import type { StepTimer } from './run-report';

export class RenamedReferents {
  /** Lower-cased DN -> the DN, of each user whose referents are read again. */
  private readonly dns = new Map<string, string>();

  private constructor(
    private readonly attributes: readonly string[],
    private readonly baseDn: string,
    private readonly sinceUsn: number,
  ) {}

  /** The tracker of an incremental read, or undefined for a full read or when no rule maps a DN to a user name. */
  static of(
    mapping: MappingConfig,
    scope: Pick<ReadScope, 'baseDn' | 'incremental' | 'cursor'>,
  ): RenamedReferents | undefined {
    const since = scope.incremental?.since;
    if (since === undefined) return undefined;
    const attributes = new Set<string>();
    for (const rule of Object.values(mapping.attributes)) {
      if (isExpressionRule(rule) || rule.transform !== 'userName') continue;
      for (const name of rule.from) attributes.add(name.toLowerCase());
    }
    if (attributes.size === 0) return undefined;
    const referents = new RenamedReferents([...attributes].sort(), scope.baseDn, since);
    // Users a one-user sync renamed since the last clean run.
    referents.add(...(scope.cursor?.renamedDns ?? []));
    return referents;
  }

  /**
   * Takes a planned change: an update or a restore whose user name changed (its old and new DN are looked for),
   * or a create (a user new to the database, moved into the base DN say, may have been renamed on the way).
   */
  note(change: PlannedChange): void {
    if (change.action === 'create') this.add(change.target.distinguishedName);
    const existing = change.action === 'update' || change.action === 'restore';
    if (existing && change.current.userName !== change.target.userName)
      this.add(change.current.distinguishedName, change.target.distinguishedName);
  }

  /**
   * After the read (`read`: every user it returned, with its exclusion reasons): the users under the base DN
   * whose rule attributes hold a DN noted, or the DN of a user changed since the cursor that the read did not
   * map in scope; but those the read returned (they were mapped with the current names), each once. The
   * searches are counted in the run's `search` step.
   */
  async read(
    session: Pick<DirectorySession, 'usersReferencing' | 'usersChangedSince'>,
    read: Pick<GuidLedger, 'has' | 'reasonsOf'>,
    timer: Pick<StepTimer, 'time'>,
  ): Promise<DirectoryEntry[]> {
    const changed = await timer.time('search', () => session.usersChangedSince(this.sinceUsn));
    for (const user of changed) {
      if (read.reasonsOf(user.objectGuid)?.length !== 0) this.add(user.distinguishedName);
    }
    if (this.dns.size === 0) return [];
    const dns = [...this.dns.values()];
    this.dns.clear();
    const found = await timer.time('search', () =>
      session.usersReferencing(this.baseDn, this.attributes, dns),
    );
    const taken = new Set<string>();
    return found.filter((entry) => {
      if (read.has(entry.objectGuid) || taken.has(entry.objectGuid)) return false;
      taken.add(entry.objectGuid);
      return true;
    });
  }

  private add(...dns: (string | undefined)[]): void {
    for (const dn of dns) if (dn) this.dns.set(dn.toLowerCase(), dn);
  }
}

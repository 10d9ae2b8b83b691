/**
 * The users an incremental run maps again because a user their rules name was renamed. A `userName` rule (a
 * manager) maps a DN to the referenced user's mapped user name; when that user's name changes, the users naming
 * it keep their uSNChanged (nothing of theirs changed, or only a DN value the DC rewrote itself), so a read of
 * the changes alone would leave their field on the old name until the next full read. So when the read finds a
 * user whose mapped user name differs from the stored one, the users under the base DN whose rule attributes
 * hold its old or its new DN are read too (one search per 100 values) and planned as any page.
 *
 * A DN alone changing (a move) changes no mapped value: the rule maps to the name, and the DC keeps
 * DN-valued attributes pointing at the moved object. So only a changed name counts.
 */
import type { MappingConfig } from '../domain/attribute-mapping';
import { isExpressionRule } from '../domain/attribute-rules';
import type { DirectoryEntry } from '../domain/user';
import type { DirectorySession } from '../ports/directory-reader';
import type { StepTimer } from './run-report';

interface Named {
  readonly userName: string;
  readonly distinguishedName?: string | undefined;
}

export class RenamedReferents {
  /** Lower-cased DN -> the DN, of each renamed user, old and new. */
  private readonly dns = new Map<string, string>();

  private constructor(private readonly attributes: readonly string[]) {}

  /** The tracker of a mapping, or undefined when no rule maps a DN to a user name. */
  static of(mapping: MappingConfig): RenamedReferents | undefined {
    const attributes = new Set<string>();
    for (const rule of Object.values(mapping.attributes)) {
      if (isExpressionRule(rule) || rule.transform !== 'userName') continue;
      for (const name of rule.from) attributes.add(name.toLowerCase());
    }
    return attributes.size > 0 ? new RenamedReferents([...attributes].sort()) : undefined;
  }

  /** Takes an update or a restore: when the user's name changed, its old and new DN are to be looked for. */
  note(current: Named, target: Named): void {
    if (current.userName === target.userName) return;
    for (const dn of [current.distinguishedName, target.distinguishedName]) {
      if (dn) this.dns.set(dn.toLowerCase(), dn);
    }
  }

  /**
   * The users under the base DN whose rule attributes hold a DN noted since the last call, but those this run
   * has read already (`wasRead`: they were mapped with the new name), each once; the search counted in the
   * run's `search` step.
   */
  async read(
    session: Pick<DirectorySession, 'usersReferencing'>,
    baseDn: string,
    wasRead: (objectGuid: string) => boolean,
    timer: Pick<StepTimer, 'time'>,
  ): Promise<DirectoryEntry[]> {
    if (this.dns.size === 0) return [];
    const dns = [...this.dns.values()];
    this.dns.clear();
    const found = await timer.time('search', () => session.usersReferencing(baseDn, this.attributes, dns));
    const taken = new Set<string>();
    return found.filter((entry) => {
      if (wasRead(entry.objectGuid) || taken.has(entry.objectGuid)) return false;
      taken.add(entry.objectGuid);
      return true;
    });
  }
}

/**
 * Test Settings' listing of the group pass (docs/contract.md#privileges-by-group): each existing user whose
 * groups or group privileges would change becomes an `update` of the report, with the membership fields in
 * its `changedFields` and what its groups would give it, and why (`membership`).
 *
 *   the plan's changes of existing users, as they are planned (their objectGUIDs; the name a rename lists)
 *   -> the group pass's membership changes, a page at a time: merged into the user's update or restore
 *   already listed, left out for a user the plan deletes or suspends (listed so already, a withheld one too:
 *   the planner tells it, PlanSink.withheld) or whose change was left out (the report's cap: counted in
 *   `omitted` once, as that change), listed as an update otherwise, through the same bounded lists
 *   (REPORT_LIST_LIMIT; `omitted` counts the rest).
 *
 * The counts are not changed: a sync does not count its membership writes in `counts.updated` either (the
 * groups step says how many users' groups change). Memory: an objectGUID per planned change of an existing
 * user (a dry run with groups in use only), a name per rename, and a map of the listed entries' names (at most
 * REPORT_LIST_LIMIT); a membership is explained only for an entry listed.
 */
import type { MembershipIndex } from '../domain/group-membership';
import type { PlannedChange } from '../domain/plan-sync';
import type { ReportChange } from '../domain/report';
import type { MembershipChange } from '../ports/group-store';
import type { ReportLists } from './run-report';

const key = (userName: string): string => userName.toLowerCase();

export class MembershipPreview {
  /** The existing users the plan changes (objectGUIDs). */
  private readonly planned = new Set<string>();
  /** The name the plan lists a renamed user under, by objectGUID. */
  private readonly renamed = new Map<string, string>();
  /** Where the plan's entries are in the planned list, by user name; made when the pass starts. */
  private listedAt: Map<string, number> | undefined;

  constructor(private readonly lists: ReportLists) {}

  /** A change the plan made (Test Settings lists it): remembered when it is an existing user's. */
  plan(change: PlannedChange): void {
    if (!('current' in change)) return;
    const guid = change.current.objectGuid;
    if (!guid) return;
    this.planned.add(guid);
    if (key(change.userName) !== key(change.current.userName)) this.renamed.set(guid, change.userName);
  }

  /** A page of the group pass's membership changes, against the read's `index` (for why). */
  add(changes: readonly MembershipChange[], index: MembershipIndex): void {
    const { lists } = this;
    this.listedAt ??= new Map(lists.planned.map((entry, i) => [key(entry.userName), i]));
    for (const change of changes) {
      const guid = change.current.objectGuid ?? '';
      const at = this.listedAt.get(key(this.renamed.get(guid) ?? change.current.userName));
      const listed = at === undefined ? undefined : lists.planned[at];
      if (at !== undefined && (listed?.action === 'update' || listed?.action === 'restore')) {
        lists.planned[at] = withMembership(listed, change, index);
      } else if (!this.planned.has(guid) && !(listed && isRemoval(listed))) {
        // Left out beyond the cap: counted in `omitted`, not explained.
        lists.addChange(
          'planned',
          lists.full ? entryOf(change) : withMembership(entryOf(change), change, index),
        );
      }
    }
  }
}

const isRemoval = (entry: ReportChange): boolean => entry.action === 'delete' || entry.action === 'suspend';

/** An existing user's update of its membership fields only. */
const entryOf = ({ current, changedFields }: MembershipChange): ReportChange => ({
  action: 'update',
  userName: current.userName,
  fullName: current.fullName,
  emailAddresses: current.emailAddresses,
  changedFields,
});

/** An entry with the membership fields among its changed fields, and what the user's groups would give it. */
function withMembership(entry: ReportChange, change: MembershipChange, index: MembershipIndex): ReportChange {
  const membership = index.explain(change.current.distinguishedName ?? '');
  const added = change.changedFields.filter((f) => !entry.changedFields.includes(f));
  return { ...entry, changedFields: [...entry.changedFields, ...added], membership };
}

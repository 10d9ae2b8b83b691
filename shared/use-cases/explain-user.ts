/**
 * One directory user, decided as a sync decides it (docs/contract.md#explain-one-user): what
 * `GET /directory/users/{name}` answers, and the change `POST /sync/users/{name}` applies. Steps:
 *
 *   settle the base DN -> read the one user the name designates under it (409 several; none: the database's
 *   directory user of that name, found by objectGUID in the domain, one-user-leaver.ts) -> the selected groups'
 *   membership of this user (the sync's matching rule) -> exclusionReasons -> the mapping -> the database users
 *   it concerns (by objectGUID and name) -> planSync (in scope) or planDeletes (out of scope) -> in scope: what
 *   its groups give it (with groups in use, the groups read as a run reads them; without, nothing, so what an
 *   earlier configuration's groups gave is cleared as a full read clears it), written with its change as a
 *   run's group pass would (withMembershipFields) -> the explanation, with a detail per filter a person reads.
 *
 * The decisions are the sync's own (scope-policy.ts, user-mapping.ts, plan-sync.ts, plan-deletes.ts); this
 * module reads what they need for one user and words their verdicts, writing nothing. The deletion threshold,
 * a bound on a run's deletes, is left to the caller applying the change (a sync run).
 */
import type { Config } from '../config/config-schema';
import type { MappedAttributes } from '../domain/attribute-rules';
import { isAtOrUnder, leafName } from '../domain/distinguished-name';
import { type MembershipExplanation, NO_MEMBERSHIP } from '../domain/group-membership';
import type { BindPassword } from '../domain/password-binding';
import { deleteReason } from '../domain/plan-deletes';
import { withMembershipFields } from '../domain/plan-groups';
import { type ChangeAction, type PlannedChange, planSync, type UserField } from '../domain/plan-sync';
import { type ExclusionReason, exclusionReasons } from '../domain/scope-policy';
import {
  type DirectoryEntry,
  type MappedUser,
  type PublicUser,
  toPublicUser,
  type User,
} from '../domain/user';
import { describeLookup, parseUserLookup, type UserLookup } from '../domain/user-lookup';
import { emailAddressesOf } from '../domain/user-mapping';
import { AmbiguousNameError, NotFoundError } from '../errors';
import type { DirectoryReader, DirectorySession } from '../ports/directory-reader';
import type { UserStore } from '../ports/user-store';
import { AttributeMapper, type MappingOutcome } from './attribute-mapper';
import { withBoundSession } from './browse-directory';
import { CHAIN_LIMITS, groupChain } from './group-chain';
import { findWhereabouts, planRemoval, type RemovalVerdict } from './one-user-leaver';
import { baseDnOf } from './read-scope';
import { explainMembership } from './sync-groups';

/** The filters in the order of the scope policy (and of the exclusion reasons). */
export const FILTER_NAMES = [
  'exchangeUsersOnly',
  'enabledUsersOnly',
  'visibleInAddressListsOnly',
  'groups',
] as const;
export type FilterName = (typeof FILTER_NAMES)[number];

/** A filter's verdict as data: it let the user through, it excluded it, or it is off (it lets everyone through). */
export const FILTER_STATES = ['passed', 'failed', 'off'] as const;
export type FilterState = (typeof FILTER_STATES)[number];

export interface FilterVerdict {
  readonly filter: FilterName;
  /** True when the filter lets the user through (always, when it is off). */
  readonly passed: boolean;
  /** What a client decides on: `off`, or whether the filter let the user through. */
  readonly state: FilterState;
  /** What the filter found, in words: "off" when it is off. */
  readonly detail: string;
}

/** The attributes the sync reads of a user, as it reads them (the hide flag: absent where the schema lacks it). */
export interface ReadAttributes {
  readonly sAMAccountName: string;
  readonly userPrincipalName?: string;
  readonly displayName?: string;
  readonly cn?: string;
  readonly mail?: string;
  readonly proxyAddresses: readonly string[];
  readonly userAccountControl: number;
  readonly msExchHideFromAddressLists?: boolean;
}

/** What the sync would do with the user: a change's action, or none. */
export type PlannedAction = ChangeAction | 'none';

/** The answer of GET /directory/users/{name}. */
export interface UserExplanation {
  readonly distinguishedName: string;
  readonly objectGuid: string;
  readonly attributes: ReadAttributes;
  readonly filters: readonly FilterVerdict[];
  readonly inScope: boolean;
  /** The user the mapping makes of it, when in scope. */
  readonly mapped?: {
    readonly userName: string;
    readonly fullName: string;
    readonly emailAddresses: readonly string[];
    readonly attributes: MappedAttributes;
  };
  /** Set when a mapping rule fails on the user (`field`: its path): a run excludes it with `mappingFailed`. */
  readonly mappingFailed?: { readonly field: string; readonly detail: string };
  readonly plannedAction: PlannedAction;
  readonly changedFields: readonly UserField[];
  /** Why: a conflict's, an adoption's or a delete's reason, or why nothing is done. */
  readonly reason?: string;
  /** In scope, when the configuration uses groups: what its groups would give it, and why. */
  readonly membership?: MembershipExplanation;
  /** The user database's record of this user: by objectGUID, else the one holding its name (a conflict's other user). */
  readonly current?: PublicUser;
}

/** The explanation, and the change a one-user sync applies (none when the action is `none`). */
export interface OneUserPlan {
  readonly explanation: UserExplanation;
  readonly change?: PlannedChange;
  /** The user as read, and where it was read. */
  readonly entry: DirectoryEntry;
  readonly baseDn: string;
  /** Set when the entry lies outside the base DN: the database's user moved out of the scope (it left). */
  readonly outsideBaseDn?: true;
}

/**
 * A database user the name designates that the domain no longer has (deleted, or no longer readable): the
 * removal a full run's sweep would plan for it, or none and why.
 */
export interface GoneUserPlan extends RemovalVerdict {
  readonly gone: User;
  readonly baseDn: string;
}

export interface OneUserInput {
  /** A bound session. */
  readonly session: DirectorySession;
  readonly config: Config;
  readonly users: Pick<UserStore, 'findUsers'>;
  /** The time a grace period is measured at. */
  readonly now: Date;
  /** sAMAccountName, userPrincipalName, distinguished name or objectGUID. */
  readonly name: string;
}

/** The exclusion reason each filter gives (scope-policy.ts): a filter passed when its reason is absent. */
export const REASON_OF: Readonly<Record<FilterName, ExclusionReason>> = {
  exchangeUsersOnly: 'noEmailAddress',
  enabledUsersOnly: 'disabled',
  visibleInAddressListsOnly: 'hiddenFromAddressLists',
  groups: 'notInSelectedGroups',
};

/** userAccountControl ACCOUNTDISABLE (as scope-policy.ts tests it), for the detail's words. */
const ACCOUNTDISABLE = 0x2;

/**
 * Reads and decides one user; see the module comment. A name with no user under the base DN is looked for in
 * the user database (one-user-leaver.ts): renamed in the scope, decided from its entry; moved out or gone, a
 * leaver. NotFoundError when neither holds such a directory user, AmbiguousNameError for several.
 */
export async function decideOneUser(input: OneUserInput): Promise<OneUserPlan | GoneUserPlan> {
  const { session, config } = input;
  const baseDn = baseDnOf(config, session);
  await session.assertExists(baseDn, 'the base DN');
  const mapper = AttributeMapper.of(config, session);
  const lookup = parseUserLookup(input.name);
  const read = await readOneUser(session, baseDn, lookup);
  const where = read ? undefined : await findWhereabouts(session, input.users, baseDn, lookup);
  if (where?.kind === 'gone') {
    const why = `${deleteReason()}: no user in the domain has its objectGUID ${where.user.objectGuid}`;
    return { ...planRemoval(config, where.user, input.now, why), gone: where.user, baseDn };
  }
  const entry = read ?? where?.entry;
  if (!entry)
    throw new NotFoundError(`No directory user with the ${describeLookup(lookup)} ${notUnder(baseDn)}`);

  // The sync reads the selected groups' members; for one user, each group is asked about this user only.
  const memberOf: string[] = [];
  for (const group of config.filters.groups) {
    await session.assertExists(group, 'the selected group');
    if (await session.isGroupMember(entry.distinguishedName, group)) memberOf.push(group);
  }
  const reasons = exclusionReasons(entry, {
    filters: config.filters,
    groupMemberGuids: new Set(memberOf.length > 0 ? [entry.objectGuid] : []),
  });
  const filters = await filterVerdicts(session, entry, config, memberOf, reasons);
  const base = {
    distinguishedName: entry.distinguishedName,
    objectGuid: entry.objectGuid,
    attributes: attributesOf(entry),
    filters,
  };

  const scoped = { ...input, baseDn, entry, base };
  if (where?.kind === 'movedOut') {
    // It left the scope as a full read finds it: not returned under the base DN, whatever its filters say.
    const why = `${deleteReason()}: moved out of the base DN, to ${entry.distinguishedName}`;
    const { change, ...verdict } = planRemoval(config, where.user, input.now, why);
    const current = toPublicUser(where.user);
    const explanation = { ...base, inScope: false, changedFields: [], ...verdict, current };
    return { explanation, ...(change ? { change } : {}), entry, baseDn, outsideBaseDn: true };
  }
  if (reasons.length > 0) return planOutOfScope(scoped, reasons);
  const [outcome] = (await mapper.map([entry])) as [MappingOutcome];
  if (outcome.user) return planInScope(scoped, outcome.user);
  const { path, detail, detailed } = outcome.failure;
  const reason = `${detailed}; a run excludes the user (mappingFailed) and leaves its record as it is`;
  const none = { plannedAction: 'none', changedFields: [], reason } as const;
  const mappingFailed = { field: path, detail };
  return { explanation: { ...base, inScope: false, mappingFailed, ...none }, entry, baseDn };
}

/** What planOneUser has read and worked out before it decides: the user, where, and the filters' verdicts. */
interface ReadUser extends OneUserInput {
  readonly baseDn: string;
  readonly entry: DirectoryEntry;
  readonly base: Pick<UserExplanation, 'distinguishedName' | 'objectGuid' | 'attributes' | 'filters'>;
}

/** In scope: planSync of the mapped user against the database users it concerns, as a run's page. */
async function planInScope(
  { session, config, users, baseDn, entry, base }: ReadUser,
  target: MappedUser,
): Promise<OneUserPlan> {
  const current = await users.findUsers([target.objectGuid], [target.userName]);
  let [change] = planSync({ inScope: [target], excluded: new Map(), current, readComplete: false }).changes;
  if (change?.action === 'conflict' && change.undecided) {
    // The name's holder is a directory user this read did not return: one search by its objectGUID tells.
    const holder = current.find((u) => u.userName.toLowerCase() === target.userName.toLowerCase());
    const guid = holder?.objectGuid as string;
    const exists = (await session.readUsersByGuid(baseDn, [guid])).length > 0;
    [change] = planSync({
      inScope: [target],
      excluded: new Map(exists ? [[guid, []]] : []),
      current,
      readComplete: false,
      deletedInDirectory: new Set(exists ? [] : [guid]),
    }).changes;
  }
  if (!change) throw new Error('planSync planned nothing for a user in scope');
  const membership = await explainMembership(session, config, baseDn, entry.distinguishedName);
  // A one-user sync has no group pass: the user's groups and group privileges go with its change. Without
  // groups in use they give nothing: a full read's pass clears what an earlier configuration left (its `groups`
  // step), and so does this, from the user's own record (no read of the pass's mark; no write when it holds none).
  change = withMembershipFields(change, membership ?? NO_MEMBERSHIP, target);
  // The record the change concerns; else the one with this objectGUID; else a conflict's name holder.
  const record =
    ('current' in change ? change.current : undefined) ??
    current.find((u) => u.authentication === 'directoryServices' && u.objectGuid === entry.objectGuid) ??
    current.find((u) => u.userName.toLowerCase() === target.userName.toLowerCase());
  return {
    explanation: {
      ...base,
      inScope: true,
      mapped: {
        userName: target.userName,
        fullName: target.fullName,
        emailAddresses: target.emailAddresses,
        attributes: target.attributes ?? {},
      },
      plannedAction: change.action,
      changedFields: change.changedFields,
      ...(change.reason ? { reason: change.reason } : {}),
      ...(membership ? { membership } : {}),
      ...(record ? { current: toPublicUser(record) } : {}),
    },
    change,
    entry,
    baseDn,
  };
}

/** Out of scope: the database's directory user with this objectGUID, if any, deleted or suspended. */
async function planOutOfScope(
  { config, users, now, baseDn, entry, base }: ReadUser,
  reasons: readonly ExclusionReason[],
): Promise<OneUserPlan> {
  // Out of scope: the database's directory user with this objectGUID is deleted (or suspended), as a sync's
  // sweep would; the threshold is the run's (see the module comment), so this one delete is let through it.
  const found = await users.findUsers([entry.objectGuid], [entry.sAMAccountName]);
  const known = found.find(
    (u) => u.authentication === 'directoryServices' && u.objectGuid === entry.objectGuid,
  );
  const outOfScope = { ...base, inScope: false };
  if (!known) {
    // A user of the same name is another one (a local user, another directory object): never this one's.
    const namesake = found.find((u) => u.userName.toLowerCase() === entry.sAMAccountName.toLowerCase());
    const other = namesake
      ? `; the user database's ${namesake.userName} is ${namesake.authentication === 'local' ? 'a local user' : 'another directory object'}, left as it is`
      : '';
    return {
      explanation: {
        ...outOfScope,
        plannedAction: 'none',
        changedFields: [],
        reason: `out of scope (${reasons.join(', ')}) and not in the user database: nothing to do${other}`,
      },
      entry,
      baseDn,
    };
  }
  const { plannedAction, change, reason } = planRemoval(config, known, now, deleteReason(reasons));
  return {
    explanation: { ...outOfScope, plannedAction, changedFields: [], reason, current: toPublicUser(known) },
    ...(change ? { change } : {}),
    entry,
    baseDn,
  };
}

/**
 * The one user's plan when the directory has it (see decideOneUser): a database user gone from the domain
 * has no entry to explain, so it is NotFound here, with what a one-user sync would do with it.
 */
export async function planOneUser(input: OneUserInput): Promise<OneUserPlan> {
  const plan = await decideOneUser(input);
  if (!('gone' in plan)) return plan;
  const { gone, plannedAction, reason } = plan;
  throw new NotFoundError(
    `No directory user with the ${describeLookup(parseUserLookup(input.name))} ${notUnder(plan.baseDn)}, ` +
      `and none in the domain has the objectGUID of the user database's ${gone.userName} ` +
      `(${gone.objectGuid}): a one-user sync plans ${plannedAction === 'none' ? 'nothing' : `to ${plannedAction} it`} (${reason})`,
  );
}

/**
 * GET /directory/users/{name}: connects and binds as the sync account (the saved configuration and
 * password, as the pickers do), and explains the one user. Commits nothing.
 */
export async function explainUser(
  directory: DirectoryReader,
  config: Config,
  password: BindPassword | undefined,
  users: Pick<UserStore, 'findUsers'>,
  now: Date,
  name: string,
): Promise<UserExplanation> {
  return withBoundSession(directory, config, password, async (session) => {
    const { explanation } = await planOneUser({ session, config, users, now, name });
    return explanation;
  });
}

const notUnder = (baseDn: string) => `under the base DN ${baseDn}`;

/** The one user the name designates under the base DN; undefined when there is none (a DN outside it, say). */
async function readOneUser(
  session: DirectorySession,
  baseDn: string,
  lookup: UserLookup,
): Promise<DirectoryEntry | undefined> {
  if (lookup.kind === 'distinguishedName' && !isAtOrUnder(lookup.distinguishedName, baseDn)) return undefined;
  const entries = await session.findUserEntries(baseDn, lookup);
  const [entry] = entries;
  if (!entry) return undefined;
  if (entries.length > 1) {
    const name = lookup.kind === 'accountName' ? lookup.name : describeLookup(lookup);
    throw new AmbiguousNameError(
      `${JSON.stringify(name)} names ${entries.length} directory users (a sAMAccountName of one is the ` +
        `userPrincipalName of another): ask by distinguished name or objectGUID`,
      entries.map((e) => e.distinguishedName),
    );
  }
  return entry;
}

function attributesOf(entry: DirectoryEntry): ReadAttributes {
  return {
    sAMAccountName: entry.sAMAccountName,
    ...(entry.userPrincipalName ? { userPrincipalName: entry.userPrincipalName } : {}),
    ...(entry.displayName ? { displayName: entry.displayName } : {}),
    ...(entry.cn ? { cn: entry.cn } : {}),
    ...(entry.mail ? { mail: entry.mail } : {}),
    proxyAddresses: entry.proxyAddresses,
    userAccountControl: entry.userAccountControl,
    ...(entry.hiddenFromAddressLists !== undefined
      ? { msExchHideFromAddressLists: entry.hiddenFromAddressLists }
      : {}),
  };
}

/**
 * Each filter's verdict in words. Whether it passed is what exclusionReasons decided (so the explanation
 * never disagrees with a sync); the detail names the values behind it.
 */
async function filterVerdicts(
  session: DirectorySession,
  entry: DirectoryEntry,
  config: Config,
  memberOf: readonly string[],
  reasons: readonly ExclusionReason[],
): Promise<FilterVerdict[]> {
  const { filters } = config;
  const verdict = (filter: FilterName, on: boolean, detail: () => string): FilterVerdict => {
    if (!on) return { filter, passed: true, state: 'off', detail: 'off' };
    const passed = !reasons.includes(REASON_OF[filter]);
    return { filter, passed, state: passed ? 'passed' : 'failed', detail: detail() };
  };
  const addresses = emailAddressesOf(entry);
  const disabled = (entry.userAccountControl & ACCOUNTDISABLE) !== 0;
  const groupNames = filters.groups.map(leafName).join(', ');
  const chain =
    filters.groups.length > 0 && memberOf.length > 0
      ? await groupChain(session, entry.distinguishedName, filters.groups)
      : undefined;
  return [
    verdict('exchangeUsersOnly', filters.exchangeUsersOnly, () => emailDetail(entry, addresses)),
    verdict(
      'enabledUsersOnly',
      filters.enabledUsersOnly,
      () =>
        `userAccountControl ${entry.userAccountControl} (0x${(entry.userAccountControl >>> 0).toString(16)}): ` +
        `ACCOUNTDISABLE is ${disabled ? 'set (the account is disabled)' : 'not set (the account is enabled)'}`,
    ),
    verdict('visibleInAddressListsOnly', filters.visibleInAddressListsOnly, () =>
      entry.hiddenFromAddressLists
        ? 'msExchHideFromAddressLists is TRUE: hidden from address lists'
        : 'msExchHideFromAddressLists is not TRUE: visible in address lists',
    ),
    verdict('groups', filters.groups.length > 0, () => {
      if (memberOf.length === 0) return `member of none of: ${groupNames}`;
      if (chain) {
        const [first, ...rest] = chain.groups.map(leafName);
        const direct = chain.primary ? `${first} (primary group)` : first;
        return `member through ${[direct, ...rest].join(' → ')}`;
      }
      return (
        `member of ${memberOf.map(leafName).join(', ')} (through groups nested deeper than the ` +
        `${CHAIN_LIMITS.maxDepth} levels or ${CHAIN_LIMITS.maxGroups} groups shown)`
      );
    }),
  ];
}

function emailDetail(entry: DirectoryEntry, addresses: readonly string[]): string {
  const smtp = entry.proxyAddresses.filter((p) => /^smtp:/i.test(p));
  const [first] = addresses;
  if (first !== undefined) {
    const fromMail = entry.mail !== undefined && entry.mail.trim().toLowerCase() === first;
    return fromMail
      ? `mail: ${entry.mail}`
      : `SMTP proxy address: ${first} (mail is empty or not an address)`;
  }
  const mail =
    entry.mail === undefined ? 'mail is empty' : `mail ${JSON.stringify(entry.mail)} is not an address`;
  const proxies =
    smtp.length > 0
      ? `no SMTP proxy address is an address (${smtp.length} found)`
      : entry.proxyAddresses.length > 0
        ? `proxyAddresses has no SMTP address (only ${entry.proxyAddresses.length} of other types)`
        : 'proxyAddresses is empty';
  return `no e-mail address: ${mail} and ${proxies}`;
}

/**
 * The keys of every item kind in the one table (docs/data-model.md), in one place: the stores build their
 * keys here, the CDK stack grants each function the partition keys of the kinds it may touch
 * (`dynamodb:LeadingKeys`, from `leadingKeys`), and the benchmark writes user items with them. A prefix
 * changed here changes everywhere at once. The attribute names are tableKeys' (table.ts).
 */
import { tableKeys } from './table';

const { partitionKey: PK, sortKey: SK, byGuid, byKind } = tableKeys;

/** The fixed partition keys of the one-of-a-kind items. */
const CONFIG = 'CONFIG';
const LOCK = 'LOCK';
const CURSOR = 'CURSOR';
const CHECKPOINT = 'CHECKPOINT';
const WATCH = 'WATCH';
const SUCCESS = 'SUCCESS';

/** Partition key prefixes of the item kinds there are many of. */
const USER = 'USER#';
const PASSWORD = 'PASSWORD#';
const ARCHIVE = 'ARCHIVE#';
const RUN = 'RUN#';
const PREVIEW = 'PREVIEW#';
const HANDOFF = 'HANDOFF#';
const OCCURRENCE = 'SCHEDULE#';
const GUID = 'GUID#';
const LOGON = 'LOGON#';
const GROUP = 'GROUP#';
const ALERT = 'ALERT#';

/** The sort key of handoff items: the table's stream delivers their inserts to the sync function. */
export const HANDOFF_SORT_KEY = 'HANDOFF';

/**
 * Every item kind by its partition key, as an IAM `dynamodb:LeadingKeys` pattern (`StringLike`: `*` is
 * any text). Password hashes of local users are a kind of their own, in a table of their own (the credentials
 * table, table.ts), so that reads of users, and the one table's stream, never carry them.
 */
export const itemKinds = {
  user: `${USER}*`,
  password: `${PASSWORD}*`,
  archiveFolder: `${ARCHIVE}*`,
  run: `${RUN}*`,
  preview: `${PREVIEW}*`,
  config: CONFIG,
  lock: LOCK,
  cursor: CURSOR,
  checkpoint: CHECKPOINT,
  watch: WATCH,
  success: SUCCESS,
  handoff: `${HANDOFF}*`,
  occurrence: `${OCCURRENCE}*`,
  logon: `${LOGON}*`,
  group: `${GROUP}*`,
  alert: `${ALERT}*`,
} as const;

export type ItemKind = keyof typeof itemKinds;

/** The `dynamodb:LeadingKeys` patterns of these item kinds. */
export const leadingKeys = (...kinds: readonly ItemKind[]): string[] => kinds.map((kind) => itemKinds[kind]);

/** Values of the kind index (gsi2) partition key: the items of one kind, in order. */
export const kindIndex = { users: 'USERS', runs: 'RUNS', archives: 'ARCHIVES', groups: 'GROUPS' } as const;

/** A user: its key is the lower-cased name, so names are unique case-insensitively. */
/** The sort key of user items: with their partition keys' prefix, the pipe's filter tells them apart. */
export const USER_SORT_KEY = 'USER';
export const userKey = (userName: string) => ({
  [PK]: `${USER}${userName.toLowerCase()}`,
  [SK]: USER_SORT_KEY,
});

/** Whether a partition key is a user's. */
export const isUserPartitionKey = (pk: string): boolean => pk.startsWith(USER);

/** The index keys of a user item: by objectGUID (directory users only) and by name. */
export const userIndexKeys = (userName: string, objectGuid?: string) => ({
  ...(objectGuid ? guidIndexKey(objectGuid) : {}),
  [byKind.partitionKey]: kindIndex.users,
  [byKind.sortKey]: userName.toLowerCase(),
});

/** The guid index (gsi1) key of a directory user. */
export const guidIndexKey = (objectGuid: string) => ({
  [byGuid.partitionKey]: `${GUID}${objectGuid}`,
  [byGuid.sortKey]: 'USER',
});

/**
 * A local user's password hash: an item of its own in the credentials table (no stream, no index), that only
 * the users function writes. Hashes saved before that table existed are such items in the one table.
 */
export const passwordKey = (userName: string) => ({
  [PK]: `${PASSWORD}${userName.toLowerCase()}`,
  [SK]: 'PASSWORD',
});

export const archiveFolderKey = (folderId: string) => ({
  [PK]: `${ARCHIVE}${folderId}`,
  [SK]: 'ARCHIVE',
});

/** Sort keys under a run's partition: the summary, and the chunks of its lists. */
export const RUN_SUMMARY_SORT_KEY = 'REPORT';
export type RunChunkKind = 'CHANGES' | 'EXCLUDED';
export const runChunkSortKey = (kind: RunChunkKind, index: number): string =>
  `${kind}#${String(index).padStart(6, '0')}`;
export const isRunChunkOf = (kind: RunChunkKind, sk: string): boolean => sk.startsWith(`${kind}#`);

export const runKey = (runId: string, sk: string = RUN_SUMMARY_SORT_KEY) => ({
  [PK]: `${RUN}${runId}`,
  [SK]: sk,
});

/** A Test Settings preview: a summary and chunks as a run has, in no index (previews are not runs). */
export const previewKey = (previewId: string, sk: string = RUN_SUMMARY_SORT_KEY) => ({
  [PK]: `${PREVIEW}${previewId}`,
  [SK]: sk,
});

/** The kind index keys of a run summary: newest first by start time. */
export const runIndexKeys = (startedAt: string, runId: string) => ({
  [byKind.partitionKey]: kindIndex.runs,
  [byKind.sortKey]: `${startedAt}#${runId}`,
});

/** An alert the schedule raised (a stale sync), by the id of its event: written once, its insert is the event. */
export const alertKey = (eventId: string) => ({ [PK]: `${ALERT}${eventId}`, [SK]: 'ALERT' });

/** Whether a partition key is an alert's. */
export const isAlertPartitionKey = (pk: string): boolean => pk.startsWith(ALERT);

/** Whether a partition key is a run's. */
export const isRunPartitionKey = (pk: string): boolean => pk.startsWith(RUN);

export const configKey = { [PK]: CONFIG, [SK]: 'CURRENT' } as const;
/** The last run that succeeded for the whole directory (the stale rules' origin): one item, kept apart from the runs. */
export const lastSuccessKey = { [PK]: SUCCESS, [SK]: 'SYNC' } as const;
export const lockKey = { [PK]: LOCK, [SK]: 'SYNC' } as const;
export const cursorKey = { [PK]: CURSOR, [SK]: 'SYNC' } as const;

/** The change watch's state (docs/contract.md#changes-in-seconds): one item. */
export const watchKey = { [PK]: WATCH, [SK]: 'STATUS' } as const;
export const checkpointKey = { [PK]: CHECKPOINT, [SK]: 'SYNC' } as const;

/** The item that asks for this invocation of a run. */
export const handoffKey = ({ runId, invocation }: { runId: string; invocation: number }) => ({
  [PK]: `${HANDOFF}${runId}#${invocation}`,
  [SK]: HANDOFF_SORT_KEY,
});

/** The claim of a scheduled occurrence or of a continuation (a duplicated delivery finds it taken). */
export const occurrenceKey = (occurrence: string) => ({
  [PK]: `${OCCURRENCE}${occurrence}`,
  [SK]: 'OCCURRENCE',
});

/**
 * The failed logons of a user name in a row (POST /logon's lockout safety): keyed by the lower-cased name, as
 * users are, so `Alice` and `alice` share one count; names nobody has get one too (a refusal reveals nothing).
 */
export const logonAttemptsKey = (userName: string) => ({
  [PK]: `${LOGON}${userName.toLowerCase()}`,
  [SK]: 'LOGON',
});

/**
 * A synchronized group, keyed by its objectGUID (a rename in AD keeps the item); its direct members are in
 * chunks under the same partition (`MEMBERS#000000`...), so a group of any size stays under the item limit.
 */
export const GROUP_SORT_KEY = 'GROUP';
export const groupKey = (objectGuid: string, sk: string = GROUP_SORT_KEY) => ({
  [PK]: `${GROUP}${objectGuid}`,
  [SK]: sk,
});
/**
 * The mark that the database may hold what a group pass wrote (groups, users' group fields): put before a pass
 * writes anything, removed by a pass that left nothing. A run without groups reads it (one key) instead of
 * listing the users. Under a group partition (no objectGUID is `MARK`), without index keys or a `GROUP` sort
 * key: no group listing, event or filter sees it.
 */
export const groupDataMarkKey = () => groupKey('MARK', 'MARK');
const MEMBERS = 'MEMBERS#';
export const groupMembersSortKey = (index: number): string => `${MEMBERS}${String(index).padStart(6, '0')}`;
export const isGroupMembersSortKey = (sk: string): boolean => sk.startsWith(MEMBERS);
/** The index of a member chunk from its sort key. */
export const groupMembersIndexOf = (sk: string): number => Number(sk.slice(MEMBERS.length));

/** Whether a partition key is a group's. */
export const isGroupPartitionKey = (pk: string): boolean => pk.startsWith(GROUP);

/** The kind index keys of a group: in name order (lower-cased). */
export const groupIndexKeys = (name: string) => ({
  [byKind.partitionKey]: kindIndex.groups,
  [byKind.sortKey]: name.toLowerCase(),
});

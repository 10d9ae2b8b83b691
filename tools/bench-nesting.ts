/**
 * The memberships' resolution in memory (shared/domain/group-membership.ts), without a directory: groups
 * generated a page at a time, every user's membership asked as the group pass asks it, then the synchronized
 * groups with their members. One shape per process, so its peak RSS is its own:
 *
 *   npx tsx tools/bench-nesting.ts bench   # 100,000 users in 10,000 groups, 1,000,000 memberships, the bench's nesting
 *   npx tsx tools/bench-nesting.ts cycle   # 6,000 groups in one nesting cycle, a user in each
 *   npx tsx tools/bench-nesting.ts chain   # 10,000 groups each nested in the next, a user in each
 *   npx tsx tools/bench-nesting.ts dense   # 1,400 groups each nested in every later one (~1,000,000 nestings)
 *
 * Prints the time (wall and CPU), the groups the users got in all (the output's size), the peak RSS of the
 * process and, run as `node --expose-gc --import tsx tools/bench-nesting.ts <shape>`, the heap still in use.
 */
import type { DirectoryGroupEntry } from '../shared/domain/group';
import { MembershipIndex } from '../shared/domain/group-membership';

const BASE = 'OU=Groups,DC=bench,DC=local';
const PAGE = 1000;
const groupDn = (g: number): string => `CN=Group ${g},${BASE}`;
const userDn = (u: number): string => `CN=User ${u},OU=Staff,DC=bench,DC=local`;

interface Shape {
  readonly groups: number;
  readonly users: number;
  /** The direct members (DNs) of group g. */
  readonly membersOf: (g: number) => string[];
}

const SHAPES: Record<string, Shape> = {
  // tools/bench-groups.ts: 100 users a group, every tenth group holding the one before, 9 and 10 each other.
  bench: {
    groups: 10_000,
    users: 100_000,
    membersOf: (g) => [
      ...Array.from({ length: 100 }, (_, k) => userDn(((g - 1) * 100 + k) % 100_000)),
      ...(g % 10 === 0 ? [groupDn(g - 1)] : []),
      ...(g === 9 ? [groupDn(10)] : []),
    ],
  },
  cycle: {
    groups: 6_000,
    users: 6_000,
    membersOf: (g) => [groupDn((g % 6_000) + 1), userDn(g - 1)],
  },
  chain: {
    groups: 10_000,
    users: 10_000,
    membersOf: (g) => [...(g > 1 ? [groupDn(g - 1)] : []), userDn(g - 1)],
  },
  dense: {
    groups: 1_400,
    users: 100,
    membersOf: (g) => [
      ...Array.from({ length: g - 1 }, (_, k) => groupDn(k + 1)),
      ...(g % 14 === 0 ? [userDn(g / 14 - 1)] : []),
    ],
  },
};

function* pagesOf(shape: Shape): Generator<DirectoryGroupEntry[]> {
  for (let first = 1; first <= shape.groups; first += PAGE) {
    const page: DirectoryGroupEntry[] = [];
    for (let g = first; g < Math.min(first + PAGE, shape.groups + 1); g += 1)
      page.push({
        objectGuid: `00000000-0000-4000-9000-${String(g).padStart(12, '0')}`,
        distinguishedName: groupDn(g),
        sAMAccountName: `group${g}`,
        proxyAddresses: [],
        groupType: -2147483646,
        members: shape.membersOf(g),
      });
    yield page;
  }
}

const name = process.argv[2] ?? 'bench';
const shape = SHAPES[name];
if (!shape) throw new Error(`no shape ${name}: ${Object.keys(SHAPES).join(', ')}`);
const started = performance.now();
const cpuStarted = process.cpuUsage();
const index = new MembershipIndex({ all: true }, [
  { group: groupDn(shape.groups), privileges: ['exportEmail'], ownArchiveAccess: [] },
]);
for (const page of pagesOf(shape)) index.add(page);
let groupsOfUsers = 0;
for (let u = 0; u < shape.users; u += 1) groupsOfUsers += index.membershipOf(userDn(u)).groups.length;
const resolved = performance.now();
let chunks = 0;
for (const chunk of index.synchronizedChunks(() => undefined, 500)) chunks += chunk.length;
const ended = performance.now();
const cpu = process.cpuUsage(cpuStarted);
// With --expose-gc: what the index holds once the garbage is collected.
(globalThis as { gc?: () => void }).gc?.();
const mb = (bytes: number): number => Math.round(bytes / 1024 / 1024);
console.log(
  `${name}: ${shape.groups} groups, ${shape.users} users: memberships ${Math.round(resolved - started)} ms ` +
    `(${groupsOfUsers} groups in all), synchronized groups ${Math.round(ended - resolved)} ms (${chunks}), ` +
    `CPU ${Math.round((cpu.user + cpu.system) / 1000)} ms, peak RSS ${mb(process.resourceUsage().maxRSS * 1024)} MB, ` +
    `heap and buffers after GC ${mb(process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers)} MB ` +
    `(index ${index.size} groups)`,
);

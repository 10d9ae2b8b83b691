/**
 * `npm run bench:synthetic -- --users N [--json]`: how time and memory of the pure part of a sync grow
 * with the directory. N synthetic directory entries go through the scope policy, the mapping and the
 * planner against a user database holding the same users (a no-change run, the common case), with one
 * user in a hundred changed. No directory or database is involved: this isolates the decisions from I/O.
 */
import { parseArgs } from 'node:util';
import { parseConfig } from '../shared/config/config-schema';
import { planSync } from '../shared/domain/plan-sync';
import { exclusionReasons } from '../shared/domain/scope-policy';
import type { DirectoryEntry, MappedUser, User } from '../shared/domain/user';
import { mapDirectoryUser } from '../shared/domain/user-mapping';

const { values } = parseArgs({
  options: { users: { type: 'string', default: '100000' }, json: { type: 'boolean', default: false } },
});
const USERS = Number(values.users);
if (!Number.isInteger(USERS) || USERS < 1) throw new Error('--users must be a positive whole number');

const guid = (i: number): string => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
const entry = (i: number): DirectoryEntry => ({
  objectGuid: guid(i),
  distinguishedName: `CN=User ${i},OU=Staff,DC=company,DC=local`,
  sAMAccountName: `u${i}`,
  userPrincipalName: `u${i}@company.local`,
  displayName: `User ${i}${i % 100 === 1 ? ' (changed)' : ''}`,
  mail: `u${i}@company.local`,
  proxyAddresses: [`SMTP:u${i}@company.local`, `smtp:user.${i}@company.local`],
  userAccountControl: i % 20 === 0 ? 514 : 512,
  hiddenFromAddressLists: false,
});
const stored = (user: MappedUser): User => ({
  ...user,
  fullName: user.fullName.replace(' (changed)', ''),
  authentication: 'directoryServices',
  privileges: ['login'],
  ownArchiveAccess: ['read'],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

const config = parseConfig({ connection: { domain: 'company.local' }, options: { deleteUsers: true } });
const rss = (): number => Math.round(process.memoryUsage().rss / 1024 / 1024);

const started = performance.now();
const entries = Array.from({ length: USERS }, (_, i) => entry(i));
const inScope: MappedUser[] = [];
const excluded = new Map<string, ReturnType<typeof exclusionReasons>>();
for (const e of entries) {
  const reasons = exclusionReasons(e, { filters: config.filters, groupMemberGuids: new Set() });
  if (reasons.length === 0) inScope.push(mapDirectoryUser(e));
  else excluded.set(e.objectGuid, reasons);
}
const current = inScope.map(stored);
const prepared = performance.now();
const plan = planSync({ inScope, excluded, current, options: config.options });
const planned = performance.now();
const result = {
  users: USERS,
  policyAndMappingMs: Math.round(prepared - started),
  planMs: Math.round(planned - prepared),
  updated: plan.counts.updated,
  unchanged: plan.counts.unchanged,
  peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  rssMb: rss(),
};
process.stdout.write(
  values.json
    ? `${JSON.stringify(result)}\n`
    : `${Object.entries(result)
        .map(([k, v]) => `${k.padEnd(20)} ${v}`)
        .join('\n')}\n`,
);

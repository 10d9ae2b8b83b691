/**
 * The group pass writes its groups a chunk at a time, the next chunk planned while one is written
 * (group-pass.ts): every group is written once, no more than two chunks' writes run at a time, and a failed
 * write fails the pass after the other chunk's write has ended, with no group deleted.
 */
import { describe, expect, it } from 'vitest';
import { MembershipIndex } from '../../../shared/domain/group-membership';
import type { GroupChange, GroupStore, StoredGroup } from '../../../shared/ports/group-store';
import type { UserStore } from '../../../shared/ports/user-store';
import { runGroupPassOf } from '../../../shared/use-cases/group-pass';
import { directoryGroup } from '../../support/in-memory-groups';

const GROUPS = 1100;
const entry = (g: number) => directoryGroup(g, `CN=G${g},OU=Groups,DC=company,DC=local`);
const gone = { objectGuid: 'ffffffff-0000-4000-9000-000000000000', name: 'gone' } as unknown as StoredGroup;

function fakes(failOnCall?: number) {
  const log = { calls: 0, inFlight: 0, maxInFlight: 0, ended: 0, written: [] as GroupChange[] };
  const groups = {
    listGroups: async () => [gone],
    membersOf: async () => [],
    markGroupData: async () => {},
    applyMembershipChanges: async () => ({ applied: 0, conflicts: 0 }),
    async applyGroupChanges(changes: readonly GroupChange[]) {
      const call = ++log.calls;
      log.inFlight += 1;
      log.maxInFlight = Math.max(log.maxInFlight, log.inFlight);
      // A write takes some turns of the event loop (a failing one fewer), no real time.
      for (let turn = call === failOnCall ? 1 : 10; turn > 0; turn -= 1) await new Promise(setImmediate);
      log.inFlight -= 1;
      log.ended += 1;
      if (call === failOnCall) throw new Error('write failed');
      log.written.push(...changes);
      return { applied: changes.length, conflicts: 0 };
    },
  } as unknown as GroupStore;
  const users = {
    async *userPages() {},
    findUsers: async () => [],
  } as unknown as UserStore;
  const index = new MembershipIndex({ all: true }, []);
  index.add(Array.from({ length: GROUPS }, (_, i) => entry(i + 1)));
  return { log, deps: { users, groups }, read: { index, inUse: true } };
}
const context = { runId: 'run', now: '2026-12-06T00:00:00.000Z' };

describe('the group pass, a chunk at a time', () => {
  it('writes every group once, two chunks at a time at most, then deletes the groups no longer read', async () => {
    const { log, deps, read } = fakes();
    const outcome = await runGroupPassOf(deps, read, context);
    expect(outcome).toMatchObject({ created: GROUPS, deleted: 1, conflicts: 0 });
    expect(log.maxInFlight).toBe(2);
    const creates = log.written.filter((c) => c.action === 'create');
    expect(new Set(creates.map((c) => c.target.objectGuid)).size).toBe(GROUPS);
    expect(log.written.at(-1)).toMatchObject({ action: 'delete', current: gone });
  });

  it('fails on a failed write once the other chunk is written, and deletes no group', async () => {
    const { log, deps, read } = fakes(2);
    await expect(runGroupPassOf(deps, read, context)).rejects.toThrow('write failed');
    expect(log.inFlight).toBe(0);
    expect(log.ended).toBe(log.calls);
    expect(log.written.some((c) => c.action === 'delete')).toBe(false);
  });
});

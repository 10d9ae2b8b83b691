import { describe, expect, it } from 'vitest';
import { forEachRank, NestingClosure, type RankSet } from '../../../shared/domain/group-nesting';

/** Groups 0..n-1 as group-membership.ts holds them: group g's own id is g, `parents(g)` the groups listing it. */
const nestingOf = (n: number, parents: (g: number) => number[]) => {
  const lists = Array.from({ length: n }, (_, g) => parents(g));
  const memberOfStart = new Int32Array(n + 1);
  lists.forEach((list, g) => {
    memberOfStart[g + 1] = (memberOfStart[g] as number) + list.length;
  });
  return {
    memberOfStart,
    memberOf: Int32Array.from(lists.flat()),
    groupIds: lists.map((_, g) => g),
    // Name order is the reverse of the groups' order.
    rank: Int32Array.from(lists.map((_, g) => n - 1 - g)),
  };
};

const ranksOf = (set: RankSet): number[] => {
  const ranks: number[] = [];
  forEachRank(set, (rank) => ranks.push(rank));
  return ranks;
};

describe('NestingClosure', () => {
  it('keeps a set as sorted ranks while small and as a bitset of every rank past that, whatever the depth', () => {
    // 1,000 groups in a chain (g is nested in g + 1): 32 words a bitset, so 32 ranks at most as an array.
    const closure = new NestingClosure(nestingOf(1_000, (g) => (g + 1 < 1_000 ? [g + 1] : [])));
    const bottom = closure.ancestorsOf(0);
    expect(bottom).toBeInstanceOf(Uint32Array);
    expect(bottom.length).toBe(32);
    expect(ranksOf(bottom)).toEqual(Array.from({ length: 1_000 }, (_, r) => r));
    expect(closure.ancestorsOf(968)).toEqual(Int32Array.from({ length: 32 }, (_, r) => r));
    expect(closure.ancestorsOf(967)).toBeInstanceOf(Uint32Array);
    expect(closure.ancestorsOf(999)).toEqual(Int32Array.of(0));
  });

  it('shares one set among the groups of a cycle, and unites several groups in rank order', () => {
    // 0 > 1 > 2 > 0 (0 nested in 1...), 2 also nested in 3; 4 on its own.
    const closure = new NestingClosure(nestingOf(5, (g) => [[1], [2], [0, 3], [], []][g] ?? []));
    expect(closure.ancestorsOf(1)).toBe(closure.ancestorsOf(0));
    expect(ranksOf(closure.ancestorsOf(2))).toEqual([1, 2, 3, 4]);
    expect(ranksOf(closure.ancestorsOf(3))).toEqual([1]);
    expect(ranksOf(closure.ancestorsOfAll(Int32Array.of(4, 3)))).toEqual([0, 1]);
    expect(ranksOf(closure.ancestorsOfAll(Int32Array.of(4, 0, 4)))).toEqual([0, 1, 2, 3, 4]);
  });
});

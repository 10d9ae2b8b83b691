/**
 * Every group a group is nested in, at any depth, for the memberships (group-membership.ts): its ancestors.
 *
 * A directory's nesting is whatever its group owners made it, so it is read as an adversary could shape it:
 * long cycles, chains 10,000 deep, dense lattices. A walk per group would cost groups x ancestors (a cycle of
 * 6,000 groups: 36 million steps, each group's own copy of the cycle). Instead the groups of a cycle are
 * collapsed into one strongly connected component (Tarjan's algorithm, iterative: a chain of any depth needs
 * no call stack), and each component's ancestors are computed once, from its parents' (a component is complete
 * before any of its children, the order Tarjan's algorithm finishes them in), and shared by every group of the
 * component and every user directly in one of them. The work is the nestings plus the sets' sizes, never a walk
 * repeated.
 *
 * A set holds the groups' ranks (their places in name order, so it reads in name order with no sort), as a
 * sorted array or, once that would be larger, as a bitset of every rank: a set is never more than groups / 8
 * bytes, whatever the depth (10,000 groups nested in a chain: 10,000 sets, at most 12.5 MB in all).
 */

/** Ranks, ascending (Int32Array) or as a bitset over every rank (Uint32Array). */
export type RankSet = Int32Array | Uint32Array;

const NONE = -1;

/** Calls `visit` with each rank of a set, ascending. */
export function forEachRank(set: RankSet, visit: (rank: number) => void): void {
  if (set instanceof Int32Array) {
    for (const rank of set) visit(rank);
    return;
  }
  for (let w = 0; w < set.length; w += 1)
    for (let bits = set[w] as number; bits !== 0; bits &= bits - 1)
      visit(w * 32 + (31 - Math.clz32(bits & -bits)));
}

function popCount(word: number): number {
  let bits = word - ((word >>> 1) & 0x55555555);
  bits = (bits & 0x33333333) + ((bits >>> 2) & 0x33333333);
  return (((bits + (bits >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** A union under way: a bitset of every rank, with the words it touched noted (clearing costs what it held). */
class RankUnion {
  private readonly words: Uint32Array;
  private readonly touched: Int32Array;
  private readonly isTouched: Uint8Array;
  private touchedCount = 0;
  /** A bitset was merged: every word may hold ranks. */
  private wide = false;

  constructor(ranks: number) {
    this.words = new Uint32Array(Math.ceil(ranks / 32));
    this.touched = new Int32Array(this.words.length);
    this.isTouched = new Uint8Array(this.words.length);
  }

  add(rank: number): void {
    const w = rank >>> 5;
    if (this.isTouched[w] === 0) {
      this.isTouched[w] = 1;
      this.touched[this.touchedCount] = w;
      this.touchedCount += 1;
    }
    this.words[w] = (this.words[w] as number) | (1 << (rank & 31));
  }

  addAll(set: RankSet): void {
    if (set instanceof Int32Array) {
      for (const rank of set) this.add(rank);
      return;
    }
    for (let w = 0; w < set.length; w += 1) this.words[w] = (this.words[w] as number) | (set[w] as number);
    this.wide = true;
  }

  /** The union as a set of its own (the smaller form), the union emptied. */
  take(): RankSet {
    const words = this.wide ? this.words.length : this.touchedCount;
    const wordAt = (i: number): number => (this.wide ? i : (this.touched[i] as number));
    let count = 0;
    for (let i = 0; i < words; i += 1) count += popCount(this.words[wordAt(i)] as number);
    let set: RankSet;
    if (count > this.words.length) set = this.words.slice();
    else {
      set = new Int32Array(count);
      let at = 0;
      for (let i = 0; i < words; i += 1) {
        const w = wordAt(i);
        for (let bits = this.words[w] as number; bits !== 0; bits &= bits - 1) {
          set[at] = w * 32 + (31 - Math.clz32(bits & -bits));
          at += 1;
        }
      }
      // The touched words came in the order they were first touched.
      if (!this.wide) set.sort();
    }
    this.clear();
    return set;
  }

  private clear(): void {
    if (this.wide) this.words.fill(0);
    for (let i = 0; i < this.touchedCount; i += 1) {
      const w = this.touched[i] as number;
      this.words[w] = 0;
      this.isTouched[w] = 0;
    }
    this.touchedCount = 0;
    this.wide = false;
  }
}

/** The nesting as group-membership.ts holds it: an id's groups as offsets into `memberOf`, a group's own id. */
export interface Nesting {
  /** The groups that list id i as a direct member: memberOf[memberOfStart[i] .. memberOfStart[i + 1]). */
  readonly memberOfStart: Int32Array;
  readonly memberOf: Int32Array;
  /** A group's own id (the id of its DN). */
  readonly groupIds: readonly number[];
  /** A group's place in name order. */
  readonly rank: Int32Array;
}

/** The ancestors of the groups asked for, resolved component by component as they are first asked. */
export class NestingClosure {
  private readonly groups: number;
  /** A group's component, or NONE before it was reached. */
  private readonly componentOf: Int32Array;
  /** Per component (in the order they were completed): its ancestors, itself included. */
  private readonly sets: RankSet[] = [];
  private readonly union: RankUnion;
  /** Tarjan's state: a group's visit order (NONE: not visited) and lowest order reached; the groups under way. */
  private readonly order: Int32Array;
  private readonly low: Int32Array;
  private readonly pending: Int32Array;
  private pendingCount = 0;
  private visits = 0;
  /** The depth-first path (groups, and the next parent edge of each): an array, not the call stack. */
  private readonly pathGroup: Int32Array;
  private readonly pathEdge: Int32Array;
  /** The component whose set last merged a component's set (each parent component is merged once). */
  private readonly mergedInto: Int32Array;

  constructor(private readonly nesting: Nesting) {
    this.groups = nesting.rank.length;
    this.componentOf = new Int32Array(this.groups).fill(NONE);
    this.union = new RankUnion(this.groups);
    this.order = new Int32Array(this.groups).fill(NONE);
    this.low = new Int32Array(this.groups);
    this.pending = new Int32Array(this.groups);
    this.pathGroup = new Int32Array(this.groups);
    this.pathEdge = new Int32Array(this.groups);
    this.mergedInto = new Int32Array(this.groups).fill(NONE);
  }

  /** The group and every group it is nested in, at any depth (a cycle read once). Shared: not to be changed. */
  ancestorsOf(group: number): RankSet {
    if (this.componentOf[group] === NONE) this.resolve(group);
    return this.sets[this.componentOf[group] as number] as RankSet;
  }

  /** The ancestors of several groups at once (one group's are its own set, shared). */
  ancestorsOfAll(groups: Int32Array): RankSet {
    if (groups.length === 1) return this.ancestorsOf(groups[0] as number);
    // Each resolved before the union starts: resolving makes sets with the same union.
    const sets: RankSet[] = [];
    for (const g of groups) sets.push(this.ancestorsOf(g));
    for (const set of sets) this.union.addAll(set);
    return this.union.take();
  }

  /** Tarjan's algorithm from one group, iteratively; each component's set is made as it completes. */
  private resolve(root: number): void {
    const { memberOfStart, memberOf, groupIds } = this.nesting;
    const parentsStart = (g: number): number => memberOfStart[groupIds[g] as number] as number;
    const parentsEnd = (g: number): number => memberOfStart[(groupIds[g] as number) + 1] as number;
    let depth = 0;
    const enter = (g: number): void => {
      this.order[g] = this.visits;
      this.low[g] = this.visits;
      this.visits += 1;
      this.pending[this.pendingCount] = g;
      this.pendingCount += 1;
      this.pathGroup[depth] = g;
      this.pathEdge[depth] = parentsStart(g);
      depth += 1;
    };
    enter(root);
    while (depth > 0) {
      const g = this.pathGroup[depth - 1] as number;
      const edge = this.pathEdge[depth - 1] as number;
      if (edge < parentsEnd(g)) {
        this.pathEdge[depth - 1] = edge + 1;
        const parent = memberOf[edge] as number;
        if (this.order[parent] === NONE) enter(parent);
        // A parent under way (not in a completed component) is on the same cycle.
        else if (this.componentOf[parent] === NONE)
          this.low[g] = Math.min(this.low[g] as number, this.order[parent] as number);
        continue;
      }
      depth -= 1;
      if (depth > 0) {
        const child = this.pathGroup[depth - 1] as number;
        this.low[child] = Math.min(this.low[child] as number, this.low[g] as number);
      }
      if (this.low[g] === this.order[g]) this.complete(g);
    }
  }

  /** The component rooted at `head` (it and the groups pending above it) is complete: its set is made. */
  private complete(head: number): void {
    const { memberOfStart, memberOf, groupIds, rank } = this.nesting;
    const component = this.sets.length;
    let first = this.pendingCount;
    do first -= 1;
    while (this.pending[first] !== head);
    for (let i = first; i < this.pendingCount; i += 1)
      this.componentOf[this.pending[i] as number] = component;
    for (let i = first; i < this.pendingCount; i += 1) {
      const g = this.pending[i] as number;
      this.union.add(rank[g] as number);
      const own = groupIds[g] as number;
      for (let e = memberOfStart[own] as number; e < (memberOfStart[own + 1] as number); e += 1) {
        const parentComponent = this.componentOf[memberOf[e] as number] as number;
        // Every parent is in this component or a completed one (Tarjan's order), merged once.
        if (parentComponent === component || this.mergedInto[parentComponent] === component) continue;
        this.mergedInto[parentComponent] = component;
        this.union.addAll(this.sets[parentComponent] as RankSet);
      }
    }
    this.pendingCount = first;
    this.sets.push(this.union.take());
  }
}

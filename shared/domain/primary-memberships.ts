/**
 * Users' primary group memberships as a run takes them (group-membership.ts, addPrimaryMembers): one pair of
 * ints a user (the group's index, the user's DN id), in one growing buffer, merged into the groups' members
 * once all are taken. 100,000 users in Domain Users are 800 KB here, and 400 KB once merged.
 */
export class PrimaryMemberships {
  private pairs = new Int32Array(0);
  private count = 0;

  /** The member of this id is a direct member of group `g` (its index). */
  add(g: number, id: number): void {
    if (2 * this.count + 2 > this.pairs.length) {
      const grown = new Int32Array(Math.max(1024, this.pairs.length * 2));
      grown.set(this.pairs);
      this.pairs = grown;
    }
    this.pairs[2 * this.count] = g;
    this.pairs[2 * this.count + 1] = id;
    this.count += 1;
  }

  /**
   * Adds the memberships to `members` (per group: its members' ids; `idCount`: ids are below it): each group's
   * list grown once, each member kept once (a DC lists no user in its primary group's `member`; one listed there
   * all the same is not counted twice).
   */
  mergeInto(members: Int32Array[], idCount: number): void {
    if (this.count === 0) return;
    const added = new Int32Array(members.length);
    for (let i = 0; i < this.count; i += 1) {
      const g = this.pairs[2 * i] as number;
      added[g] = (added[g] as number) + 1;
    }
    const at = new Int32Array(members.length);
    added.forEach((count, g) => {
      if (count === 0) return;
      const before = members[g] as Int32Array;
      const grown = new Int32Array(before.length + count);
      grown.set(before);
      at[g] = before.length;
      members[g] = grown;
    });
    for (let i = 0; i < this.count; i += 1) {
      const g = this.pairs[2 * i] as number;
      (members[g] as Int32Array)[at[g] as number] = this.pairs[2 * i + 1] as number;
      at[g] = (at[g] as number) + 1;
    }
    const seen = new Uint8Array(idCount);
    added.forEach((count, g) => {
      if (count === 0) return;
      const ids = members[g] as Int32Array;
      let kept = 0;
      for (const id of ids) {
        if (seen[id] === 1) continue;
        seen[id] = 1;
        ids[kept] = id;
        kept += 1;
      }
      for (let i = 0; i < kept; i += 1) seen[ids[i] as number] = 0;
      if (kept < ids.length) members[g] = ids.slice(0, kept);
    });
  }
}

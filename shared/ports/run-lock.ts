/** A lease: held until released or until it expires, so a crashed run cannot hold it forever. */
export interface RunLock {
  /** Takes the lease, or renews it for the owner that holds it. */
  acquire(owner: string, leaseSeconds: number): Promise<boolean>;
  release(owner: string): Promise<void>;
  /** The owner whose lease holds now, if any. */
  holder(): Promise<string | undefined>;
  /** Records that a scheduled occurrence was handled; false when it already was (a duplicated event). */
  claimOccurrence(occurrence: string): Promise<boolean>;
}

/**
 * The planned writes of a run on their way to the user database, while the directory is still being read:
 * batches of `batchSize` changes, first in first out, at most `capacity` sealed batches waiting. The planner
 * pushes and waits while the queue is full (back-pressure: the read goes no faster than the writes), the
 * applier takes one batch at a time. An applier that asks for a batch when none is sealed takes the one filling
 * as soon as it holds `idleBatch` changes (at once, when it holds that many already), or `pageBatch` once
 * the planner has pushed a whole page (`pageEnded`), so the writes start with the read's first page and never
 * wait while the read is the slower. Memory
 * holds at most `capacity` + 2 batches (the one filling, the one being written) whatever the directory's size.
 * No I/O and no clock: the use case's tests drive it.
 */
export class WriteQueue<T> {
  private filling: T[] = [];
  private readonly sealed: T[][] = [];
  private state: 'open' | 'ended' | 'stopped' = 'open';
  private dropped = 0;
  /** The applier waits here for the next batch. */
  private wakeTaker: (() => void) | undefined;
  /** Pushers wait here for room. */
  private readonly wakePushers: (() => void)[] = [];
  /** Callers of `drained` wait here for the applier to have written everything pushed. */
  private readonly wakeDrained: (() => void)[] = [];
  private taking = false;
  /** The planner has pushed a whole page and not yet the next page's first change (`pageEnded`). */
  private betweenPages = false;

  constructor(
    private readonly batchSize: number,
    private readonly capacity: number,
    private readonly idleBatch = batchSize,
    private readonly pageBatch = idleBatch,
  ) {
    if (batchSize < 1 || capacity < 1 || idleBatch < 1 || pageBatch < 1)
      throw new RangeError('batchSize, capacity, idleBatch and pageBatch must be at least 1');
  }

  /**
   * Adds a change, once there is room for it. After `stop` the change is dropped at once (counted in
   * `droppedCount`): the run has stopped writing, and what it planned is planned again by the next invocation.
   */
  async push(item: T): Promise<void> {
    while (this.state === 'open' && this.sealed.length >= this.capacity) {
      await new Promise<void>((resolve) => this.wakePushers.push(resolve));
    }
    if (this.state === 'stopped') {
      this.dropped += 1;
      return;
    }
    if (this.state === 'ended') throw new Error('a change was pushed after the queue ended');
    this.betweenPages = false;
    this.filling.push(item);
    const waited = this.taking && this.sealed.length === 0;
    if (this.filling.length >= (waited ? Math.min(this.idleBatch, this.batchSize) : this.batchSize))
      this.seal();
  }

  /**
   * The next batch, once one is full (or flushed, or the queue ended); undefined when the queue has ended and
   * is empty, or was stopped. One applier takes at a time: taking again means the batch before is written.
   */
  async take(): Promise<T[] | undefined> {
    for (;;) {
      const next = this.sealed.shift();
      if (next) {
        this.wakePushers.shift()?.();
        return next;
      }
      // A batch of `idleBatch` filled while the applier was busy goes at once: the applier never waits for a
      // push (the planner may be waiting for the directory's next page) with that much at hand; nor with
      // `pageBatch` at hand once the planner has pushed a whole page.
      const atHand = this.state === 'ended' || this.pageIsAtHand() || this.filling.length >= this.idleBatch;
      if (this.filling.length > 0 && atHand) this.seal();
      else if (this.state !== 'open') return undefined;
      else {
        this.taking = true;
        this.settleDrained();
        await new Promise<void>((resolve) => {
          this.wakeTaker = resolve;
        });
        this.taking = false;
      }
    }
  }

  /**
   * Resolves once every change pushed so far has been written (the applier asks for the next batch with
   * nothing left), or the queue was stopped. Flushes the batch being filled.
   */
  async drained(): Promise<void> {
    this.seal();
    if (this.isDrained()) return;
    await new Promise<void>((resolve) => this.wakeDrained.push(resolve));
  }

  /**
   * The planner has pushed all it holds (a page of the read) and may now wait for the directory's next page:
   * until its next push, an applier with no batch sealed takes what is filling at once when it holds
   * `pageBatch` (the read's first page is small, and the first writes need not wait for the second).
   */
  pageEnded(): void {
    this.betweenPages = true;
    if (this.state === 'open' && this.taking && this.sealed.length === 0 && this.pageIsAtHand()) this.seal();
  }

  private pageIsAtHand(): boolean {
    return this.betweenPages && this.filling.length >= this.pageBatch;
  }

  /** No more changes: the applier writes what is left, then `take` answers undefined. */
  end(): void {
    if (this.state !== 'open') return;
    this.state = 'ended';
    this.seal();
    this.wake();
  }

  /** Writing stops: what waits is dropped, later pushes are dropped, and everyone waiting is released. */
  stop(): void {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.dropped += this.pending;
    this.filling = [];
    this.sealed.length = 0;
    this.wake();
    for (const wake of this.wakePushers.splice(0)) wake();
  }

  get stopped(): boolean {
    return this.state === 'stopped';
  }

  /** Changes pushed and not yet taken. */
  get pending(): number {
    return this.filling.length + this.sealed.reduce((sum, batch) => sum + batch.length, 0);
  }

  /** Changes dropped because the queue was stopped. */
  get droppedCount(): number {
    return this.dropped;
  }

  private seal(): void {
    if (this.filling.length === 0) return;
    this.sealed.push(this.filling);
    this.filling = [];
    this.wake();
  }

  private wake(): void {
    const wake = this.wakeTaker;
    this.wakeTaker = undefined;
    wake?.();
    this.settleDrained();
  }

  private isDrained(): boolean {
    return this.state === 'stopped' || (this.taking && this.pending === 0);
  }

  private settleDrained(): void {
    if (this.isDrained()) for (const wake of this.wakeDrained.splice(0)) wake();
  }
}

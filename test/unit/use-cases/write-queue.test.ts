import { describe, expect, it } from 'vitest';
import { WriteQueue } from '../../../shared/use-cases/write-queue';

/** Lets every pending promise callback run (the queue waits on nothing else). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Pushes the items one after the other, as the planner does; resolves with how many were pushed. */
function pushAll(queue: WriteQueue<number>, items: readonly number[]) {
  let pushed = 0;
  const done = (async () => {
    for (const item of items) {
      await queue.push(item);
      pushed += 1;
    }
  })();
  return { done, pushed: () => pushed };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('WriteQueue', () => {
  it('hands out full batches in the order pushed, then the rest once it ends', async () => {
    const queue = new WriteQueue<number>(3, 10);
    await pushAll(queue, range(1, 7)).done;
    queue.end();
    expect(await queue.take()).toEqual([1, 2, 3]);
    expect(await queue.take()).toEqual([4, 5, 6]);
    expect(await queue.take()).toEqual([7]);
    expect(await queue.take()).toBeUndefined();
  });

  it('holds the pusher back while `capacity` batches wait, and lets it on as the applier takes', async () => {
    const queue = new WriteQueue<number>(2, 2);
    const pushing = pushAll(queue, range(1, 9));
    await settle();
    // Two sealed batches wait; the fifth item waits for room.
    expect(pushing.pushed()).toBe(4);
    expect(queue.pending).toBe(4);
    expect(await queue.take()).toEqual([1, 2]);
    await settle();
    expect(pushing.pushed()).toBe(6);
    const taken: number[][] = [];
    for (let i = 0; i < 3; i += 1) taken.push((await queue.take()) ?? []);
    await pushing.done;
    queue.end();
    taken.push((await queue.take()) ?? []);
    expect(taken).toEqual([[3, 4], [5, 6], [7, 8], [9]]);
    expect(await queue.take()).toBeUndefined();
  });

  it('gives a waiting applier a batch of `idleBatch`, and full batches once it is busy', async () => {
    const queue = new WriteQueue<number>(5, 2, 2);
    const first = queue.take();
    await queue.push(1);
    await settle();
    await queue.push(2);
    // The applier was waiting: it has the first two at once.
    expect(await first).toEqual([1, 2]);
    // Busy now (it has not asked again): the next batch fills up to five.
    await pushAll(queue, range(3, 8)).done;
    expect(await queue.take()).toEqual([3, 4, 5, 6, 7]);
    expect(queue.pending).toBe(1);
  });

  it('hands an applier that asks the batch filling at once when it holds `idleBatch`, not after the next push', async () => {
    const queue = new WriteQueue<number>(5, 2, 2);
    await pushAll(queue, range(1, 3)).done;
    // Nothing is sealed, and no push follows (the planner waits for the next page): three are at hand.
    expect(await queue.take()).toEqual([1, 2, 3]);
    await queue.push(4);
    const next = queue.take();
    await settle();
    await queue.push(5);
    expect(await next).toEqual([4, 5]);
  });

  it('hands a waiting applier the rest of a page of `pageBatch` or more once the planner has pushed it all', async () => {
    const queue = new WriteQueue<number>(10, 2, 5, 2);
    const first = queue.take();
    await pushAll(queue, range(1, 3)).done;
    await settle();
    queue.pageEnded();
    // The page's three: the planner now waits for the directory, not for more changes.
    expect(await first).toEqual([1, 2, 3]);
    // A busy applier at the next page's end takes the two at hand as soon as it asks.
    await pushAll(queue, [4, 5]).done;
    queue.pageEnded();
    expect(await queue.take()).toEqual([4, 5]);
    // Less than `pageBatch` at a page's end waits for more.
    const next = queue.take();
    await queue.push(6);
    queue.pageEnded();
    let taken = false;
    void next.then(() => {
      taken = true;
    });
    await settle();
    expect(taken).toBe(false);
    // The next page's first push ends the page: a waiting applier has `idleBatch` again.
    await pushAll(queue, [7, 8, 9]).done;
    await settle();
    expect(taken).toBe(false);
    await queue.push(10);
    expect(await next).toEqual([6, 7, 8, 9, 10]);
  });

  it('resolves `drained` once the applier asks for more with nothing left, flushing a partial batch', async () => {
    const queue = new WriteQueue<number>(10, 2);
    await pushAll(queue, [1, 2, 3]).done;
    let drained = false;
    const draining = queue.drained().then(() => {
      drained = true;
    });
    expect(await queue.take()).toEqual([1, 2, 3]);
    await settle();
    // The batch is taken, not yet written: the applier has not asked for the next.
    expect(drained).toBe(false);
    const next = queue.take();
    await draining;
    expect(drained).toBe(true);
    queue.end();
    expect(await next).toBeUndefined();
  });

  it('drops what waits and what comes after `stop`, and releases the pusher and the applier', async () => {
    const queue = new WriteQueue<number>(2, 1);
    const pushing = pushAll(queue, range(1, 6));
    await settle();
    expect(pushing.pushed()).toBe(2);
    const taking = queue.take();
    expect(await taking).toEqual([1, 2]);
    await settle();
    queue.stop();
    await pushing.done;
    expect(queue.stopped).toBe(true);
    expect(await queue.take()).toBeUndefined();
    // 3 and 4 waited sealed, 5 was filling, 6 came after.
    expect(queue.droppedCount).toBe(4);
    await queue.drained();
    queue.stop();
    expect(queue.droppedCount).toBe(4);
  });

  it('refuses a change pushed after the end, and sizes below one', async () => {
    const queue = new WriteQueue<number>(2, 1);
    queue.end();
    queue.end();
    await expect(queue.push(1)).rejects.toThrow(/after the queue ended/);
    expect(() => new WriteQueue<number>(0, 1)).toThrow(RangeError);
    expect(() => new WriteQueue<number>(1, 1, 0)).toThrow(RangeError);
  });
});

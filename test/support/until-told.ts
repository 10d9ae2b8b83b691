/**
 * Waiting on what a test is told (a watch's log, a run ending, a notification), never on fixed delays: `until`
 * resolves once its condition holds, re-checked each time `changed()` is called; it fails after `ms`, naming
 * what it waited for.
 */
export function untilTold(defaultMs: number) {
  const waiters = new Set<() => void>();
  const changed = (): void => {
    for (const check of [...waiters]) check();
  };
  const until = (done: () => boolean, what: string, ms = defaultMs): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`still waiting for ${what}`));
      }, ms);
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
    });
  return { until, changed };
}

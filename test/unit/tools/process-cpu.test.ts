import { describe, expect, it } from 'vitest';
import { cores, cpuBoundMs, cpuMsOf, withCpu } from '../../../tools/process-cpu';

/** Busy work until this process has used `ms` of CPU (not of wall time: a loaded machine gives it less). */
const burn = (ms: number): void => {
  const used = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  const until = used() + ms;
  while (used() < until) {
    // busy
  }
};

describe('process CPU of the benchmark', () => {
  it('is the CPU over the cores, never less than the longer floor', () => {
    expect(cpuBoundMs(12_000, [1_000, 2_000])).toBe(Math.max(2_000, Math.round(12_000 / cores())));
    expect(cpuBoundMs(100, [1_000, 2_000])).toBe(2_000);
    expect(cpuBoundMs(0, [0])).toBe(0);
  });

  it('reads a process’s CPU from /proc, its own included', () => {
    const before = cpuMsOf(process.pid);
    burn(200);
    const after = cpuMsOf(process.pid);
    // 100 ticks a second: 200 ms of busy work shows as at least 100 ms.
    expect(after - before).toBeGreaterThanOrEqual(100);
    expect(cpuMsOf(2 ** 30)).toBe(0); // no such process
  });

  it('counts the CPU the work used, and nothing once it is idle', async () => {
    const busy = await withCpu([], async () => {
      burn(150);
      return 'done';
    });
    expect(busy.result).toBe('done');
    expect(busy.cpuMs).toBeGreaterThanOrEqual(100);
    const idle = await withCpu([], async () => 'nothing');
    expect(idle.cpuMs).toBeLessThan(busy.cpuMs / 2);
  });
});

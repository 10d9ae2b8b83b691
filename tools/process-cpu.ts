/**
 * CPU time of the benchmark's processes, from /proc: what a floor or a sync used of the machine's cores, the
 * DC's and DynamoDB Local's included. On a machine where the three share few cores, overlapping the read with
 * the writes cannot go below the CPU both need (`cpuBoundMs`). Development only (Linux).
 */

import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** CPU time (ms) of a process and its descendants so far, from /proc (user and system, 100 ticks a second). */
export function cpuMsOf(pid: number): number {
  const children = new Map<number, number[]>();
  const ticks = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const parent = Number(fields[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
      ticks.set(Number(entry), Number(fields[11]) + Number(fields[12]));
    } catch {
      // the process ended meanwhile
    }
  }
  const sum = (id: number): number =>
    (ticks.get(id) ?? 0) + (children.get(id) ?? []).reduce((total, child) => total + sum(child), 0);
  return sum(pid) * 10;
}

/** This process's CPU time so far (ms). */
const ownCpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** The result of `work` and the CPU time (ms) this process and the processes `pids` used meanwhile. */
export async function withCpu<T>(
  pids: readonly number[],
  work: () => Promise<T>,
): Promise<{ result: T; cpuMs: number }> {
  const before = ownCpuMs() + pids.reduce((sum, pid) => sum + cpuMsOf(pid), 0);
  const result = await work();
  const after = ownCpuMs() + pids.reduce((sum, pid) => sum + cpuMsOf(pid), 0);
  return { result, cpuMs: Math.round(after - before) };
}

/** The cores this process may use. */
export const cores = (): number => availableParallelism();

/**
 * The least time work of this much CPU (ms) takes on this machine's cores, and never less than the longer of
 * `floorsMs`: the floor of a sync that overlaps a read and writes which each need the CPU.
 */
export const cpuBoundMs = (cpuMs: number, floorsMs: readonly number[]): number =>
  Math.max(...floorsMs, Math.round(cpuMs / cores()));

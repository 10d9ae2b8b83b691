import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PlannedChange } from '../../../shared/domain/plan-sync';
import { PlanSpool } from '../../../shared/use-cases/plan-spool';

const create = (i: number): PlannedChange => ({
  action: 'create',
  userName: `u${i}`,
  fullName: `User ${i} ✓ "quoted"\nnewline`,
  emailAddresses: [`u${i}@company.local`],
  changedFields: [],
  target: {
    userName: `u${i}`,
    fullName: `User ${i}`,
    emailAddresses: [`u${i}@company.local`],
    distinguishedName: `CN=User ${i},DC=company,DC=local`,
    objectGuid: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
  },
});

describe('PlanSpool', () => {
  it('gives back every change in order, in batches of the size asked, and removes its file', async () => {
    const spool = await PlanSpool.create();
    const written = Array.from({ length: 2345 }, (_, i) => create(i));
    for (const change of written) await spool.write(change);
    expect(spool.size).toBe(written.length);
    const batches: PlannedChange[][] = [];
    for await (const batch of spool.batches(1000)) batches.push(batch);
    expect(batches.map((b) => b.length)).toEqual([1000, 1000, 345]);
    expect(batches.flat()).toEqual(written);
    const folder = (spool as unknown as { folder: string }).folder;
    expect(existsSync(folder)).toBe(true);
    await spool.dispose();
    expect(existsSync(folder)).toBe(false);
  });

  it('yields nothing when nothing was planned', async () => {
    const spool = await PlanSpool.create();
    const batches: PlannedChange[][] = [];
    for await (const batch of spool.batches(10)) batches.push(batch);
    expect(batches).toEqual([]);
    await spool.dispose();
  });

  it('turns a write error (a full disk) into an error of the next write, not an unhandled event', async () => {
    const spool = await PlanSpool.create();
    const out = (spool as unknown as { out: import('node:fs').WriteStream }).out;
    const closed = new Promise<void>((resolve) => out.once('close', () => resolve()));
    out.destroy(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
    await closed;
    await expect(spool.write(create(1))).rejects.toThrow(/plan spool could not be written: no space left/);
    await spool.dispose();
  });
});

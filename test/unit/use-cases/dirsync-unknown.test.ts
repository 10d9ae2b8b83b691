/**
 * The DirSync probe is informational: a probe that gets no answer (a timeout, a dropped connection) reports
 * DirSync as unknown and never fails the run, and the unknown answer is not kept for the runs after it.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Report } from '../../../shared/domain/report';
import { synchronizeNow } from '../../../shared/use-cases/synchronize-now';
import { directoryEntry } from '../../support/in-memory';
import { type InMemoryApp, inMemoryApp, inMemoryConfig } from '../../support/in-memory-app';
import { TestClock } from '../../support/test-clock';

let app: InMemoryApp;

const searchOf = (report: Report): string => report.steps.find((s) => s.name === 'search')?.message ?? '';

beforeEach(async () => {
  app = inMemoryApp({
    clock: new TestClock(Date.parse('2026-11-25T12:00:00Z'), 1),
    entries: Array.from({ length: 3 }, (_, i) => directoryEntry(i + 1)),
  });
  await app.settings.saveConfig(inMemoryConfig());
});

describe('a DirSync probe without an answer', () => {
  it('reports DirSync as unknown and the run succeeds', async () => {
    app.directory.dirSyncError = new Error('Timeout');
    const report = await synchronizeNow(app.deps());
    expect(report.status).toBe('succeeded');
    expect(report.counts).toMatchObject({ created: 3 });
    expect(searchOf(report)).toContain('DirSync could not be probed: no answer from the DC');
  });

  it('is not kept with the cursor: the next (incremental) run probes again', async () => {
    app.directory.dirSyncError = new Error('Connection closed');
    await synchronizeNow(app.deps());
    app.directory.dirSyncError = undefined;
    app.directory.reads.length = 0;
    const next = await synchronizeNow(app.deps());
    expect(searchOf(next)).toMatch(/users changed since USN/);
    expect(app.directory.reads).toContain('dirSync');
    expect(searchOf(next)).toContain('DirSync is not offered by this DC');
  });

  it('an answer that came is kept: the next incremental run does not probe', async () => {
    await synchronizeNow(app.deps());
    app.directory.reads.length = 0;
    const next = await synchronizeNow(app.deps());
    expect(searchOf(next)).toMatch(/users changed since USN/);
    expect(app.directory.reads).not.toContain('dirSync');
  });
});

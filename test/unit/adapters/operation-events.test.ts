/** The start events the workers accept: whatever the route accepted must reach the worker. */
import { describe, expect, it } from 'vitest';
import {
  syncStartEvent,
  syncStartOf,
  toSyncStartEvent,
} from '../../../shared/adapters/lambda/operation-events';
import { directoryUserParameter } from '../../../shared/api/schemas';

describe('the sync start event of one user', () => {
  it('carries any name the route accepts, to the longest', () => {
    const longest = `CN=${'x'.repeat(2045)}`;
    expect(directoryUserParameter.parse({ name: longest }).name).toHaveLength(2048);
    const event = toSyncStartEvent({ runId: 'run-1', configVersion: 3, user: longest });
    expect(syncStartOf(syncStartEvent.parse(event))).toEqual({
      runId: 'run-1',
      configVersion: 3,
      user: longest,
    });
  });

  it('refuses what the route refuses: an empty name, or a longer one', () => {
    for (const user of ['', 'x'.repeat(2049)]) {
      expect(directoryUserParameter.safeParse({ name: user }).success).toBe(false);
      expect(
        syncStartEvent.safeParse({ source: 'ad-sync.start', runId: 'r', configVersion: 1, user }).success,
      ).toBe(false);
    }
  });
});

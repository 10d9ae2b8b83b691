/**
 * The setup the sync integration tests share: an OU of the file's own in the Samba DC (changed as
 * Administrator; the sync binds as the read-only service account), and a sync harness on a DynamoDB Local
 * table of its own. Both are made before the file's own `beforeAll` (hooks run in the order registered) and
 * removed after its own `afterAll` (after hooks run in reverse order), so a file's hooks can use them.
 */
import type { Client } from 'ldapts';
import { afterAll, beforeAll } from 'vitest';
import { createScratchOu, scratchOuName } from './scratch-ou';
import { createSyncHarness, type SyncHarness } from './sync-harness';

export interface ScratchSync {
  /** The OU's DN, under the fixture's base DN. */
  readonly dn: string;
  /** A short tag for names unique in the domain (sAMAccountNames, group names). */
  readonly tag: string;
  /** A client bound as Administrator, to change the OU (from the file's `beforeAll` on). */
  readonly admin: Client;
  /** The sync's stores and directory reader (from the file's `beforeAll` on). */
  readonly harness: SyncHarness;
}

/**
 * Registers the hooks that make and remove an OU named after `label` and a sync harness (`harness`: its
 * options, the table's stream say). Call it at the top of a test file.
 */
export function useScratchSync(
  label: string,
  harness: Parameters<typeof createSyncHarness>[0] = {},
): ScratchSync {
  const { dn, tag } = scratchOuName(label);
  let scratch: Awaited<ReturnType<typeof createScratchOu>> | undefined;
  let made: SyncHarness | undefined;
  beforeAll(async () => {
    scratch = await createScratchOu(dn);
    made = await createSyncHarness(harness);
  });
  afterAll(async () => {
    made?.close();
    await scratch?.remove();
  });
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the scratch OU's ${what} is made in beforeAll`);
    return value;
  };
  return {
    dn,
    tag,
    get admin() {
      return ready(scratch, 'administrator client').admin;
    },
    get harness() {
      return ready(made, 'sync harness');
    },
  };
}

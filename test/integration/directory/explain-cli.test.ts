/**
 * `adsync explain <name>` against the local stack (`adsync serve` in a child process) and the Samba fixture:
 * a PASS/FAIL line per filter, the group chain as a path, the planned action; `--json` the API's answer; exit
 * 1 for a name no user has (404) or one that designates two users (409), 2 without a name. The CLI runs in the
 * test's process (cli-in-process.ts): the real command is spawned by api/local-stack.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../../local/dynamodb-local';
import { ApiClient, bearerToken } from '../../../shared/api/client';
import { adsyncInProcess } from '../../support/cli-in-process';
import { type ServeProcess, startServe } from '../../support/local-stack-process';
import { createScratchOu, scratchOuName, userEntry } from '../../support/scratch-ou';
import { fixtureConfig, servicePassword } from '../../support/sync-harness';

const token = randomBytes(24).toString('hex');
const ALL_STAFF = 'CN=All Staff (Nested),OU=Groups,DC=company,DC=local';
let home: string;
let serve: ServeProcess;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ad-sync-explain-cli-'));
  env = { ADSYNC_HOME: home, ADSYNC_PORT: String(await freePort()), ADSYNC_TOKEN: token };
  serve = await startServe(env);
  const config = fixtureConfig({ filters: { visibleInAddressListsOnly: true, groups: [ALL_STAFF] } });
  await new ApiClient({ baseUrl: serve.url, sign: bearerToken(token) }).putConfig({
    config,
    password: servicePassword(),
  });
});

afterAll(async () => {
  await serve?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

describe('adsync explain', () => {
  it('shows each filter PASS or FAIL with its detail, the group chain as a path, and the planned action', async () => {
    const { code, stdout, stderr } = await adsyncInProcess(['explain', 'sales005'], env);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('sales005  CN=SALES Staff 005,OU=Sales,DC=company,DC=local');
    expect(lines).toEqual(
      expect.arrayContaining([
        'PASS  exchangeUsersOnly         mail: sales005@company.local',
        'FAIL  enabledUsersOnly          userAccountControl 514 (0x202): ACCOUNTDISABLE is set (the account is disabled)',
        'PASS  visibleInAddressListsOnly msExchHideFromAddressLists is not TRUE: visible in address lists',
        'PASS  groups                    member through Sales DE → Sales Europe → All Staff (Nested)',
        'NOT in scope',
        'planned action: none',
        'reason: out of scope (disabled) and not in the user database: nothing to do',
        'not in the user database',
      ]),
    );
  });

  it('prints the API answer with --json, and a user in scope with its mapping and action', async () => {
    const json = await adsyncInProcess(['explain', 'alice@company.local', '--json'], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      distinguishedName: 'CN=Alice Archer,OU=Sales,DC=company,DC=local',
      inScope: true,
      mapped: { userName: 'alice' },
      plannedAction: 'create',
    });
    const human = await adsyncInProcess(['explain', 'alice'], env);
    expect(human.stdout).toContain('\nin scope\nmaps to: alice (');
    expect(human.stdout).toContain('\nplanned action: create\n');
  });

  it('exits 1 for a name no user has, and for one that designates two users (naming both)', async () => {
    const missing = await adsyncInProcess(['explain', '*'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error 404 NotFound: /);

    const { dn: ou, tag } = scratchOuName('Explain CLI');
    const scratch = await createScratchOu(ou);
    try {
      const upn = `cli-${tag}@${inject('directory').domain}`;
      await scratch.admin.add(
        `CN=One,${ou}`,
        userEntry({ sAMAccountName: `cli1-${tag}`, userPrincipalName: upn }),
      );
      await scratch.admin.add(`CN=Two,${ou}`, userEntry({ sAMAccountName: upn }));
      const ambiguous = await adsyncInProcess(['explain', upn], env);
      expect(ambiguous.code).toBe(1);
      expect(ambiguous.stderr).toContain('error 409 AmbiguousName: ');
      expect(ambiguous.stderr).toContain(`  distinguishedName: CN=One,${ou}`);
      expect(ambiguous.stderr).toContain(`  distinguishedName: CN=Two,${ou}`);
    } finally {
      await scratch.remove();
    }
  });

  it('exits 2 without a name', async () => {
    const usage = await adsyncInProcess(['explain'], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('explain needs one name');
  });
});

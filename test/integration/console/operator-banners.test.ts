/**
 * The console's banners of what operators are told (docs/contract.md#operators-are-told), in Debian's
 * Chromium: the local stack in this process (its schedule checked every half second) against an OU of this
 * file's own in the Samba DC. A backed-off schedule and a stale sync come from a real scheduled run that
 * failed (and a success recorded two days ago); withheld deletes from a real run, applied with the banner's
 * button. Screenshots go to a temporary folder, or to ADSYNC_SCREENSHOTS (`npm run screenshots`).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from 'ldapts';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../local/local-stack';
import { recordSuccessTwoDaysAgo, saveOuConfig, stackApi } from '../../support/local-stack-api';
import { createScratchOu, scratchOuName, userEntry } from '../../support/scratch-ou';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const requestedScreenshots = process.env.ADSYNC_SCREENSHOTS
  ? resolve(ROOT, process.env.ADSYNC_SCREENSHOTS)
  : undefined;
const LONG = 180_000;

const directory = inject('directory');
const { dn: ou, tag } = scratchOuName('Banners');
const userDn = (name: string) => `CN=Banners ${name},${ou}`;
let screenshots: string;
let home: string;
let stack: LocalStack;
let admin: Client;
let scratch: Awaited<ReturnType<typeof createScratchOu>>;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

const api = stackApi(() => stack);
const save = (overrides: Parameters<typeof saveOuConfig>[2] = {}) => saveOuConfig(api, ou, overrides);

const banner = (name: string) => page.getByRole('region', { name });

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (tools/debian-packages.txt)`);
  screenshots = requestedScreenshots ?? (await mkdtemp(join(tmpdir(), 'ad-sync-banners-')));
  await mkdir(screenshots, { recursive: true });
  scratch = await createScratchOu(ou);
  ({ admin } = scratch);
  for (const name of ['b1', 'b2', 'b3']) {
    await admin.add(
      userDn(name),
      userEntry({
        sAMAccountName: `bn-${tag}-${name}`,
        displayName: `Banners ${name}`,
        mail: `bn-${tag}-${name}@${directory.domain}`,
      }),
    );
  }
  home = await mkdtemp(join(tmpdir(), 'ad-sync-banners-home-'));
  stack = await startLocalStack({
    home,
    port: 0,
    token: randomBytes(24).toString('hex'),
    scheduleCheckMs: 500,
    log: () => {},
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
  page = await browser.newPage({
    viewport: { width: 1280, height: 900 },
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    // The refused save is answered 400, which Chromium logs as a failed resource.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      pageErrors.push(message.text());
    }
  });
}, LONG);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await scratch?.remove();
  if (home) await rm(home, { recursive: true, force: true });
  if (screenshots && !requestedScreenshots) await rm(screenshots, { recursive: true, force: true });
});

describe("the console's banners", () => {
  it(
    'shows a backed-off schedule and a stale sync, each with why and the run to look at',
    async () => {
      const twoDaysAgo = await recordSuccessTwoDaysAgo(stack, `old-${tag}`);
      // A base DN that is not there: the scheduled run connects, binds, and fails at its search.
      await save({
        baseDn: `OU=Gone ${tag},${directory.baseDn}`,
        schedule: { enabled: true, intervalMinutes: 60 },
        alerts: { staleAfterHours: 24, failuresBeforeBackoff: 1 },
      });
      await vi.waitFor(
        async () => expect((await api('GET', '/sync/runs')).body.schedule?.state).toBe('backedOff'),
        { timeout: 60_000, interval: 250 },
      );

      await page.goto(`${stack.url}/#token=${stack.token}`);
      await page.getByRole('heading', { level: 1, name: 'Directory Services' }).waitFor();
      const schedule = banner('The schedule is backed off');
      await schedule.waitFor();
      expect(await schedule.textContent()).toMatch(/1 scheduled run in a row failed\. Last error: \w+/);
      expect(await schedule.textContent()).toContain('every 2 hours instead of 1 hour');
      expect(await schedule.textContent()).toContain('Synchronize now still runs at once');
      const stale = banner('The sync is stale');
      expect(await stale.textContent()).toContain(`No run has succeeded since ${twoDaysAgo.slice(0, 10)}`);
      expect(await stale.textContent()).toContain('The last run failed.');
      await page.screenshot({ path: join(screenshots, 'operator-alerts.png') });

      // The failed scheduled run's report says the schedule's state after it.
      await page.getByRole('navigation').getByRole('link', { name: 'Runs', exact: true }).click();
      await page
        .getByRole('row')
        .filter({ hasText: 'Schedule' })
        .filter({ hasText: 'Failed' })
        .getByRole('button')
        .click();
      expect(await page.locator('#run-report .schedule-state').textContent()).toMatch(
        /^The schedule is backed off: 1 scheduled run in a row failed\. Last error: NoSuchObject: /,
      );

      // Synchronize now still runs (and fails the same way); the banners stay.
      await page.getByRole('navigation').getByRole('link', { name: 'Synchronize now', exact: true }).click();
      await page.getByRole('button', { name: 'Synchronize now' }).click();
      await vi.waitFor(
        async () =>
          expect((await api('GET', '/sync/runs')).body.runs[0]).toMatchObject({
            trigger: 'api',
            status: 'failed',
          }),
        { timeout: 90_000, interval: 250 },
      );
      await page.locator('#sync-result').getByText('failed', { exact: false }).first().waitFor();
      expect(await schedule.isVisible()).toBe(true);
    },
    LONG,
  );

  it(
    'offers to apply withheld deletes, applies them once with the button, and clears what no longer holds',
    async () => {
      await save();
      expect((await api('POST', '/sync', {})).body).toMatchObject({
        status: 'succeeded',
        counts: { created: 3 },
      });
      await admin.del(userDn('b1'));
      await admin.del(userDn('b2'));
      const withheld = await api('POST', '/sync', {});
      expect(withheld.body).toMatchObject({ status: 'deletionThresholdExceeded', deletesWithheld: 2 });

      await page.getByRole('navigation').getByRole('link', { name: 'Runs', exact: true }).click();
      const deletes = banner('Deletes withheld');
      await deletes.waitFor();
      // The run succeeded since: neither stale nor backed off (the schedule is off).
      expect(await banner('The sync is stale').count()).toBe(0);
      expect(await banner('The schedule is backed off').count()).toBe(0);
      expect(await deletes.textContent()).toContain('would remove 2 directory users');
      await page.screenshot({ path: join(screenshots, 'withheld-deletes-banner.png') });

      await deletes.getByRole('button', { name: 'Apply the 2 withheld removals once' }).click();
      await page.getByRole('heading', { level: 1, name: 'Synchronize now' }).waitFor();
      await deletes.waitFor({ state: 'detached', timeout: 90_000 });
      const runs = (await api('GET', '/sync/runs')).body.runs;
      expect(runs[0]).toMatchObject({ status: 'succeeded', trigger: 'api', counts: { deleted: 2 } });
      expect(pageErrors).toEqual([]);
    },
    LONG,
  );

  it(
    'edits the alert settings with the schedule, and refuses one out of range at its field',
    async () => {
      // A fresh start of the console: the draft it kept from the first visit is of an older version.
      await page.goto(`${stack.url}/#token=${stack.token}`);
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Directory Services' }).waitFor();
      const stale = page.getByLabel('Stale after (hours)', { exact: true });
      const backoff = page.getByLabel('Back off after (failed runs in a row)', { exact: true });
      expect(await stale.inputValue()).toBe('26');
      expect(await backoff.inputValue()).toBe('3');
      const before = (await api('GET', '/config')).body.version;
      await stale.fill('721');
      await page.getByRole('button', { name: 'Save' }).click();
      await vi.waitFor(async () => expect(await stale.getAttribute('aria-invalid')).toBe('true'));
      expect((await api('GET', '/config')).body.version).toBe(before);
      await stale.fill('48');
      await backoff.fill('5');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText(`Saved as version ${before + 1}.`).waitFor();
      expect((await api('GET', '/config')).body.config.alerts).toEqual({
        staleAfterHours: 48,
        failuresBeforeBackoff: 5,
      });
      expect(pageErrors).toEqual([]);
    },
    LONG,
  );
});

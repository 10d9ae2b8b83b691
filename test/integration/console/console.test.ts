/**
 * The admin console end to end, in a real browser: `adsync serve` in a child process (as a user runs it)
 * against the Samba fixture, and Debian's Chromium driven by playwright-core. Configure, test, synchronize,
 * see the users and the runs; errors land at the field they are about; keyboard and a narrow window work.
 * Screenshots of the way go to a temporary folder, or, when asked (`npm run screenshots` sets
 * ADSYNC_SCREENSHOTS=docs/screenshots), to that folder: the README shows the ones in docs/screenshots/, and a
 * test run leaves them as they were.
 */

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RUNS_POLL_MS } from '../../../console/src/pages/runs-page';
import { freePort } from '../../../local/dynamodb-local';
import { type ServeProcess, startServe } from '../../support/local-stack-process';
import { type FaultProxy, startFaultProxy } from '../../support/tcp-fault-proxy';

/** Installed by .ci/run from tools/debian-packages.txt; nothing is downloaded. */
const CHROMIUM = '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DOCS_SCREENSHOTS = join(ROOT, 'docs', 'screenshots');
/** Where this run writes its screenshots: ADSYNC_SCREENSHOTS (relative to the repository), else a temporary folder. */
const requestedScreenshots = process.env.ADSYNC_SCREENSHOTS
  ? resolve(ROOT, process.env.ADSYNC_SCREENSHOTS)
  : undefined;
let screenshots: string;

const directory = inject('directory');
const token = 'console-e2e-token-0123456789abcdef';
let home: string;
let serve: ServeProcess;
let browser: Browser;
let page: Page;
/** The DC half a second away (see the cases on runs under way), once started. */
let distant: FaultProxy | undefined;
/** Script errors and console errors (a Content-Security-Policy violation is one) seen in the page. */
const pageErrors: string[] = [];

const screenshot = (name: string, fullPage = false): Promise<Buffer> =>
  page.screenshot({ path: join(screenshots, `${name}.png`), fullPage });

/** The text of everything a control's aria-describedby points at: its hint and its error. */
async function descriptionOf(control: Locator): Promise<string> {
  return control.evaluate((element) =>
    (element.getAttribute('aria-describedby') ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((id) => document.getElementById(id)?.textContent ?? '')
      .join(' | '),
  );
}

/** A call to the API with the token, as the console makes it. */
async function callApi(method: string, path: string, body?: unknown) {
  const response = await fetch(`${serve.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: await response.json() };
}

const heading = (name: string): Locator => page.getByRole('heading', { level: 1, name });
const navLink = (name: string): Locator =>
  page.getByRole('navigation').getByRole('link', { name, exact: true });
const field = (label: string): Locator => page.getByLabel(label, { exact: true });

/** The screenshots in docs/ that operator-banners.test.ts takes. */
const BANNERS_SCREENSHOTS: readonly string[] = ['operator-alerts.png', 'withheld-deletes-banner.png'];

/** The tracked screenshots: each file's name and SHA-256, to tell that a run left them as they were. */
async function screenshotsInDocs(): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  for (const name of (await readdir(DOCS_SCREENSHOTS)).sort()) {
    hashes[name] = createHash('sha256')
      .update(await readFile(join(DOCS_SCREENSHOTS, name)))
      .digest('hex');
  }
  return hashes;
}
let docsScreenshotsBefore: Record<string, string>;

beforeAll(async () => {
  docsScreenshotsBefore = await screenshotsInDocs();
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the console's end-to-end tests need Debian's chromium package ` +
        '(listed in tools/debian-packages.txt; bash .ci/run installs it)',
    );
  }
  screenshots = requestedScreenshots ?? (await mkdtemp(join(tmpdir(), 'ad-sync-screenshots-')));
  await mkdir(screenshots, { recursive: true });
  home = await mkdtemp(join(tmpdir(), 'ad-sync-console-'));
  serve = await startServe({ ADSYNC_HOME: home, ADSYNC_PORT: String(await freePort()), ADSYNC_TOKEN: token });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    // Chromium's sandbox refuses to run as root (CI machines often are).
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
    // The sign-in test's wrong token is answered 401, which Chromium logs as a failed resource.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      pageErrors.push(message.text());
    }
  });
});

afterAll(async () => {
  await browser?.close();
  await distant?.close();
  await serve?.stop();
  if (home) await rm(home, { recursive: true, force: true });
  if (screenshots && !requestedScreenshots) await rm(screenshots, { recursive: true, force: true });
});

describe('the admin console', () => {
  it('is served at / without the token, while the API still requires it', async () => {
    const html = await fetch(`${serve.url}/`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(html.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect((await fetch(`${serve.url}/config`)).status).toBe(401);
    expect((await fetch(`${serve.url}/index.html/../config`)).status).toBe(401);
  });

  it('serves config.json as the local mode without the token, and the console starts in that mode', async () => {
    const config = await fetch(`${serve.url}/config.json`);
    expect(config.status).toBe(200);
    expect(config.headers.get('content-type')).toContain('application/json');
    expect(config.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await config.json()).toEqual({ mode: 'local' });
    // The build has no config.json of its own: the one served is the local stack's.
    expect(existsSync(join(ROOT, 'console', 'dist', 'config.json'))).toBe(false);
    const loaded = page.waitForResponse((response) => response.url() === `${serve.url}/config.json`);
    await page.goto(`${serve.url}/`);
    expect(await (await loaded).json()).toEqual({ mode: 'local' });
    // Local mode: the token form, no Cognito sign-in.
    await heading('Sign in to the ad-sync console').waitFor();
    expect(await field('Access token').count()).toBe(1);
  });

  it('asks for the token and refuses a wrong one', async () => {
    await page.goto(`${serve.url}/`);
    await heading('Sign in to the ad-sync console').waitFor();
    await field('Access token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const input = field('Access token');
    await page.getByText('The API does not accept this token.').waitFor();
    expect(await input.getAttribute('aria-invalid')).toBe('true');
    expect(await descriptionOf(input)).toContain('does not accept this token');
  });

  it('opens with the token in the URL fragment and takes it out of the address bar', async () => {
    await page.goto(`${serve.url}/#token=${token}`);
    await heading('Directory Services').waitFor();
    expect(page.url()).not.toContain(token);
    expect(page.url()).toMatch(/#\/directory$/);
  });

  it('configures Directory Services: connection, password, pickers, Default Privileges', async () => {
    await field('Servers').fill('127.0.0.1');
    await field('Domain').fill(directory.domain);
    await field('CA certificate').fill(directory.caCertificate);
    await field('TLS server name').fill(directory.tlsServerName);
    await field('User name').fill(directory.serviceAccount.upn);
    await page.getByLabel('Password').fill(directory.serviceAccount.password);
    expect(await page.locator('#password-state').textContent()).toBe('not set');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved as version 1.').waitFor();
    expect(await page.locator('#password-state').textContent()).toBe('set');
    expect(await page.getByLabel('Password').inputValue()).toBe('');

    // The Base DN picker lists the directory's naming contexts.
    await page.getByRole('button', { name: 'Browse…' }).click();
    const baseDnDialog = page.getByRole('dialog', { name: 'Choose the Base DN' });
    await baseDnDialog.getByLabel(`${directory.baseDn} (default)`).check();
    await baseDnDialog.getByRole('button', { name: 'Use this Base DN' }).click();
    expect(await field('Base DN').inputValue()).toBe(directory.baseDn);

    // The group picker searches the directory; a group can be added and removed again.
    await page.getByRole('button', { name: 'Add groups…' }).click();
    const groupsDialog = page.getByRole('dialog', { name: 'Add groups' });
    await groupsDialog.getByLabel('Search groups').fill('Engineering');
    await groupsDialog.getByLabel(/^Engineering Team/).check();
    await groupsDialog.getByRole('button', { name: 'Use the checked groups' }).click();
    const engineering = `CN=Engineering Team,OU=Groups,${directory.baseDn}`;
    await page.locator('#groups-list').getByText(engineering).waitFor();
    await page.getByRole('button', { name: `Remove group ${engineering}` }).click();
    await page.locator('#groups-list').getByText('No groups selected').waitFor();

    // Default Privileges: a dialog of checkboxes.
    await page.getByRole('button', { name: 'Edit default privileges…' }).click();
    const privileges = page.getByRole('dialog', { name: 'Default privileges' });
    await privileges.getByLabel('Export email').check();
    await privileges.getByLabel('Write').check();
    await privileges.getByRole('button', { name: 'OK' }).click();
    expect(await page.locator('#privileges-summary').textContent()).toBe(
      'Log on, Export email; own archive: read, write',
    );

    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved as version 2.').waitFor();
    const saved = await (
      await fetch(`${serve.url}/config`, { headers: { authorization: `Bearer ${token}` } })
    ).json();
    expect(saved).toMatchObject({
      version: 2,
      passwordSet: true,
      config: {
        connection: {
          servers: ['127.0.0.1'],
          baseDn: directory.baseDn,
          username: directory.serviceAccount.upn,
        },
        filters: { groups: [] },
        defaultPrivileges: { privileges: ['login', 'exportEmail'], ownArchiveAccess: ['read', 'write'] },
      },
    });
    await screenshot('directory-services', true);
  });

  it('tries an attribute mapping on one user before saving: its attributes, a rule that fails on it, a refused rule', async () => {
    const rules = field('Mapped attributes');
    const tryOn = async (rulesJson: unknown) => {
      await rules.fill(JSON.stringify(rulesJson, null, 2));
      await page.getByRole('button', { name: 'Try on user' }).click();
    };
    await page.locator('#mapping-try-name').fill('jsmith');
    await tryOn({
      upn: { expression: '$uppercase(userPrincipalName)' },
      dept: { from: 'department', default: '-' },
    });
    const mapped = page.locator('#mapped-attributes');
    await mapped.getByText('Mapped attributes of jsmith').waitFor();
    expect(await mapped.getByRole('row', { name: /^upn/ }).textContent()).toContain('JSMITH@');
    await page.locator('#mapping').evaluate((box) => box.scrollIntoView({ block: 'start' }));
    await screenshot('attribute-mapping');
    await tryOn({ n: { from: 'sAMAccountName', transform: 'int' } });
    await page
      .locator('#mapping-failed', { hasText: 'mapping.attributes.n: "jsmith" is not an integer' })
      .waitFor();
    await tryOn({ x: { expression: '(' } });
    await page
      .locator('#field-mappingAttributes-error', {
        hasText: /^mapping\.attributes\.x: the expression does not compile/,
      })
      .waitFor();
    // Nothing was saved; the draft goes back to no mapping.
    await tryOn({});
    expect((await callApi('GET', '/config')).body.config.mapping).toEqual({
      userName: 'sAMAccountName',
      attributes: {},
    });
  });

  it('runs Test Settings: steps with timings, the plan with search and action filter, the excluded users', async () => {
    await page.getByRole('button', { name: 'Test Settings' }).click();
    await heading('Test Settings').waitFor();
    await page.locator('#test-outcome').getByText('Succeeded').waitFor();
    const steps = page.getByRole('region', { name: 'Steps' });
    for (const step of ['Connect', 'Bind', 'Search directory', 'Plan']) {
      expect(await steps.getByRole('row', { name: new RegExp(`^${step} ✓ OK`) }).count()).toBe(1);
    }
    const plan = page.getByRole('region', { name: 'Plan' });
    expect(await plan.getByRole('row').count()).toBeGreaterThan(100);
    await page.getByLabel('Action', { exact: true }).selectOption('create');
    expect(await page.locator('#test-plan-status').textContent()).toMatch(/^Showing \d+ of \d+ matching/);
    await page.getByLabel('Search the plan').fill('jsmith');
    const row = plan.getByRole('row', { name: /jsmith/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('Create');
    const excluded = page.getByRole('region', { name: 'Excluded users' });
    expect(await excluded.getByText('Disabled').count()).toBeGreaterThan(0);
    await page.getByLabel('Search the plan').fill('');
    await screenshot('test-settings', true);
  });

  it('explains an excluded user from the Test Settings report: the filter that excludes it, and why', async () => {
    const excluded = page.getByRole('region', { name: 'Excluded users' });
    await page.getByLabel('Search the excluded users').fill('erin');
    await excluded.getByRole('button', { name: 'Explain erin' }).click();
    await page.locator('#explain-scope').getByText('Not in scope: excluded by Enabled users only.').waitFor();
    // Explained by its distinguished name, which fills the box; the focus moves to the result.
    expect(await field('User to explain').inputValue()).toBe(
      `CN=Erin Evans,OU=Engineering,${directory.baseDn}`,
    );
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('explain-result-heading');
    const filters = page.getByRole('region', { name: 'Filters' });
    const enabled = await filters.getByRole('row', { name: /^Enabled users only/ }).textContent();
    expect(enabled).toContain('✗ Failed');
    expect(enabled).toContain('ACCOUNTDISABLE is set (the account is disabled)');
    expect(await filters.getByRole('row', { name: /^Exchange users only/ }).textContent()).toContain(
      '✓ Passed',
    );
    expect(await page.locator('#explain-action').textContent()).toContain('Nothing');
    expect(await page.locator('#explain-reason').textContent()).toContain(
      'out of scope (disabled) and not in the user database',
    );
    expect(await page.locator('#explain-current').textContent()).toBe(
      'The user database has no record of this user.',
    );
    expect(await page.locator('#explain-status').textContent()).toBe(
      'erin: not in scope; planned action: nothing.',
    );
    await page.locator('#explain').evaluate((box) => box.scrollIntoView({ block: 'start' }));
    await screenshot('explain-user');
    await page.getByLabel('Search the excluded users').fill('');
  });

  it('explains a user by name and synchronizes it: created, explained again, then listed in Users', async () => {
    const name = field('User to explain');
    const explain = page.getByRole('button', { name: 'Explain', exact: true });
    await name.fill('nobody-here');
    await explain.click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'No such user in the directory under the base DN: “nobody-here”.' })
      .waitFor();
    expect(await page.locator('#explain-sync').isVisible()).toBe(false);

    await name.fill('grace');
    await explain.click();
    await page
      .locator('#explain-scope')
      .getByText('In scope: every filter lets this user through.')
      .waitFor();
    expect(await page.locator('#explain-action').textContent()).toBe(
      'Create A sync would create the user grace.',
    );
    expect(await page.locator('#explain-mapped').textContent()).toContain('grace@company.local');
    expect(await page.locator('#explain-current').textContent()).toBe(
      'The user database has no record of this user.',
    );

    const synchronize = page.getByRole('button', { name: 'Synchronize this user' });
    await synchronize.click();
    await page
      .locator('#explain-sync-result')
      .getByText('Synchronized: Created grace.')
      .waitFor({ timeout: 60_000 });
    // The explanation is read again: the user is now in the database, in step with the directory.
    await page.locator('#explain-action').getByText('Unchanged').waitFor();
    expect(await page.locator('#explain-current').textContent()).toBe(
      'The user database holds grace (Grace Green), a directory user.',
    );
    expect(await synchronize.evaluate((button) => button === document.activeElement)).toBe(true);

    await navLink('Users').click();
    await heading('Users').waitFor();
    await field('Search users').fill('grace@company.local');
    await page.getByText('Showing 1 of 1 matching').waitFor();
    const row = page.getByRole('region', { name: 'Users' }).getByRole('row', { name: /^grace / });
    expect(await row.textContent()).toContain('Directory');
    await field('Search users').fill('');
  }, 90_000);

  it('synchronizes now: progress while it runs, then the results', async () => {
    await navLink('Synchronize now').click();
    await heading('Synchronize now').waitFor();
    await page.getByRole('button', { name: 'Synchronize now' }).click();
    // The request takes seconds (1,700 users written); the progress shows from the click until the report.
    expect(await page.getByRole('progressbar').isVisible()).toBe(true);
    await page.locator('#sync-outcome').getByText('Succeeded').waitFor({ timeout: 90_000 });
    expect(await page.getByRole('progressbar').isVisible()).toBe(false);
    const created = page.locator('.counts div', { hasText: 'Created' }).locator('dd');
    expect(Number(await created.textContent())).toBeGreaterThan(1000);
    await screenshot('synchronize-now', true);
  }, 120_000);

  it('lists the synchronized users with their source and privileges, apart from local users', async () => {
    const local = await fetch(`${serve.url}/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ userName: 'helpdesk', fullName: 'Help Desk' }),
    });
    expect(local.status).toBe(201);
    await navLink('Users').click();
    const users = page.getByRole('region', { name: 'Users' });
    await field('Search users').fill('jsmith');
    const row = users.getByRole('row', { name: /jsmith/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('Directory');
    expect(await row.textContent()).toContain('Log on, Export email');
    await field('Search users').fill('');
    await field('Source').selectOption('local');
    await page.getByText('Showing 1 of 1 matching').waitFor();
    expect(await users.getByRole('row', { name: /helpdesk/ }).textContent()).toContain('Local');
    await field('Source').selectOption('all');
    await screenshot('users');
  });

  it('shows the run in Runs, with its changes', async () => {
    await navLink('Runs').click();
    await heading('Runs').waitFor();
    const runs = page.getByRole('region', { name: 'Runs' });
    await runs.waitFor();
    // The sync, and before it the one user's (newest first).
    expect(await runs.getByRole('row').count()).toBe(3);
    expect(await runs.getByRole('row').nth(2).textContent()).toContain('One user');
    await runs
      .getByRole('row')
      .nth(1)
      .getByRole('button', { name: /^Details/ })
      .click();
    await page.locator('#run-outcome').getByText('Succeeded').waitFor();
    expect(await page.getByRole('region', { name: 'Changes' }).getByRole('row').count()).toBeGreaterThan(100);
    await screenshot('runs', true);
  });

  it('keeps the page the administrator moved on to when the page left behind answers late', async () => {
    const runsList = (url: URL): boolean => url.origin === serve.url && url.pathname === '/sync/runs';
    let release = (): void => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let asked = (): void => {};
    const arrived = new Promise<void>((resolve) => {
      asked = resolve;
    });
    await page.route(runsList, async (route) => {
      asked();
      await held;
      await route.continue();
    });
    try {
      // From another page (the last test left Runs open): the click on Runs then loads it.
      await navLink('Users').click();
      await heading('Users').waitFor();
      await navLink('Runs').click();
      await arrived;
      await navLink('Directory Services').click();
      await field('Servers').waitFor();
      const answered = page.waitForResponse((response) => runsList(new URL(response.url())));
      release();
      await (await answered).finished();
      // Time for the Runs page to draw, had it drawn over this one.
      await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 500)));
      expect(await page.getByRole('region', { name: 'Runs' }).count()).toBe(0);
      expect(await heading('Directory Services').isVisible()).toBe(true);
      expect(await field('Servers').inputValue()).toBe('127.0.0.1');
    } finally {
      release();
      await page.unroute(runsList);
    }
  });

  it('shows a malformed Base DN at the Base DN field when saving', async () => {
    await navLink('Directory Services').click();
    await heading('Directory Services').waitFor();
    await field('Base DN').fill('not a DN');
    await page.getByRole('button', { name: 'Save' }).click();
    const baseDn = field('Base DN');
    await page.locator('#field-baseDn-error').waitFor();
    expect(await baseDn.getAttribute('aria-invalid')).toBe('true');
    expect(await descriptionOf(baseDn)).toContain('must be a distinguished name');
    expect(await page.locator('#error-summary').textContent()).toContain(
      'Base DN: must be a distinguished name',
    );
    await baseDn.scrollIntoViewIfNeeded();
    await screenshot('base-dn-error');
  });

  it('shows a Base DN that does not exist at the Base DN field after Test Settings', async () => {
    await field('Base DN').fill(`OU=Nowhere,${directory.baseDn}`);
    expect(await field('Base DN').getAttribute('aria-invalid')).toBeNull();
    await page.getByRole('button', { name: 'Test Settings' }).click();
    await page.locator('#field-baseDn-error').waitFor();
    const description = await descriptionOf(field('Base DN'));
    expect(description).toContain(`the base DN OU=Nowhere,${directory.baseDn} does not exist`);
    expect(await page.locator('#error-summary').textContent()).toContain(
      'Test Settings failed at step “search”',
    );
    await page.getByRole('button', { name: 'Discard changes' }).click();
    await page.getByText('Showing the saved settings.').waitFor();
    expect(await field('Base DN').inputValue()).toBe(directory.baseDn);
  });

  it('works with the keyboard and in a narrow (375 px) window; every field has a label', async () => {
    await page.setViewportSize({ width: 375, height: 812 });
    await page.goto(`${serve.url}/#/directory`);
    await page.reload();
    await heading('Directory Services').waitFor();
    const unlabelled = await page.evaluate(
      () =>
        [...document.querySelectorAll<HTMLInputElement>('input, select, textarea, button')].filter(
          (control) =>
            control.labels?.length === 0 &&
            !control.getAttribute('aria-label') &&
            !control.textContent?.trim(),
        ).length,
    );
    expect(unlabelled).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    // Tab to the Users link and follow it with Enter: the new page's heading gets the focus.
    for (let i = 0; i < 10; i += 1) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate(() => document.activeElement?.textContent)) === 'Users') break;
    }
    await page.keyboard.press('Enter');
    await heading('Users').waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'page-heading');

    // A dialog opens with Enter, closes with Escape, and gives the focus back to its button.
    await navLink('Directory Services').click();
    const privileges = page.getByRole('button', { name: 'Edit default privileges…' });
    await privileges.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Default privileges' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Default privileges' }).waitFor({ state: 'hidden' });
    expect(await privileges.evaluate((button) => button === document.activeElement)).toBe(true);

    await navLink('Test Settings').click();
    await page.getByRole('button', { name: 'Run Test Settings' }).click();
    await page.locator('#test-outcome').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot('narrow-window');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('explains a deletion-threshold stop and deletes once when allowed', async () => {
    await navLink('Directory Services').click();
    await field('Base DN').fill(`OU=Engineering,${directory.baseDn}`);
    await field('Delete users that are no longer in the directory').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved as version 3.').waitFor();

    await navLink('Synchronize now').click();
    await page.getByRole('button', { name: 'Synchronize now' }).click();
    const threshold = page.getByRole('region', { name: 'Deletes stopped by the deletion threshold' });
    await threshold.waitFor({ timeout: 90_000 });
    expect(await threshold.textContent()).toContain('no user was deleted');
    // Why, worded from the report's deletesWithheldBecause (over 1,000 deletes: the default maxCount's 500).
    expect(await threshold.textContent()).toMatch(
      /This sync would delete (\d+) directory users \(\1 deletes exceed the maximum of 500\)\./,
    );
    await screenshot('deletion-threshold');
    await threshold.getByRole('button', { name: /this once$/ }).click();
    await page.locator('#sync-outcome').getByText('Succeeded').waitFor({ timeout: 90_000 });
    const deleted = page.locator('.counts div', { hasText: 'Deleted' }).locator('dd');
    expect(Number(await deleted.textContent())).toBeGreaterThan(1000);
  }, 180_000);

  it('shows the phase and counts of a sync while it runs, before its report', async () => {
    // The DC's answers half a second late: the sync (a dozen exchanges with the DC) lasts well past the 2 s
    // the console asks the API to wait, so the API answers 202 and the page follows the run. The whole Base
    // DN again: the users the threshold case deleted are created anew, so the run applies changes.
    distant = await startFaultProxy({
      targetHost: '127.0.0.1',
      targetPort: 636,
      fault: { kind: 'latency', ms: 500 },
    });
    const { config } = (await callApi('GET', '/config')).body;
    const saved = await callApi('PUT', '/config', {
      config: {
        ...config,
        connection: {
          ...config.connection,
          servers: [`127.0.0.1:${distant.port}`],
          baseDn: directory.baseDn,
          timeoutSeconds: 30,
        },
      },
      // A new server: the password goes with it.
      password: directory.serviceAccount.password,
    });
    expect(saved.status).toBe(200);

    await navLink('Synchronize now').click();
    await heading('Synchronize now').waitFor();
    // Every state the page goes through: the progress (phase, bar, counts) and the outcome.
    await page.evaluate(() => {
      const states: string[] = [];
      Object.assign(window, { syncStates: states });
      const record = (): void => {
        const outcome = document.getElementById('sync-outcome')?.textContent;
        const status = document.getElementById('sync-progress-status')?.textContent;
        const bar = document.getElementById('sync-progress-bar') as HTMLProgressElement | null;
        const counts = document.getElementById('sync-progress-counts')?.textContent;
        const state = outcome
          ? `outcome: ${outcome}`
          : status
            ? `${status} | ${bar?.hasAttribute('value') ? `${bar.value} of ${bar.max}` : 'indeterminate'} | ${counts}`
            : undefined;
        if (state && states.at(-1) !== state) states.push(state);
      };
      new MutationObserver(record).observe(document.getElementById('main') as HTMLElement, {
        subtree: true,
        childList: true,
        characterData: true,
        attributes: true,
      });
    });
    await page.getByRole('button', { name: 'Synchronize now' }).click();
    const phase = page.getByRole('status').filter({ hasText: /^Synchronizing: / });
    await phase.filter({ hasText: /Reading the directory|Planning|Applying changes/ }).waitFor();
    expect(await phase.getAttribute('aria-live')).toBe('polite');
    expect(await page.getByRole('progressbar', { name: /^Synchronizing: / }).isVisible()).toBe(true);
    await page.locator('#sync-outcome').getByText('Succeeded').waitFor({ timeout: 120_000 });
    expect(await page.locator('#sync-progress').count()).toBe(0);

    const states = await page.evaluate(() => (window as unknown as { syncStates: string[] }).syncStates);
    const outcomeAt = states.findIndex((state) => state.startsWith('outcome: '));
    const running = states.slice(0, outcomeAt);
    expect(outcomeAt).toBeGreaterThan(0);
    expect(states.slice(outcomeAt).every((state) => state.startsWith('outcome: '))).toBe(true);
    expect(running[0]).toMatch(/^Synchronizing: Starting \| indeterminate/);
    expect(
      running.some((state) =>
        /^Synchronizing: Reading the directory \| indeterminate \| Read\d+/.test(state),
      ),
    ).toBe(true);
    const created = page.locator('.counts div', { hasText: 'Created' }).locator('dd');
    expect(Number(await created.textContent())).toBeGreaterThan(1000);
  }, 180_000);

  it('lists a run under way in Runs with its progress, and follows it there until it ends', async () => {
    // Started with the API, without waiting: it runs for seconds against the distant DC.
    const started = await callApi('POST', '/sync', {});
    expect(started.status).toBe(202);
    await navLink('Runs').click();
    await heading('Runs').waitFor();
    const runs = page.getByRole('region', { name: 'Runs' });
    const running = runs.getByRole('row', { name: /Running/ });
    await running.waitFor();
    // A mark on the heading once the page has loaded (while it loads, a placeholder heading stands in): the
    // page refreshes its list, it is not opened again.
    await page.locator('#page-heading').evaluate((element) => element.setAttribute('data-kept', 'yes'));
    expect(await running.count()).toBe(1);
    expect(await running.textContent()).toMatch(
      /Running (Starting|Connecting to the directory|Reading the directory: \d+ read|Planning: \d+ read|Applying changes: \d+( of \d+)?|Recording the run)/,
    );
    await running.getByRole('button', { name: /^Details/ }).click();
    await page
      .locator('#run-running')
      .getByText(/This run is under way/)
      .waitFor();

    await running.waitFor({ state: 'detached', timeout: 120_000 });
    await page.locator('#run-outcome').getByText('Succeeded').waitFor();
    expect(await runs.getByRole('row').nth(1).textContent()).toContain('Succeeded');
    expect(await page.locator('#page-heading').getAttribute('data-kept')).toBe('yes');

    // Once no run is under way, the page stops asking: a page that still polled would ask again within
    // RUNS_POLL_MS of its last answer, and the window is that and a second more.
    const polls: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/sync/runs')) polls.push(request.url());
    });
    await page.waitForTimeout(RUNS_POLL_MS + 1000);
    expect(polls).toEqual([]);
  }, 180_000);

  it('saves a grace period (a bad value shown at its field), after which Test Settings plans suspensions', async () => {
    await navLink('Directory Services').click();
    await heading('Directory Services').waitFor();
    const grace = field('Keep deleted users suspended for (days)');
    expect(await grace.inputValue()).toBe('0');
    await grace.fill('400');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#field-deletionGraceDays-error').waitFor();
    expect(await grace.getAttribute('aria-invalid')).toBe('true');
    expect(await descriptionOf(grace)).toContain('365');
    expect(await page.locator('#error-summary').textContent()).toContain(
      'Keep deleted users suspended for (days):',
    );
    await grace.fill('30');
    expect(await grace.getAttribute('aria-invalid')).toBeNull();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/^Saved as version \d+\.$/).waitFor();
    expect((await callApi('GET', '/config')).body.config.options).toMatchObject({
      deleteUsers: true,
      deletionGraceDays: 30,
    });

    // Deletes now wait: the users outside Engineering would be suspended, not deleted.
    await field('Base DN').fill(`OU=Engineering,${directory.baseDn}`);
    await page.getByRole('button', { name: 'Test Settings' }).click();
    await heading('Test Settings').waitFor({ timeout: 120_000 });
    await page.locator('#test-outcome').waitFor();
    const actions = await page.getByLabel('Action', { exact: true }).locator('option').allTextContents();
    expect(actions.some((action) => /^Suspend \(\d+\)$/.test(action))).toBe(true);
    expect(actions.some((action) => action.startsWith('Delete'))).toBe(false);
    await page.getByLabel('Action', { exact: true }).selectOption('suspend');
    const plan = page.getByRole('region', { name: 'Plan' });
    expect(await plan.getByRole('row').nth(1).textContent()).toMatch(/^Suspend/);
  }, 180_000);

  it("shows the synchronized groups and a group's members, and a user's groups and privileges by group", async () => {
    const groupsDn = `OU=Groups,${directory.baseDn}`;
    const saved = await callApi('GET', '/config');
    const config = {
      ...saved.body.config,
      groups: { sync: 'all', baseDn: groupsDn },
      privilegeRules: [{ group: `CN=Engineering Team,${groupsDn}`, privileges: ['deleteMessages'] }],
    };
    expect((await callApi('PUT', '/config', { config })).status).toBe(200);
    const synced = await fetch(`${serve.url}/sync`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', prefer: 'wait=120' },
      body: '{}',
    });
    const report = (await synced.json()) as { status: string; steps: { name: string; ok: boolean }[] };
    expect(report.steps.find((step) => step.name === 'groups')).toMatchObject({ ok: true });

    await navLink('Groups').click();
    await heading('Groups').waitFor();
    const groups = page.getByRole('region', { name: 'Groups' });
    await field('Search groups').fill('Sales');
    await groups.getByRole('row', { name: /grp-Sales-Europe/ }).waitFor();
    await groups.getByRole('button', { name: 'grp-Sales-Europe' }).click();
    const members = page.getByRole('region', { name: 'Members of grp-Sales-Europe' });
    await members.waitFor();
    const direct = await members.getByRole('row').count();
    await field('Include the members of nested groups').check();
    await page.getByText(/members, nested groups included$/).waitFor();
    expect(await members.getByRole('row').count()).toBeGreaterThan(direct);
    expect(await members.getByRole('row', { name: /^jsmith / }).count()).toBe(1);
    await screenshot('groups', true);

    await navLink('Users').click();
    await heading('Users').waitFor();
    await field('Search users').fill('grace@company.local');
    const grace = page.getByRole('region', { name: 'Users' }).getByRole('row', { name: /^grace / });
    await grace.waitFor();
    expect(await grace.textContent()).toContain('grp-Engineering-Team');
    expect(await grace.textContent()).toContain('Delete messages (by group)');

    // Test Settings of a rule that gives more: each member's planned update says what its groups give, and why.
    const more = {
      ...config,
      privilegeRules: [{ ...config.privilegeRules[0], privileges: ['deleteMessages', 'exportEmail'] }],
    };
    expect((await callApi('PUT', '/config', { config: more })).status).toBe(200);
    // The saved settings (an earlier test left unsaved edits of Directory Services, which Test Settings would try).
    await page.reload();
    await navLink('Test Settings').click();
    await page.getByRole('button', { name: 'Run Test Settings' }).click();
    await page.locator('#test-outcome').waitFor({ timeout: 120_000 });
    await page.getByText('Tested the saved settings.').waitFor();
    const plan = page.getByRole('region', { name: 'Plan' });
    await field('Search the plan').fill('grace');
    const planned = plan.getByRole('row', { name: /grace/ });
    await planned.waitFor();
    expect(await planned.textContent()).toContain(
      `privilegeRules.0 (CN=Engineering Team,${groupsDn}) gives deleteMessages, exportEmail`,
    );
  }, 180_000);

  it('raised no script error and no Content-Security-Policy violation on the way', () => {
    expect(pageErrors).toEqual([]);
  });

  it('wrote every screenshot, and left the ones in docs/ as it found them unless asked to replace them', async () => {
    // The operator banners' screenshots are operator-banners.test.ts's (into the same folder with npm run
    // screenshots): every other one in docs/ is this file's.
    const others = (name: string) => BANNERS_SCREENSHOTS.includes(name);
    expect((await readdir(screenshots)).filter((name) => !others(name)).sort()).toEqual(
      Object.keys(docsScreenshotsBefore).filter((name) => !others(name)),
    );
    if (requestedScreenshots !== DOCS_SCREENSHOTS) {
      expect(await screenshotsInDocs()).toEqual(docsScreenshotsBefore);
    }
  });
});

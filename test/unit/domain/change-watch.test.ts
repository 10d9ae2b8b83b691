/** The watch's pure decisions: the naming context it watches, the changes that count, the burst, the back-off. */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_WATCH_TIMING,
  MAX_RUN_GAP_MS,
  MIN_RUN_GAP_MS,
  nextRunGap,
  reconnectDelayMs,
  relevanceOf,
  runDueAt,
  watchAsSeen,
  watchedNamingContext,
  withChangeAt,
} from '../../../shared/domain/change-watch';

const DOMAIN = 'DC=company,DC=local';
const rootDse = {
  defaultNamingContext: DOMAIN,
  namingContexts: [DOMAIN, `CN=Configuration,${DOMAIN}`, `DC=DomainDnsZones,${DOMAIN}`],
};

describe('watchedNamingContext', () => {
  it('is the naming context holding the base DN: AD allows a subtree notification only at its root', () => {
    expect(watchedNamingContext(rootDse, `OU=Staff,${DOMAIN}`)).toBe(DOMAIN);
    expect(watchedNamingContext(rootDse, DOMAIN)).toBe(DOMAIN);
    expect(watchedNamingContext(rootDse, `OU=x,DC=DomainDnsZones,${DOMAIN}`)).toBe(
      `DC=DomainDnsZones,${DOMAIN}`,
    );
  });

  it('falls back to the default naming context, then to the base DN itself', () => {
    expect(watchedNamingContext(rootDse, 'OU=Staff,DC=other,DC=local')).toBe(DOMAIN);
    expect(watchedNamingContext({ namingContexts: [] }, 'OU=Staff,DC=other,DC=local')).toBe(
      'OU=Staff,DC=other,DC=local',
    );
  });
});

describe('relevanceOf', () => {
  const scopes = [`OU=Staff,${DOMAIN}`];
  const GUID = '8af18531-ae04-4fd9-a811-526bbe109a79';
  it('counts groups anywhere (a selected group may be outside the scopes) and anything under a scope', () => {
    expect(relevanceOf({ dn: `CN=A,OU=Staff,${DOMAIN}`, objectClasses: ['top', 'user'] }, scopes)).toBe(
      'counts',
    );
    expect(relevanceOf({ dn: `CN=G,CN=Users,${DOMAIN}`, objectClasses: ['top', 'Group'] }, scopes)).toBe(
      'counts',
    );
    expect(
      relevanceOf({ dn: `OU=Sub,OU=Staff,${DOMAIN}`, objectClasses: ['organizationalUnit'] }, scopes),
    ).toBe('counts');
  });

  it('asks about a user outside every scope by its objectGUID: moved out, or deleted (its tombstone)', () => {
    const user = ['top', 'person', 'organizationalPerson', 'user'];
    expect(relevanceOf({ dn: `CN=A,OU=Gone,${DOMAIN}`, objectClasses: user, objectGuid: GUID }, scopes)).toBe(
      'ifSynchronized',
    );
    const tombstone = `CN=A\\0ADEL:${GUID},CN=Deleted Objects,${DOMAIN}`;
    expect(relevanceOf({ dn: tombstone, objectClasses: user, objectGuid: GUID }, scopes)).toBe(
      'ifSynchronized',
    );
  });

  it('ignores a user outside every scope with no objectGUID, computers, policies, and other objects outside', () => {
    expect(relevanceOf({ dn: `CN=A,OU=Gone,${DOMAIN}`, objectClasses: ['top', 'user'] }, scopes)).toBe(
      'ignored',
    );
    const computer = { objectClasses: ['user', 'computer'], objectGuid: GUID };
    expect(relevanceOf({ dn: `CN=PC,OU=Staff,${DOMAIN}`, ...computer }, scopes)).toBe('ignored');
    expect(relevanceOf({ dn: `CN=PC,OU=Other,${DOMAIN}`, ...computer }, scopes)).toBe('ignored');
    const policy = ['top', 'container', 'groupPolicyContainer'];
    expect(
      relevanceOf({ dn: `CN={GPO},CN=Policies,CN=System,${DOMAIN}`, objectClasses: policy }, scopes),
    ).toBe('ignored');
    expect(relevanceOf({ dn: `CN=Other,${DOMAIN}`, objectClasses: ['top', 'contact'] }, scopes)).toBe(
      'ignored',
    );
    expect(relevanceOf({ dn: 'not a dn', objectClasses: [] }, scopes)).toBe('ignored');
  });

  it('ignores every other object under a scope: only users, groups, OUs and containers start a run', () => {
    const under = (name: string, ...objectClasses: string[]) =>
      relevanceOf({ dn: `${name},CN=A,OU=Staff,${DOMAIN}`, objectClasses, objectGuid: GUID }, scopes);
    // Exchange keeps a user's mobile devices under it, and updates them at every sync of the phone.
    expect(under('CN=ExchangeActiveSyncDevices', 'top', 'msExchActiveSyncDevices')).toBe('ignored');
    expect(under('CN=iPhone§123,CN=ExchangeActiveSyncDevices', 'top', 'msExchActiveSyncDevice')).toBe(
      'ignored',
    );
    expect(under('CN=Contact', 'top', 'person', 'organizationalPerson', 'contact')).toBe('ignored');
    expect(under('CN=Printer', 'top', 'leaf', 'connectionPoint', 'printQueue')).toBe('ignored');
    expect(under('CN=PC', 'top', 'person', 'organizationalPerson', 'user', 'computer')).toBe('ignored');
    expect(under('CN={GPO}', 'top', 'container', 'groupPolicyContainer')).toBe('ignored');
    // Users (an inetOrgPerson is one), groups, OUs and plain containers still count there.
    expect(under('CN=B', 'top', 'person', 'organizationalPerson', 'user', 'inetOrgPerson')).toBe('counts');
    expect(under('CN=G', 'top', 'group')).toBe('counts');
    expect(under('OU=Sub', 'top', 'organizationalUnit')).toBe('counts');
    expect(under('CN=Box', 'top', 'container')).toBe('counts');
    // A change whose classes did not come is judged by where it is.
    expect(under('CN=X')).toBe('counts');
  });

  it("judges a deletion by its tombstone's classes (as the object was): a device's starts nothing", () => {
    const tombstone = (name: string) => `CN=${name}\\0ADEL:${GUID},CN=Deleted Objects,${DOMAIN}`;
    const wide = [DOMAIN];
    expect(relevanceOf({ dn: tombstone('A'), objectClasses: ['top', 'user'], objectGuid: GUID }, wide)).toBe(
      'counts',
    );
    expect(
      relevanceOf({ dn: tombstone('G'), objectClasses: ['top', 'group'], objectGuid: GUID }, scopes),
    ).toBe('counts');
    const device = ['top', 'msExchActiveSyncDevice'];
    expect(relevanceOf({ dn: tombstone('iPhone'), objectClasses: device, objectGuid: GUID }, wide)).toBe(
      'ignored',
    );
  });

  it('counts an OU or plain container outside every scope: it may have left the scope with users in it', () => {
    // As the DC notifies an OU moved out of the base DN: the OU alone, with its new DN.
    const moved = {
      dn: `OU=Sales,${DOMAIN}`,
      objectClasses: ['top', 'organizationalUnit'],
      objectGuid: GUID,
    };
    expect(relevanceOf(moved, scopes)).toBe('container');
    expect(relevanceOf({ dn: `CN=Archive,${DOMAIN}`, objectClasses: ['top', 'Container'] }, scopes)).toBe(
      'container',
    );
    // Its tombstone, where the DC shows deletions to the account.
    const tombstone = `OU=Sales\\0ADEL:${GUID},CN=Deleted Objects,${DOMAIN}`;
    expect(relevanceOf({ ...moved, dn: tombstone }, scopes)).toBe('container');
    // Under a scope, it simply counts.
    expect(relevanceOf({ ...moved, dn: `OU=Sales,OU=Staff,${DOMAIN}` }, scopes)).toBe('counts');
  });
});

describe('runDueAt', () => {
  it('is the quiet after the last change, at most maxDelay after the first, never before notBefore', () => {
    const t = DEFAULT_WATCH_TIMING;
    const one = withChangeAt(undefined, 1000);
    expect(runDueAt(one, t)).toBe(1000 + t.quietMs);
    const burst = withChangeAt(withChangeAt(one, 1600), 2200);
    expect(runDueAt(burst, t)).toBe(1000 + t.maxDelayMs);
    expect(runDueAt({ ...one, notBefore: 9000 }, t)).toBe(9000);
  });

  it('is never within the gap after the start of the last run, and not delayed by a start a gap ago', () => {
    const t = DEFAULT_WATCH_TIMING;
    expect(t.minRunGapMs).toBe(MIN_RUN_GAP_MS);
    const one = withChangeAt(undefined, 10_000);
    expect(runDueAt(one, t, { startedAt: 9_000, gapMs: MIN_RUN_GAP_MS })).toBe(9_000 + MIN_RUN_GAP_MS);
    expect(runDueAt(one, t, { startedAt: 10_000 - MIN_RUN_GAP_MS, gapMs: MIN_RUN_GAP_MS })).toBe(
      10_000 + t.quietMs,
    );
    expect(runDueAt(one, t, { startedAt: 9_000, gapMs: 16_000 })).toBe(25_000);
    // A widened gap holds back only a storm's changes (its first within the least gap of the start), not later ones.
    expect(runDueAt(one, t, { startedAt: 10_000 - MIN_RUN_GAP_MS, gapMs: 16_000 })).toBe(10_000 + t.quietMs);
    expect(runDueAt({ ...one, notBefore: 20_000 }, t, { startedAt: 9_000, gapMs: MIN_RUN_GAP_MS })).toBe(
      20_000,
    );
  });
});

describe('nextRunGap', () => {
  const t = DEFAULT_WATCH_TIMING;
  const one = withChangeAt(undefined, 10_000);

  it('is the least gap after a first run, or after a run the gap did not hold back', () => {
    expect(nextRunGap(one, t)).toBe(MIN_RUN_GAP_MS);
    // Settled at 10.5 s, the gap of a 16 s gap run ended at 10 s: a quiet gap, back to the least.
    expect(nextRunGap(one, t, { startedAt: -6_000, gapMs: 16_000 })).toBe(MIN_RUN_GAP_MS);
    // Settled exactly as the gap ends: not held back.
    expect(nextRunGap(one, t, { startedAt: 10_500 - MIN_RUN_GAP_MS, gapMs: MIN_RUN_GAP_MS })).toBe(
      MIN_RUN_GAP_MS,
    );
  });

  it('doubles when the gap held the run back, up to the widest gap', () => {
    expect(nextRunGap(one, t, { startedAt: 9_000, gapMs: MIN_RUN_GAP_MS })).toBe(2 * MIN_RUN_GAP_MS);
    expect(nextRunGap(one, t, { startedAt: 9_000, gapMs: 16_000 })).toBe(MAX_RUN_GAP_MS);
    expect(nextRunGap(one, t, { startedAt: 9_000, gapMs: MAX_RUN_GAP_MS })).toBe(MAX_RUN_GAP_MS);
    // A change a least gap after a widened gap's start is no storm: back to the least gap.
    expect(nextRunGap(one, t, { startedAt: 10_000 - MIN_RUN_GAP_MS, gapMs: 16_000 })).toBe(MIN_RUN_GAP_MS);
  });
});

describe('reconnectDelayMs', () => {
  it('doubles from the first wait up to the longest', () => {
    const waits = [1, 2, 3, 4, 7, 8, 20].map((n) => reconnectDelayMs(n, DEFAULT_WATCH_TIMING));
    expect(waits).toEqual([1000, 2000, 4000, 8000, 60_000, 60_000, 60_000]);
  });
});

describe('watchAsSeen', () => {
  const now = new Date('2026-12-06T12:00:00Z');
  it('shows a watch whose heartbeat stopped as failing: nothing watches any more', () => {
    const silent = {
      state: 'watching' as const,
      since: '2026-12-06T11:00:00Z',
      checkedAt: '2026-12-06T11:58:59Z',
    };
    expect(watchAsSeen(silent, now)).toMatchObject({
      state: 'failing',
      error: { code: 'WatchSilent', message: 'the watch has not been heard from since 2026-12-06T11:58:59Z' },
    });
  });

  it('leaves a live watch, a new one before its first probe, and every other state as kept', () => {
    const live = {
      state: 'watching' as const,
      since: '2026-12-06T11:00:00Z',
      checkedAt: '2026-12-06T11:59:30Z',
    };
    expect(watchAsSeen(live, now)).toBe(live);
    const opened = { state: 'watching' as const, since: '2026-12-06T11:59:50Z' };
    expect(watchAsSeen(opened, now)).toBe(opened);
    const off = { state: 'off' as const, since: '2026-12-01T00:00:00Z' };
    expect(watchAsSeen(off, now)).toBe(off);
  });
});

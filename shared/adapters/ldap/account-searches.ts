/**
 * What a DC says of one account's lockout (POST /logon's guard, domain/account-lockout.ts): the account found
 * by objectGUID anywhere in the domain, its bad-password count on this DC, whether it is locked out, and the
 * lockout policy that applies to it (a fine-grained password policy named by msDS-ResultantPSO, else the
 * domain's). A plain account may read all of it (FIELD-NOTES); anything it cannot read is an error, never a
 * guess: a logon is not checked on a standing that is not known.
 */
import { AndFilter, type Client, EqualityFilter } from 'ldapts';
import {
  type AccountLockoutPolicy,
  type AccountStanding,
  fileTimeDate,
  intervalSeconds,
} from '../../domain/account-lockout';
import { escapeRdnValue, parseDistinguishedName } from '../../domain/distinguished-name';
import { UnreadableAttributeError } from '../../errors';
import { parseObjectGuid } from './object-guid';
import { guidOf, single } from './user-entry';

/** msDS-User-Account-Control-Computed's "locked out" flag (UF_LOCKOUT). */
const UF_LOCKOUT = 0x10;

const ACCOUNT_ATTRIBUTES = [
  'objectGUID',
  'userPrincipalName',
  'badPwdCount',
  'badPasswordTime',
  'msDS-User-Account-Control-Computed',
  'msDS-ResultantPSO',
];

/** The account with this objectGUID as the DC `server` sees it; undefined when there is none in the domain. */
export async function readAccountStanding(
  client: Client,
  server: string,
  namingContext: string,
  objectGuid: string,
): Promise<AccountStanding | undefined> {
  const { searchEntries } = await client.search(namingContext, {
    scope: 'sub',
    filter: new AndFilter({
      filters: [
        new EqualityFilter({ attribute: 'objectClass', value: 'user' }),
        new EqualityFilter({ attribute: 'objectGUID', value: parseObjectGuid(objectGuid) }),
      ],
    }),
    attributes: ACCOUNT_ATTRIBUTES,
    explicitBufferAttributes: ['objectGUID'],
  });
  const [entry] = searchEntries;
  if (!entry) return undefined;
  const number = (attribute: string): number => {
    const value = single(entry[attribute]);
    if (value === undefined || !/^-?\d+$/.test(value)) {
      throw new UnreadableAttributeError(
        `${attribute} of ${entry.dn} could not be read on ${server}: the logon cannot know whether a bind could lock the account`,
      );
    }
    return Number(value);
  };
  const badPwdCount = number('badPwdCount');
  const readAt = await readDcTime(client, server);
  const computed = number('msDS-User-Account-Control-Computed');
  const badPasswordTime = single(entry.badPasswordTime);
  const passwordSettings = single(entry['msDS-ResultantPSO']);
  const userPrincipalName = single(entry.userPrincipalName);
  return {
    server,
    objectGuid: guidOf(entry),
    distinguishedName: entry.dn,
    ...(userPrincipalName ? { userPrincipalName } : {}),
    namingContext,
    policy: passwordSettings
      ? {
          ...(await readPolicy(
            client,
            server,
            passwordSettings,
            'msDS-LockoutThreshold',
            'msDS-LockoutObservationWindow',
          )),
          passwordSettings,
        }
      : await readPolicy(client, server, namingContext, 'lockoutThreshold', 'lockOutObservationWindow'),
    badPwdCount,
    ...(badPasswordTime ? withTime(fileTimeDate(badPasswordTime)) : {}),
    lockedOut: (computed & UF_LOCKOUT) !== 0,
    readAt,
  };
}

/**
 * The DC's own time (the rootDSE's currentTime): AD stamps badPasswordTime with its clock, so the window is
 * judged on that clock, not on the caller's.
 */
async function readDcTime(client: Client, server: string): Promise<Date> {
  const { searchEntries } = await client.search('', { scope: 'base', attributes: ['currentTime'] });
  const value = single(searchEntries[0]?.currentTime);
  const match = value && /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(value);
  if (!match) throw new UnreadableAttributeError(`${server} did not say its currentTime (rootDSE)`);
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  return new Date(Date.UTC(year as number, (month as number) - 1, day, hour, minute, second));
}

/**
 * The DNS name of the domain's PDC emulator (the domain object's fSMORoleOwner names its NTDS Settings, whose
 * parent is the server object): the DC that keeps the domain's bad-password counts and locks accounts.
 */
export async function readPdcEmulator(
  client: Client,
  server: string,
  namingContext: string,
): Promise<string> {
  const { searchEntries } = await client.search(namingContext, {
    scope: 'base',
    attributes: ['fSMORoleOwner'],
  });
  const owner = single(searchEntries[0]?.fSMORoleOwner);
  if (!owner)
    throw new UnreadableAttributeError(`${server} did not say the domain's PDC emulator (fSMORoleOwner)`);
  const serverObject = parseDistinguishedName(owner)
    .slice(1)
    .map(({ attribute, value }) => `${attribute}=${escapeRdnValue(value)}`)
    .join(',');
  const { searchEntries: servers } = await client.search(serverObject, {
    scope: 'base',
    attributes: ['dNSHostName'],
  });
  const host = single(servers[0]?.dNSHostName);
  if (!host) throw new UnreadableAttributeError(`${server} did not say the DNS name of ${serverObject}`);
  return host;
}

const withTime = (time: Date | undefined): { badPasswordTime?: Date } =>
  time ? { badPasswordTime: time } : {};

/** The threshold and observation window of the domain object, or of a password settings object. */
async function readPolicy(
  client: Client,
  server: string,
  dn: string,
  thresholdAttribute: string,
  windowAttribute: string,
): Promise<AccountLockoutPolicy> {
  const { searchEntries } = await client.search(dn, {
    scope: 'base',
    attributes: [thresholdAttribute, windowAttribute],
  });
  const threshold = single(searchEntries[0]?.[thresholdAttribute]);
  const window = single(searchEntries[0]?.[windowAttribute]);
  if (threshold === undefined || window === undefined || !/^\d+$/.test(threshold)) {
    throw new UnreadableAttributeError(
      `the lockout policy of ${dn} (${thresholdAttribute}, ${windowAttribute}) could not be read on ${server}: ` +
        'the logon cannot know whether a bind could lock the account; let the service account read it (docs/security.md#logon)',
    );
  }
  return { threshold: Number(threshold), observationWindowSeconds: intervalSeconds(window) };
}

/**
 * A DN in a domain the DC does not hold: Active Directory answers a base search of it with a referral (LDAP
 * 10), which ldapts raises as an unknown result code and which is never followed. Samba answers noSuchObject
 * instead (test/integration/directory/explain.test.ts), so the referral is tested here, with the error ldapts
 * raises for it and AD's text.
 */
import { type Client, NoSuchObjectError as LdapNoSuchObjectError, UnknownStatusCodeError } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { lookupErrorOf, toDirectoryError } from '../../../shared/adapters/ldap/directory-errors';
import { LdapDirectorySession } from '../../../shared/adapters/ldap/ldap-directory-reader';
import type { NotificationClient } from '../../../shared/adapters/ldap/notification-search';
import { NoSuchObjectError, OutsideDomainError } from '../../../shared/errors';

const SERVER = 'dc1.company.local:636';
const NC = 'DC=company,DC=local';
const OUTSIDE = 'CN=Someone,OU=Staff,DC=other,DC=com';
/** What AD answers (result 10) to a search based in another domain of the forest. */
const referral = () =>
  new UnknownStatusCodeError(
    10,
    "0000202B: RefErr: DSID-0310084A, data 0, 1 access points\n\tref 1: 'other.com'\n",
  );

/**
 * A session over a client that refers every search based outside the naming context elsewhere, answers
 * noSuchObject for a base in it named `OU=Nowhere`, and nothing otherwise; `searches` lists each base asked.
 */
function sessionOf(): { session: LdapDirectorySession; searches: string[] } {
  const searches: string[] = [];
  const answer = (base: string) => {
    searches.push(base);
    if (!base.toLowerCase().endsWith(NC.toLowerCase())) throw referral();
    if (base.startsWith('OU=Nowhere')) throw new LdapNoSuchObjectError('0000208D: NameErr: DSID-03100241');
  };
  const client = {
    async search(base: string) {
      answer(base);
      return { searchEntries: [], searchReferences: [] };
    },
    async *searchPages(base: string) {
      answer(base);
      yield [];
    },
  } as unknown as Client as NotificationClient;
  const rootDse = { defaultNamingContext: NC, namingContexts: [NC] };
  return {
    session: new LdapDirectorySession(SERVER, rootDse, `CN=Schema,CN=Configuration,${NC}`, client),
    searches,
  };
}

describe('a referral (LDAP 10)', () => {
  it("becomes OutsideDomainError, a NoSuchObject that says why, with the DC's text", () => {
    const mapped = toDirectoryError(referral(), SERVER, 'read');
    expect(mapped).toBeInstanceOf(OutsideDomainError);
    expect(mapped).toBeInstanceOf(NoSuchObjectError);
    expect(mapped.code).toBe('NoSuchObject');
    expect(mapped.message).toMatch(
      /^dc1\.company\.local:636: the object is outside the directory's domain; .*LDAP 10, a referral, which is not followed.*ref 1: 'other\.com'/s,
    );
  });

  it('names the DN looked up', () => {
    const failure = lookupErrorOf(referral(), SERVER, OUTSIDE, `the base DN ${OUTSIDE}`);
    expect(failure).toBeInstanceOf(OutsideDomainError);
    expect(failure.message).toBe(
      `the base DN ${OUTSIDE} is outside the directory's domain: ${SERVER} referred the request to another ` +
        "domain's DC (LDAP 10, a referral, which is not followed); use a DN under one of its naming contexts",
    );
    expect(failure.cause).toBeInstanceOf(OutsideDomainError);
  });

  it('leaves every other failure as toDirectoryError makes it', () => {
    const missing = new LdapNoSuchObjectError('0000208D: NameErr');
    expect(lookupErrorOf(missing, SERVER, OUTSIDE)).toEqual(toDirectoryError(missing, SERVER, 'read'));
    expect(lookupErrorOf(new UnknownStatusCodeError(80, 'other'), SERVER, OUTSIDE).code).toBe('LdapError');
  });
});

describe('LdapDirectorySession: one object looked up by a DN of another domain', () => {
  it('refuses it where it must exist (a base DN, a selected group), naming the DN, in one search', async () => {
    const { session, searches } = sessionOf();
    const refusal = session.assertExists(OUTSIDE, 'the selected group');
    await expect(refusal).rejects.toBeInstanceOf(OutsideDomainError);
    await expect(refusal).rejects.toThrow(`the selected group ${OUTSIDE} is outside the directory's domain`);
    expect(searches).toEqual([OUTSIDE]);
  });

  it('still says "does not exist" for a DN of the domain that does not exist', async () => {
    const { session } = sessionOf();
    await expect(session.assertExists(`OU=Nowhere,${NC}`, 'the base DN')).rejects.toThrow(
      `the base DN OU=Nowhere,${NC} does not exist on ${SERVER}`,
    );
  });

  it('finds no user by it (GET /directory/users/{dn} answers 404), following no referral', async () => {
    const { session, searches } = sessionOf();
    const found = await session.findUserEntries(NC, {
      kind: 'distinguishedName',
      distinguishedName: OUTSIDE,
    });
    expect(found).toEqual([]);
    expect(searches.filter((base) => base === OUTSIDE)).toHaveLength(1);
  });

  it('fails a run-time read of its memberOf with the DN named', async () => {
    const { session } = sessionOf();
    await expect(session.readMemberOf(OUTSIDE)).rejects.toThrow(
      `${OUTSIDE} is outside the directory's domain`,
    );
  });
});

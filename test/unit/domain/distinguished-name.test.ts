import { describe, expect, it } from 'vitest';
import {
  baseDnFromDomain,
  compactDistinguishedName,
  isAtOrUnder,
  isDistinguishedName,
  namingContextOf,
  parseDistinguishedName,
  sameDistinguishedName,
} from '../../../shared/domain/distinguished-name';

describe('parseDistinguishedName', () => {
  it('splits RDNs and resolves RFC 4514 escapes', () => {
    expect(parseDistinguishedName('CN=Smith\\, John,OU=Special\\, Chars,DC=company,DC=local')).toEqual([
      { attribute: 'CN', value: 'Smith, John' },
      { attribute: 'OU', value: 'Special, Chars' },
      { attribute: 'DC', value: 'company' },
      { attribute: 'DC', value: 'local' },
    ]);
  });

  it.each([
    ['CN=Anna\\+Bert,DC=x', 'Anna+Bert'],
    ['CN=\\"Quoted\\" Quinn,DC=x', '"Quoted" Quinn'],
    ['CN=Back\\\\Slash,DC=x', 'Back\\Slash'],
    ['CN=x)(objectClass\\3D*,DC=x', 'x)(objectClass=*'],
    ['CN=J\\C3\\BCrgen M\\C3\\BCller,DC=x', 'Jürgen Müller'],
    ['CN=Jürgen Müller,DC=x', 'Jürgen Müller'],
    ['CN=\\#Hash Leading,DC=x', '#Hash Leading'],
    ['CN=Pat (Contractor),DC=x', 'Pat (Contractor)'],
  ])('reads the value of %s', (dn, value) => {
    expect(parseDistinguishedName(dn)[0]?.value).toBe(value);
  });

  it.each([[''], ['company.local'], ['CN=,DC=x'], ['CN=a,'], ['CN=a\\'], ['=a,DC=x'], ['CN=a,DC']])(
    'rejects %j',
    (dn) => {
      expect(isDistinguishedName(dn)).toBe(false);
    },
  );
});

describe('baseDnFromDomain', () => {
  it('derives the base DN as MailStore does', () => {
    expect(baseDnFromDomain('company.local')).toBe('DC=company,DC=local');
    expect(baseDnFromDomain('eu.corp.example.com.')).toBe('DC=eu,DC=corp,DC=example,DC=com');
  });
});

describe('isAtOrUnder and sameDistinguishedName', () => {
  it('compares RDNs as the directory does: case-insensitively, after unescaping', () => {
    expect(isAtOrUnder('CN=a\\2Cb,OU=Sales,DC=company,DC=local', 'ou=sales,dc=COMPANY,dc=local')).toBe(true);
    expect(isAtOrUnder('DC=company,DC=local', 'DC=company,DC=local')).toBe(true);
    expect(isAtOrUnder('CN=x,OU=Sales,DC=company,DC=local', 'OU=Engineering,DC=company,DC=local')).toBe(
      false,
    );
    // A text suffix is not a parent ("OU=xSales" ends in "Sales"), and a base is not under its own child.
    expect(isAtOrUnder('CN=x,OU=xSales,DC=company,DC=local', 'OU=Sales,DC=company,DC=local')).toBe(false);
    expect(isAtOrUnder('DC=local', 'DC=company,DC=local')).toBe(false);
    expect(sameDistinguishedName('CN=Smith\\, John,DC=x', 'cn=smith\\2c john,dc=X')).toBe(true);
    expect(sameDistinguishedName('CN=a,CN=b,DC=x', 'CN=b,DC=x')).toBe(false);
    expect(sameDistinguishedName('not a dn', 'not a dn')).toBe(false);
  });
});

describe('compactDistinguishedName', () => {
  it('drops the spaces RFC 4514 ignores, as AD writes a DN', () => {
    expect(compactDistinguishedName('CN=Sales, OU=Groups, DC=corp, DC=local')).toBe(
      'CN=Sales,OU=Groups,DC=corp,DC=local',
    );
    expect(compactDistinguishedName('  CN = Sales Team ,OU=Groups ,  DC=corp,DC=local  ')).toBe(
      'CN=Sales Team,OU=Groups,DC=corp,DC=local',
    );
    expect(compactDistinguishedName('CN=a + SN=b , DC=x')).toBe('CN=a+SN=b,DC=x');
  });

  it("keeps a value's own spaces and escapes, and an '=' inside a value", () => {
    for (const dn of [
      'CN=Sales,OU=Groups,DC=corp,DC=local',
      'CN=Smith\\, John,OU=Staff,DC=corp,DC=local',
      'CN=a\\ ,DC=x',
      'CN=\\ a,DC=x',
      'CN=a  b,DC=x',
      'CN=a = b,DC=x',
      'CN=a\\2Cb,DC=x',
      'cn=lower,dc=x',
    ])
      expect(compactDistinguishedName(dn)).toBe(dn);
    expect(compactDistinguishedName('CN=Smith\\, John , OU=Staff')).toBe('CN=Smith\\, John,OU=Staff');
  });

  it('names the same object as the DN it was given', () => {
    const typed = 'CN=Smith\\, John , OU=Staff, DC=corp,  DC=local';
    expect(sameDistinguishedName(compactDistinguishedName(typed), typed)).toBe(true);
  });
});

describe('namingContextOf', () => {
  it("names the domain a DN lies in: the DC's default naming context, else the DN's trailing DC= RDNs", () => {
    expect(namingContextOf('OU=Staff,DC=corp,DC=local')).toBe('DC=corp,DC=local');
    expect(namingContextOf('OU=Staff,DC=corp,DC=local', 'dc=CORP,dc=local')).toBe('dc=CORP,dc=local');
    // Another naming context than the DC's default: the DN's own domain.
    expect(namingContextOf('OU=Staff,DC=eu,DC=corp,DC=local', 'DC=corp,DC=local')).toBe('DC=corp,DC=local');
    expect(namingContextOf('OU=Staff,DC=eu,DC=corp,DC=local', 'DC=us,DC=corp,DC=local')).toBe(
      'DC=eu,DC=corp,DC=local',
    );
    expect(namingContextOf('DC=corp,DC=local')).toBe('DC=corp,DC=local');
    // DC= RDNs inside the DN are not the domain's; a DN without any is its own.
    expect(namingContextOf('OU=a\\,b,DC=x,OU=Sites,DC=corp,DC=local')).toBe('DC=corp,DC=local');
    expect(namingContextOf('OU=Staff,O=Example')).toBe('OU=Staff,O=Example');
  });
});

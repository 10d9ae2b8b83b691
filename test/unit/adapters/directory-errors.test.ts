import {
  InsufficientAccessError,
  InvalidCredentialsError,
  NoSuchObjectError,
  OperationsError,
  SizeLimitExceededError,
  StrongAuthRequiredError,
  TimeLimitExceededError,
} from 'ldapts';
import { describe, expect, it } from 'vitest';
import { bindRefusalOf, toDirectoryError } from '../../../shared/adapters/ldap/directory-errors';
import { ConnectionLostError } from '../../../shared/adapters/ldap/one-connection-client';
import { type DirectoryError, TimeoutError } from '../../../shared/errors';

const withCode = (message: string, code: string): Error => Object.assign(new Error(message), { code });

describe('toDirectoryError', () => {
  it.each<[string, unknown, 'connect' | 'bind' | 'read', string]>([
    [
      'wrong password',
      new InvalidCredentialsError('80090308: LdapErr: DSID-0C090447, data 52e, v3839'),
      'bind',
      'InvalidCredentials',
    ],
    ['plain-text bind refused', new StrongAuthRequiredError('strong auth'), 'bind', 'Tls'],
    ['size limit', new SizeLimitExceededError('size'), 'read', 'SizeLimit'],
    ['time limit', new TimeLimitExceededError('time'), 'read', 'TimeLimit'],
    ['no rights', new InsufficientAccessError('access'), 'read', 'InsufficientAccess'],
    ['missing base DN', new NoSuchObjectError('0000208D: NameErr'), 'read', 'NoSuchObject'],
    ['other result code', new OperationsError('ops'), 'read', 'LdapError'],
    ['refused', withCode('connect ECONNREFUSED 127.0.0.1:636', 'ECONNREFUSED'), 'connect', 'Unreachable'],
    ['unknown host', withCode('getaddrinfo ENOTFOUND dc9', 'ENOTFOUND'), 'connect', 'Unreachable'],
    ['self-signed', withCode('self-signed certificate', 'DEPTH_ZERO_SELF_SIGNED_CERT'), 'connect', 'Tls'],
    [
      'untrusted CA',
      withCode('unable to verify the first certificate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'),
      'connect',
      'Tls',
    ],
    [
      'other host',
      withCode("Hostname/IP does not match certificate's altnames", 'ERR_TLS_CERT_ALTNAME_INVALID'),
      'connect',
      'Tls',
    ],
    ['connect timeout', new Error('Connection timeout'), 'connect', 'Timeout'],
    ['operation timeout', new Error('SearchRequest: Operation timed out'), 'read', 'Timeout'],
    [
      'dropped while reading',
      new Error('Connection closed before message response was received. Message type: SearchRequest (0x63)'),
      'read',
      'PartialRead',
    ],
    ['reset while reading', withCode('read ECONNRESET', 'ECONNRESET'), 'read', 'PartialRead'],
    ['dropped while connecting', withCode('socket hang up', 'ECONNRESET'), 'connect', 'Unreachable'],
    ['connection lost between two reads', new ConnectionLostError(), 'read', 'PartialRead'],
    ['connection lost before the bind', new ConnectionLostError(), 'bind', 'Unreachable'],
  ])('maps %s to %s', (_, error, phase, code) => {
    const mapped = toDirectoryError(error, 'dc1:636', phase);
    expect(mapped.code).toBe(code);
    expect(mapped.message).toContain('dc1:636');
    expect(mapped.cause).toBe(error);
  });

  it.each([
    ['data 52e', 'the user name or password is wrong'],
    ['data 533', 'the account is disabled'],
    ['data 775', 'the account is locked out'],
    ['data 532', 'the password has expired'],
  ])('explains the Active Directory sub-code %s', (subCode, reason) => {
    const mapped = toDirectoryError(
      new InvalidCredentialsError(
        `80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, ${subCode}, v4563`,
      ),
      'dc1:636',
      'bind',
    );
    expect(mapped.message).toContain(reason);
  });

  it('passes a DirectoryError through unchanged', () => {
    const error: DirectoryError = new TimeoutError('already mapped');
    expect(toDirectoryError(error, 'dc1:636', 'read')).toBe(error);
  });
});

describe('bindRefusalOf', () => {
  it.each([
    ['52e', 'wrongPassword'],
    ['525', 'unknownUser'],
    ['530', 'logonHoursRestricted'],
    ['531', 'workstationRestricted'],
    ['532', 'passwordExpired'],
    ['533', 'accountDisabled'],
    ['701', 'accountExpired'],
    ['773', 'passwordMustChange'],
    ['775', 'accountLockedOut'],
    ['52E', 'wrongPassword'],
  ])("reads AD's sub-code %s as %s", (subCode, reason) => {
    expect(
      bindRefusalOf(
        `80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data ${subCode}, v1db1`,
      ),
    ).toBe(reason);
  });

  it('says only invalidCredentials without a sub-code it knows (another directory than AD)', () => {
    expect(bindRefusalOf('Invalid credentials')).toBe('invalidCredentials');
    expect(bindRefusalOf('AcceptSecurityContext error, data 999, v1db1')).toBe('invalidCredentials');
  });
});

/**
 * The scrypt adapter of PasswordHasher. One test pays for real scrypt at the stored parameters (128 MiB each,
 * deliberately slow); the others check hashes of cheap parameters, which verify with the parameters they
 * record. The use cases are tested with the fast fake (test/support/in-memory-logon.ts).
 */
import { describe, expect, it } from 'vitest';
import { ScryptPasswordHasher } from '../../../shared/adapters/crypto/scrypt-password-hasher';

const hasher = new ScryptPasswordHasher();

/**
 * A hash of `Café "1"` (é composed) in the stored format with N=1024, made by the hashing code as it was in
 * manage-users.ts: hashes already in the database must go on verifying.
 */
const EXISTING_HASH = 'scrypt$1024$8$1$MDEyMzQ1Njc4OWFiY2RlZg$DtktfywzFgbkAzcdqa6szuX54Pu4BY21LP_EMVs5t9s';

describe('ScryptPasswordHasher', () => {
  it('stores salted scrypt hashes that verify the password and nothing else', async () => {
    const hash = await hasher.hash('correct horse battery');
    expect(hash).toMatch(/^scrypt\$131072\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(hash).not.toContain('correct horse');
    expect(await hasher.verify('correct horse battery', hash)).toBe(true);
    expect(await hasher.verify('correct horse battery ', hash)).toBe(false);
    expect(await hasher.hash('correct horse battery')).not.toBe(hash);
    // Nobody's hash has the parameters of a stored one (so it costs as much), and nothing matches it.
    expect(await hasher.verifyAgainstNobody('correct horse battery')).toBe(false);
    // Five scrypt computations of 128 MiB each, deliberately slow: seconds on a busy 2-core machine.
  }, 30_000);

  it('verifies a hash made before it, with the parameters the hash records', async () => {
    expect(await hasher.verify('Café "1"', EXISTING_HASH)).toBe(true);
    expect(await hasher.verify('Cafe "1"', EXISTING_HASH)).toBe(false);
    expect(await hasher.verify('café "1"', EXISTING_HASH)).toBe(false);
  });

  it('takes a password as its characters are, whichever way Unicode composes them', async () => {
    expect(await hasher.verify('Cafe\u0301 "1"', EXISTING_HASH)).toBe(true);
  });

  it('rejects a hash of another scheme, or with its salt or key missing', async () => {
    expect(await hasher.verify('x', 'md5$abc')).toBe(false);
    expect(await hasher.verify('Café "1"', 'scrypt$1024$8$1$MDEyMzQ1Njc4OWFiY2RlZg')).toBe(false);
    expect(await hasher.verify('Café "1"', EXISTING_HASH.replace('scrypt$', 'bcrypt$'))).toBe(false);
  });

  it('rejects a key of another length', async () => {
    expect(await hasher.verify('Café "1"', `${EXISTING_HASH.slice(0, -2)}`)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../../shared/use-cases/manage-users';

describe('local passwords', () => {
  it('are stored as salted scrypt hashes that verify the password and nothing else', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(/^scrypt\$131072\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(hash).not.toContain('correct horse');
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse battery ', hash)).toBe(false);
    expect(await hashPassword('correct horse battery')).not.toBe(hash);
    // Four scrypt computations of 128 MiB each, deliberately slow: seconds on a busy 2-core machine.
  }, 30_000);

  it('reject a hash of another scheme', async () => {
    expect(await verifyPassword('x', 'md5$abc')).toBe(false);
  });
});

/**
 * Local users' passwords as scrypt hashes (docs/data-model.md: `passwordHash`), with node:crypto. The stored
 * format is `scrypt$N$r$p$salt$key` (base64url salt and key), and a hash is checked with the parameters it
 * records, so hashes made with other parameters still verify.
 */
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import type { PasswordHasher } from '../../ports/password-hasher';

// scrypt with OWASP's minimum for interactive logins (N=2^17, r=8, p=1), a 16-byte salt and a 32-byte key.
const SCRYPT: ScryptOptions = { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 1024 * 1024 };

const derive = (password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, 32, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });

const format = (salt: Buffer, key: Buffer): string =>
  ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');

/**
 * A hash of nobody's password, with the parameters of real ones (a random salt and key, made at start):
 * checking a password against it costs what checking a stored hash costs, and never succeeds.
 */
const UNMATCHABLE_HASH = format(randomBytes(16), randomBytes(32));

export class ScryptPasswordHasher implements PasswordHasher {
  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    return format(salt, await derive(password, salt, SCRYPT));
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const [scheme, n, r, p, salt, key] = stored.split('$');
    if (scheme !== 'scrypt' || !salt || !key) return false;
    const expected = Buffer.from(key, 'base64url');
    const actual = await derive(password, Buffer.from(salt, 'base64url'), {
      N: Number(n),
      r: Number(r),
      p: Number(p),
      maxmem: SCRYPT.maxmem ?? 0,
    });
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }

  async verifyAgainstNobody(password: string): Promise<false> {
    await this.verify(password, UNMATCHABLE_HASH);
    return false;
  }
}

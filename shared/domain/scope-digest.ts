/**
 * An order-independent digest of a set of objectGUIDs, taken as they stream in from a paged read: how many,
 * and the sum of their SHA-256 hashes modulo 2^256. Adding or removing a GUID changes it, so two reads of the
 * directory's scope with equal digests hold the same users; and since the hashes are summed, not XORed,
 * GUIDs that cancel each other out cannot be found by solving equations (an account that may choose
 * objectGUIDs could otherwise hide a leaver behind crafted newcomers).
 *
 * A run keeps its digest with the cursor; the next incremental run enumerates the scope's objectGUIDs again
 * and lists the user database, to find who left, only when the digest differs.
 */
import { createHash } from 'node:crypto';

/** The sum, as eight 32-bit words, least significant first. */
const WORDS = 8;
const WORD = 2 ** 32;

export class ScopeDigest {
  private count = 0;
  private readonly sum = new Uint32Array(WORDS);

  /** Adds one objectGUID (any case, with or without dashes). Each GUID must be added once. */
  add(guid: string): void {
    const hex = guid.replaceAll('-', '').toLowerCase();
    if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error(`"${guid}" is not a GUID`);
    const hash = createHash('sha256').update(Buffer.from(hex, 'hex')).digest();
    let carry = 0;
    for (let word = 0; word < WORDS; word++) {
      const total = (this.sum[word] as number) + hash.readUInt32LE(word * 4) + carry;
      this.sum[word] = total % WORD;
      carry = total >= WORD ? 1 : 0;
    }
    this.count += 1;
  }

  get size(): number {
    return this.count;
  }

  /** The digest as a short string: equal strings, the same set (see the module comment). */
  toString(): string {
    const words = [...this.sum].reverse().map((w) => w.toString(16).padStart(8, '0'));
    return `${this.count}:${words.join('')}`;
  }
}

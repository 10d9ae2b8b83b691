/**
 * An order-independent digest of a set of objectGUIDs, taken as they stream in from a paged read: how many,
 * and the XOR and the sum (per 32-bit word) of their 16 bytes. Adding or removing any GUID changes the
 * XOR, so two reads of the directory's scope with equal digests hold the same users (a collision needs the
 * GUIDs that left and those that came to agree in 128 bits of XOR, 128 of sum and the count).
 *
 * A run keeps its read's digest with the cursor; the next incremental run enumerates the scope's
 * objectGUIDs again and lists the user database, to find who left, only when the digest differs.
 */
const GUID_BYTES = 16;
const WORDS = GUID_BYTES / 4;

export class ScopeDigest {
  private count = 0;
  private readonly xor = new Uint32Array(WORDS);
  private readonly sum = new Uint32Array(WORDS);

  /** Adds one objectGUID (any case, with or without dashes). Each GUID must be added once. */
  add(guid: string): void {
    const hex = guid.replaceAll('-', '');
    if (!/^[0-9a-f]{32}$/i.test(hex)) throw new Error(`"${guid}" is not a GUID`);
    for (let word = 0; word < WORDS; word++) {
      const value = Number.parseInt(hex.slice(word * 8, word * 8 + 8), 16);
      this.xor[word] = (this.xor[word] as number) ^ value;
      this.sum[word] = (this.sum[word] as number) + value;
    }
    this.count += 1;
  }

  get size(): number {
    return this.count;
  }

  /** The digest as a short string: equal strings, the same set (see the module comment). */
  toString(): string {
    const hex = (words: Uint32Array) => [...words].map((w) => w.toString(16).padStart(8, '0')).join('');
    return `${this.count}:${hex(this.xor)}:${hex(this.sum)}`;
  }
}

/**
 * Small integer ids for DNs (lower-cased by the caller), held compactly: each DN once, as its UTF-8 bytes in
 * one growing buffer (shrunk once no more come), found by an open-addressing table of ids: 110,000 DNs of
 * 40 characters are about 7 MB here, outside V8's heap, against about 10 MB of heap as a Map of strings.
 */
const EMPTY = -1;

/**
 * A basis drawn once per process: the DNs are the directory's (any user allowed to create a group names one),
 * so slots that collide are not to be worked out in advance.
 */
const BASIS = (Math.random() * 0x1_0000_0000) >>> 0;

/** FNV-1a over the UTF-16 code units, from this process's basis. */
function hashOf(text: string): number {
  let hash = BASIS;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export class DnIds {
  private bytes = Buffer.alloc(64 * 1024);
  private end = 0;
  /** Per id: where its bytes start (and, one further, end). */
  private starts = new Int32Array(1024 + 1);
  /** Per id: whether its DN is ASCII (compared code unit to byte; else decoded). */
  private ascii = new Uint8Array(1024);
  private hashes = new Uint32Array(1024);
  private table = new Int32Array(2048).fill(EMPTY);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The id of a DN, if it has one. */
  get(dn: string): number | undefined {
    const hash = hashOf(dn);
    const mask = this.table.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const id = this.table[slot] as number;
      if (id === EMPTY) return undefined;
      if (this.hashes[id] === hash && this.equals(id, dn)) return id;
    }
  }

  /** The DN's id: the one it has, or the next. */
  intern(dn: string): number {
    const known = this.get(dn);
    if (known !== undefined) return known;
    const id = this.count;
    if ((id + 1) * 2 > this.table.length) this.grow();
    const length = Buffer.byteLength(dn);
    this.reserve(id, length);
    this.bytes.write(dn, this.end, 'utf8');
    this.end += length;
    this.starts[id + 1] = this.end;
    this.ascii[id] = length === dn.length ? 1 : 0;
    const hash = hashOf(dn);
    this.hashes[id] = hash;
    this.place(id, hash);
    this.count += 1;
    return id;
  }

  /** No more DNs to come: the bytes' buffer shrunk to them (it grew by doubling). */
  compact(): void {
    if (this.end === this.bytes.length) return;
    const bytes = Buffer.alloc(this.end);
    this.bytes.copy(bytes, 0, 0, this.end);
    this.bytes = bytes;
  }

  private equals(id: number, dn: string): boolean {
    const start = this.starts[id] as number;
    const end = this.starts[id + 1] as number;
    if (this.ascii[id] !== 1) return this.bytes.toString('utf8', start, end) === dn;
    if (end - start !== dn.length) return false;
    for (let i = 0; i < dn.length; i += 1) if (this.bytes[start + i] !== dn.charCodeAt(i)) return false;
    return true;
  }

  private place(id: number, hash: number): void {
    const mask = this.table.length - 1;
    let slot = hash & mask;
    while (this.table[slot] !== EMPTY) slot = (slot + 1) & mask;
    this.table[slot] = id;
  }

  /** Room for one more id of `length` bytes. */
  private reserve(id: number, length: number): void {
    if (this.end + length > this.bytes.length) {
      const bytes = Buffer.alloc(Math.max(this.bytes.length * 2, this.end + length));
      this.bytes.copy(bytes, 0, 0, this.end);
      this.bytes = bytes;
    }
    if (id + 2 > this.starts.length) {
      const size = this.starts.length * 2;
      const starts = new Int32Array(size);
      starts.set(this.starts);
      this.starts = starts;
      const ascii = new Uint8Array(size);
      ascii.set(this.ascii);
      this.ascii = ascii;
      const hashes = new Uint32Array(size);
      hashes.set(this.hashes);
      this.hashes = hashes;
    }
  }

  private grow(): void {
    this.table = new Int32Array(this.table.length * 2).fill(EMPTY);
    for (let id = 0; id < this.count; id += 1) this.place(id, this.hashes[id] as number);
  }
}

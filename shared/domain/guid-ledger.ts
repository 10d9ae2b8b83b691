/**
 * What a streamed run remembers of each directory user: the objectGUID and why it is out of scope (nothing
 * when in scope), and optionally a fixed-size value (the run keeps a hash of each stored user's maintained
 * fields that way). One small record per user in an open-addressing table: 17 bytes plus the value, under
 * 50 bytes a user with the table's slack. A sweep of the user database after the read can so tell users
 * still in the directory from those that are gone without holding the directory in memory.
 */
import { type ExclusionReason, exclusionReasonList } from './scope-policy';

const GUID_BYTES = 16;
const FLAGS = GUID_BYTES;
const OCCUPIED = 0x80;

const reasonBit = (reason: ExclusionReason): number => 1 << exclusionReasonList.indexOf(reason);

/** The 16 bytes of a GUID string (any case, with or without dashes); byte order is irrelevant here. */
function guidBytes(guid: string): Buffer {
  const hex = guid.replaceAll('-', '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new Error(`"${guid}" is not a GUID`);
  return Buffer.from(hex, 'hex');
}

/** The GUID string of 16 bytes as guidBytes read them: lower-case hex, dashed 8-4-4-4-12. */
function guidString(bytes: Buffer, offset: number): string {
  const hex = bytes.toString('hex', offset, offset + GUID_BYTES);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** FNV-1a over the 16 bytes: objectGUIDs are random, but the ledger does not rely on it. */
function hashOf(bytes: Buffer, offset: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < GUID_BYTES; i++) {
    hash ^= bytes[offset + i] as number;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export class GuidLedger {
  private slots: Buffer;
  private capacity: number;
  private count = 0;
  private readonly record: number;

  /** `valueBytes`: the size of the value each record carries (0: none). */
  constructor(
    expected = 1024,
    private readonly valueBytes = 0,
  ) {
    this.record = GUID_BYTES + 1 + valueBytes;
    this.capacity = 1 << Math.max(4, Math.ceil(Math.log2(expected * 2)));
    this.slots = Buffer.alloc(this.capacity * this.record);
  }

  get size(): number {
    return this.count;
  }

  /**
   * Records a user; a user recorded twice keeps the last answer. `value` must have `valueBytes` bytes. True
   * when the ledger did not hold the user yet.
   */
  add(guid: string, reasons: readonly ExclusionReason[] = [], value?: Buffer): boolean {
    if (this.valueBytes > 0 && value?.length !== this.valueBytes) {
      throw new Error(`a value of ${this.valueBytes} bytes is required`);
    }
    if ((this.count + 1) * 4 > this.capacity * 3) this.grow();
    const mask = reasons.reduce((bits, reason) => bits | reasonBit(reason), 0);
    const bytes = guidBytes(guid);
    const slot = this.find(bytes, 0);
    const offset = slot * this.record;
    const added = !this.isOccupied(slot);
    if (added) {
      bytes.copy(this.slots, offset);
      this.count += 1;
    }
    this.slots[offset + FLAGS] = OCCUPIED | mask;
    value?.copy(this.slots, offset + FLAGS + 1);
    return added;
  }

  has(guid: string): boolean {
    return this.isOccupied(this.find(guidBytes(guid), 0));
  }

  /** Undefined when the user was not recorded; [] when it is in scope; else why it is out of scope. */
  reasonsOf(guid: string): ExclusionReason[] | undefined {
    const slot = this.find(guidBytes(guid), 0);
    if (!this.isOccupied(slot)) return undefined;
    const mask = (this.slots[slot * this.record + FLAGS] as number) & ~OCCUPIED;
    return exclusionReasonList.filter((reason) => (mask & reasonBit(reason)) !== 0);
  }

  /** The value recorded with the user, or undefined when the user was not recorded. */
  valueOf(guid: string): Buffer | undefined {
    const slot = this.find(guidBytes(guid), 0);
    if (!this.isOccupied(slot)) return undefined;
    const start = slot * this.record + FLAGS + 1;
    return Buffer.from(this.slots.subarray(start, start + this.valueBytes));
  }

  /** Every objectGUID recorded, in no particular order, as lower-case dashed strings. */
  *guids(): Generator<string> {
    for (let slot = 0; slot < this.capacity; slot++) {
      if (this.isOccupied(slot)) yield guidString(this.slots, slot * this.record);
    }
  }

  private isOccupied(slot: number): boolean {
    return ((this.slots[slot * this.record + FLAGS] as number) & OCCUPIED) !== 0;
  }

  /** The slot holding these bytes, or the empty slot where they belong (linear probing). */
  private find(bytes: Buffer, offset: number): number {
    const mask = this.capacity - 1;
    let slot = hashOf(bytes, offset) & mask;
    while (this.isOccupied(slot)) {
      const at = slot * this.record;
      if (this.slots.compare(bytes, offset, offset + GUID_BYTES, at, at + GUID_BYTES) === 0) return slot;
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  private grow(): void {
    const old = this.slots;
    const oldCapacity = this.capacity;
    this.capacity *= 2;
    this.slots = Buffer.alloc(this.capacity * this.record);
    for (let slot = 0; slot < oldCapacity; slot++) {
      const offset = slot * this.record;
      if (((old[offset + FLAGS] as number) & OCCUPIED) === 0) continue;
      const target = this.find(old, offset) * this.record;
      old.copy(this.slots, target, offset, offset + this.record);
    }
  }
}

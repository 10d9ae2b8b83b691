/**
 * What a streamed run remembers of each directory user it read: the objectGUID and why it is out of scope
 * (nothing when in scope). One small record per user (17 bytes in an open-addressing table, under 50 bytes
 * a user with the table's slack), so a sweep of the user database after the read can tell users still in
 * the directory from those that are gone without holding the directory in memory.
 */
import { type ExclusionReason, exclusionReasonList } from './scope-policy';

const GUID_BYTES = 16;
const RECORD = GUID_BYTES + 1;
const OCCUPIED = 0x80;

const reasonBit = (reason: ExclusionReason): number => 1 << exclusionReasonList.indexOf(reason);

/** The 16 bytes of a GUID string (any case, with or without dashes); byte order is irrelevant here. */
function guidBytes(guid: string): Buffer {
  const hex = guid.replaceAll('-', '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new Error(`"${guid}" is not a GUID`);
  return Buffer.from(hex, 'hex');
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

  constructor(expected = 1024) {
    this.capacity = 1 << Math.max(4, Math.ceil(Math.log2(expected * 2)));
    this.slots = Buffer.alloc(this.capacity * RECORD);
  }

  get size(): number {
    return this.count;
  }

  /** Records a user read from the directory; a user read twice keeps the last answer. */
  add(guid: string, reasons: readonly ExclusionReason[] = []): void {
    if ((this.count + 1) * 4 > this.capacity * 3) this.grow();
    const mask = reasons.reduce((bits, reason) => bits | reasonBit(reason), 0);
    const bytes = guidBytes(guid);
    const slot = this.find(bytes, 0);
    const offset = slot * RECORD;
    if (!this.isOccupied(slot)) {
      bytes.copy(this.slots, offset);
      this.count += 1;
    }
    this.slots[offset + GUID_BYTES] = OCCUPIED | mask;
  }

  has(guid: string): boolean {
    return this.isOccupied(this.find(guidBytes(guid), 0));
  }

  /** Undefined when the user was not read; [] when it is in scope; else why it is out of scope. */
  reasonsOf(guid: string): ExclusionReason[] | undefined {
    const slot = this.find(guidBytes(guid), 0);
    if (!this.isOccupied(slot)) return undefined;
    const mask = (this.slots[slot * RECORD + GUID_BYTES] as number) & ~OCCUPIED;
    return exclusionReasonList.filter((reason) => (mask & reasonBit(reason)) !== 0);
  }

  private isOccupied(slot: number): boolean {
    return ((this.slots[slot * RECORD + GUID_BYTES] as number) & OCCUPIED) !== 0;
  }

  /** The slot holding these bytes, or the empty slot where they belong (linear probing). */
  private find(bytes: Buffer, offset: number): number {
    const mask = this.capacity - 1;
    let slot = hashOf(bytes, offset) & mask;
    while (this.isOccupied(slot)) {
      if (
        this.slots.compare(bytes, offset, offset + GUID_BYTES, slot * RECORD, slot * RECORD + GUID_BYTES) ===
        0
      )
        return slot;
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  private grow(): void {
    const old = this.slots;
    const oldCapacity = this.capacity;
    this.capacity *= 2;
    this.slots = Buffer.alloc(this.capacity * RECORD);
    for (let slot = 0; slot < oldCapacity; slot++) {
      const offset = slot * RECORD;
      if (((old[offset + GUID_BYTES] as number) & OCCUPIED) === 0) continue;
      const target = this.find(old, offset) * RECORD;
      old.copy(this.slots, target, offset, offset + RECORD);
    }
  }
}

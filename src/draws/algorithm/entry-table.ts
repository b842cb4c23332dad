import { DrawInputError, TWO_POW_53 } from './constants.js';

/** One entry of a draw, in its textual form (as in the entries file). */
export interface Entry {
  /** 64 lowercase hex chars: SHA-256 of the invoice identity. */
  ref: string;
  /** 16 lowercase hex chars: the holder pseudonym. */
  holder: string;
  /** Positive integer number of tickets. */
  tickets: number;
}

const CHUNK_SHIFT = 16;
const CHUNK_SIZE = 1 << CHUNK_SHIFT; // entries per chunk
const CHUNK_MASK = CHUNK_SIZE - 1;
/** A ref is stored as 8 uint32 words, big-endian order (word 0 = first 8 hex chars). */
const REF_WORDS = 8;
/** Holder lookups are done in batches so that their (cache-missing) memory loads overlap. */
const HOLDER_BATCH = 64;

const HEX_CHARS = '0123456789abcdef';
/** Value of a lowercase hex digit by char code, -1 for anything else (covers all UTF-16 code units). */
const HEX_VALUE = new Int8Array(65536).fill(-1);
for (let i = 0; i < 16; i++) HEX_VALUE[HEX_CHARS.charCodeAt(i)] = i;

function hex32(v: number): string {
  return (v >>> 0).toString(16).padStart(8, '0');
}

function mixHolder(hi: number, lo: number): number {
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * Entries of one draw held in typed arrays (no per-entry JS objects): each ref as 8 uint32 words
 * (in 64K-entry chunks, so the table never needs one huge contiguous buffer), a holder id per entry
 * (holders are interned to small integers 0..holderCount-1 in first-appearance order) and tickets.
 * About 44 bytes per entry plus 8 bytes per distinct holder. Immutable; built by {@link EntryTableBuilder}.
 */
export class EntryTable {
  /** Number of entries. */
  readonly count: number;
  /** Sum of all tickets (always < 2^53). */
  readonly totalTickets: number;
  /** Number of distinct holders. */
  readonly holderCount: number;
  /** Holder id (0..holderCount-1) of each entry, by entry index. */
  readonly holderIds: Int32Array;
  /** Tickets of each entry, by entry index (positive integers). */
  readonly tickets: Float64Array;
  private readonly refChunks: Uint32Array[];
  private readonly holderHi: Uint32Array;
  private readonly holderLo: Uint32Array;

  /** @internal use {@link EntryTableBuilder.build}. */
  constructor(parts: {
    count: number;
    totalTickets: number;
    refChunks: Uint32Array[];
    holderIds: Int32Array;
    tickets: Float64Array;
    holderHi: Uint32Array;
    holderLo: Uint32Array;
  }) {
    this.count = parts.count;
    this.totalTickets = parts.totalTickets;
    this.refChunks = parts.refChunks;
    this.holderIds = parts.holderIds;
    this.tickets = parts.tickets;
    this.holderHi = parts.holderHi;
    this.holderLo = parts.holderLo;
    this.holderCount = parts.holderHi.length;
  }

  /** Builds a table from entries given in canonical order (validated like {@link EntryTableBuilder.add}). */
  static fromEntries(entries: Iterable<Entry>): EntryTable {
    const b = new EntryTableBuilder();
    for (const e of entries) b.add(e.ref, e.holder, e.tickets);
    return b.build();
  }

  private checkIndex(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) throw new RangeError(`entry index ${i} out of range [0, ${this.count})`);
  }

  /** The ref of entry `i` as 64 lowercase hex chars. */
  refAt(i: number): string {
    this.checkIndex(i);
    const chunk = this.refChunks[i >>> CHUNK_SHIFT];
    const off = (i & CHUNK_MASK) * REF_WORDS;
    let s = '';
    for (let k = 0; k < REF_WORDS; k++) s += hex32(chunk[off + k]);
    return s;
  }

  /** Writes the 32 raw bytes of entry `i`'s ref into `target` at `offset`. */
  copyRefBytes(i: number, target: Uint8Array, offset = 0): void {
    this.checkIndex(i);
    const chunk = this.refChunks[i >>> CHUNK_SHIFT];
    const off = (i & CHUNK_MASK) * REF_WORDS;
    for (let k = 0; k < REF_WORDS; k++) {
      const w = chunk[off + k];
      target[offset + 4 * k] = w >>> 24;
      target[offset + 4 * k + 1] = (w >>> 16) & 255;
      target[offset + 4 * k + 2] = (w >>> 8) & 255;
      target[offset + 4 * k + 3] = w & 255;
    }
  }

  /** The holder pseudonym (16 hex chars) of entry `i`. */
  holderAt(i: number): string {
    this.checkIndex(i);
    return this.holderKey(this.holderIds[i]);
  }

  /** The holder pseudonym (16 hex chars) of holder id `id`. */
  holderKey(id: number): string {
    if (!Number.isInteger(id) || id < 0 || id >= this.holderCount) throw new RangeError(`holder id ${id} out of range`);
    return hex32(this.holderHi[id]) + hex32(this.holderLo[id]);
  }

  /** The tickets of entry `i`. */
  ticketsAt(i: number): number {
    this.checkIndex(i);
    return this.tickets[i];
  }

  /** Entry `i` in textual form. */
  entryAt(i: number): Entry {
    return { ref: this.refAt(i), holder: this.holderAt(i), tickets: this.ticketsAt(i) };
  }

  /** All entries in order, in textual form (allocates per entry: for tests and small tables). */
  *entries(): IterableIterator<Entry> {
    for (let i = 0; i < this.count; i++) yield this.entryAt(i);
  }
}

/**
 * Builds an {@link EntryTable} incrementally from entries given in canonical order (ascending ref).
 * Validates as it goes and throws {@link DrawInputError} on: malformed ref/holder, tickets not a
 * positive integer, a ref not strictly greater than the previous one (duplicate or out of order),
 * or the ticket total reaching 2^53. A rejected entry leaves the builder unchanged. Storage grows
 * in fixed-size chunks (no large reallocations).
 */
export class EntryTableBuilder {
  private refChunks: Uint32Array[] = [];
  private holderIdChunks: Int32Array[] = [];
  private ticketChunks: Float64Array[] = [];
  private n = 0;
  private total = 0;
  private readonly scratch = new Uint32Array(REF_WORDS);
  // Holder interning: open addressing with linear probing. Each slot is 3 uint32 words
  // [hi, lo, id + 1] (0 = empty) so a lookup usually touches one cache line; load factor <= 1/2.
  private holderHi = new Uint32Array(1024);
  private holderLo = new Uint32Array(1024);
  private holderN = 0;
  private slots = new Uint32Array(3 * 2048);
  private slotMask = 2047;
  // Entries whose holder id is still to be assigned.
  private readonly batchHi = new Uint32Array(HOLDER_BATCH);
  private readonly batchLo = new Uint32Array(HOLDER_BATCH);
  private batchStart = 0;
  private batchLen = 0;
  private touched = 0;
  private built = false;

  /** Number of entries added so far. */
  get count(): number {
    return this.n;
  }

  /** Sum of tickets added so far. */
  get totalTickets(): number {
    return this.total;
  }

  /** Number of distinct holders seen so far. */
  get holderCount(): number {
    this.flushHolders();
    return this.holderN;
  }

  /** Adds the next entry (textual form). See the class doc for the checks. */
  add(ref: string, holder: string, tickets: number): void {
    const w = this.scratch;
    let bad = typeof ref !== 'string' || ref.length !== 64;
    for (let k = 0, p = 0; k < REF_WORDS && !bad; k++) {
      let v = 0;
      for (let q = 0; q < 8; q++, p++) {
        const d = HEX_VALUE[ref.charCodeAt(p)];
        if (d < 0) bad = true;
        v = v * 16 + d;
      }
      w[k] = v;
    }
    if (bad) throw new DrawInputError(`entry ${this.n + 1}: ref must be 64 lowercase hex chars, got ${JSON.stringify(ref)}`);
    let hi = 0;
    let lo = 0;
    bad = typeof holder !== 'string' || holder.length !== 16;
    for (let k = 0; k < 8 && !bad; k++) {
      const h = HEX_VALUE[holder.charCodeAt(k)];
      const l = HEX_VALUE[holder.charCodeAt(k + 8)];
      if ((h | l) < 0) bad = true;
      hi = hi * 16 + h;
      lo = lo * 16 + l;
    }
    if (bad) throw new DrawInputError(`entry ${this.n + 1}: holder must be 16 lowercase hex chars, got ${JSON.stringify(holder)}`);
    this.addRaw(w, hi, lo, tickets);
  }

  /**
   * Fast path: adds the next entry from its ref as 8 uint32 words in big-endian order
   * (`refWords[0]` = the first 8 hex chars read as a number) and its holder as two uint32 halves
   * (hi = first 8 hex chars). Same checks as {@link add} except the hex syntax.
   */
  addRaw(refWords: ArrayLike<number>, holderHi: number, holderLo: number, tickets: number): void {
    if (this.built) throw new Error('EntryTableBuilder: build() was already called');
    const n = this.n;
    if (!Number.isSafeInteger(tickets) || tickets < 1) {
      throw new DrawInputError(`entry ${n + 1}: tickets must be a positive integer, got ${tickets}`);
    }
    // Order: strictly ascending by ref (big-endian words compare like the lowercase hex strings).
    if (n > 0) {
      const pc = this.refChunks[(n - 1) >>> CHUNK_SHIFT];
      const poff = ((n - 1) & CHUNK_MASK) * REF_WORDS;
      let cmp = 0;
      for (let k = 0; k < REF_WORDS; k++) {
        const a = refWords[k] >>> 0;
        const b = pc[poff + k];
        if (a !== b) {
          cmp = a > b ? 1 : -1;
          break;
        }
      }
      if (cmp <= 0) {
        let refHex = '';
        let prevHex = '';
        for (let k = 0; k < REF_WORDS; k++) {
          refHex += hex32(refWords[k]);
          prevHex += hex32(pc[poff + k]);
        }
        throw new DrawInputError(
          cmp === 0
            ? `entry ${n + 1}: duplicate ref ${refHex}`
            : `entry ${n + 1}: ref ${refHex} is not after the previous ref ${prevHex} (entries must be in ascending ref order)`,
        );
      }
    }
    const newTotal = this.total + tickets;
    if (newTotal >= TWO_POW_53) {
      throw new DrawInputError(`entry ${n + 1}: total tickets would reach ${newTotal} >= 2^53; refusing`);
    }
    const c = n >>> CHUNK_SHIFT;
    if (c === this.refChunks.length) {
      this.refChunks.push(new Uint32Array(CHUNK_SIZE * REF_WORDS));
      this.holderIdChunks.push(new Int32Array(CHUNK_SIZE));
      this.ticketChunks.push(new Float64Array(CHUNK_SIZE));
    }
    const j = n & CHUNK_MASK;
    const chunk = this.refChunks[c];
    const off = j * REF_WORDS;
    for (let k = 0; k < REF_WORDS; k++) chunk[off + k] = refWords[k];
    this.ticketChunks[c][j] = tickets;
    this.total = newTotal;
    this.n = n + 1;
    if (this.batchLen === 0) this.batchStart = n;
    this.batchHi[this.batchLen] = holderHi;
    this.batchLo[this.batchLen] = holderLo;
    if (++this.batchLen === HOLDER_BATCH) this.flushHolders();
  }

  /** Assigns holder ids to the pending batch: first touch every slot (overlapping misses), then intern. */
  private flushHolders(): void {
    const len = this.batchLen;
    if (len === 0) return;
    const bh = this.batchHi;
    const bl = this.batchLo;
    const slots = this.slots;
    const mask = this.slotMask;
    let touched = 0;
    for (let b = 0; b < len; b++) touched ^= slots[3 * (mixHolder(bh[b], bl[b]) & mask) + 2];
    this.touched ^= touched;
    for (let b = 0, e = this.batchStart; b < len; b++, e++) {
      this.holderIdChunks[e >>> CHUNK_SHIFT][e & CHUNK_MASK] = this.internHolder(bh[b], bl[b]);
    }
    this.batchLen = 0;
  }

  private internHolder(hi: number, lo: number): number {
    const slots = this.slots;
    const mask = this.slotMask;
    let s = mixHolder(hi, lo) & mask;
    for (;;) {
      const p = 3 * s;
      const v = slots[p + 2];
      if (v === 0) break;
      if (slots[p] === hi && slots[p + 1] === lo) return v - 1;
      s = (s + 1) & mask;
    }
    const id = this.holderN;
    if (id === this.holderHi.length) {
      const hiArr = new Uint32Array(id * 2);
      hiArr.set(this.holderHi);
      const loArr = new Uint32Array(id * 2);
      loArr.set(this.holderLo);
      this.holderHi = hiArr;
      this.holderLo = loArr;
    }
    this.holderHi[id] = hi;
    this.holderLo[id] = lo;
    this.holderN = id + 1;
    const p = 3 * s;
    slots[p] = hi;
    slots[p + 1] = lo;
    slots[p + 2] = id + 1;
    if (this.holderN * 2 > mask + 1) this.rehash((mask + 1) * 2);
    return id;
  }

  private rehash(capacity: number): void {
    const slots = new Uint32Array(3 * capacity);
    const mask = capacity - 1;
    const hiArr = this.holderHi;
    const loArr = this.holderLo;
    for (let id = 0; id < this.holderN; id++) {
      const hi = hiArr[id];
      const lo = loArr[id];
      let s = mixHolder(hi, lo) & mask;
      while (slots[3 * s + 2] !== 0) s = (s + 1) & mask;
      const p = 3 * s;
      slots[p] = hi;
      slots[p + 1] = lo;
      slots[p + 2] = id + 1;
    }
    this.slots = slots;
    this.slotMask = mask;
  }

  /** Finishes the table. The builder cannot be used afterwards. */
  build(): EntryTable {
    if (this.built) throw new Error('EntryTableBuilder: build() was already called');
    this.flushHolders();
    this.built = true;
    this.slots = new Uint32Array(0); // free the lookup table before allocating the flat arrays
    const n = this.n;
    const holderIds = new Int32Array(n);
    const tickets = new Float64Array(n);
    for (let c = 0; c < this.holderIdChunks.length; c++) {
      const start = c << CHUNK_SHIFT;
      const len = Math.min(CHUNK_SIZE, n - start);
      holderIds.set(this.holderIdChunks[c].subarray(0, len), start);
      tickets.set(this.ticketChunks[c].subarray(0, len), start);
    }
    const table = new EntryTable({
      count: n,
      totalTickets: this.total,
      refChunks: this.refChunks,
      holderIds,
      tickets,
      holderHi: this.holderHi.slice(0, this.holderN),
      holderLo: this.holderLo.slice(0, this.holderN),
    });
    this.refChunks = [];
    this.holderIdChunks = [];
    this.ticketChunks = [];
    this.holderHi = new Uint32Array(0);
    this.holderLo = new Uint32Array(0);
    return table;
  }
}

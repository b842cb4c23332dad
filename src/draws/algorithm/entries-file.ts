import { DrawInputError, ENTRIES_HEADER, HEX16, HEX64, TWO_POW_53, isLowerHex } from './constants.js';
import { EntryTable, EntryTableBuilder } from './entry-table.js';
import { createSha256, type Sha256 } from './sha256.js';

/** The entries file does not follow the ILD-1 format; `line` is 1-based (the header is line 1). */
export class EntriesFormatError extends DrawInputError {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`entries file line ${line}: ${message}`);
    this.name = 'EntriesFormatError';
  }
}

function checkEntryFields(ref: string, holder: string, tickets: number): void {
  if (!isLowerHex(ref, 64)) throw new DrawInputError(`ref must be 64 lowercase hex chars, got ${JSON.stringify(ref)}`);
  if (!isLowerHex(holder, 16)) {
    throw new DrawInputError(`holder must be 16 lowercase hex chars, got ${JSON.stringify(holder)}`);
  }
  if (!Number.isSafeInteger(tickets) || tickets < 1) throw new DrawInputError(`tickets must be a positive integer, got ${tickets}`);
}

/** One line of the entries file: `<ref>,<holder>,<tickets>\n` (tickets in plain decimal). Validates the fields. */
export function formatEntryLine(ref: string, holder: string, tickets: number): string {
  checkEntryFields(ref, holder, tickets);
  return `${ref},${holder},${tickets}\n`;
}

const FLUSH_CHARS = 1 << 16;

/**
 * Streaming `entriesDigest`: SHA-256 over the exact bytes of the entries file, fed entry by entry
 * in canonical order with constant memory. The header is hashed on construction. `addEntry` checks
 * the entry (format, strictly ascending ref, total < 2^53) and returns the line so the caller can
 * write the file in the same pass.
 */
export class EntriesDigest {
  private readonly hash: Sha256 = createSha256();
  private pending = ENTRIES_HEADER;
  private prevRef = '';
  private n = 0;
  private total = 0;
  private result: string | null = null;

  /** Number of entries added. */
  get entryCount(): number {
    return this.n;
  }

  /** Sum of the tickets added. */
  get totalTickets(): number {
    return this.total;
  }

  /** Adds the next entry; returns its file line (with the trailing `\n`). Throws {@link DrawInputError} on bad input. */
  addEntry(ref: string, holder: string, tickets: number): string {
    if (this.result !== null) throw new Error('EntriesDigest: digest() was already called');
    try {
      checkEntryFields(ref, holder, tickets);
    } catch (err) {
      throw new DrawInputError(`entry ${this.n + 1}: ${err.message}`);
    }
    if (this.n > 0 && !(ref > this.prevRef)) {
      throw new DrawInputError(
        ref === this.prevRef
          ? `entry ${this.n + 1}: duplicate ref ${ref}`
          : `entry ${this.n + 1}: ref ${ref} is not after the previous ref ${this.prevRef} (entries must be in ascending ref order)`,
      );
    }
    const total = this.total + tickets;
    if (total >= TWO_POW_53) throw new DrawInputError(`entry ${this.n + 1}: total tickets would reach ${total} >= 2^53; refusing`);
    const line = `${ref},${holder},${tickets}\n`;
    this.prevRef = ref;
    this.total = total;
    this.n++;
    this.pending += line;
    if (this.pending.length >= FLUSH_CHARS) {
      this.hash.updateLatin1(this.pending);
      this.pending = '';
    }
    return line;
  }

  /** Finishes and returns the lowercase hex digest (idempotent). */
  digest(): string {
    if (this.result === null) {
      this.hash.updateLatin1(this.pending);
      this.pending = '';
      this.result = this.hash.hexDigest();
    }
    return this.result;
  }
}

/** Progress of {@link readEntriesFile}. */
export interface ReadProgress {
  bytesRead: number;
  entryCount: number;
}

/** Result of {@link readEntriesFile}. */
export interface ReadEntriesResult {
  table: EntryTable;
  entriesDigest: string;
  entryCount: number;
  totalTickets: number;
}

const HEX_VALUE = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX_VALUE[48 + i] = i;
for (let i = 0; i < 6; i++) HEX_VALUE[97 + i] = 10 + i;
const HEADER_BYTES = Uint8Array.from(ENTRIES_HEADER.slice(0, -1), (c) => c.charCodeAt(0));
const MAX_LINE = 64 + 1 + 16 + 1 + 16; // without the newline
const MIN_LINE = 64 + 1 + 16 + 1 + 1;
const PROGRESS_EVERY = 8 << 20;

/** Explains why a line (without its `\n`) is not a valid entry line; used only on the slow error path. */
function diagnoseLine(text: string): string {
  if (text.includes('\r')) return 'carriage return found (lines must end with \\n only)';
  if (text === '') return 'empty line';
  const parts = text.split(',');
  if (parts.length !== 3) return `expected 3 comma-separated fields (ref,holder,tickets), got ${parts.length}`;
  const [ref, holder, tickets] = parts;
  if (!HEX64.test(ref)) return `ref must be 64 lowercase hex chars, got ${JSON.stringify(ref.slice(0, 80))}`;
  if (!HEX16.test(holder)) return `holder must be 16 lowercase hex chars, got ${JSON.stringify(holder.slice(0, 40))}`;
  if (!/^[1-9][0-9]*$/.test(tickets)) {
    return `tickets must be a positive decimal integer without sign or leading zeros, got ${JSON.stringify(tickets.slice(0, 40))}`;
  }
  if (!Number.isSafeInteger(Number(tickets))) return `tickets ${tickets} is too large`;
  return 'malformed line';
}

// Plain Uint8Array operations, so the reader runs in browsers too (a Node Buffer is a Uint8Array, and its
// indexOf stays Node's fast one).
function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  throw new TypeError('entries stream must yield bytes (Buffer/Uint8Array), not strings: do not set an encoding on it');
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function latin1(buf: Uint8Array, start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; i++) out += String.fromCharCode(buf[i]);
  return out;
}

function isHeader(buf: Uint8Array, start: number, end: number): boolean {
  if (end - start !== HEADER_BYTES.length) return false;
  for (let i = 0; i < HEADER_BYTES.length; i++) if (buf[start + i] !== HEADER_BYTES[i]) return false;
  return true;
}

/**
 * Reads an entries file from a byte stream (a Node Readable, a fetch body, any async iterable of
 * bytes) into an {@link EntryTable} while hashing its exact bytes. Strict: the header line must be
 * exactly `ref,holder,tickets`, every line must end with `\n` (no `\r`, no BOM, no blank lines),
 * refs strictly ascending, tickets positive decimal without leading zeros, total < 2^53.
 * Format violations throw {@link EntriesFormatError} with the 1-based line number; stream errors
 * propagate as they are. `onProgress` is called every 8 MiB and at the end.
 */
export async function readEntriesFile(
  readable: AsyncIterable<Uint8Array | string>,
  onProgress?: (progress: ReadProgress) => void,
): Promise<ReadEntriesResult> {
  const hash = createSha256();
  const builder = new EntryTableBuilder();
  const refWords = new Uint32Array(8);
  let lineNo = 0;
  let headerDone = false;
  let carry: Uint8Array | null = null;
  let bytesRead = 0;
  let nextProgress = PROGRESS_EVERY;

  const fail = (buf: Uint8Array, start: number, end: number): never => {
    throw new EntriesFormatError(lineNo, diagnoseLine(latin1(buf, start, end)));
  };

  // Parses one line buf[start..end) (end = index of its '\n').
  const processLine = (buf: Uint8Array, start: number, end: number): void => {
    lineNo++;
    if (!headerDone) {
      if (!isHeader(buf, start, end)) {
        const got = new TextDecoder().decode(buf.subarray(start, Math.min(end, start + 60)));
        throw new EntriesFormatError(lineNo, `expected the header "ref,holder,tickets", got ${JSON.stringify(got)}`);
      }
      headerDone = true;
      return;
    }
    const len = end - start;
    if (len < MIN_LINE || len > MAX_LINE) fail(buf, start, end);
    let p = start;
    for (let k = 0; k < 8; k++) {
      let w = 0;
      for (let q = 0; q < 8; q++) {
        const v = HEX_VALUE[buf[p++]];
        if (v < 0) fail(buf, start, end);
        w = w * 16 + v;
      }
      refWords[k] = w;
    }
    if (buf[p++] !== 44) fail(buf, start, end);
    let hi = 0;
    let lo = 0;
    for (let k = 0; k < 8; k++) {
      const v = HEX_VALUE[buf[p++]];
      if (v < 0) fail(buf, start, end);
      hi = hi * 16 + v;
    }
    for (let k = 0; k < 8; k++) {
      const v = HEX_VALUE[buf[p++]];
      if (v < 0) fail(buf, start, end);
      lo = lo * 16 + v;
    }
    if (buf[p++] !== 44) fail(buf, start, end);
    if (buf[p] === 48) fail(buf, start, end); // leading zero
    let tickets = 0;
    while (p < end) {
      const d = buf[p++] - 48;
      if (d < 0 || d > 9) fail(buf, start, end);
      tickets = tickets * 10 + d;
    }
    if (!Number.isSafeInteger(tickets)) fail(buf, start, end);
    try {
      builder.addRaw(refWords, hi, lo, tickets);
    } catch (err) {
      if (err instanceof DrawInputError) throw new EntriesFormatError(lineNo, err.message.replace(/^entry \d+: /, ''));
      throw err;
    }
  };

  for await (const raw of readable) {
    const chunk = toBytes(raw);
    if (chunk.length === 0) continue;
    hash.update(chunk);
    bytesRead += chunk.length;
    let pos = 0;
    if (carry !== null) {
      const nl = chunk.indexOf(10);
      if (nl === -1) {
        carry = concatBytes(carry, chunk);
        if (carry.length > MAX_LINE) throw new EntriesFormatError(lineNo + 1, `line too long (at most ${MAX_LINE} chars before \\n)`);
        continue;
      }
      const line = concatBytes(carry, chunk.subarray(0, nl));
      carry = null;
      processLine(line, 0, line.length);
      pos = nl + 1;
    }
    const len = chunk.length;
    while (pos < len) {
      const nl = chunk.indexOf(10, pos);
      if (nl === -1) {
        carry = Uint8Array.prototype.slice.call(chunk, pos); // a copy (Buffer#slice is a view): do not keep the whole chunk alive
        if (carry.length > MAX_LINE) throw new EntriesFormatError(lineNo + 1, `line too long (at most ${MAX_LINE} chars before \\n)`);
        break;
      }
      processLine(chunk, pos, nl);
      pos = nl + 1;
    }
    if (onProgress && bytesRead >= nextProgress) {
      nextProgress = bytesRead + PROGRESS_EVERY;
      onProgress({ bytesRead, entryCount: builder.count });
    }
  }
  if (carry !== null && carry.length > 0) {
    throw new EntriesFormatError(lineNo + 1, 'the last line does not end with \\n');
  }
  if (!headerDone) throw new EntriesFormatError(1, 'empty file: missing the header "ref,holder,tickets"');
  const entryCount = builder.count;
  const totalTickets = builder.totalTickets;
  onProgress?.({ bytesRead, entryCount });
  return { table: builder.build(), entriesDigest: hash.hexDigest(), entryCount, totalTickets };
}

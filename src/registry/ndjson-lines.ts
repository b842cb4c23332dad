/**
 * Splits a byte stream into NDJSON lines without ever holding more than one line (bounded by
 * `maxLineBytes`) plus the current chunk.
 *
 * - Lines end at '\n'; a '\r' before it is dropped (CRLF files). The last line needs no terminator.
 * - Line numbers are 1-based physical lines, blank ones included, so they match what an editor shows.
 * - Blank and whitespace-only lines are skipped.
 * - A UTF-8 byte-order mark at the very start of the body is dropped.
 * - A line longer than `maxLineBytes` (terminator excluded) is reported through `tooLong` as soon as it
 *   is known to be too long; its bytes are discarded up to the next '\n' instead of being buffered.
 *
 * Synchronous and callback-based on purpose: it runs on every byte of million-line bodies.
 */
export interface NdjsonLineSink {
  /** A non-blank line, decoded as UTF-8, line terminator removed. */
  line(text: string, lineNumber: number): void;
  /** A line over the limit; its content is not kept. */
  tooLong(lineNumber: number): void;
}

const LF = 0x0a;
const CR = 0x0d;

export class NdjsonLineSplitter {
  /** Physical lines completed so far. */
  private completed = 0;
  /** Pieces of the current line when it spans chunks (copies: socket buffers are reused). */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The current line is too long and already reported: drop bytes until the next '\n'. */
  private skipping = false;

  constructor(
    private readonly maxLineBytes: number,
    private readonly sink: NdjsonLineSink,
  ) {}

  /** Physical lines seen so far (including a final unterminated one after end()). */
  get lines(): number {
    return this.completed;
  }

  push(chunk: Buffer): void {
    let start = 0;
    const length = chunk.length;
    while (start < length) {
      const nl = chunk.indexOf(LF, start);
      if (nl === -1) {
        this.keep(chunk, start, length);
        return;
      }
      this.finishLine(chunk, start, nl);
      start = nl + 1;
    }
  }

  /** The end of the body: an unterminated last line counts. */
  end(): void {
    if (this.skipping) {
      this.skipping = false;
      this.completed++;
    } else if (this.pendingBytes > 0) {
      this.finishLine(Buffer.alloc(0), 0, 0);
    }
  }

  private keep(chunk: Buffer, start: number, end: number): void {
    if (this.skipping) return;
    this.pendingBytes += end - start;
    // One extra byte: it may be the '\r' of a CRLF that does not count towards the limit.
    if (this.pendingBytes > this.maxLineBytes + 1) {
      this.pending = [];
      this.pendingBytes = 0;
      this.skipping = true;
      this.sink.tooLong(this.completed + 1);
      return;
    }
    this.pending.push(Buffer.from(chunk.subarray(start, end)));
  }

  private finishLine(chunk: Buffer, start: number, end: number): void {
    const lineNumber = ++this.completed;
    if (this.skipping) {
      this.skipping = false;
      return;
    }
    let text: string;
    if (this.pendingBytes === 0) {
      if (end > start && chunk[end - 1] === CR) end--;
      if (end - start > this.maxLineBytes) {
        this.sink.tooLong(lineNumber);
        return;
      }
      if (end === start) return;
      text = chunk.toString('utf8', start, end);
    } else {
      const pieces = this.pending;
      let total = this.pendingBytes + (end - start);
      this.pending = [];
      this.pendingBytes = 0;
      const endsWithCr = end > start ? chunk[end - 1] === CR : pieces[pieces.length - 1][pieces[pieces.length - 1].length - 1] === CR;
      if (endsWithCr) total--;
      if (total > this.maxLineBytes) {
        this.sink.tooLong(lineNumber);
        return;
      }
      pieces.push(chunk.subarray(start, end));
      text = Buffer.concat(pieces, total + (endsWithCr ? 1 : 0)).toString('utf8', 0, total);
    }
    if (lineNumber === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (isBlank(text)) return;
    this.sink.line(text, lineNumber);
  }
}

/** True for '' and whitespace-only text; cheap for the common case of a line starting with '{'. */
function isBlank(text: string): boolean {
  if (text.length === 0) return true;
  const c = text.charCodeAt(0);
  if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0b && c !== 0x0c && c !== 0xa0 && c !== 0x3000 && c !== 0xfeff) return false;
  return text.trim() === '';
}

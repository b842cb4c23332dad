import { Readable } from 'node:stream';
import {
  ENTRIES_HEADER,
  EntriesDigest,
  EntriesFormatError,
  EntryTable,
  EntryTableBuilder,
  formatEntryLine,
  readEntriesFile,
} from '../../../src/draws/algorithm/index.js';
import { entriesText, randomEntries, sha256, streamOf } from './helpers.js';

const R1 = '0'.repeat(63) + '1';
const R2 = '7f' + 'a'.repeat(62);
const R3 = 'f'.repeat(64);
const H1 = '0123456789abcdef';
const H2 = 'fedcba9876543210';
const three = [
  { ref: R1, holder: H1, tickets: 1 },
  { ref: R2, holder: H2, tickets: 250 },
  { ref: R3, holder: H1, tickets: 10000 },
];

async function readError(text: string | Buffer): Promise<EntriesFormatError> {
  try {
    await readEntriesFile(streamOf(text));
  } catch (err) {
    if (err instanceof EntriesFormatError) return err;
    throw err;
  }
  throw new Error('expected an EntriesFormatError');
}

describe('entries file', () => {
  test('exact bytes and digest of a 3-entry file', async () => {
    const expectedText =
      'ref,holder,tickets\n' +
      '0000000000000000000000000000000000000000000000000000000000000001,0123456789abcdef,1\n' +
      '7faaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,fedcba9876543210,250\n' +
      'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff,0123456789abcdef,10000\n';
    expect(ENTRIES_HEADER + three.map((e) => formatEntryLine(e.ref, e.holder, e.tickets)).join('')).toBe(expectedText);
    const d = new EntriesDigest();
    let written = ENTRIES_HEADER;
    for (const e of three) written += d.addEntry(e.ref, e.holder, e.tickets);
    expect(written).toBe(expectedText);
    expect(d.digest()).toBe(sha256(Buffer.from(expectedText, 'utf8')));
    expect(d.entryCount).toBe(3);
    expect(d.totalTickets).toBe(10251);

    const read = await readEntriesFile(streamOf(expectedText));
    expect(read.entriesDigest).toBe(sha256(expectedText));
    expect(read.entryCount).toBe(3);
    expect(read.totalTickets).toBe(10251);
    expect([...read.table.entries()]).toEqual(three);
    expect(read.table.holderCount).toBe(2);
    expect(read.table.holderIds[0]).toBe(read.table.holderIds[2]);
  });

  test('empty entries list: header only', async () => {
    const d = new EntriesDigest();
    expect(d.digest()).toBe(sha256('ref,holder,tickets\n'));
    const read = await readEntriesFile(streamOf('ref,holder,tickets\n'));
    expect(read.entryCount).toBe(0);
    expect(read.totalTickets).toBe(0);
    expect(read.table.count).toBe(0);
  });

  test('streaming in tiny chunks gives the same table and digest', async () => {
    const entries = randomEntries('chunks', 200, 50, 10000);
    const text = entriesText(entries);
    const whole = await readEntriesFile(streamOf(text));
    for (const size of [1, 3, 7, 64, 87, 4096]) {
      const read = await readEntriesFile(streamOf(text, size));
      expect(read.entriesDigest).toBe(sha256(text));
      expect(read.entryCount).toBe(200);
      expect(read.totalTickets).toBe(whole.totalTickets);
      expect([...read.table.entries()]).toEqual(entries);
    }
    const d = new EntriesDigest();
    for (const e of entries) d.addEntry(e.ref, e.holder, e.tickets);
    expect(d.digest()).toBe(sha256(text));
  });

  test('progress callback reports bytes and entries', async () => {
    const text = entriesText(randomEntries('progress', 10, 5, 10));
    const seen: Array<{ bytesRead: number; entryCount: number }> = [];
    await readEntriesFile(streamOf(text), (p) => seen.push(p));
    expect(seen.at(-1)).toEqual({ bytesRead: Buffer.byteLength(text), entryCount: 10 });
  });

  test('strict format errors carry the 1-based line number', async () => {
    const ok = entriesText(three);
    const lines = ok.split('\n'); // [header, l2, l3, l4, '']
    const withLine = (i: number, text: string): string => {
      const copy = [...lines];
      copy[i] = text;
      return copy.join('\n');
    };
    expect((await readError('')).message).toMatch(/line 1: empty file/);
    expect((await readError('ref,holder,ticket\n')).message).toMatch(/line 1: expected the header/);
    expect((await readError('\ufeff' + ok)).message).toMatch(/line 1: expected the header/);
    expect((await readError(ok.replace(/\n/g, '\r\n'))).message).toMatch(/line 1: expected the header/);
    expect((await readError(ok.replace(/\n/g, '\r\n').replace('tickets\r\n', 'tickets\n'))).message).toMatch(
      /line 2: carriage return/,
    );
    expect((await readError(ok.slice(0, -1))).message).toMatch(/line 4: the last line does not end with \\n/);
    expect((await readError(withLine(2, lines[2].toUpperCase()))).message).toMatch(/line 3: ref must be 64 lowercase hex/);
    expect((await readError(withLine(2, lines[2].replace(H2, 'fedcba987654321')))).message).toMatch(/line 3: holder must be 16/);
    expect((await readError(withLine(2, lines[2].replace(',250', ',0250')))).message).toMatch(/line 3: tickets must be a positive/);
    expect((await readError(withLine(2, lines[2].replace(',250', ',0')))).message).toMatch(/line 3: tickets must be a positive/);
    expect((await readError(withLine(2, lines[2].replace(',250', ',+250')))).message).toMatch(/line 3: tickets/);
    expect((await readError(withLine(2, lines[2] + ',x'))).message).toMatch(/line 3: expected 3 comma-separated fields/);
    expect((await readError(withLine(2, ''))).message).toMatch(/line 3: empty line/);
    expect((await readError(withLine(3, lines[1]))).message).toMatch(/line 4: ref 0{63}1 is not after the previous ref/);
    expect((await readError(withLine(3, lines[2]))).message).toMatch(/line 4: duplicate ref 7faa/);
    expect((await readError(ok + 'x'.repeat(500))).message).toMatch(/line 5: line too long/);
    const err = await readError(withLine(3, lines[2]));
    expect(err.line).toBe(4);
  });

  test('refuses string chunks (an encoding was set on the stream)', async () => {
    const s = Readable.from(['ref,holder,tickets\n'], { objectMode: true });
    await expect(readEntriesFile(s)).rejects.toThrow(/bytes/);
  });

  test('total tickets must stay below 2^53', async () => {
    const b = new EntryTableBuilder();
    b.add(R1, H1, Number.MAX_SAFE_INTEGER - 1); // 2^53 - 2
    b.add(R2, H1, 1); // total 2^53 - 1: still allowed
    expect(b.totalTickets).toBe(2 ** 53 - 1);
    expect(() => b.add(R3, H2, 1)).toThrow(/2\^53/);
    const d = new EntriesDigest();
    d.addEntry(R1, H1, Number.MAX_SAFE_INTEGER);
    expect(() => d.addEntry(R2, H1, 1)).toThrow(/2\^53/);
    const text = `ref,holder,tickets\n${R1},${H1},${Number.MAX_SAFE_INTEGER}\n${R2},${H1},1\n`;
    expect((await readError(text)).message).toMatch(/line 3: total tickets would reach 9007199254740992 >= 2\^53/);
    expect((await readError(`ref,holder,tickets\n${R1},${H1},9007199254740993\n`)).message).toMatch(/line 2: tickets/);
  });

  test('builder refuses duplicate, out-of-order and malformed entries', () => {
    const b = new EntryTableBuilder();
    b.add(R2, H1, 5);
    expect(() => b.add(R2, H2, 1)).toThrow(/entry 2: duplicate ref/);
    expect(() => b.add(R1, H2, 1)).toThrow(/entry 2: ref 0+1 is not after the previous ref 7faa/);
    expect(() => b.add(R3.toUpperCase(), H2, 1)).toThrow(/ref must be 64 lowercase hex/);
    expect(() => b.add(R3, 'xyz', 1)).toThrow(/holder must be 16 lowercase hex/);
    expect(() => b.add(R3, H2, 0)).toThrow(/tickets must be a positive integer/);
    expect(() => b.add(R3, H2, 1.5)).toThrow(/tickets must be a positive integer/);
    b.add(R3, H2, 1); // the failed attempts left no trace
    const t = b.build();
    expect(t.count).toBe(2);
    expect([...t.entries()]).toEqual([
      { ref: R2, holder: H1, tickets: 5 },
      { ref: R3, holder: H2, tickets: 1 },
    ]);
    expect(() => b.add(R3, H2, 1)).toThrow(/build/);
    const d = new EntriesDigest();
    d.addEntry(R2, H1, 5);
    expect(() => d.addEntry(R2, H1, 5)).toThrow(/duplicate/);
    expect(() => d.addEntry(R1, H1, 5)).toThrow(/ascending/);
    expect(() => formatEntryLine(R1, H1, 0)).toThrow();
  });

  test('EntryTable handles many holders and entries across chunks', () => {
    const b = new EntryTableBuilder();
    const n = 70_000; // more than one 65,536-entry chunk
    const words = new Uint32Array(8);
    for (let i = 0; i < n; i++) {
      words[7] = i;
      b.addRaw(words, i % 5000, (i * 7) % 5000, 1 + (i % 3));
    }
    const t = b.build();
    expect(t.count).toBe(n);
    expect(t.holderCount).toBe(5000);
    expect(t.refAt(n - 1)).toBe('0'.repeat(56) + (n - 1).toString(16).padStart(8, '0'));
    expect(t.holderAt(69_999)).toBe((69_999 % 5000).toString(16).padStart(8, '0') + ((69_999 * 7) % 5000).toString(16).padStart(8, '0'));
    expect(t.totalTickets).toBe(Array.from({ length: n }, (_, i) => 1 + (i % 3)).reduce((a, c) => a + c, 0));
    expect(() => t.refAt(n)).toThrow(RangeError);
    const bytes = new Uint8Array(34);
    t.copyRefBytes(n - 1, bytes, 1);
    expect(Buffer.from(bytes.subarray(1, 33)).toString('hex')).toBe(t.refAt(n - 1));
    expect(t.refAt(0x1234)).toBe('0'.repeat(60) + '1234');
    expect(EntryTable.fromEntries(three).entryAt(1)).toEqual(three[1]);
  });
});

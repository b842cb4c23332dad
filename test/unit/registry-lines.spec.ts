import { NdjsonLineSplitter } from '../../src/registry/ndjson-lines.js';

/** The line splitter of the registry import on its own (no app): every way a body can be cut into chunks. */
function split(chunks: Buffer[], max = 16): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  const s = new NdjsonLineSplitter(max, {
    line: (text, n) => out.push([n, text]),
    tooLong: (n) => out.push([n, '<too long>']),
  });
  for (const c of chunks) s.push(c);
  s.end();
  out.push([s.lines, '<lines>']);
  return out;
}

function everySplit(text: string, max = 16): Array<Array<[number, string]>> {
  const bytes = Buffer.from(text);
  const results: Array<Array<[number, string]>> = [];
  for (let i = 0; i <= bytes.length; i++) {
    for (let j = i; j <= bytes.length; j++) {
      results.push(split([bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)], max));
    }
  }
  return results;
}

test('lines, blank lines, CRLF, BOM and a final line without terminator, however the body is cut', () => {
  const text = '\uFEFFa1\r\n\r\n  \nb22\n\t\r\n张三丰\r\nlast';
  const expected: Array<[number, string]> = [
    [1, 'a1'],
    [4, 'b22'],
    [6, '张三丰'],
    [7, 'last'],
    [7, '<lines>'],
  ];
  for (const result of everySplit(text)) expect(result).toEqual(expected);
});

test('a line over the limit is reported once and skipped; its neighbours are kept', () => {
  const text = 'ok\n' + 'x'.repeat(17) + '\n' + 'y'.repeat(16) + '\r\n' + 'z'.repeat(40) + '\r\nend\n';
  const expected: Array<[number, string]> = [
    [1, 'ok'],
    [2, '<too long>'],
    [3, 'y'.repeat(16)],
    [4, '<too long>'],
    [5, 'end'],
    [5, '<lines>'],
  ];
  for (const result of everySplit(text)) expect(result).toEqual(expected);
});

test('an over-long last line without terminator, and an empty body', () => {
  expect(split([Buffer.from('a\n' + 'q'.repeat(100))])).toEqual([[1, 'a'], [2, '<too long>'], [2, '<lines>']]);
  expect(split([])).toEqual([[0, '<lines>']]);
  expect(split([Buffer.from('\n\n')])).toEqual([[2, '<lines>']]);
});

test('the memory held for a long line is bounded by the limit, not the line', () => {
  const s = new NdjsonLineSplitter(1024, { line: () => undefined, tooLong: () => undefined });
  const chunk = Buffer.alloc(4096, 0x61);
  for (let i = 0; i < 1000; i++) s.push(chunk);
  expect((s as unknown as { pendingBytes: number }).pendingBytes).toBe(0);
  s.push(Buffer.from('\n{}\n'));
  expect(s.lines).toBe(2);
});

import fc from 'fast-check';
import { formatCents, MAX_CENTS, parseYuanToCents } from '../../../src/core/money.js';

describe('parseYuanToCents', () => {
  it.each([
    ['112', 11200],
    ['64.9', 6490],
    ['100.00', 10000],
    ['0.5', 50],
    ['0.05', 5],
    ['0', 0],
    ['0.00', 0],
    ['1.01', 101],
    ['20', 2000],
    ['19.99', 1999],
    ['0.1', 10],
    ['0.7', 70], // 0.7 * 100 is 70.00000000000001 in floating point: must not matter
    ['1.15', 115], // 1.15 * 100 is 114.99999999999999
    ['4.35', 435],
    ['9007199254.74', 900719925474],
    ['10000000000', MAX_CENTS],
    ['10000000000.00', MAX_CENTS],
  ])('%j -> %i', (text, cents) => {
    expect(parseYuanToCents(text)).toBe(cents);
  });

  it.each([
    '', '.', '.5', '5.', '1.234', '1.2.3', '-1', '+1', '-0', '1e3', '1E3', ' 1', '1 ', '1 000', '1,000', '01', '00', '00.5',
    '0x10', 'Infinity', 'NaN', '１２', '1_000', '10000000000.01', '99999999999', '100000000000', '1'.repeat(40), '¥12', '12元',
  ])('rejects %j', (text) => {
    expect(parseYuanToCents(text)).toBeNull();
  });

  it('rejects non-strings', () => {
    expect(parseYuanToCents(12 as unknown as string)).toBeNull();
    expect(parseYuanToCents(null as unknown as string)).toBeNull();
  });

  it('round-trips with formatCents for every amount up to the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_CENTS }), (c) => {
        expect(parseYuanToCents(formatCents(c))).toBe(c);
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with digit-by-digit arithmetic on arbitrary decimal strings', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 10n }), fc.constantFrom('', '.', '.0', '.00'), fc.integer({ min: 0, max: 99 }), (yuan, sep, fen) => {
        const text = sep === '' ? String(yuan) : sep === '.' ? `${yuan}.${fen % 10}` : `${yuan}.${String(fen).padStart(2, '0')}`;
        const expected = sep === '' ? yuan * 100n : sep === '.' ? yuan * 100n + BigInt((fen % 10) * 10) : yuan * 100n + BigInt(fen);
        const got = parseYuanToCents(text);
        if (expected > BigInt(MAX_CENTS)) expect(got).toBeNull();
        else expect(got).toBe(Number(expected));
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const r = parseYuanToCents(s);
        expect(r === null || (Number.isSafeInteger(r) && r >= 0 && r <= MAX_CENTS)).toBe(true);
      }),
    );
  });
});

describe('formatCents', () => {
  it.each([
    [6490, '64.90'],
    [5, '0.05'],
    [0, '0.00'],
    [11200, '112.00'],
    [100, '1.00'],
    [-150, '-1.50'],
    [MAX_CENTS, '10000000000.00'],
  ])('%i -> %s', (c, text) => {
    expect(formatCents(c)).toBe(text);
  });

  it.each([1.5, Number.NaN, Infinity, 2 ** 53])('throws on %p', (c) => {
    expect(() => formatCents(c)).toThrow(RangeError);
  });
});

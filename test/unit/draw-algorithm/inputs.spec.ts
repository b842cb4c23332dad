import { createHmac } from 'node:crypto';
import {
  ALGORITHM_ID,
  computeTickets,
  deriveSeed,
  generateSecret,
  hashSecret,
  holderPseudonym,
  invoiceRef,
} from '../../../src/draws/algorithm/index.js';
import { sha256 } from './helpers.js';

describe('ILD-1 inputs', () => {
  test('ALGORITHM_ID', () => {
    expect(ALGORITHM_ID).toBe('ILD-1');
  });

  test('computeTickets: floor(amount/unit) capped, exact for large values and bigint', () => {
    expect(computeTickets(0, 100, 10000)).toBe(0);
    expect(computeTickets(99, 100, 10000)).toBe(0);
    expect(computeTickets(100, 100, 10000)).toBe(1);
    expect(computeTickets(2099, 100, 10000)).toBe(20);
    expect(computeTickets(12800, 100, 10000)).toBe(128);
    expect(computeTickets(999_999, 100, 10000)).toBe(9999);
    expect(computeTickets(1_000_000, 100, 10000)).toBe(10000);
    expect(computeTickets(1_500_000, 100, 10000)).toBe(10000);
    expect(computeTickets(2n ** 70n, 100, 10000)).toBe(10000);
    expect(computeTickets(12345n, 100, 10000)).toBe(123);
    expect(computeTickets(Number.MAX_SAFE_INTEGER, 3, Number.MAX_SAFE_INTEGER)).toBe(3002399751580330);
    expect(() => computeTickets(-1, 100, 10000)).toThrow(/negative/);
    expect(() => computeTickets(-1n, 100, 10000)).toThrow(/negative/);
    expect(() => computeTickets(1.5, 100, 10000)).toThrow();
    expect(() => computeTickets(100, 0, 10000)).toThrow(/unitCents/);
    expect(() => computeTickets(100, 100, 0)).toThrow(/cap/);
  });

  test('invoiceRef: SHA-256 of "<code>-<number>", empty code for 20-digit numbers', () => {
    expect(invoiceRef('041002200111', '00012345')).toBe(sha256('041002200111-00012345'));
    expect(invoiceRef('', '22412000000000123456')).toBe(sha256('-22412000000000123456'));
    expect(invoiceRef('', '22412000000000123456')).toMatch(/^[0-9a-f]{64}$/);
    expect(() => invoiceRef('041002200111', '22412000000000123456')).toThrow(/20-digit/);
    expect(() => invoiceRef('', '00012345')).toThrow(/code required/);
    expect(() => invoiceRef('04100220011A', '00012345')).toThrow(/code/);
    expect(() => invoiceRef('041002200111', '')).toThrow(/number/);
  });

  test('holderPseudonym: first 16 hex of HMAC-SHA256(key, "<drawId>:<consumerId>")', () => {
    const full = createHmac('sha256', 'k3y').update('d-1:42').digest('hex');
    expect(holderPseudonym('k3y', 'd-1', 42)).toBe(full.slice(0, 16));
    expect(holderPseudonym(Buffer.from('k3y'), 'd-1', '42')).toBe(full.slice(0, 16));
    expect(holderPseudonym('k3y', 'd-2', 42)).not.toBe(full.slice(0, 16));
    expect(() => holderPseudonym('', 'd-1', 42)).toThrow();
  });

  test('secrets: 64 lowercase hex; hash over the ASCII hex string', () => {
    const s = generateSecret();
    expect(s).toMatch(/^[0-9a-f]{64}$/);
    expect(generateSecret()).not.toBe(s);
    expect(hashSecret(s)).toBe(sha256(Buffer.from(s, 'ascii')));
    expect(hashSecret('00'.repeat(32))).toBe(sha256('0'.repeat(64)));
    // The example in docs/draw-algorithm.md section 3.
    expect(hashSecret('0'.repeat(64))).toBe('60e05bd1b195af2f94112fa7197a5c88289058840ce7c6df9693756bc6250f55');
    expect(hashSecret('00'.repeat(32))).not.toBe(sha256(Buffer.alloc(32)));
    expect(() => hashSecret('AB'.repeat(32))).toThrow();
    expect(() => hashSecret('ab')).toThrow();
  });

  test('deriveSeed: SHA-256 of "ILD-1\\n<drawId>\\n<digest>\\n<secret>\\n<beacon>"', () => {
    const d = 'a'.repeat(64);
    const s = 'b'.repeat(64);
    expect(deriveSeed({ drawId: 'draw-7', entriesDigest: d, secret: s, beacon: 'x y 中' })).toBe(
      sha256(Buffer.from(`ILD-1\ndraw-7\n${d}\n${s}\nx y 中`, 'utf8')),
    );
    const none = sha256(`ILD-1\ndraw-7\n${d}\n${s}\n`);
    expect(deriveSeed({ drawId: 'draw-7', entriesDigest: d, secret: s })).toBe(none);
    expect(deriveSeed({ drawId: 'draw-7', entriesDigest: d, secret: s, beacon: null })).toBe(none);
    expect(deriveSeed({ drawId: 'draw-7', entriesDigest: d, secret: s, beacon: '' })).toBe(none);
    expect(() => deriveSeed({ drawId: 'draw 7', entriesDigest: d, secret: s })).toThrow(/drawId/);
    expect(() => deriveSeed({ drawId: 'draw\n7', entriesDigest: d, secret: s })).toThrow(/drawId/);
    expect(() => deriveSeed({ drawId: 'draw-7', entriesDigest: 'A'.repeat(64), secret: s })).toThrow(/entriesDigest/);
  });
});

import fc from 'fast-check';
import { normalizeMainlandMobile } from '../../../src/consumers/domain/phone.js';

describe('normalizeMainlandMobile', () => {
  it.each([
    ['13812345678', '13812345678'],
    ['19912345678', '19912345678'],
    ['14712345678', '14712345678'],
    ['+8613812345678', '13812345678'],
    ['+86 13812345678', '13812345678'],
    ['+86-13812345678', '13812345678'],
    ['  13812345678\n', '13812345678'],
  ])('%j -> %s', (input, expected) => {
    expect(normalizeMainlandMobile(input)).toBe(expected);
  });

  it.each([
    '', '1381234567', '138123456789', '12812345678', '11812345678', '23812345678', '8613812345678', '008613812345678',
    '+86  13812345678', '+85213812345678', '138 1234 5678', '138-1234-5678', '１３８１２３４５６７８', '+86', '1381234567a',
  ])('rejects %j', (input) => {
    expect(normalizeMainlandMobile(input)).toBeNull();
  });

  it('rejects non-strings', () => {
    expect(normalizeMainlandMobile(13812345678)).toBeNull();
    expect(normalizeMainlandMobile(undefined)).toBeNull();
  });

  it('returns either null or 11 digits, never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^(\+86[ -]?)?1\d{10}$/)), (s) => {
        const r = normalizeMainlandMobile(s);
        expect(r === null || /^1[3-9]\d{9}$/.test(r)).toBe(true);
      }),
    );
  });
});

import fc from 'fast-check';
import { checkResidentId, makeResidentId, residentIdCheckChar } from '../../../src/consumers/domain/resident-id.js';
import { addDays } from '../../../src/core/time/shanghai.js';

const TODAY = '2022-08-01';

/** Replaces the check character of a valid number with every wrong one. */
function wrongCheckChars(valid: string): string[] {
  return '0123456789X'.split('').filter((c) => c !== valid[17]).map((c) => valid.slice(0, 17) + c);
}

describe('residentIdCheckChar / makeResidentId', () => {
  it.each([
    // published examples of valid numbers
    ['11010519491231002', 'X'],
    ['44052418800101001', '4'],
    ['41010519900307123', 'X'],
  ])('check char of %s is %s', (first17, expected) => {
    expect(residentIdCheckChar(first17)).toBe(expected);
  });

  it('builds valid numbers', () => {
    expect(makeResidentId('410105', '19900307', '123')).toBe('41010519900307123X');
    expect(checkResidentId(makeResidentId('410102', '20000229', '001'), TODAY).ok).toBe(true);
  });

  it.each([
    ['41010', '19900307', '123'],
    ['410105', '19900230', '123'],
    ['410105', '1990-03-07', '123'],
    ['410105', '19900307', '12'],
  ])('makeResidentId(%s, %s, %s) throws', (r, b, s) => {
    expect(() => makeResidentId(r, b, s)).toThrow(RangeError);
  });

  it('throws on a malformed first17', () => {
    expect(() => residentIdCheckChar('1234')).toThrow(RangeError);
  });
});

describe('checkResidentId', () => {
  it('accepts a valid number and returns the normalized form, birth date and mask', () => {
    expect(checkResidentId('41010519900307123X', TODAY)).toEqual({
      ok: true,
      normalized: '41010519900307123X',
      birthDate: '1990-03-07',
      masked: '4101**********123X',
    });
  });

  it('accepts a lowercase x and surrounding spaces, normalizing them', () => {
    const r = checkResidentId(' 41010519900307123x ', TODAY);
    expect(r).toMatchObject({ ok: true, normalized: '41010519900307123X' });
  });

  it.each(wrongCheckChars('41010519900307123X'))('rejects wrong check char: %s', (id) => {
    expect(checkResidentId(id, TODAY)).toMatchObject({ ok: false, code: 'ID_NUMBER_INVALID' });
  });

  it.each([
    '',
    '41010519900307123',
    '41010519900307123XX',
    '4101051990030712XX',
    '41010519900307123Y',
    '410105900307123', // legacy 15-digit
    '41010519900307 23X',
    '４１０１０５１９９００３０７１２３Ｘ',
    'X10105199003071234',
  ])('rejects malformed %j', (id) => {
    expect(checkResidentId(id, TODAY)).toMatchObject({ ok: false, code: 'ID_NUMBER_INVALID' });
  });

  it.each([
    ['impossible date 1990-02-30', '410105', '19900230'],
    ['impossible date 1990-13-01', '410105', '19901301'],
    ['not a leap year 2001-02-29', '410105', '20010229'],
    ['1900-02-29 (1900 is not a leap year)', '410105', '19000229'],
    ['month 00', '410105', '19900007'],
    ['day 00', '410105', '19900300'],
    ['before 1900', '410105', '18991231'],
    ['in the future', '410105', '20220802'],
  ])('rejects %s', (_label, region, birth) => {
    const first17 = region + birth + '123';
    const id = first17 + residentIdCheckChar(first17); // check char correct, so only the date can fail
    expect(checkResidentId(id, TODAY)).toMatchObject({ ok: false, code: 'ID_NUMBER_INVALID' });
  });

  it('accepts the earliest allowed birth date 1900-01-01', () => {
    expect(checkResidentId(makeResidentId('410105', '19000101', '001'), TODAY).ok).toBe(true);
  });

  it.each([
    ['18th birthday today', '20040801', '2022-08-01', true],
    ['18th birthday tomorrow', '20040802', '2022-08-01', false],
    ['18th birthday yesterday', '20040731', '2022-08-01', true],
    ['born today', '20220801', '2022-08-01', false],
    ['17 and 364 days', '20040802', '2022-08-01', false],
    ['born 29 Feb, 28 Feb of a common year', '20040229', '2022-02-28', false],
    ['born 29 Feb, 1 Mar of a common year', '20040229', '2022-03-01', true],
    ['born 2004-02-29, today 2022-02-28', '20040229', '2022-02-28', false],
    ['born 31 Dec, today 31 Dec 18 years later', '20041231', '2022-12-31', true],
    ['born 1 Jan, today 31 Dec of year 17', '20050101', '2022-12-31', false],
  ])('age rule: %s', (_label, birth, today, adult) => {
    const r = checkResidentId(makeResidentId('410105', birth, '002'), today);
    if (adult) expect(r.ok).toBe(true);
    else expect(r).toMatchObject({ ok: false, code: 'ID_NUMBER_UNDERAGE' });
  });

  it('someone born on 29 February becomes an adult on 1 March (18 is never a multiple of 4)', () => {
    expect(checkResidentId(makeResidentId('410105', '20080229', '002'), '2026-02-28')).toMatchObject({ code: 'ID_NUMBER_UNDERAGE' });
    expect(checkResidentId(makeResidentId('410105', '20080229', '002'), '2026-03-01').ok).toBe(true);
  });

  it('leap years in between do not shift the birthday', () => {
    expect(checkResidentId(makeResidentId('410105', '20060301', '002'), '2024-03-01').ok).toBe(true);
    expect(checkResidentId(makeResidentId('410105', '20060301', '002'), '2024-02-29')).toMatchObject({ code: 'ID_NUMBER_UNDERAGE' });
    expect(checkResidentId(makeResidentId('410105', '20060228', '002'), '2024-02-28').ok).toBe(true);
    expect(checkResidentId(makeResidentId('410105', '20060228', '002'), '2024-02-27')).toMatchObject({ code: 'ID_NUMBER_UNDERAGE' });
  });

  it('throws on a malformed today', () => {
    expect(() => checkResidentId('41010519900307123X', '20220801')).toThrow(RangeError);
  });

  it('rejects non-strings without throwing', () => {
    expect(checkResidentId(41010519900307 as unknown as string, TODAY)).toMatchObject({ ok: false, code: 'ID_NUMBER_INVALID' });
  });

  const birth = fc.integer({ min: 0, max: 38_000 }).map((n) => addDays('1900-01-01', n)); // 1900 .. ~2004
  const region = fc.stringMatching(/^[1-8]\d{5}$/);
  const seq = fc.stringMatching(/^\d{3}$/);

  it('property: every generated adult number is accepted with its birth date', () => {
    fc.assert(
      fc.property(region, birth, seq, (r, b, s) => {
        const id = makeResidentId(r, b.replace(/-/g, ''), s);
        const res = checkResidentId(id, TODAY);
        expect(res).toEqual({ ok: true, normalized: id, birthDate: b, masked: id.slice(0, 4) + '*'.repeat(10) + id.slice(14) });
      }),
    );
  });

  it('property: any single-character substitution is detected (MOD 11-2 catches all of them)', () => {
    fc.assert(
      fc.property(region, birth, seq, fc.integer({ min: 0, max: 17 }), fc.integer({ min: 1, max: 10 }), (r, b, s, pos, shift) => {
        const id = makeResidentId(r, b.replace(/-/g, ''), s);
        const alphabet = pos === 17 ? '0123456789X' : '0123456789';
        const current = alphabet.indexOf(id[pos]);
        const replacement = alphabet[(current + shift) % alphabet.length];
        if (replacement === id[pos]) return;
        const mutated = id.slice(0, pos) + replacement + id.slice(pos + 1);
        const res = checkResidentId(mutated, TODAY);
        expect(res.ok).toBe(false);
      }),
    );
  });

  it('property: adulthood flips exactly on the 18th birthday', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30_000 }), (n) => {
        const b = addDays('1950-01-01', n);
        const id = makeResidentId('410105', b.replace(/-/g, ''), '003');
        const eighteenth = `${Number(b.slice(0, 4)) + 18}${b.slice(4) === '-02-29' ? '-03-01' : b.slice(4)}`;
        expect(checkResidentId(id, eighteenth).ok).toBe(true);
        expect(checkResidentId(id, addDays(eighteenth, -1))).toMatchObject({ ok: false, code: 'ID_NUMBER_UNDERAGE' });
      }),
    );
  });
});

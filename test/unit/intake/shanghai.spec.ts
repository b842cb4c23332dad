import fc from 'fast-check';
import {
  addDays,
  compactToIsoDate,
  daysBetween,
  daysInMonth,
  isIsoDate,
  isValidCalendarDate,
  shanghaiDate,
  shanghaiDateTime,
  shanghaiMonth,
  startOfShanghaiDay,
} from '../../../src/core/time/shanghai.js';

describe('shanghaiDate / shanghaiMonth', () => {
  it.each([
    ['2022-07-14T15:59:59.999Z', '2022-07-14'],
    ['2022-07-14T16:00:00.000Z', '2022-07-15'],
    ['2022-12-31T15:59:59.999Z', '2022-12-31'],
    ['2022-12-31T16:00:00.000Z', '2023-01-01'],
    ['2024-02-28T16:00:00.000Z', '2024-02-29'],
    ['2023-02-28T16:00:00.000Z', '2023-03-01'],
    ['1970-01-01T00:00:00.000Z', '1970-01-01'],
    ['1969-12-31T15:59:59.999Z', '1969-12-31'],
    ['1969-12-31T16:00:00.000Z', '1970-01-01'],
    ['1900-03-01T00:00:00.000Z', '1900-03-01'],
  ])('%s is %s in Shanghai', (iso, expected) => {
    expect(shanghaiDate(new Date(iso))).toBe(expected);
  });

  it('gives the month', () => {
    expect(shanghaiMonth(new Date('2022-07-31T16:00:00Z'))).toBe('2022-08');
    expect(shanghaiMonth(new Date('2022-07-31T15:59:59Z'))).toBe('2022-07');
  });

  it('agrees with Intl for Asia/Shanghai after 1991 (no DST)', () => {
    const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1992, 0, 1), max: Date.UTC(2099, 11, 31) }), (ms) => {
        const d = new Date(ms);
        expect(shanghaiDate(d)).toBe(fmt.format(d));
      }),
      { numRuns: 300 },
    );
  });

  it('throws on an invalid Date', () => {
    expect(() => shanghaiDate(new Date('nope'))).toThrow(RangeError);
  });
});

describe('startOfShanghaiDay / shanghaiDateTime', () => {
  it('is 16:00 UTC of the day before', () => {
    expect(startOfShanghaiDay('2022-07-15').toISOString()).toBe('2022-07-14T16:00:00.000Z');
    expect(startOfShanghaiDay('2024-03-01').toISOString()).toBe('2024-02-29T16:00:00.000Z');
    expect(startOfShanghaiDay('2023-01-01').toISOString()).toBe('2022-12-31T16:00:00.000Z');
  });

  it('builds wall-clock instants', () => {
    expect(shanghaiDateTime('2022-08-02', '10:00').toISOString()).toBe('2022-08-02T02:00:00.000Z');
    expect(shanghaiDateTime('2022-08-02', '00:00').toISOString()).toBe('2022-08-01T16:00:00.000Z');
    expect(shanghaiDateTime('2022-08-02', '23:59').toISOString()).toBe('2022-08-02T15:59:00.000Z');
  });

  it.each(['24:00', '9:00', '10:60', '10-00', '', '10:00:00'])('rejects time %j', (t) => {
    expect(() => shanghaiDateTime('2022-08-02', t)).toThrow(RangeError);
  });

  it.each(['2022-02-30', '20220215', '2022-2-1', '', '2022-13-01', '0000-01-01'])('rejects date %j', (d) => {
    expect(() => startOfShanghaiDay(d)).toThrow(RangeError);
  });

  it('round-trips through shanghaiDate for every day and the last millisecond of it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60_000 }), (n) => {
        const date = addDays('1950-01-01', n);
        const start = startOfShanghaiDay(date).getTime();
        expect(shanghaiDate(new Date(start))).toBe(date);
        expect(shanghaiDate(new Date(start + 86_400_000 - 1))).toBe(date);
        expect(shanghaiDate(new Date(start - 1))).toBe(addDays(date, -1));
      }),
      { numRuns: 300 },
    );
  });
});

describe('addDays / daysBetween', () => {
  it.each([
    ['2022-02-28', 1, '2022-03-01'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2024-02-29', 1, '2024-03-01'],
    ['2022-12-31', 1, '2023-01-01'],
    ['2023-01-01', -1, '2022-12-31'],
    ['2022-07-15', 90, '2022-10-13'],
    ['2022-01-31', 30, '2022-03-02'],
    ['2000-02-28', 1, '2000-02-29'],
    ['1900-02-28', 1, '1900-03-01'],
    ['2022-07-15', 0, '2022-07-15'],
  ])('addDays(%s, %i) = %s', (d, n, expected) => {
    expect(addDays(d, n)).toBe(expected);
    expect(daysBetween(d, expected)).toBe(n);
    expect(daysBetween(expected, d)).toBe(n === 0 ? 0 : -n);
  });

  it('counts a whole year', () => {
    expect(daysBetween('2022-01-01', '2023-01-01')).toBe(365);
    expect(daysBetween('2024-01-01', '2025-01-01')).toBe(366);
    expect(daysBetween('1900-01-01', '2000-01-01')).toBe(36524);
  });

  it('rejects bad input', () => {
    expect(() => addDays('2022-02-29', 1)).toThrow(RangeError);
    expect(() => addDays('2022-02-01', 1.5)).toThrow(RangeError);
    expect(() => addDays('9999-12-31', 1)).toThrow(RangeError);
    expect(() => daysBetween('2022-01-01', '2022-01-32')).toThrow(RangeError);
  });

  it('is consistent: addDays(d, n) then daysBetween gives n back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: -20_000, max: 20_000 }), (base, n) => {
        const d = addDays('1800-01-01', base);
        const e = addDays(d, n);
        expect(isIsoDate(e)).toBe(true);
        expect(daysBetween(d, e)).toBe(n);
        expect(addDays(e, -n)).toBe(d);
      }),
      { numRuns: 300 },
    );
  });
});

describe('isValidCalendarDate', () => {
  it.each([
    '2022-07-15', '20220715', '2024-02-29', '20240229', '2000-02-29', '2022-12-31', '2022-04-30', '0001-01-01', '9999-12-31',
  ])('accepts %s', (d) => {
    expect(isValidCalendarDate(d)).toBe(true);
  });

  it.each([
    '2022-02-30', '2022-02-29', '1900-02-29', '2100-02-29', '2022-04-31', '2022-06-31', '2022-09-31', '2022-11-31',
    '2022-00-10', '2022-13-01', '2022-01-00', '2022-01-32', '0000-01-01', '20220230', '2022-7-15', '2022/07/15',
    '2022-07-15 ', ' 2022-07-15', '2022-07-15T00:00', '202207150', '2022-0715', '', 'abcd-ef-gh', '２０２２-０７-１５',
  ])('rejects %j', (d) => {
    expect(isValidCalendarDate(d)).toBe(false);
  });

  it('rejects non-strings', () => {
    expect(isValidCalendarDate(20220715)).toBe(false);
    expect(isValidCalendarDate(null)).toBe(false);
    expect(isValidCalendarDate(new Date())).toBe(false);
  });

  it('agrees with the days-in-month table', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((m) => daysInMonth(2022, m))).toEqual([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);
    expect(daysInMonth(2024, 2)).toBe(29);
  });

  it('compactToIsoDate converts real dates only', () => {
    expect(compactToIsoDate('20161018')).toBe('2016-10-18');
    expect(compactToIsoDate('20230229')).toBeNull();
    expect(compactToIsoDate('2016-10-18')).toBeNull();
  });
});

/**
 * Calendar arithmetic in Asia/Shanghai, pure and without Intl.
 *
 * China Standard Time is a fixed UTC+8 with no daylight saving since 1991 (DST was last observed in
 * 1986–1991), and every date this service handles (campaigns from 2022 on, invoices, birth dates only
 * compared as calendar dates) is well after that, so a fixed +8 h offset is correct here and avoids any
 * dependence on the host's time-zone database.
 *
 * Calendar dates are strings 'YYYY-MM-DD' (proleptic Gregorian, years 0001–9999). Day arithmetic uses
 * integer day numbers (days since 1970-01-01), never Date objects, so there are no local-time surprises.
 * Functions that take a date string throw a RangeError on a malformed or impossible date: those inputs
 * come from code or validated data, not from users — validate user input with `isValidCalendarDate`.
 */

/** The Asia/Shanghai offset from UTC in milliseconds (fixed +08:00, see above). */
export const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})$/;
const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Days in month `m` (1–12) of year `y`. */
export function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeapYear(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

function validParts(y: number, m: number, d: number): boolean {
  return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

function splitDate(text: unknown, pattern: RegExp): [number, number, number] | null {
  if (typeof text !== 'string') return null;
  const m = pattern.exec(text);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  return validParts(y, mo, d) ? [y, mo, d] : null;
}

/** True for a real calendar date written 'YYYY-MM-DD' or 'YYYYMMDD' (so 2022-02-30 and 2021-02-29 are false). */
export function isValidCalendarDate(text: unknown): boolean {
  return splitDate(text, ISO_DATE) !== null || splitDate(text, COMPACT_DATE) !== null;
}

/** True for a real calendar date written exactly 'YYYY-MM-DD'. */
export function isIsoDate(text: unknown): text is string {
  return splitDate(text, ISO_DATE) !== null;
}

/** 'YYYYMMDD' (a real date) to 'YYYY-MM-DD'; null if it is not a real date in that form. */
export function compactToIsoDate(text: string): string | null {
  const p = splitDate(text, COMPACT_DATE);
  return p ? formatParts(p[0], p[1], p[2]) : null;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function formatParts(y: number, m: number, d: number): string {
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
}

function parseIso(date: string, what = 'date'): [number, number, number] {
  const p = splitDate(date, ISO_DATE);
  if (!p) throw new RangeError(`invalid ${what} ${JSON.stringify(date)}: expected a real date YYYY-MM-DD`);
  return p;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function dayNumber(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Inverse of dayNumber (civil_from_days). */
function fromDayNumber(z: number): string {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  if (y < 1 || y > 9999) throw new RangeError(`date out of range (year ${y})`);
  return formatParts(y, m, d);
}

function instantMs(instant: Date): number {
  const ms = instant instanceof Date ? instant.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw new RangeError('invalid Date');
  return ms;
}

/** The Asia/Shanghai calendar date 'YYYY-MM-DD' of an instant. */
export function shanghaiDate(instant: Date): string {
  return fromDayNumber(Math.floor((instantMs(instant) + SHANGHAI_OFFSET_MS) / DAY_MS));
}

/** The Asia/Shanghai calendar month 'YYYY-MM' of an instant. */
export function shanghaiMonth(instant: Date): string {
  return shanghaiDate(instant).slice(0, 7);
}

/** The instant at which the Shanghai day `date` ('YYYY-MM-DD') begins, i.e. 16:00 UTC of the day before. */
export function startOfShanghaiDay(date: string): Date {
  const [y, m, d] = parseIso(date);
  return new Date(dayNumber(y, m, d) * DAY_MS - SHANGHAI_OFFSET_MS);
}

/** The instant of wall-clock time `time` ('HH:MM', 00:00–23:59) on Shanghai day `date`. */
export function shanghaiDateTime(date: string, time: string): Date {
  const t = typeof time === 'string' ? HH_MM.exec(time) : null;
  if (!t) throw new RangeError(`invalid time ${JSON.stringify(time)}: expected HH:MM (00:00-23:59)`);
  const minutes = Number(t[1]) * 60 + Number(t[2]);
  return new Date(startOfShanghaiDay(date).getTime() + minutes * 60_000);
}

/** `date` plus `n` calendar days (n may be negative); a safe integer n is required. */
export function addDays(date: string, n: number): string {
  if (!Number.isSafeInteger(n)) throw new RangeError(`addDays: n must be an integer, got ${n}`);
  const [y, m, d] = parseIso(date);
  return fromDayNumber(dayNumber(y, m, d) + n);
}

/** Calendar days from `a` to `b`: positive when `b` is later (daysBetween('2022-07-15', '2022-07-16') === 1). */
export function daysBetween(a: string, b: string): number {
  const [ay, am, ad] = parseIso(a);
  const [by, bm, bd] = parseIso(b);
  return dayNumber(by, bm, bd) - dayNumber(ay, am, ad);
}

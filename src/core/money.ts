/**
 * Money is integer cents (分) in a JavaScript number: exact for every amount below 2^53, and this
 * module refuses anything above 10^12 cents (¥10 000 000 000) as absurd for a consumer invoice.
 * Decimal yuan strings are parsed digit by digit, never through floating-point arithmetic.
 */

/** The largest amount `parseYuanToCents` accepts: 10^12 cents. */
export const MAX_CENTS = 1_000_000_000_000;

/**
 * Plain non-negative decimal, no leading zeros (except a lone '0'), at most two decimals; no sign,
 * exponent, spaces, thousands separators, or bare '.5' / '5.'. The integer part is capped at 11 digits
 * here so that Number() below is always exact; the 10^12 cap is checked after.
 */
const YUAN = /^(0|[1-9][0-9]{0,10})(?:\.([0-9]{1,2}))?$/;

/**
 * '112' -> 11200, '64.9' -> 6490, '100.00' -> 10000, '0.5' -> 50. Returns null for anything else
 * (including '-1', '+1', '1e3', ' 1', '01', '1.', '.5', '1.234', and amounts above MAX_CENTS).
 * Zero ('0', '0.00') parses to 0: whether zero is acceptable is a rule, not a syntax question.
 */
export function parseYuanToCents(text: string): number | null {
  if (typeof text !== 'string' || text.length > 16) return null;
  const m = YUAN.exec(text);
  if (!m) return null;
  const fraction = (m[2] ?? '').padEnd(2, '0');
  const cents = Number(m[1]) * 100 + Number(fraction);
  return cents <= MAX_CENTS ? cents : null;
}

/** 6490 -> '64.90', 5 -> '0.05', -150 -> '-1.50'. Throws a RangeError on a non-integer or unsafe number. */
export function formatCents(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`formatCents: not an integer number of cents: ${cents}`);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const yuan = Math.floor(abs / 100);
  const fen = abs % 100;
  return `${sign}${yuan}.${String(fen).padStart(2, '0')}`;
}

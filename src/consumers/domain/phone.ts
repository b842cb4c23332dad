/** Mainland China mobile numbers: 11 digits, first digit 1, second digit 3–9. */
const MAINLAND_MOBILE = /^1[3-9]\d{9}$/;

/**
 * Returns the 11-digit mobile number, or null. Strict: surrounding whitespace is trimmed and an
 * optional '+86' country prefix (optionally followed by one space or dash) is accepted; nothing else —
 * no inner spaces or dashes, no '86' without '+', no '0086', no full-width digits.
 *   '13812345678' -> '13812345678', '+86 13812345678' -> '13812345678', '12812345678' -> null.
 */
export function normalizeMainlandMobile(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > 32) return null;
  let s = input.trim();
  if (s.startsWith('+86')) {
    s = s.slice(3);
    if (s.startsWith(' ') || s.startsWith('-')) s = s.slice(1);
  }
  return MAINLAND_MOBILE.test(s) ? s : null;
}

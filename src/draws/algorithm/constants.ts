/** Identifier of this draw algorithm; written into every audit bundle and into the seed derivation. */
export const ALGORITHM_ID = 'ILD-1' as const;

/** 2^53: every ticket total must stay strictly below this so that all arithmetic is exact in doubles. */
export const TWO_POW_53 = 9007199254740992;

/** The header line of an entries file, including its terminating `\n`. */
export const ENTRIES_HEADER = 'ref,holder,tickets\n';

/** A draw algorithm input was malformed (bad format, order, range). */
export class DrawInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DrawInputError';
  }
}

export const HEX64 = /^[0-9a-f]{64}$/;
export const HEX16 = /^[0-9a-f]{16}$/;

/** True when `s` is a string of exactly `length` lowercase hex chars (a fast equivalent of HEX64/HEX16). */
export function isLowerHex(s: unknown, length: number): boolean {
  if (typeof s !== 'string' || s.length !== length) return false;
  for (let i = 0; i < length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

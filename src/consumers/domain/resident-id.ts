import { maskIdNumber } from '../../core/masking.js';
import { compactToIsoDate, isIsoDate } from '../../core/time/shanghai.js';

/**
 * Mainland resident identity numbers (GB 11643-1999): 6-digit region code, 8-digit birth date
 * YYYYMMDD, 3-digit sequence (odd for men, even for women), and a check character computed with
 * ISO 7064 MOD 11-2. The region code is not validated against GB/T 2260 (codes change over time and
 * residence permits of Hong Kong, Macao and Taiwan residents use 81/82/83): the check character,
 * the birth date and the age rule are what this module enforces.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';
const SHAPE = /^\d{17}[\dX]$/;

/** The minimum age (full years on `today`) to take part. */
export const MINIMUM_AGE = 18;
const EARLIEST_BIRTH_DATE = '1900-01-01';

export type ResidentIdCheck =
  | { ok: true; normalized: string; birthDate: string; masked: string }
  | { ok: false; code: 'ID_NUMBER_INVALID' | 'ID_NUMBER_UNDERAGE'; message: string };

/** The MOD 11-2 check character ('0'–'9' or 'X') for the first 17 digits. Throws on anything but 17 digits. */
export function residentIdCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError('residentIdCheckChar: expected 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * WEIGHTS[i];
  return CHECK_CHARS[sum % 11];
}

/** Full years from birthDate to today, both 'YYYY-MM-DD' (a birthday on `today` counts). */
function ageOn(birthDate: string, today: string): number {
  const years = Number(today.slice(0, 4)) - Number(birthDate.slice(0, 4));
  // 'MM-DD' strings compare correctly. Someone born on 29 February has their birthday on 1 March in a
  // common year: on 28 February they have not yet completed the year (the conservative reading).
  return today.slice(5) < birthDate.slice(5) ? years - 1 : years;
}

function invalid(message: string): ResidentIdCheck {
  return { ok: false, code: 'ID_NUMBER_INVALID', message };
}

/**
 * Validates an 18-character resident identity number and the age rule on `today` ('YYYY-MM-DD',
 * the Shanghai date of the service clock; a malformed `today` is a programming error and throws).
 * Surrounding whitespace is trimmed and a lowercase 'x' check character is accepted and normalized
 * to 'X'. Legacy 15-digit numbers are refused (they expired in 2013).
 */
export function checkResidentId(idNumber: string, today: string): ResidentIdCheck {
  if (!isIsoDate(today)) throw new RangeError(`checkResidentId: invalid today ${JSON.stringify(today)}`);
  if (typeof idNumber !== 'string' || idNumber.length > 64) return invalid('ID number must be 18 characters');
  const normalized = idNumber.trim().toUpperCase();
  if (!SHAPE.test(normalized)) {
    return invalid('ID number must be 17 digits followed by a digit or X');
  }
  if (residentIdCheckChar(normalized.slice(0, 17)) !== normalized[17]) {
    return invalid('ID number check character does not match');
  }
  const birthDate = compactToIsoDate(normalized.slice(6, 14));
  if (birthDate === null) return invalid('ID number contains an impossible birth date');
  if (birthDate < EARLIEST_BIRTH_DATE) return invalid('ID number birth date is before 1900');
  if (birthDate > today) return invalid('ID number birth date is in the future');
  if (ageOn(birthDate, today) < MINIMUM_AGE) {
    return { ok: false, code: 'ID_NUMBER_UNDERAGE', message: `participants must be at least ${MINIMUM_AGE} years old` };
  }
  return { ok: true, normalized, birthDate, masked: maskIdNumber(normalized) };
}

/**
 * Builds a valid ID number for tests and the demo seeder: makeResidentId('410105', '19900307', '123')
 * -> '41010519900307123X'. Throws a RangeError unless the region is 6 digits, the birth date a real
 * YYYYMMDD date and the sequence 3 digits.
 */
export function makeResidentId(regionCode6: string, birthYYYYMMDD: string, seq3: string): string {
  if (!/^\d{6}$/.test(regionCode6)) throw new RangeError('makeResidentId: region code must be 6 digits');
  if (compactToIsoDate(birthYYYYMMDD) === null) throw new RangeError('makeResidentId: birth date must be a real YYYYMMDD date');
  if (!/^\d{3}$/.test(seq3)) throw new RangeError('makeResidentId: sequence must be 3 digits');
  const first17 = regionCode6 + birthYYYYMMDD + seq3;
  return first17 + residentIdCheckChar(first17);
}

/**
 * Bank accounts for prize payouts. Pure.
 *
 * Accepted: 12 to 19 digits after removing spaces and dashes (how card and account numbers are printed).
 * No Luhn check: UnionPay debit cards (62…) mostly carry a Luhn check digit, but passbook (存折) and
 * older bank account numbers do not, and refusing a real winner's account is worse than finance's own
 * verification of the payout failing. The account is stored encrypted (PiiProtector) and shown masked.
 */
export const BANK_ACCOUNT_PATTERN = /^\d{12,19}$/;

/** Removes spaces (including full-width) and dashes; anything that is not a string is returned unchanged. */
export function normalizeBankAccount(value: unknown): unknown {
  return typeof value === 'string' ? value.replace(/[\s\u3000-]/g, '') : value;
}

export function isValidBankAccount(value: string): boolean {
  return BANK_ACCOUNT_PATTERN.test(value);
}

import type { IntakeRules } from '../../campaigns/campaign-definition.js';
import { invoiceIdentity, type InvoiceClaim } from '../../invoices/domain/invoice-fields.js';
import type { RegistryRecord } from './registry-record.js';

/**
 * Verifies a consumer's claim against the registry record of the same invoice (the caller looks the
 * record up by invoiceIdentity(code, number); passing a record of another invoice is a programming
 * error and throws).
 *
 * Order: exclusions first, then field matching.
 *  1. the first of rules.excludingFlags (in the rules' order) the record carries -> excluded, flag = that flag;
 *  2. excludeOrganizationBuyers and an organization buyer -> excluded, 'organizationBuyer';
 *  3. the record carries the buyer's ID (its keyed hash) and it is not the consumer's verified ID number's
 *     hash (or the consumer has none) -> excluded, 'buyerNameMismatch' (the same answer as a name that differs:
 *     the refusal does not tell whether the record carried an ID); when it is theirs, the name is not compared;
 *  4. otherwise requireBuyerNameMatch and the record names a buyer that is not the consumer's verified real
 *     name (or the consumer has none) -> excluded, 'buyerNameMismatch'. A record with no buyer name passes,
 *     unless requireBuyerName (2026 pilots: only invoices issued to the consumer by name):
 *  4a. requireBuyerName and the record names no buyer, or a buyer that is not the consumer's verified real name
 *     (sameName; checked also when the buyer ID matched) -> excluded, 'buyerNameMismatch', the answer a record
 *     naming someone else gets;
 *  5. amount: the claimed amount must equal the record's pre-tax amountCents or its totalCents (public
 *     sources do not settle which one the QR code carries, so both are accepted and which one matched is
 *     reported); then issueDate; then checkCode (when the claim has one: 20 digits must be equal, 6 digits
 *     must be the last 6 — a claimed check code against a record with none is a mismatch); then invoiceType.
 * paidCents (what the consumer paid, the basis of the draw weight) is always record.totalCents.
 */

export type MatchResult =
  | { result: 'verified'; matchedAmount: 'amount' | 'total'; paidCents: number }
  | { result: 'mismatch'; field: 'amount' | 'issueDate' | 'checkCode' | 'invoiceType' }
  | { result: 'excluded'; flag: string };

export type MatchRules = Pick<IntakeRules, 'excludingFlags' | 'excludeOrganizationBuyers' | 'requireBuyerNameMatch'> &
  Partial<Pick<IntakeRules, 'requireBuyerName'>>;

type ClaimFields = Pick<InvoiceClaim, 'invoiceType' | 'invoiceCode' | 'invoiceNumber' | 'issueDate' | 'amountCents' | 'checkCode'>;

const MIDDLE_DOTS = /[\u00B7\u2022\u2027\u30FB\uFF0E\u2219\u22C5\u318D\uFF65.]/g;

/**
 * Canonical form of a personal name for comparison: NFKC (full-width to half-width), whitespace
 * removed, the many middle-dot look-alikes used in minority and foreign names ('·', '•', '・', '.')
 * unified, Latin letters upper-cased.
 */
export function canonicalName(name: string): string {
  return name.normalize('NFKC').replace(/\s+/g, '').replace(MIDDLE_DOTS, '\u00B7').toUpperCase();
}

export function sameName(a: string, b: string): boolean {
  const ca = canonicalName(a);
  return ca !== '' && ca === canonicalName(b);
}

export function matchClaimAgainstRecord(
  claim: ClaimFields,
  record: RegistryRecord,
  consumerRealName: string | null,
  rules: MatchRules,
  consumerIdNumberHash: string | null = null,
): MatchResult {
  if (invoiceIdentity(claim.invoiceCode, claim.invoiceNumber) !== invoiceIdentity(record.invoiceCode, record.invoiceNumber)) {
    throw new Error('matchClaimAgainstRecord: the record is of another invoice');
  }

  for (const flag of rules.excludingFlags) {
    if ((record.flags as readonly string[]).includes(flag)) return { result: 'excluded', flag };
  }
  if (rules.excludeOrganizationBuyers && record.buyerType === 'organization') {
    return { result: 'excluded', flag: 'organizationBuyer' };
  }
  const buyerIdHash = record.buyerIdHash ?? null;
  if (buyerIdHash !== null) {
    if (consumerIdNumberHash === null || consumerIdNumberHash !== buyerIdHash) return { result: 'excluded', flag: 'buyerNameMismatch' };
  } else if (rules.requireBuyerNameMatch && record.buyerName !== null && record.buyerName.trim() !== '') {
    if (consumerRealName === null || !sameName(record.buyerName, consumerRealName)) {
      return { result: 'excluded', flag: 'buyerNameMismatch' };
    }
  }
  if (rules.requireBuyerName && (record.buyerName === null || consumerRealName === null || !sameName(record.buyerName, consumerRealName))) {
    return { result: 'excluded', flag: 'buyerNameMismatch' };
  }

  let matchedAmount: 'amount' | 'total';
  if (claim.amountCents === record.amountCents) matchedAmount = 'amount';
  else if (claim.amountCents === record.totalCents) matchedAmount = 'total';
  else return { result: 'mismatch', field: 'amount' };

  if (claim.issueDate !== record.issueDate) return { result: 'mismatch', field: 'issueDate' };

  const cc = claim.checkCode;
  if (cc !== null && cc !== '') {
    const rc = record.checkCode;
    const ok = rc !== null && (cc.length === 6 ? rc.endsWith(cc) : cc === rc);
    if (!ok) return { result: 'mismatch', field: 'checkCode' };
  }

  if (claim.invoiceType !== record.invoiceType) return { result: 'mismatch', field: 'invoiceType' };

  return { result: 'verified', matchedAmount, paidCents: record.totalCents };
}

/** Shared rules, claims and fast-check arbitraries for the intake unit tests (not a spec file). */
import fc from 'fast-check';
import type { IntakeRules } from '../../../src/campaigns/campaign-definition.js';
import { addDays } from '../../../src/core/time/shanghai.js';
import type { EligibilityRules } from '../../../src/invoices/domain/eligibility.js';
import type { InvoiceClaim } from '../../../src/invoices/domain/invoice-fields.js';
import type { RegistryRecord } from '../../../src/registry/domain/registry-record.js';

/** The Henan 2022 intake rules with check codes required for type 10 only (see eligibility.ts). */
export const RULES: IntakeRules = {
  eligibleTypes: ['04', '10', '11', '32'],
  checkCodeRequiredTypes: ['10'],
  regionPrefixes: ['41'],
  minAmountCents: 2000,
  registrationWindowDays: 90,
  dailyLimit: 5,
  monthlyLimit: 45,
  excludingFlags: ['red', 'voided', 'proxy', 'purchase', 'fixed', 'sellerAbnormal'],
  excludeOrganizationBuyers: true,
  requireBuyerNameMatch: true,
  requireBuyerName: false,
  autoEntryCountsAgainstLimits: false,
};

export const ELIGIBILITY_RULES: EligibilityRules = { ...RULES, campaignStart: '2022-07-15', campaignEnd: '2022-12-31' };

/** An electronic ordinary invoice issued in Zhengzhou (code 0 4101 22 001 11). */
export const PAPERLESS_CLAIM: InvoiceClaim = {
  invoiceType: '10',
  invoiceCode: '041012200111',
  invoiceNumber: '12345678',
  issueDate: '2022-08-01',
  amountCents: 5000,
  checkCode: '12345678901234567890',
  source: 'qr',
};

/** A fully digital ordinary invoice issued in Henan (number 22 41 …). */
export const DIGITAL_CLAIM: InvoiceClaim = {
  invoiceType: '32',
  invoiceCode: '',
  invoiceNumber: '22412000000012345678',
  issueDate: '2022-08-01',
  amountCents: 11200,
  checkCode: null,
  source: 'qr',
};

export const RECORD: RegistryRecord = {
  invoiceType: '10',
  invoiceCode: '041012200111',
  invoiceNumber: '12345678',
  issueDate: '2022-08-01',
  amountCents: 5000,
  taxCents: 650,
  totalCents: 5650,
  checkCode: '12345678901234567890',
  sellerTaxId: '91410100MA44XXXX0X',
  sellerName: '郑州某某商贸有限公司',
  buyerType: 'individual',
  buyerName: '张三',
  flags: [],
};

const digits = (n: number) => fc.stringMatching(new RegExp(`^\\d{${n}}$`));

export const arbIsoDate = fc.integer({ min: 0, max: 60_000 }).map((n) => addDays('1950-01-01', n));
export const arbAmountCents = fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 1_000_000_000_000 }));

/** Any structurally valid claim (paper/electronic or fully digital), with a 20-digit or no check code. */
export const arbQrClaim: fc.Arbitrary<InvoiceClaim> = fc
  .record({
    digital: fc.boolean(),
    fdType: fc.constantFrom('31', '32'),
    otherType: digits(2).filter((t) => t !== '31' && t !== '32'),
    code: fc.oneof(digits(10), digits(12)),
    number8: digits(8),
    number20: digits(20),
    issueDate: arbIsoDate,
    amountCents: arbAmountCents,
    checkCode: fc.option(digits(20), { nil: null }),
  })
  .map((r) => ({
    invoiceType: r.digital ? r.fdType : r.otherType,
    invoiceCode: r.digital ? '' : r.code,
    invoiceNumber: r.digital ? r.number20 : r.number8,
    issueDate: r.issueDate,
    amountCents: r.amountCents,
    checkCode: r.checkCode,
    source: 'qr' as const,
  }));

/** Like arbQrClaim but typed, so the check code may also be its last 6 digits. */
export const arbTypedClaim: fc.Arbitrary<InvoiceClaim> = fc
  .tuple(arbQrClaim, fc.option(fc.oneof(digits(20), digits(6)), { nil: null }))
  .map(([c, checkCode]) => ({ ...c, checkCode, source: 'typed' as const }));

/** Amount text variants the QR code may carry: '112', '112.0', '112.00', '64.9' … */
export function amountVariants(cents: number): string[] {
  const yuan = Math.floor(cents / 100);
  const fen = cents % 100;
  const out = [`${yuan}.${String(fen).padStart(2, '0')}`];
  if (fen % 10 === 0) out.push(`${yuan}.${fen / 10}`);
  if (fen === 0) out.push(String(yuan));
  return out;
}

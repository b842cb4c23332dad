/**
 * The normalized invoice claim that both intake paths (QR scan and typed form) produce, and the
 * structural rules on type / code / number shared by the QR parser, the typed-form parser and the
 * registry-record parser.
 *
 * Invoice kinds (from the project reference): paper and electronic VAT invoices carry a 10- or
 * 12-digit invoice code and an 8-digit number; fully digital (数电) invoices, types 31 and 32, have no
 * code and a 20-digit number.
 */

/** How the invoice arrived: a scanned QR code, the typed form, the e-invoice file (PDF/OFD/XML), or built from
 * the tax bureau's record for an opted-in buyer (automatic entry). */
export type InvoiceSource = 'qr' | 'typed' | 'file' | 'auto';

export interface InvoiceClaim {
  /** Two-digit type code: '04' paper ordinary, '10' electronic ordinary, '32' fully digital ordinary, … */
  invoiceType: string;
  /** 10 or 12 digits; '' for fully digital invoices. */
  invoiceCode: string;
  /** 8 digits; 20 digits for fully digital invoices. */
  invoiceNumber: string;
  /** 'YYYY-MM-DD', a real calendar date. */
  issueDate: string;
  /** Integer cents, as on the QR code or as typed (whether pre- or post-tax is not settled; see match.ts). */
  amountCents: number;
  /** The full 20-digit check code, or (typed only) its last 6 digits; null when none was given. */
  checkCode: string | null;
  source: InvoiceSource;
}

/** Types whose invoices are fully digital (数电): no invoice code, 20-digit number. */
export const FULLY_DIGITAL_TYPES: readonly string[] = ['31', '32'];

const TYPE = /^\d{2}$/;
const CODE = /^(?:\d{10}|\d{12})$/;
const NUMBER_8 = /^\d{8}$/;
const NUMBER_20 = /^\d{20}$/;

export function isFullyDigitalType(invoiceType: string): boolean {
  return FULLY_DIGITAL_TYPES.includes(invoiceType);
}

/** The unique key of an invoice: '<code>-<number>' ('-<number>' for fully digital invoices, whose code is ''). */
export function invoiceIdentity(code: string, number: string): string {
  return `${code}-${number}`;
}

export interface FieldProblem {
  field: 'invoiceType' | 'invoiceCode' | 'invoiceNumber';
  message: string;
}

/**
 * Checks type, code and number individually and against each other; returns the first problem or null.
 * Types 31/32 need an empty code and a 20-digit number; every other type a 10- or 12-digit code and an
 * 8-digit number.
 */
export function checkInvoiceIdentityFields(invoiceType: string, invoiceCode: string, invoiceNumber: string): FieldProblem | null {
  if (!TYPE.test(invoiceType)) return { field: 'invoiceType', message: 'invoice type must be 2 digits' };
  if (invoiceCode !== '' && !CODE.test(invoiceCode)) {
    return { field: 'invoiceCode', message: 'invoice code must be 10 or 12 digits (or empty for a fully digital invoice)' };
  }
  if (!NUMBER_8.test(invoiceNumber) && !NUMBER_20.test(invoiceNumber)) {
    return { field: 'invoiceNumber', message: 'invoice number must be 8 digits (20 for a fully digital invoice)' };
  }
  if (isFullyDigitalType(invoiceType)) {
    if (invoiceNumber.length !== 20) {
      return { field: 'invoiceNumber', message: `a type ${invoiceType} (fully digital) invoice number must be 20 digits` };
    }
    if (invoiceCode !== '') {
      return { field: 'invoiceCode', message: `a type ${invoiceType} (fully digital) invoice has no invoice code` };
    }
  } else {
    if (invoiceNumber.length !== 8) {
      return { field: 'invoiceNumber', message: 'a 20-digit invoice number is only valid for fully digital types 31/32' };
    }
    if (invoiceCode === '') {
      return { field: 'invoiceCode', message: 'invoice code may be empty only for a fully digital invoice (20-digit number)' };
    }
  }
  return null;
}

type IdentityFields = Pick<InvoiceClaim, 'invoiceCode' | 'invoiceNumber'>;

/**
 * The most specific issuing region the invoice itself reveals, or null:
 * - 12-digit code ('0' + region(4) + year(2) + batch(3) + kind(2)): digits 2–5, e.g. '4101';
 * - 10-digit code (region(4) + year(2) + …): digits 1–4;
 * - fully digital 20-digit number (year(2) + province(2) + channel(1) + seq(15)) without a code:
 *   digits 3–4 only, e.g. '44' — the number reveals the province, not the city.
 */
export function issuingRegion(claim: IdentityFields): string | null {
  const { invoiceCode: code, invoiceNumber: number } = claim;
  if (code.length === 12 && CODE.test(code)) return code.slice(1, 5);
  if (code.length === 10 && CODE.test(code)) return code.slice(0, 4);
  if (code === '' && NUMBER_20.test(number)) return number.slice(2, 4);
  return null;
}

/** The two-digit issuing province ('41' for Henan), or null when the fields do not reveal one. */
export function issuingProvince(claim: IdentityFields): string | null {
  const region = issuingRegion(claim);
  return region === null ? null : region.slice(0, 2);
}

/**
 * True when the issuing region starts with one of `prefixes` (2–4 digits, e.g. '41' for Henan or
 * '4101' for Zhengzhou). Conservative: a fully digital invoice only reveals its province, so it can
 * match a 2-digit prefix but never a city-level 4-digit one (such campaigns would need the seller's
 * region from the registry record instead).
 */
export function isInRegion(claim: IdentityFields, prefixes: readonly string[]): boolean {
  const region = issuingRegion(claim);
  if (region === null) return false;
  return prefixes.some((p) => p.length > 0 && p.length <= region.length && region.startsWith(p));
}

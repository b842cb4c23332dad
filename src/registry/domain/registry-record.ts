import { isIsoDate } from '../../core/time/shanghai.js';
import { residentIdCheckChar } from '../../consumers/domain/resident-id.js';
import { checkInvoiceIdentityFields } from '../../invoices/domain/invoice-fields.js';

/**
 * One line of the invoice registry export (NDJSON: one JSON object per line):
 *   {"invoiceType":"10","invoiceCode":"041001900111","invoiceNumber":"12345678","issueDate":"2022-08-01",
 *    "amountCents":5000,"taxCents":650,"totalCents":5650,"checkCode":"…20 digits…",
 *    "sellerTaxId":"91410100MA44XXXX0X","sellerName":"…","buyerType":"individual","buyerName":"张三","flags":[]}
 *
 * Optional: "buyerIdNumber", the individual buyer's 18-character resident ID number (数电 invoices carry it as
 * the buyer's taxpayer number); absent, null or '' means none. The importer keeps only its keyed hash.
 *
 * The parser is hand-written (no zod) because it runs on every line of million-line files. All fields
 * are required (checkCode and buyerName may be null); unknown keys are ignored. Fields are checked in
 * RECORD_FIELDS order, then totalCents = amountCents + taxCents, and the first failure is reported.
 * Callers skip blank lines themselves: '' is MALFORMED_JSON.
 */

export const REGISTRY_FLAGS = ['red', 'voided', 'proxy', 'purchase', 'fixed', 'sellerAbnormal'] as const;
export type RegistryFlag = (typeof REGISTRY_FLAGS)[number];

export interface RegistryRecord {
  invoiceType: string;
  /** '' for fully digital invoices. */
  invoiceCode: string;
  invoiceNumber: string;
  issueDate: string;
  amountCents: number;
  taxCents: number;
  /** Always amountCents + taxCents. */
  totalCents: number;
  /** 20 digits, or null ('' and null in the file both mean none). */
  checkCode: string | null;
  sellerTaxId: string;
  sellerName: string;
  buyerType: 'individual' | 'organization';
  /** null when the invoice names no buyer ('' in the file also means none). */
  buyerName: string | null;
  /** Without duplicates, in the order of the file. */
  flags: RegistryFlag[];
  /** The individual buyer's ID number from the feed (normalized, 'X' upper-case); only the importer sees it. */
  buyerIdNumber?: string | null;
  /** Its keyed hash (PiiProtector.lookupHash('identity', …)), as stored and read back. */
  buyerIdHash?: string | null;
}

export const RECORD_FIELDS = [
  'invoiceType', 'invoiceCode', 'invoiceNumber', 'issueDate', 'amountCents', 'taxCents', 'totalCents',
  'checkCode', 'sellerTaxId', 'sellerName', 'buyerType', 'buyerName', 'flags',
] as const satisfies readonly (keyof RegistryRecord)[];
export type RecordField = (typeof RECORD_FIELDS)[number] | 'buyerIdNumber';

export const REGISTRY_LINE_ERROR_CODES = ['MALFORMED_JSON', 'MISSING_FIELD', 'INVALID_FIELD'] as const;

export type RegistryLineResult =
  | { ok: true; record: RegistryRecord }
  | { ok: false; code: 'MALFORMED_JSON'; message: string }
  | { ok: false; code: 'MISSING_FIELD' | 'INVALID_FIELD'; field: RecordField; message: string };

const CHECK_CODE_20 = /^\d{20}$/;
const RESIDENT_ID = /^\d{17}[\dX]$/;
const TAX_ID = /^[0-9A-Za-z]{15,20}$/;
const MAX_NAME_LENGTH = 200;
const FLAG_SET: ReadonlySet<string> = new Set(REGISTRY_FLAGS);

function missing(field: RecordField): RegistryLineResult {
  return { ok: false, code: 'MISSING_FIELD', field, message: `${field} is missing` };
}
function invalid(field: RecordField, message: string): RegistryLineResult {
  return { ok: false, code: 'INVALID_FIELD', field, message: `${field}: ${message}` };
}
function isCents(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Parses one NDJSON line of the registry. Never throws. */
export function parseRegistryLine(line: string): RegistryLineResult {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return { ok: false, code: 'MALFORMED_JSON', message: 'line is not valid JSON' };
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) {
    return { ok: false, code: 'MALFORMED_JSON', message: 'line is not a JSON object' };
  }
  // JSON.parse yields plain data objects (no getters; '__proto__' becomes an own key), so plain property
  // reads below cannot throw. `in`/undefined checks: JSON has no undefined, so undefined means absent.
  const r = o as Record<string, unknown>;
  const own = (k: RecordField): unknown => (Object.prototype.hasOwnProperty.call(r, k) ? r[k] : undefined);

  const invoiceType = own('invoiceType');
  if (invoiceType === undefined) return missing('invoiceType');
  if (typeof invoiceType !== 'string') return invalid('invoiceType', 'must be a string');
  const invoiceCode = own('invoiceCode');
  if (invoiceCode === undefined) return missing('invoiceCode');
  if (typeof invoiceCode !== 'string') return invalid('invoiceCode', 'must be a string');
  const invoiceNumber = own('invoiceNumber');
  if (invoiceNumber === undefined) return missing('invoiceNumber');
  if (typeof invoiceNumber !== 'string') return invalid('invoiceNumber', 'must be a string');
  const problem = checkInvoiceIdentityFields(invoiceType, invoiceCode, invoiceNumber);
  if (problem) return invalid(problem.field, problem.message);

  const issueDate = own('issueDate');
  if (issueDate === undefined) return missing('issueDate');
  if (!isIsoDate(issueDate)) return invalid('issueDate', 'must be a real date YYYY-MM-DD');

  const amountCents = own('amountCents');
  if (amountCents === undefined) return missing('amountCents');
  if (!isCents(amountCents)) return invalid('amountCents', 'must be a non-negative integer');
  const taxCents = own('taxCents');
  if (taxCents === undefined) return missing('taxCents');
  if (!isCents(taxCents)) return invalid('taxCents', 'must be a non-negative integer');
  const totalCents = own('totalCents');
  if (totalCents === undefined) return missing('totalCents');
  if (!isCents(totalCents)) return invalid('totalCents', 'must be a non-negative integer');
  if (totalCents !== amountCents + taxCents) return invalid('totalCents', 'must equal amountCents + taxCents');

  const checkCode = own('checkCode');
  if (checkCode === undefined) return missing('checkCode');
  if (checkCode !== null && checkCode !== '' && !(typeof checkCode === 'string' && CHECK_CODE_20.test(checkCode))) {
    return invalid('checkCode', 'must be 20 digits, empty or null');
  }

  const sellerTaxId = own('sellerTaxId');
  if (sellerTaxId === undefined) return missing('sellerTaxId');
  if (typeof sellerTaxId !== 'string' || !TAX_ID.test(sellerTaxId)) return invalid('sellerTaxId', 'must be 15-20 letters or digits');
  const sellerName = own('sellerName');
  if (sellerName === undefined) return missing('sellerName');
  if (typeof sellerName !== 'string' || sellerName.trim() === '' || sellerName.length > MAX_NAME_LENGTH) {
    return invalid('sellerName', `must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`);
  }

  const buyerType = own('buyerType');
  if (buyerType === undefined) return missing('buyerType');
  if (buyerType !== 'individual' && buyerType !== 'organization') return invalid('buyerType', "must be 'individual' or 'organization'");
  const buyerName = own('buyerName');
  if (buyerName === undefined) return missing('buyerName');
  if (buyerName !== null && (typeof buyerName !== 'string' || buyerName.length > MAX_NAME_LENGTH)) {
    return invalid('buyerName', `must be null or a string of at most ${MAX_NAME_LENGTH} characters`);
  }

  const rawFlags = own('flags');
  if (rawFlags === undefined) return missing('flags');
  if (!Array.isArray(rawFlags)) return invalid('flags', 'must be an array');
  const flags: RegistryFlag[] = [];
  for (const flag of rawFlags) {
    if (typeof flag !== 'string' || !FLAG_SET.has(flag)) {
      return invalid('flags', `unknown flag ${JSON.stringify(flag)}; allowed: ${REGISTRY_FLAGS.join(', ')}`);
    }
    if (!flags.includes(flag as RegistryFlag)) flags.push(flag as RegistryFlag);
  }

  let buyerIdNumber: string | null = null;
  const rawBuyerId = r.buyerIdNumber;
  if (rawBuyerId !== undefined && rawBuyerId !== null && rawBuyerId !== '') {
    if (typeof rawBuyerId !== 'string' || !RESIDENT_ID.test(rawBuyerId.toUpperCase()) || residentIdCheckChar(rawBuyerId.slice(0, 17)) !== rawBuyerId[17].toUpperCase())
      return invalid('buyerIdNumber', 'must be an 18-character resident ID number with a valid check character, empty or null');
    if (buyerType !== 'individual') return invalid('buyerIdNumber', 'only an individual buyer has an ID number');
    buyerIdNumber = rawBuyerId.toUpperCase();
  }

  return {
    ok: true,
    record: {
      invoiceType,
      invoiceCode,
      invoiceNumber,
      issueDate,
      amountCents,
      taxCents,
      totalCents,
      checkCode: checkCode === '' || checkCode === null ? null : (checkCode as string),
      sellerTaxId,
      sellerName,
      buyerType,
      buyerName: buyerName === '' || buyerName === null ? null : (buyerName as string),
      flags,
      ...(buyerIdNumber === null ? {} : { buyerIdNumber }),
    },
  };
}

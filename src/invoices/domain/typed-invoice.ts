import { parseYuanToCents } from '../../core/money.js';
import { isIsoDate } from '../../core/time/shanghai.js';
import { checkInvoiceIdentityFields, type InvoiceClaim } from './invoice-fields.js';

/**
 * The typed (manually entered) invoice form:
 *   { invoiceType, invoiceCode?, invoiceNumber, issueDate: 'YYYY-MM-DD', amount: '64.90', checkCode? }
 *
 * - Every present field must be a string (amount too: '64.9', never 64.9 — no floats for money).
 * - Surrounding whitespace of each string is trimmed (copy-paste); nothing inside is altered.
 * - invoiceCode and checkCode are optional: absent, null or '' mean none. An empty code is valid only
 *   with a fully digital (type 31/32, 20-digit) number.
 * - checkCode: the full 20 digits or the last 6 (what the national verification site asks for).
 * - Unknown keys are ignored, except `qr`: a body that carries `qr` is a QR submission and must not be
 *   parsed here (mixing both is VALIDATION_FAILED on field 'qr').
 * Fields are checked in a fixed order and the first failure is reported.
 */

export type TypedInvoiceField = 'body' | 'qr' | 'invoiceType' | 'invoiceCode' | 'invoiceNumber' | 'issueDate' | 'amount' | 'checkCode';

export const TYPED_INVOICE_FIELDS: readonly TypedInvoiceField[] = [
  'body', 'qr', 'invoiceType', 'invoiceCode', 'invoiceNumber', 'issueDate', 'amount', 'checkCode',
];

export type TypedInvoiceResult =
  | { ok: true; claim: InvoiceClaim }
  | { ok: false; code: 'VALIDATION_FAILED'; field: TypedInvoiceField; message: string };

/** No legitimate field is longer than 20 characters; generous room for whitespace. */
export const MAX_TYPED_FIELD_LENGTH = 64;
const CHECK_CODE = /^(?:\d{20}|\d{6})$/;

function fail(field: TypedInvoiceField, message: string): TypedInvoiceResult {
  return { ok: false, code: 'VALIDATION_FAILED', field, message };
}

type Read = { ok: true; value: string | null } | { ok: false; message: string };

/** Reads an own string property; null for absent (or null / '' when `optional`). */
function readString(body: Record<string, unknown>, key: string, optional: boolean): Read {
  const raw = Object.prototype.hasOwnProperty.call(body, key) ? body[key] : undefined;
  if (raw === undefined || raw === null) {
    return optional ? { ok: true, value: null } : { ok: false, message: `${key} is required` };
  }
  if (typeof raw !== 'string') return { ok: false, message: `${key} must be a string` };
  if (raw.length > MAX_TYPED_FIELD_LENGTH) return { ok: false, message: `${key} is too long` };
  const value = raw.trim();
  if (value === '') return optional ? { ok: true, value: null } : { ok: false, message: `${key} is required` };
  return { ok: true, value };
}

/** Validates a typed invoice form body. Never throws, whatever `body` is. */
export function parseTypedInvoice(body: unknown): TypedInvoiceResult {
  try {
    return parseBody(body);
  } catch {
    // Only reachable with exotic objects (throwing getters, revoked proxies), never with parsed JSON.
    return fail('body', 'body could not be read');
  }
}

function parseBody(body: unknown): TypedInvoiceResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return fail('body', 'body must be a JSON object');
  }
  const b = body as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(b, 'qr') && b.qr !== undefined) {
    return fail('qr', 'send either a scanned qr payload or the typed invoice fields, not both');
  }

  const type = readString(b, 'invoiceType', false);
  if (!type.ok) return fail('invoiceType', type.message);
  const code = readString(b, 'invoiceCode', true);
  if (!code.ok) return fail('invoiceCode', code.message);
  const number = readString(b, 'invoiceNumber', false);
  if (!number.ok) return fail('invoiceNumber', number.message);
  const invoiceType = type.value ?? '';
  const invoiceCode = code.value ?? '';
  const invoiceNumber = number.value ?? '';
  const problem = checkInvoiceIdentityFields(invoiceType, invoiceCode, invoiceNumber);
  if (problem) return fail(problem.field, problem.message);

  const date = readString(b, 'issueDate', false);
  if (!date.ok) return fail('issueDate', date.message);
  if (!isIsoDate(date.value)) return fail('issueDate', 'issueDate must be a real date YYYY-MM-DD');

  const amount = readString(b, 'amount', false);
  if (!amount.ok) return fail('amount', amount.message);
  const amountCents = parseYuanToCents(amount.value ?? '');
  if (amountCents === null) {
    return fail('amount', 'amount must be a plain amount in yuan with at most 2 decimals, e.g. "64.90"');
  }

  const check = readString(b, 'checkCode', true);
  if (!check.ok) return fail('checkCode', check.message);
  if (check.value !== null && !CHECK_CODE.test(check.value)) {
    return fail('checkCode', 'checkCode must be the 20-digit check code or its last 6 digits');
  }

  return {
    ok: true,
    claim: {
      invoiceType,
      invoiceCode,
      invoiceNumber,
      issueDate: date.value as string,
      amountCents,
      checkCode: check.value,
      source: 'typed',
    },
  };
}

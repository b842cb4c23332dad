import { formatCents, parseYuanToCents } from '../../core/money.js';
import { compactToIsoDate } from '../../core/time/shanghai.js';
import { checkInvoiceIdentityFields, type InvoiceClaim } from './invoice-fields.js';

/**
 * The QR code printed on Chinese VAT invoices:
 *   01,<type>,<code>,<number>,<amount>,<yyyymmdd>,<checkcode>,<4 chars>[,]
 * Published examples:
 *   01,10,011001605111,80100798,64.9,20161018,85342965681116380258      (no 8th field: accepted)
 *   01,32,,23442000000014209621,112,20230215,,74AE                      (fully digital)
 *
 * The parser is strict about syntax and says nothing about eligibility: a well-formed QR of a special
 * invoice (type 01) parses fine and is refused later by checkEligibility as INELIGIBLE_TYPE.
 * Red-letter (negative-amount) QR codes are QR_MALFORMED: amounts carry no sign here.
 */

export type QrField =
  | 'payload'
  | 'version'
  | 'invoiceType'
  | 'invoiceCode'
  | 'invoiceNumber'
  | 'amount'
  | 'issueDate'
  | 'checkCode'
  | 'trailer';

export type QrParseResult =
  | { ok: true; claim: InvoiceClaim }
  | { ok: false; code: 'QR_MALFORMED'; field: QrField; message: string };

/** Real payloads are under 100 characters; anything this long is not an invoice QR. */
const MAX_QR_LENGTH = 256;
const CHECK_CODE_20 = /^\d{20}$/;
const TRAILER = /^[0-9A-Za-z]{4}$/;

function malformed(field: QrField, message: string): QrParseResult {
  return { ok: false, code: 'QR_MALFORMED', field, message: `QR ${field}: ${message}` };
}

/** Parses the text of a scanned invoice QR code. Never throws, whatever `text` is. */
export function parseInvoiceQr(text: unknown): QrParseResult {
  if (typeof text !== 'string') return malformed('payload', 'must be a string');
  if (text.length > MAX_QR_LENGTH) return malformed('payload', `longer than ${MAX_QR_LENGTH} characters`);
  const f = text.trim().split(',');
  // The optional trailing comma: after the 8th field ('…,74AE,') or, when the 8th field is absent, after
  // the check code ('…,85342965681116380258,' or '…,20230215,,'). Without a trailer and a trailing
  // comma, a 7-field payload may end in ',' only because its check code is empty ('…,20230215,').
  if ((f.length === 9 || f.length === 8) && f[f.length - 1] === '') f.pop();
  if (f.length !== 7 && f.length !== 8) {
    return malformed('payload', `expected 7 or 8 comma-separated fields, got ${f.length}`);
  }
  const [version, invoiceType, invoiceCode, invoiceNumber, amount, date, checkCode, trailer] = f;
  if (version !== '01') return malformed('version', `must be 01, got ${JSON.stringify(version)}`);

  const problem = checkInvoiceIdentityFields(invoiceType, invoiceCode, invoiceNumber);
  if (problem) return malformed(problem.field, problem.message);

  const amountCents = parseYuanToCents(amount);
  if (amountCents === null) return malformed('amount', 'must be a plain amount in yuan with at most 2 decimals');

  const issueDate = compactToIsoDate(date);
  if (issueDate === null) return malformed('issueDate', 'must be a real date YYYYMMDD');

  if (checkCode !== '' && !CHECK_CODE_20.test(checkCode)) return malformed('checkCode', 'must be empty or 20 digits');

  if (trailer !== undefined && !TRAILER.test(trailer)) return malformed('trailer', 'must be 4 letters or digits');

  return {
    ok: true,
    claim: {
      invoiceType,
      invoiceCode,
      invoiceNumber,
      issueDate,
      amountCents,
      checkCode: checkCode === '' ? null : checkCode,
      source: 'qr',
    },
  };
}

/**
 * Builds the QR payload of a claim (for tests and the demo seeder). The amount is written with two
 * decimals unless `amountText` is given; the 4-character trailer defaults to '0000' and is omitted when
 * `trailer` is null. A 6-digit check code cannot appear in a QR code and throws.
 */
export function formatInvoiceQr(
  claim: Pick<InvoiceClaim, 'invoiceType' | 'invoiceCode' | 'invoiceNumber' | 'issueDate' | 'amountCents' | 'checkCode'>,
  options: { amountText?: string; trailer?: string | null; trailingComma?: boolean } = {},
): string {
  if (claim.checkCode !== null && !CHECK_CODE_20.test(claim.checkCode)) {
    throw new RangeError('formatInvoiceQr: a QR check code is 20 digits');
  }
  const fields = [
    '01',
    claim.invoiceType,
    claim.invoiceCode,
    claim.invoiceNumber,
    options.amountText ?? formatCents(claim.amountCents),
    claim.issueDate.replace(/-/g, ''),
    claim.checkCode ?? '',
  ];
  const trailer = options.trailer === undefined ? '0000' : options.trailer;
  if (trailer !== null) fields.push(trailer);
  return fields.join(',') + (options.trailingComma ? ',' : '');
}

/**
 * E-invoice files as issued — PDF, OFD (GB/T 33190, a zip of XML) and the tax system's XML — read into the
 * same InvoiceClaim as a scanned QR code or the typed form. Pure: no Nest, no database.
 *
 * A PDF is read twice, through its QR code image and through its printed text; an OFD through its custom
 * data (or attached tax XML) and its printed text. When both readings are there they must agree
 * (FILE_QR_TEXT_MISMATCH names the field); the machine-readable one (QR, custom data, tax XML) gives the
 * claim. Every refusal is a result with a stable reason code, never an exception.
 */
import { checkInvoiceIdentityFields, isFullyDigitalType, type InvoiceClaim } from '../domain/invoice-fields.js';
import { parseInvoiceQr } from '../domain/qr.js';
import { FILE_LIMITS, FileRefusal, type FileRefusalCode } from './file-limits.js';
import type { PrintedInvoiceFields } from './invoice-text.js';
import { readPrintedFields } from './invoice-text.js';
import { readOfd } from './ofd-reader.js';
import { readPdf } from './pdf-reader.js';
import { parseInvoiceXml, readTaxXml } from './xml.js';

export type InvoiceFileFormat = 'pdf' | 'ofd' | 'xml';

export type InvoiceFileResult =
  | { ok: true; format: InvoiceFileFormat; claim: InvoiceClaim; buyerName: string | null }
  | { ok: false; code: FileRefusalCode; message: string; field?: string };

/** The format by the file's first bytes (the name a phone gives a file says little). */
export function sniffInvoiceFile(bytes: Uint8Array): InvoiceFileFormat | null {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 16));
  if (head.startsWith('%PDF-')) return 'pdf';
  if (head.startsWith('PK\x03\x04')) return 'ofd';
  if (/^(?:\xef\xbb\xbf)?\s*<[?a-zA-Z]/.test(head)) return 'xml';
  return null;
}

/** The fields the machine-readable part of a PDF says: its invoice QR code(s). Null when there is none. */
function fromQrCodes(payloads: readonly string[]): PrintedInvoiceFields | null {
  for (const payload of payloads) {
    const parsed = parseInvoiceQr(payload);
    if (!parsed.ok) continue; // other QR codes (a link to the tax site) are not the invoice's
    const c = parsed.claim;
    return {
      invoiceType: c.invoiceType,
      invoiceCode: c.invoiceCode,
      invoiceNumber: c.invoiceNumber,
      issueDate: c.issueDate,
      totalCents: c.amountCents,
      ...(c.checkCode ? { checkCode: c.checkCode } : {}),
    };
  }
  return null;
}

const COMPARED: ReadonlyArray<keyof PrintedInvoiceFields> = ['invoiceType', 'invoiceCode', 'invoiceNumber', 'issueDate', 'checkCode'];

/**
 * The first field on which two readings of one file disagree, or null. Only fields both readings have are
 * compared. Amounts agree when any amount of one (total, pre-tax) equals any of the other: whether a QR
 * code carries the amount before or after tax is not settled, and issuers differ.
 */
function disagreement(machine: PrintedInvoiceFields, printed: PrintedInvoiceFields): string | null {
  for (const field of COMPARED) {
    const a = machine[field];
    const b = printed[field];
    if (a !== undefined && b !== undefined && a !== b) return field;
  }
  const amounts = (f: PrintedInvoiceFields) => [f.totalCents, f.preTaxCents].filter((v): v is number => v !== undefined);
  const m = amounts(machine);
  const p = amounts(printed);
  if (m.length > 0 && p.length > 0 && !m.some((v) => p.includes(v))) return 'amount';
  return null;
}

/** Builds the claim from the merged fields; refuses what is not a registrable invoice. */
function toClaim(f: PrintedInvoiceFields): InvoiceClaim {
  const number = f.invoiceNumber;
  if (!number || !f.issueDate || f.totalCents === undefined) {
    const missing = !number ? 'invoiceNumber' : !f.issueDate ? 'issueDate' : 'amount';
    throw new FileRefusal('FILE_NOT_AN_INVOICE', `No invoice ${missing} could be read from the file`, missing);
  }
  if (f.totalCents <= 0) throw new FileRefusal('FILE_NOT_AN_INVOICE', 'A red-letter (negative) or zero invoice cannot be registered', 'amount');
  // A fully digital number without a readable title is an ordinary (普票) one unless the text said 专用.
  const invoiceType = f.invoiceType ?? (number.length === 20 ? '32' : undefined);
  if (!invoiceType) throw new FileRefusal('FILE_NOT_AN_INVOICE', 'The invoice type could not be read from the file', 'invoiceType');
  const invoiceCode = isFullyDigitalType(invoiceType) ? '' : (f.invoiceCode ?? '');
  const problem = checkInvoiceIdentityFields(invoiceType, invoiceCode, number);
  if (problem) throw new FileRefusal('FILE_NOT_AN_INVOICE', `The file's ${problem.message}`, problem.field);
  return {
    invoiceType,
    invoiceCode,
    invoiceNumber: number,
    issueDate: f.issueDate,
    amountCents: f.totalCents,
    checkCode: f.checkCode && /^\d{20}$/.test(f.checkCode) ? f.checkCode : null,
    source: 'file',
  };
}

/** Cross-checks two readings and merges them, the machine-readable one winning (it is what a scan would give). */
function reconcile(machine: PrintedInvoiceFields | null, printed: PrintedInvoiceFields): PrintedInvoiceFields {
  if (!machine) return printed;
  const field = disagreement(machine, printed);
  if (field) throw new FileRefusal('FILE_QR_TEXT_MISMATCH', `The file's QR code / data and its printed text disagree on the ${field}`, field);
  return { ...printed, ...machine };
}

const hasNumber = (f: PrintedInvoiceFields | null): f is PrintedInvoiceFields => !!f?.invoiceNumber;

async function read(bytes: Uint8Array, format: InvoiceFileFormat): Promise<PrintedInvoiceFields> {
  if (format === 'pdf') {
    const content = await readPdf(bytes);
    return reconcile(fromQrCodes(content.qrPayloads), readPrintedFields(content.text));
  }
  if (format === 'ofd') {
    const content = await readOfd(bytes);
    const custom = hasNumber(content.customData) ? content.customData : null;
    if (content.attached && custom) reconcile(content.attached, custom);
    return reconcile(content.attached ?? custom, content.printed);
  }
  const fields = readTaxXml(parseInvoiceXml(bytes, 'The XML file'));
  if (!fields) throw new FileRefusal('FILE_NOT_AN_INVOICE', 'The XML file is not a tax system e-invoice (no EInvoice root)');
  return fields;
}

/**
 * Reads an e-invoice file into an invoice claim (source 'file'), or says why not:
 * FILE_TOO_LARGE, FILE_TYPE_UNSUPPORTED, FILE_UNREADABLE, FILE_TOO_MANY_PAGES, FILE_UNPACKED_TOO_LARGE,
 * FILE_NOT_AN_INVOICE, FILE_QR_TEXT_MISMATCH. Never throws for any input bytes.
 */
export async function parseInvoiceFile(bytes: Uint8Array): Promise<InvoiceFileResult> {
  try {
    if (bytes.length > FILE_LIMITS.maxFileBytes) {
      throw new FileRefusal('FILE_TOO_LARGE', `An invoice file may have at most ${FILE_LIMITS.maxFileBytes} bytes`);
    }
    const format = sniffInvoiceFile(bytes);
    if (!format) throw new FileRefusal('FILE_TYPE_UNSUPPORTED', 'Only PDF, OFD and the tax system XML e-invoice files can be read; scan the QR code of a photo instead');
    const fields = await read(bytes, format);
    return { ok: true, format, claim: toClaim(fields), buyerName: fields.buyerName ?? null };
  } catch (err) {
    if (err instanceof FileRefusal) return { ok: false, code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) };
    return { ok: false, code: 'FILE_UNREADABLE', message: 'The file could not be read' };
  }
}

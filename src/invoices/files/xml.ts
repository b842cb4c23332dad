import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { FileRefusal, FILE_LIMITS } from './file-limits.js';
import { signedYuanToCents, type PrintedInvoiceFields } from './invoice-text.js';

/** A parsed XML element: attributes as '@_name', text as '#text', children by local name (namespace prefixes removed). */
export type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false, // invoice numbers and amounts stay strings: '00012345' must not become 12345
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true, // the five predefined entities only: DOCTYPEs are refused before parsing
});

/**
 * Parses one XML document of an invoice file. DOCTYPE declarations (entity expansion, external entities)
 * have no place in an invoice and are refused, as are documents over FILE_LIMITS.maxXmlBytes.
 */
export function parseInvoiceXml(bytes: Uint8Array, what: string): XmlNode {
  if (bytes.length > FILE_LIMITS.maxXmlBytes) throw new FileRefusal('FILE_UNPACKED_TOO_LARGE', `${what} is larger than ${FILE_LIMITS.maxXmlBytes} bytes`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new FileRefusal('FILE_UNREADABLE', `${what} is not UTF-8 text`);
  }
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new FileRefusal('FILE_UNREADABLE', `${what} declares a DOCTYPE, which invoice XML never does`);
  if (XMLValidator.validate(text) !== true) throw new FileRefusal('FILE_UNREADABLE', `${what} is not well-formed XML`);
  return parser.parse(text) as XmlNode;
}

/** Every element named `name` anywhere below `node`, in document order. */
export function findElements(node: unknown, name: string, out: unknown[] = []): unknown[] {
  if (Array.isArray(node)) {
    for (const n of node) findElements(n, name, out);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === name) {
        if (Array.isArray(value)) out.push(...value);
        else out.push(value);
      }
      if (key !== name || typeof value === 'object') findElements(value, name, out);
    }
  }
  return out;
}

/** The text of an element value as fast-xml-parser gives it (a string, or an object with '#text'). */
export function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && typeof (value as XmlNode)['#text'] === 'string') return (value as XmlNode)['#text'] as string;
  return undefined;
}

/** The first element named `name` that has text. */
export function firstText(node: unknown, name: string): string | undefined {
  for (const v of findElements(node, name)) {
    const t = textOf(v)?.trim();
    if (t) return t;
  }
  return undefined;
}

/**
 * The tax system's XML of a fully digital invoice (数电票, root `EInvoice`), as downloaded from the
 * tax app or attached inside its OFD:
 *   EInvoice/Header/InherentLabel/EInvoiceType/LabelName        普通发票 | 增值税专用发票
 *   EInvoice/EInvoiceData/BuyerInformation/BuyerName
 *   EInvoice/EInvoiceData/BasicInformation/TotalAmWithoutTax, TotalTax-includedAmount
 *   EInvoice/TaxSupervisionInfo/InvoiceNumber (20 digits), IssueTime ('YYYY-MM-DD hh:mm:ss')
 * Elements are looked up by name anywhere below the root, so small layout differences between versions
 * do not matter. Returns null when the root is not EInvoice.
 */
export function readTaxXml(root: XmlNode): PrintedInvoiceFields | null {
  const invoice = root.EInvoice;
  if (invoice === undefined || invoice === null || typeof invoice !== 'object') return null;
  const fields: PrintedInvoiceFields = {};
  const label = [firstText(invoice, 'LabelName'), firstText(invoice, 'EInvoiceType')].filter(Boolean).join(' ');
  fields.invoiceType = /专用/.test(label) ? '31' : '32';
  const number = firstText(invoice, 'InvoiceNumber') ?? firstText(invoice, 'EIid');
  if (number) fields.invoiceNumber = number;
  const code = firstText(invoice, 'InvoiceCode');
  if (code) fields.invoiceCode = code;
  const issued = /^(\d{4}-\d{2}-\d{2})/.exec(firstText(invoice, 'IssueTime') ?? firstText(invoice, 'RequestTime') ?? '');
  if (issued) fields.issueDate = issued[1];
  const total = signedYuanToCents(firstText(invoice, 'TotalTax-includedAmount'));
  if (total !== undefined) fields.totalCents = total;
  const preTax = signedYuanToCents(firstText(invoice, 'TotalAmWithoutTax'));
  if (preTax !== undefined) fields.preTaxCents = preTax;
  const buyer = firstText(invoice, 'BuyerName');
  if (buyer) fields.buyerName = buyer;
  return fields;
}

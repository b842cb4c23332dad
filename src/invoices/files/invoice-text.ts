import { parseYuanToCents } from '../../core/money.js';
import { isIsoDate } from '../../core/time/shanghai.js';

/**
 * The invoice fields printed on an e-invoice page (PDF text, OFD text objects), read by their labels:
 *   电子发票（普通发票） / 增值税电子普通发票 …   the title, which says the invoice type
 *   发票代码：041002200111   发票号码：12345678 (20 digits on a fully digital invoice)
 *   开票日期：2026年03月02日   校验码：12345 67890 12345 67890
 *   合 计 ¥99.01 ¥0.99   价税合计（大写） 壹佰圆整 （小写）¥100.00
 *   购买方 名称：张三
 * Every field is optional here; the caller decides what is enough.
 */
export interface PrintedInvoiceFields {
  invoiceType?: string;
  invoiceCode?: string;
  invoiceNumber?: string;
  issueDate?: string;
  /** 价税合计 (total including tax), integer cents; negative on a red-letter invoice. */
  totalCents?: number;
  /** 合计 (total before tax), integer cents. */
  preTaxCents?: number;
  checkCode?: string;
  buyerName?: string;
}

/** Titles of the e-invoice kinds, most specific first, and their QR type codes. */
const TITLES: ReadonlyArray<[RegExp, string]> = [
  [/电子发票[（(]增值税专用发票[)）]/, '31'],
  [/电子发票[（(]普通发票[)）]/, '32'],
  [/增值税电子专用发票/, '08'],
  [/增值税电子普通发票[（(]通行费[)）]/, '14'],
  [/增值税电子普通发票/, '10'],
  [/增值税普通发票[（(]卷票[)）]/, '11'],
  [/增值税普通发票/, '04'],
  [/增值税专用发票/, '01'],
];

const MONEY = String.raw`[¥￥]?\s*(-?\d{1,12}(?:\.\d{1,2})?)`;

/** A yuan amount ('100', '-12.5', '99.01') in integer cents, keeping a red-letter minus; undefined if malformed. */
export function signedYuanToCents(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const negative = text.startsWith('-');
  const value = parseYuanToCents(negative ? text.slice(1) : text);
  if (value === null) return undefined;
  return negative ? -value : value;
}

/** Reads the labelled invoice fields out of a page's text (items joined by spaces or newlines). */
export function readPrintedFields(rawText: string): PrintedInvoiceFields {
  // Full-width colons and spaces vary between issuers; labels are matched on a normalised copy.
  const text = rawText.replace(/[：]/g, ':').replace(/[\u3000\u00a0]/g, ' ');
  const fields: PrintedInvoiceFields = {};
  const title = TITLES.find(([re]) => re.test(text));
  if (title) fields.invoiceType = title[1];

  const code = /发\s*票\s*代\s*码\s*:?\s*(\d{10}|\d{12})(?!\d)/.exec(text);
  if (code) fields.invoiceCode = code[1];
  const number = /发\s*票\s*号\s*码\s*:?\s*(\d{20}|\d{8})(?!\d)/.exec(text);
  if (number) fields.invoiceNumber = number[1];

  const date = /开\s*票\s*日\s*期\s*:?\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日/.exec(text);
  if (date) {
    const iso = `${date[1]}-${date[2].padStart(2, '0')}-${date[3].padStart(2, '0')}`;
    if (isIsoDate(iso)) fields.issueDate = iso;
  }

  const check = /校\s*验\s*码\s*:?\s*((?:\d\s*){20})(?!\d)/.exec(text);
  if (check) fields.checkCode = check[1].replace(/\s/g, '');

  const total = new RegExp(String.raw`[（(]\s*小\s*写\s*[)）]\s*` + MONEY).exec(text);
  fields.totalCents = signedYuanToCents(total?.[1]);
  // 合计 but not 价税合计: the pre-tax sum is the first amount after it.
  const preTax = new RegExp(String.raw`(?<!税\s*)合\s*计\s*` + MONEY).exec(text);
  fields.preTaxCents = signedYuanToCents(preTax?.[1]);
  if (fields.totalCents === undefined) delete fields.totalCents;
  if (fields.preTaxCents === undefined) delete fields.preTaxCents;

  const buyer = /购\s*买\s*方[\s\S]{0,40}?名\s*称\s*:?\s*([^\s:]{1,60})/.exec(text);
  if (buyer) fields.buyerName = buyer[1];
  return fields;
}

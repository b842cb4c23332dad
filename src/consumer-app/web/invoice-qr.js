// What a Chinese invoice QR code says, read in the page so the consumer can check it before sending. The
// server parses the same payload again (src/invoices/domain) and is the authority; this is for display.
// Payload: 01,<type>,<code>,<number>,<amount>,<yyyymmdd>,<check code>,<4 chars>[,]

export const INVOICE_TYPES = {
  '04': '增值税普通发票（纸质）',
  10: '增值税电子普通发票',
  11: '增值税普通发票（卷式）',
  32: '数电发票（普通发票）',
  '01': '增值税专用发票',
  '08': '增值税电子专用发票',
  31: '数电发票（增值税专用发票）',
};

/** { invoiceType, invoiceCode, invoiceNumber, amount, issueDate (YYYY-MM-DD), checkCode } or null when it is no invoice QR. */
export function parseInvoiceQr(text) {
  if (typeof text !== 'string') return null;
  const parts = text.trim().split(',');
  if (parts.length < 7 || parts[0] !== '01') return null;
  const [, invoiceType, invoiceCode, invoiceNumber, amount, date, checkCode] = parts;
  if (!/^\d{2}$/.test(invoiceType) || !/^(\d{10}|\d{12})?$/.test(invoiceCode) || !/^(\d{8}|\d{20})$/.test(invoiceNumber)) return null;
  if (!/^\d+(\.\d{1,2})?$/.test(amount) || !/^\d{8}$/.test(date)) return null;
  return {
    invoiceType,
    invoiceCode,
    invoiceNumber,
    amount,
    issueDate: `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`,
    checkCode: checkCode || '',
  };
}

export const typeName = (t) => INVOICE_TYPES[t] || `类型 ${t}`;

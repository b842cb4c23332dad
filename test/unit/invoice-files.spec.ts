import { zipSync, strToU8 } from 'fflate';
import { FILE_LIMITS } from '../../src/invoices/files/file-limits.js';
import { parseInvoiceFile, sniffInvoiceFile } from '../../src/invoices/files/invoice-file.js';
import { readPrintedFields } from '../../src/invoices/files/invoice-text.js';
import { pdfBomb, sampleOfd, samplePdf, sampleQr, sampleTaxXml, zipBomb, type SampleInvoice } from '../support/invoice-files.js';

const digital: SampleInvoice = {
  invoiceType: '32',
  invoiceCode: '',
  invoiceNumber: '26432000000000123456',
  issueDate: '2026-03-02',
  totalCents: 10000,
  preTaxCents: 9901,
  buyerName: '张三',
};
const electronic: SampleInvoice = {
  invoiceType: '10',
  invoiceCode: '041012200111',
  invoiceNumber: '12345678',
  issueDate: '2022-08-08',
  totalCents: 11300,
  preTaxCents: 10000,
  checkCode: '12345678901234567890',
};
const claimOf = (inv: SampleInvoice) => ({
  invoiceType: inv.invoiceType,
  invoiceCode: inv.invoiceCode,
  invoiceNumber: inv.invoiceNumber,
  issueDate: inv.issueDate,
  amountCents: inv.totalCents,
  checkCode: inv.checkCode ?? null,
  source: 'file',
});

describe('printed invoice text', () => {
  it('reads the labelled fields with full-width colons, spaced check codes and both amounts', () => {
    expect(
      readPrintedFields(
        '增值税电子普通发票 发票代码：041012200111 发票号码：12345678 开票日期：2022年08月08日 校验码：12345 67890 12345 67890 ' +
          '购买方 名称：张三 合 计 ¥100.00 ¥13.00 价税合计（大写） 壹佰壹拾叁圆整 （小写）¥113.00',
      ),
    ).toEqual({
      invoiceType: '10',
      invoiceCode: '041012200111',
      invoiceNumber: '12345678',
      issueDate: '2022-08-08',
      checkCode: '12345678901234567890',
      totalCents: 11300,
      preTaxCents: 10000,
      buyerName: '张三',
    });
  });

  it('tells the fully digital titles apart', () => {
    expect(readPrintedFields('电子发票（普通发票）').invoiceType).toBe('32');
    expect(readPrintedFields('电子发票(增值税专用发票)').invoiceType).toBe('31');
  });
});

describe('PDF e-invoices', () => {
  it('a fully digital invoice: QR code and text agree', async () => {
    const result = await parseInvoiceFile(await samplePdf(digital));
    expect(result).toEqual({ ok: true, format: 'pdf', claim: claimOf(digital), buyerName: '张三' });
  });

  it('an electronic ordinary invoice with its code and check code', async () => {
    expect(await parseInvoiceFile(await samplePdf(electronic))).toMatchObject({ ok: true, claim: claimOf(electronic) });
  });

  it('without a QR code image, the text alone', async () => {
    expect(await parseInvoiceFile(await samplePdf(digital, { qr: null }))).toMatchObject({ ok: true, claim: claimOf(digital) });
  });

  it('a QR code whose amount is the pre-tax one still agrees', async () => {
    const pdf = await samplePdf(electronic, { qr: sampleQr(electronic, { totalCents: 10000 }) });
    expect(await parseInvoiceFile(pdf)).toMatchObject({ ok: true, claim: { ...claimOf(electronic), amountCents: 10000 } });
  });

  it.each([
    ['invoiceNumber', { invoiceNumber: '26432000000000999999' }],
    ['issueDate', { issueDate: '2026-03-03' }],
    ['amount', { totalCents: 50000 }],
  ])('QR and text disagreeing on the %s: FILE_QR_TEXT_MISMATCH', async (field, override) => {
    const pdf = await samplePdf(digital, { qr: sampleQr(digital, override) });
    expect(await parseInvoiceFile(pdf)).toEqual({ ok: false, code: 'FILE_QR_TEXT_MISMATCH', field, message: expect.stringContaining(field) });
  });

  it('a PDF that is not an invoice', async () => {
    const pdf = await samplePdf({ ...digital, invoiceNumber: 'x' }, { qr: 'https://example.org/' });
    expect(await parseInvoiceFile(pdf)).toMatchObject({ ok: false, code: 'FILE_NOT_AN_INVOICE', field: 'invoiceNumber' });
  });

  it('too many pages', async () => {
    const pdf = await samplePdf(digital, { pages: FILE_LIMITS.maxPages + 1 });
    expect(await parseInvoiceFile(pdf)).toMatchObject({ ok: false, code: 'FILE_TOO_MANY_PAGES' });
  });

  it('a PDF whose streams unpack to too much (a Flate bomb) is refused before pdf.js reads it', async () => {
    const bomb = await pdfBomb(digital, 64);
    expect(bomb.length).toBeLessThan(FILE_LIMITS.maxFileBytes);
    expect(await parseInvoiceFile(bomb)).toMatchObject({ ok: false, code: 'FILE_UNPACKED_TOO_LARGE' });
    // The same invoice with a harmless extra stream still reads.
    expect(await parseInvoiceFile(await pdfBomb(digital, 1))).toMatchObject({ ok: true, claim: claimOf(digital) });
  });

  it('a truncated or corrupt PDF: FILE_UNREADABLE', async () => {
    const pdf = await samplePdf(digital);
    expect(await parseInvoiceFile(pdf.subarray(0, 400))).toMatchObject({ ok: false, code: 'FILE_UNREADABLE' });
    expect(await parseInvoiceFile(Buffer.from('%PDF-1.7\n garbage garbage'))).toMatchObject({ ok: false, code: 'FILE_UNREADABLE' });
  });
});

describe('OFD e-invoices', () => {
  it('custom data and page text agree', async () => {
    expect(await parseInvoiceFile(sampleOfd(digital))).toEqual({ ok: true, format: 'ofd', claim: claimOf(digital), buyerName: '张三' });
  });

  it('with the tax XML attached', async () => {
    expect(await parseInvoiceFile(sampleOfd(digital, { attachXml: true }))).toMatchObject({ ok: true, claim: claimOf(digital) });
  });

  it('printed text disagreeing with the data: FILE_QR_TEXT_MISMATCH', async () => {
    const ofd = sampleOfd(digital, { printed: { totalCents: 90000, preTaxCents: 89109 } });
    expect(await parseInvoiceFile(ofd)).toMatchObject({ ok: false, code: 'FILE_QR_TEXT_MISMATCH', field: 'amount' });
  });

  it('a zip that is not an OFD', async () => {
    const zip = Buffer.from(zipSync({ 'photo.jpg': strToU8('not really') }));
    expect(await parseInvoiceFile(zip)).toMatchObject({ ok: false, code: 'FILE_TYPE_UNSUPPORTED' });
  });

  it('a zip bomb is refused from its declared size, before anything is unpacked', async () => {
    const bomb = zipBomb(12);
    expect(bomb.length).toBeLessThan(FILE_LIMITS.maxFileBytes);
    expect(await parseInvoiceFile(bomb)).toMatchObject({ ok: false, code: 'FILE_UNPACKED_TOO_LARGE' });
  });

  it('a zip bomb that lies about its size is stopped while inflating', async () => {
    const before = process.memoryUsage().rss;
    expect(await parseInvoiceFile(zipBomb(12, { lie: true }))).toMatchObject({ ok: false, code: 'FILE_UNPACKED_TOO_LARGE' });
    expect(process.memoryUsage().rss - before).toBeLessThan(30 * 1024 * 1024);
  });

  it('a DOCTYPE (entity expansion) is refused', async () => {
    const zip = Buffer.from(zipSync({ 'OFD.xml': strToU8('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xx">]><a>&x;</a>') }));
    expect(await parseInvoiceFile(zip)).toMatchObject({ ok: false, code: 'FILE_UNREADABLE' });
  });

  it('too many pages', async () => {
    expect(await parseInvoiceFile(sampleOfd(digital, { pages: FILE_LIMITS.maxPages + 1 }))).toMatchObject({ ok: false, code: 'FILE_TOO_MANY_PAGES' });
  });
});

describe('tax system XML', () => {
  it('reads a fully digital invoice', async () => {
    expect(await parseInvoiceFile(Buffer.from(sampleTaxXml(digital)))).toEqual({ ok: true, format: 'xml', claim: claimOf(digital), buyerName: '张三' });
  });

  it('other XML is not an invoice; broken XML is unreadable', async () => {
    expect(await parseInvoiceFile(Buffer.from('<?xml version="1.0"?><html><body/></html>'))).toMatchObject({ ok: false, code: 'FILE_NOT_AN_INVOICE' });
    expect(await parseInvoiceFile(Buffer.from('<EInvoice><a></EInvoice>'))).toMatchObject({ ok: false, code: 'FILE_UNREADABLE' });
  });
});

describe('any file', () => {
  it('never throws, whatever the bytes after a PDF, zip or XML start', async () => {
    const fc = (await import('fast-check')).default;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('%PDF-1.7\n', 'PK\x03\x04', '<?xml version="1.0"?>', ''), fc.uint8Array({ maxLength: 2048 }), async (head, tail) => {
        const result = await parseInvoiceFile(Buffer.concat([Buffer.from(head, 'latin1'), tail]));
        expect(result.ok).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it('the kind comes from the first bytes', () => {
    expect(sniffInvoiceFile(Buffer.from('%PDF-1.7'))).toBe('pdf');
    expect(sniffInvoiceFile(Buffer.from('PK\x03\x04', 'latin1'))).toBe('ofd');
    expect(sniffInvoiceFile(Buffer.from('\ufeff<?xml version="1.0"?>'))).toBe('xml');
    expect(sniffInvoiceFile(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBeNull();
  });

  it('a photo or anything else: FILE_TYPE_UNSUPPORTED; an oversized file: FILE_TOO_LARGE', async () => {
    expect(await parseInvoiceFile(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toMatchObject({ ok: false, code: 'FILE_TYPE_UNSUPPORTED' });
    expect(await parseInvoiceFile(Buffer.alloc(0))).toMatchObject({ ok: false, code: 'FILE_TYPE_UNSUPPORTED' });
    expect(await parseInvoiceFile(Buffer.alloc(FILE_LIMITS.maxFileBytes + 1, 0x25))).toMatchObject({ ok: false, code: 'FILE_TOO_LARGE' });
  });
});

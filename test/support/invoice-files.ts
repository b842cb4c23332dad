/**
 * Real-looking e-invoice files for tests, built here with maintained writers: a PDF (pdfkit, the QR code
 * image from qrcode, Chinese text in Noto Sans CJK from Debian's fonts-noto-cjk), an OFD (a zip of XML
 * laid out as GB/T 33190, with fflate) and the tax system's XML (数电票 EInvoice).
 */
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { zipSync, strToU8 } from 'fflate';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';

export const CJK_FONT = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';
let cjkFont: Buffer | null = null;

/** What the sample invoice shows. Amounts in cents; `preTaxCents` defaults to total/1.01 (1 % small-scale VAT). */
export interface SampleInvoice {
  title?: string;
  invoiceType: string;
  invoiceCode: string;
  invoiceNumber: string;
  issueDate: string; // YYYY-MM-DD
  totalCents: number;
  preTaxCents?: number;
  checkCode?: string | null;
  buyerName?: string;
}

const yuan = (cents: number) => (cents / 100).toFixed(2);
const preTax = (inv: SampleInvoice) => inv.preTaxCents ?? Math.round(inv.totalCents / 1.01);
const titleOf = (inv: SampleInvoice) =>
  inv.title ?? (inv.invoiceType === '32' ? '电子发票（普通发票）' : inv.invoiceType === '10' ? '增值税电子普通发票' : '电子发票（增值税专用发票）');

/** The QR payload of the sample invoice (override any field to make the QR disagree with the text). */
export function sampleQr(inv: SampleInvoice, override: Partial<SampleInvoice> = {}): string {
  const q = { ...inv, ...override };
  return ['01', q.invoiceType, q.invoiceCode, q.invoiceNumber, yuan(q.totalCents), q.issueDate.replace(/-/g, ''), q.checkCode ?? '', 'A1B2'].join(',');
}

/** The printed lines of an invoice page, labels as real e-invoices print them. */
function printedLines(inv: SampleInvoice): string[] {
  const [y, m, d] = inv.issueDate.split('-');
  const tax = inv.totalCents - preTax(inv);
  return [
    ...(inv.invoiceCode ? [`发票代码：${inv.invoiceCode}`] : []),
    `发票号码：${inv.invoiceNumber}`,
    `开票日期：${y}年${m}月${d}日`,
    ...(inv.checkCode ? [`校验码：${inv.checkCode.replace(/(\d{5})(?=\d)/g, '$1 ')}`] : []),
    `购买方信息  名称：${inv.buyerName ?? '张三'}`,
    '销售方信息  名称：株洲市测试商贸有限公司  统一社会信用代码/纳税人识别号：91430200MA4L000000',
    `*日用杂品*洗衣液  1  ${yuan(preTax(inv))}  1%  ${yuan(tax)}`,
    `合 计  ¥${yuan(preTax(inv))}  ¥${yuan(tax)}`,
    `价税合计（大写）  ⊗壹佰圆整  （小写）¥${yuan(inv.totalCents)}`,
  ];
}

/**
 * A one-page (or `pages`-page) PDF e-invoice: the QR code image top left (unless `qr` is null), the title
 * and the labelled fields as text. `qr` defaults to the invoice's own payload.
 */
export async function samplePdf(inv: SampleInvoice, options: { qr?: string | null; pages?: number } = {}): Promise<Buffer> {
  const qr = options.qr === undefined ? sampleQr(inv) : options.qr;
  const doc = new PDFDocument({ size: [609, 396], margin: 20, autoFirstPage: false, info: { Title: titleOf(inv), Producer: 'test' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve) => doc.on('end', () => resolve()));
  for (let p = 0; p < (options.pages ?? 1); p++) {
    doc.addPage();
    doc.font((cjkFont ??= readFileSync(CJK_FONT)), 'NotoSansCJKsc-Regular');
    if (qr !== null && p === 0) doc.image(await QRCode.toBuffer(qr, { type: 'png', margin: 2, scale: 3, errorCorrectionLevel: 'M' }), 24, 20, { width: 72 });
    doc.fontSize(16).text(titleOf(inv), 200, 28);
    let y = 70;
    for (const line of printedLines(inv)) {
      doc.fontSize(9).text(line, 30, y);
      y += 18;
    }
  }
  doc.end();
  await done;
  return Buffer.concat(chunks);
}

const NS = 'xmlns:ofd="http://www.ofdspec.org/2016"';

/** The tax system's XML of a fully digital invoice (root EInvoice). */
export function sampleTaxXml(inv: SampleInvoice): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<EInvoice>
  <Header><EIid>${inv.invoiceNumber}</EIid><EInvoiceTag>SWEI3200</EInvoiceTag><Version>0.1</Version>
    <InherentLabel><EInvoiceType><LabelCode>02</LabelCode><LabelName>${inv.invoiceType === '31' ? '增值税专用发票' : '普通发票'}</LabelName></EInvoiceType></InherentLabel>
  </Header>
  <EInvoiceData>
    <SellerInformation><SellerIdNum>91430200MA4L000000</SellerIdNum><SellerName>株洲市测试商贸有限公司</SellerName></SellerInformation>
    <BuyerInformation><BuyerName>${inv.buyerName ?? '张三'}</BuyerName></BuyerInformation>
    <BasicInformation><TotalAmWithoutTax>${yuan(preTax(inv))}</TotalAmWithoutTax><TotalTaxAm>${yuan(inv.totalCents - preTax(inv))}</TotalTaxAm><TotalTax-includedAmount>${yuan(inv.totalCents)}</TotalTax-includedAmount><TotalTax-includedAmountInChinese>壹佰圆整</TotalTax-includedAmountInChinese></BasicInformation>
    <IssuItemInformation><ItemName>*日用杂品*洗衣液</ItemName><Amount>${yuan(preTax(inv))}</Amount></IssuItemInformation>
  </EInvoiceData>
  <TaxSupervisionInfo><InvoiceNumber>${inv.invoiceNumber}</InvoiceNumber><IssueTime>${inv.issueDate} 10:20:30</IssueTime><TaxBureauCode>14302000000</TaxBureauCode><TaxBureauName>国家税务总局株洲市税务局</TaxBureauName></TaxSupervisionInfo>
</EInvoice>
`;
}

/**
 * An OFD e-invoice: OFD.xml with the invoice's CustomDatas, one page whose text objects carry the printed
 * fields, optionally the tax XML as an attachment. `printed` overrides what the page text says.
 */
export function sampleOfd(inv: SampleInvoice, options: { printed?: Partial<SampleInvoice>; attachXml?: boolean; pages?: number } = {}): Buffer {
  const custom: Record<string, string> = {
    发票代码: inv.invoiceCode,
    发票号码: inv.invoiceNumber,
    开票日期: inv.issueDate.replace(/-/g, ''),
    合计金额: yuan(preTax(inv)),
    合计税额: yuan(inv.totalCents - preTax(inv)),
    校验码: inv.checkCode ?? '',
    购买方名称: inv.buyerName ?? '张三',
  };
  const ofdXml = `<?xml version="1.0" encoding="UTF-8"?>
<ofd:OFD ${NS} Version="1.1" DocType="OFD">
  <ofd:DocBody>
    <ofd:DocInfo><ofd:DocID>6f8b0d1a2c3e4f5a</ofd:DocID><ofd:Creator>test</ofd:Creator>
      <ofd:CustomDatas>${Object.entries(custom)
        .map(([k, v]) => `<ofd:CustomData Name="${k}">${v}</ofd:CustomData>`)
        .join('')}</ofd:CustomDatas>
    </ofd:DocInfo>
    <ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>
  </ofd:DocBody>
</ofd:OFD>`;
  const pages = options.pages ?? 1;
  const documentXml = `<?xml version="1.0" encoding="UTF-8"?>
<ofd:Document ${NS}><ofd:CommonData><ofd:MaxUnitID>100</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 210 140</ofd:PhysicalBox></ofd:PageArea></ofd:CommonData>
<ofd:Pages>${Array.from({ length: pages }, (_, i) => `<ofd:Page ID="${i + 1}" BaseLoc="Pages/Page_${i}/Content.xml"/>`).join('')}</ofd:Pages></ofd:Document>`;
  const printed = { ...inv, ...options.printed };
  const lines = [titleOf(printed), ...printedLines(printed)];
  const contentXml = `<?xml version="1.0" encoding="UTF-8"?>
<ofd:Page ${NS}><ofd:Content><ofd:Layer ID="10">${lines
    .map(
      (line, i) =>
        `<ofd:TextObject ID="${20 + i}" Boundary="10 ${10 + i * 6} 180 5" Font="3" Size="3.175"><ofd:TextCode X="0" Y="4">${line.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</ofd:TextCode></ofd:TextObject>`,
    )
    .join('')}</ofd:Layer></ofd:Content></ofd:Page>`;
  const files: Record<string, Uint8Array> = {
    'OFD.xml': strToU8(ofdXml),
    'Doc_0/Document.xml': strToU8(documentXml),
  };
  for (let i = 0; i < pages; i++) files[`Doc_0/Pages/Page_${i}/Content.xml`] = strToU8(contentXml);
  if (options.attachXml) files['Doc_0/Attachs/original_invoice.xml'] = strToU8(sampleTaxXml(inv));
  return Buffer.from(zipSync(files, { level: 6 }));
}

/**
 * A zip bomb dressed as an OFD: an OFD.xml that inflates to `megabytes` MiB of spaces (about 1,000:1).
 * With `lie`, the local and central headers declare a small uncompressed size, so only a reader that
 * counts what it inflates stops it.
 */
export function zipBomb(megabytes: number, options: { lie?: boolean } = {}): Buffer {
  const big = new Uint8Array(megabytes * 1024 * 1024).fill(0x20);
  big.set(strToU8('<?xml version="1.0"?><ofd:OFD>'), 0);
  const zip = Buffer.from(zipSync({ 'OFD.xml': big }, { level: 1 }));
  if (options.lie) {
    // Uncompressed size: offset 22 in the local header, offset 24 in the central directory header.
    zip.writeUInt32LE(1000, 22);
    const central = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    zip.writeUInt32LE(1000, central + 24);
  }
  return zip;
}

/**
 * A PDF e-invoice carrying a Flate "bomb": an extra stream object of `megabytes` MiB of zeros that
 * compresses about 1,000:1, appended after the real invoice (as an incremental update would add it).
 */
export async function pdfBomb(inv: SampleInvoice, megabytes: number): Promise<Buffer> {
  const data = deflateSync(Buffer.alloc(megabytes * 1024 * 1024), { level: 9 });
  const pdf = await samplePdf(inv);
  return Buffer.concat([pdf, Buffer.from(`\n999 0 obj\n<< /Length ${data.length} /Filter /FlateDecode >>\nstream\n`, 'latin1'), data, Buffer.from('\nendstream\nendobj\n', 'latin1')]);
}

/**
 * A PDF that is slow to read yet within every limit of FILE_LIMITS: one page painting the same 1-bit
 * `side` × `side` image of stripes (2000: 4 Mpx, the most pdf.js decodes; 500 KB unpacked, under 2 KB as a
 * file) `paints` times. Each paint is scanned for a QR code over all its pixels, and stripes give the QR
 * finder many candidates: on the development machine one paint of 800 px takes about 2 s, of 2000 px about
 * 40 s. Written by hand (with its xref table) to control exactly what pdf.js sees.
 */
export function slowPdf(paints: number, side = 2000): Buffer {
  const rowBytes = Math.ceil(side / 8);
  // Stripes of 8 px with a shifting phase: no QR code, but not a blank page either.
  const pixels = Buffer.alloc(rowBytes * side);
  for (let y = 0; y < side; y++) pixels.fill(((y >> 3) & 1) === 0 ? 0xaa : 0x55, y * rowBytes, (y + 1) * rowBytes);
  const image = deflateSync(pixels, { level: 9 });
  const content = Buffer.from(Array.from({ length: paints }, () => 'q 500 0 0 500 50 50 cm /Im1 Do Q').join('\n'), 'latin1');
  const objects: Buffer[] = [
    Buffer.from('<< /Type /Catalog /Pages 2 0 R >>', 'latin1'),
    Buffer.from('<< /Type /Pages /Kids [3 0 R] /Count 1 >>', 'latin1'),
    Buffer.from('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 600] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>', 'latin1'),
    Buffer.concat([Buffer.from(`<< /Length ${content.length} >>\nstream\n`, 'latin1'), content, Buffer.from('\nendstream', 'latin1')]),
    Buffer.concat([
      Buffer.from(
        `<< /Type /XObject /Subtype /Image /Width ${side} /Height ${side} /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /FlateDecode /Length ${image.length} >>\nstream\n`,
        'latin1',
      ),
      image,
      Buffer.from('\nendstream', 'latin1'),
    ]),
  ];
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = parts[0].length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    const obj = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`, 'latin1'), body, Buffer.from('\nendobj\n', 'latin1')]);
    offsets.push(offset);
    offset += obj.length;
    parts.push(obj);
  });
  const xref = [`xref\n0 ${objects.length + 1}\n`, '0000000000 65535 f \n', ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${offset}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(parts);
}

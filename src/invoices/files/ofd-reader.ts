import yauzl from 'yauzl';
import { FileRefusal, FILE_LIMITS } from './file-limits.js';
import { readPrintedFields, signedYuanToCents, type PrintedInvoiceFields } from './invoice-text.js';
import { findElements, parseInvoiceXml, readTaxXml, textOf, type XmlNode } from './xml.js';

/**
 * What an OFD e-invoice (GB/T 33190: a zip of XML) says, read in three ways:
 * - `customData`: OFD.xml's DocInfo/CustomDatas (发票代码, 发票号码, 开票日期, 合计金额, 合计税额, 校验码 …),
 *   the machine-readable copy issuers put there;
 * - `attached`: the tax system's XML (root EInvoice) when the OFD carries it as an attachment;
 * - `printed`: the labelled fields of the page text (all TextCode of the pages and their templates).
 */
export interface OfdContent {
  customData: PrintedInvoiceFields;
  attached: PrintedInvoiceFields | null;
  printed: PrintedInvoiceFields;
}

interface ZipEntry {
  fileName: string;
  uncompressedSize: number;
  entry: yauzl.Entry;
}

function openZip(bytes: Uint8Array): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    // validateEntrySizes: an entry that inflates past its declared size fails while streaming (a lying header).
    yauzl.fromBuffer(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (err, zip) =>
      err || !zip ? reject(new FileRefusal('FILE_UNREADABLE', 'The OFD file is not a readable zip')) : resolve(zip),
    );
  });
}

/** Lists the entries without unpacking any; refuses too many entries or too many declared bytes. */
function listEntries(zip: yauzl.ZipFile): Promise<ZipEntry[]> {
  if (zip.entryCount > FILE_LIMITS.maxZipEntries) {
    return Promise.reject(new FileRefusal('FILE_UNPACKED_TOO_LARGE', `An OFD file may have at most ${FILE_LIMITS.maxZipEntries} parts`));
  }
  return new Promise((resolve, reject) => {
    const entries: ZipEntry[] = [];
    let declared = 0;
    zip.on('entry', (entry: yauzl.Entry) => {
      declared += entry.uncompressedSize;
      if (declared > FILE_LIMITS.maxUnpackedBytes) {
        reject(new FileRefusal('FILE_UNPACKED_TOO_LARGE', `The OFD file unpacks to more than ${FILE_LIMITS.maxUnpackedBytes} bytes`));
        return;
      }
      entries.push({ fileName: entry.fileName, uncompressedSize: entry.uncompressedSize, entry });
      zip.readEntry();
    });
    zip.on('end', () => resolve(entries));
    zip.on('error', () => reject(new FileRefusal('FILE_UNREADABLE', 'The OFD file is not a readable zip')));
    zip.readEntry();
  });
}

/** Unpacks one entry, stopping at its declared size (yauzl) and at maxXmlBytes (here). */
function readEntry(zip: yauzl.ZipFile, e: ZipEntry): Promise<Uint8Array> {
  if (e.uncompressedSize > FILE_LIMITS.maxXmlBytes) {
    return Promise.reject(new FileRefusal('FILE_UNPACKED_TOO_LARGE', `${e.fileName} is larger than ${FILE_LIMITS.maxXmlBytes} bytes`));
  }
  return new Promise((resolve, reject) => {
    zip.openReadStream(e.entry, (err, stream) => {
      if (err || !stream) return reject(new FileRefusal('FILE_UNREADABLE', `${e.fileName} cannot be unpacked`));
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > FILE_LIMITS.maxXmlBytes) {
          stream.destroy();
          reject(new FileRefusal('FILE_UNPACKED_TOO_LARGE', `${e.fileName} is larger than ${FILE_LIMITS.maxXmlBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      stream.on('error', (error: Error) =>
        reject(
          /too many bytes|size/i.test(error.message)
            ? new FileRefusal('FILE_UNPACKED_TOO_LARGE', `${e.fileName} unpacks past its declared size`)
            : new FileRefusal('FILE_UNREADABLE', `${e.fileName} cannot be unpacked`),
        ),
      );
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
  });
}

const PAGE_CONTENT = /(?:^|\/)Pages\/Page_\d+\/Content\.xml$/i;
const TEMPLATE_CONTENT = /(?:^|\/)Tpls\/Tpl_\d+\/Content\.xml$/i;
const ATTACHED_XML = /(?:^|\/)Attachs\/[^/]+\.xml$/i;

/** OFD.xml CustomData name → the printed-field it carries. */
const CUSTOM_DATA_FIELDS: Record<string, keyof PrintedInvoiceFields> = {
  发票代码: 'invoiceCode',
  发票号码: 'invoiceNumber',
  开票日期: 'issueDate',
  校验码: 'checkCode',
  价税合计: 'totalCents',
  合计金额: 'preTaxCents',
  购买方名称: 'buyerName',
};

const money = (value: string): number | undefined => signedYuanToCents(value.replace(/[¥￥\s]/g, ''));

function readCustomData(root: XmlNode): PrintedInvoiceFields {
  const fields: Record<string, unknown> = {};
  let taxCents: number | undefined;
  for (const item of findElements(root, 'CustomData')) {
    if (item === null || typeof item !== 'object') continue;
    const name = (item as XmlNode)['@_Name'];
    const value = textOf(item)?.trim();
    if (typeof name !== 'string' || !value) continue;
    if (name === '合计税额') taxCents = money(value);
    const key = CUSTOM_DATA_FIELDS[name];
    if (!key) continue;
    if (key === 'issueDate') {
      const m = /^(\d{4})\D?(\d{2})\D?(\d{2})/.exec(value);
      if (m) fields.issueDate = `${m[1]}-${m[2]}-${m[3]}`;
    } else if (key === 'totalCents' || key === 'preTaxCents') {
      const cents = money(value);
      if (cents !== undefined) fields[key] = cents;
    } else if (key === 'checkCode') {
      fields.checkCode = value.replace(/\s/g, '');
    } else {
      fields[key] = value;
    }
  }
  // Issuers give 合计金额 and 合计税额; their sum is the total the consumer paid.
  if (fields.totalCents === undefined && typeof fields.preTaxCents === 'number' && taxCents !== undefined) {
    fields.totalCents = (fields.preTaxCents as number) + taxCents;
  }
  return fields as PrintedInvoiceFields;
}

/** Reads an OFD invoice. Throws {@link FileRefusal}: not a zip / not an OFD / too large unpacked / too many pages. */
export async function readOfd(bytes: Uint8Array): Promise<OfdContent> {
  const zip = await openZip(bytes);
  try {
    const entries = await listEntries(zip);
    const root = entries.find((e) => e.fileName === 'OFD.xml');
    if (!root) throw new FileRefusal('FILE_TYPE_UNSUPPORTED', 'The zip is not an OFD document (no OFD.xml)');
    const pages = entries.filter((e) => PAGE_CONTENT.test(e.fileName));
    if (pages.length > FILE_LIMITS.maxPages) {
      throw new FileRefusal('FILE_TOO_MANY_PAGES', `An invoice file may have at most ${FILE_LIMITS.maxPages} pages; this one has ${pages.length}`);
    }
    const customData = readCustomData(parseInvoiceXml(await readEntry(zip, root), 'OFD.xml'));
    let attached: PrintedInvoiceFields | null = null;
    for (const e of entries.filter((x) => ATTACHED_XML.test(x.fileName))) {
      attached = readTaxXml(parseInvoiceXml(await readEntry(zip, e), e.fileName));
      if (attached) break;
    }
    const texts: string[] = [];
    for (const e of [...entries.filter((x) => TEMPLATE_CONTENT.test(x.fileName)), ...pages]) {
      const content = parseInvoiceXml(await readEntry(zip, e), e.fileName);
      texts.push(findElements(content, 'TextCode').map((t) => textOf(t) ?? '').join(' '));
    }
    return { customData, attached, printed: readPrintedFields(texts.join('\n')) };
  } finally {
    zip.close();
  }
}

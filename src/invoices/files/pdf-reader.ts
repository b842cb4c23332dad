import jsQRModule from 'jsqr';
import { FileRefusal, FILE_LIMITS } from './file-limits.js';
import { checkPdfStreams } from './pdf-streams.js';

/** What a PDF e-invoice shows: the text of its pages and the QR codes found in its images. */
export interface PdfContent {
  text: string;
  qrPayloads: string[];
}

// jsqr is CommonJS whose module.exports is the function; its types declare it as an ES default export.
const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ?? jsQRModule) as unknown as typeof jsQRModule.default;

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
/** pdf.js's worker code, run on this thread (the package ships no types for it). */
const PDFJS_WORKER: string = 'pdfjs-dist/legacy/build/pdf.worker.mjs';
let pdfjs: Promise<PdfJs> | null = null;

/**
 * pdf.js, loaded once, parsing on this thread: its worker module is registered as `globalThis.pdfjsWorker`,
 * which pdf.js uses instead of starting a worker thread (files are small and bounded, see FILE_LIMITS).
 */
function loadPdfJs(): Promise<PdfJs> {
  pdfjs ??= (async () => {
    const g = globalThis as { pdfjsWorker?: unknown };
    g.pdfjsWorker ??= await import(PDFJS_WORKER);
    return import('pdfjs-dist/legacy/build/pdf.mjs');
  })();
  return pdfjs;
}

export interface DecodedImage {
  width: number;
  height: number;
  kind: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** pdf.js image kinds: 1 = 1 bit grey (rows padded to bytes, 1 = white), 2 = RGB, 3 = RGBA. */
export function toRgba(img: DecodedImage): Uint8ClampedArray | null {
  const { width, height, kind, data } = img;
  const n = width * height;
  if (kind === 3) return data.length >= n * 4 ? new Uint8ClampedArray(data.buffer, data.byteOffset, n * 4) : null;
  const out = new Uint8ClampedArray(n * 4);
  if (kind === 2) {
    if (data.length < n * 3) return null;
    for (let p = 0, s = 0, d = 0; p < n; p++, s += 3, d += 4) {
      out[d] = data[s];
      out[d + 1] = data[s + 1];
      out[d + 2] = data[s + 2];
      out[d + 3] = 255;
    }
    return out;
  }
  if (kind === 1) {
    const rowBytes = (width + 7) >> 3;
    if (data.length < rowBytes * height) return null;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const v = data[y * rowBytes + (x >> 3)] & (0x80 >> (x & 7)) ? 255 : 0;
        const d = (y * width + x) * 4;
        out[d] = out[d + 1] = out[d + 2] = v;
        out[d + 3] = 255;
      }
    }
    return out;
  }
  return null;
}

/** The text of a QR code in a decoded image, or null (no code, an unknown pixel format, too large). */
export function readQrCode(img: DecodedImage): string | null {
  if (!img.data || img.width * img.height > FILE_LIMITS.maxImagePixels) return null;
  const rgba = toRgba(img);
  return (rgba && jsQR(rgba, img.width, img.height, { inversionAttempts: 'attemptBoth' })?.data) || null;
}

/**
 * Reads the text and the QR codes of a PDF, page by page, up to FILE_LIMITS.maxPages (more pages is a
 * refusal, not a truncation), after checking what its compressed streams unpack to (checkPdfStreams). Throws {@link FileRefusal} for an unreadable or too long document.
 */
export async function readPdf(bytes: Uint8Array): Promise<PdfContent> {
  checkPdfStreams(bytes);
  const { getDocument, OPS } = await loadPdfJs();
  const task = getDocument({
    data: new Uint8Array(bytes), // pdf.js takes ownership of (and detaches) the buffer it is given
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    maxImageSize: FILE_LIMITS.maxImagePixels,
    stopAtErrors: true,
    verbosity: 0,
  });
  let doc;
  try {
    doc = await task.promise;
  } catch (err) {
    await task.destroy();
    throw new FileRefusal('FILE_UNREADABLE', `The PDF could not be read (${err.name ?? 'error'})`);
  }
  try {
    if (doc.numPages > FILE_LIMITS.maxPages) {
      throw new FileRefusal('FILE_TOO_MANY_PAGES', `An invoice file may have at most ${FILE_LIMITS.maxPages} pages; this one has ${doc.numPages}`);
    }
    const texts: string[] = [];
    const qrPayloads: string[] = [];
    for (let p = 1; p <= doc.numPages; p++) {
      const page = await doc.getPage(p);
      const content = await page.getTextContent();
      texts.push(content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : ' ') : '')).join(''));
      const ops = await page.getOperatorList();
      for (let i = 0; i < ops.fnArray.length; i++) {
        const fn = ops.fnArray[i];
        let img: DecodedImage | null = null;
        if (fn === OPS.paintImageXObject) {
          const name = ops.argsArray[i][0] as string;
          // Images used on several pages live in the document-wide store ('g_…' names).
          const store = name.startsWith('g_') ? page.commonObjs : page.objs;
          img = (await new Promise((resolve) => store.get(name, resolve))) as DecodedImage;
        } else if (fn === OPS.paintInlineImageXObject) {
          img = ops.argsArray[i][0] as DecodedImage;
        }
        const payload = img && readQrCode(img);
        if (payload) qrPayloads.push(payload);
      }
      page.cleanup();
    }
    return { text: texts.join('\n'), qrPayloads };
  } catch (err) {
    if (err instanceof FileRefusal) throw err;
    throw new FileRefusal('FILE_UNREADABLE', `The PDF could not be read (${err.name ?? 'error'})`);
  } finally {
    await doc.destroy();
  }
}

import { inflateSync, constants as zlibConstants } from 'node:zlib';
import { FileRefusal, FILE_LIMITS } from './file-limits.js';

const STREAM = Buffer.from('stream');
const END_STREAM = Buffer.from('endstream');
/** Streams in a real e-invoice: a few dozen (pages, fonts, images, XObjects). */
const MAX_STREAMS = 4096;

/**
 * Refuses a PDF whose compressed streams inflate past FILE_LIMITS.maxUnpackedBytes in total, before
 * pdf.js sees it: pdf.js inflates content streams without a bound, so a 700 KB file could expand to
 * hundreds of MB (a PDF "zip bomb"). Every `stream … endstream` section of the file is inflated with
 * Node's bounded zlib (maxOutputLength) and its output counted; a section that is not zlib data
 * (images in DCT, uncompressed data) costs nothing here and is left to pdf.js. Streams inside object
 * streams do not exist (PDF 32000 7.5.7), so the raw file holds every stream.
 */
export function checkPdfStreams(bytes: Uint8Array): void {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  let budget = FILE_LIMITS.maxUnpackedBytes;
  let count = 0;
  let at = 0;
  for (;;) {
    const start = buf.indexOf(STREAM, at);
    if (start < 0) return;
    // `endstream` also contains `stream`: only a keyword followed by an end of line opens data.
    let dataStart = start + STREAM.length;
    if (buf[start - 3] === 0x65 && buf.subarray(start - 3, start).toString('latin1') === 'end') {
      at = dataStart;
      continue;
    }
    if (buf[dataStart] === 0x0d) dataStart++;
    if (buf[dataStart] !== 0x0a) {
      at = dataStart;
      continue;
    }
    dataStart++;
    const end = buf.indexOf(END_STREAM, dataStart);
    if (end < 0) return;
    if (++count > MAX_STREAMS) throw new FileRefusal('FILE_UNPACKED_TOO_LARGE', `The PDF has more than ${MAX_STREAMS} streams`);
    const data = buf.subarray(dataStart, end);
    if (data.length >= 2 && (data[0] & 0x0f) === 8 && ((data[0] << 8) | data[1]) % 31 === 0) {
      let inflated = 0;
      try {
        inflated = inflateSync(data, { maxOutputLength: budget + 1, finishFlush: zlibConstants.Z_SYNC_FLUSH }).length;
      } catch (err) {
        if (err instanceof RangeError || (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
          throw new FileRefusal('FILE_UNPACKED_TOO_LARGE', `The PDF's streams unpack to more than ${FILE_LIMITS.maxUnpackedBytes} bytes`);
        }
        // Not zlib data after all, or damaged: pdf.js decides whether the file is readable.
      }
      budget -= inflated;
      if (budget < 0) throw new FileRefusal('FILE_UNPACKED_TOO_LARGE', `The PDF's streams unpack to more than ${FILE_LIMITS.maxUnpackedBytes} bytes`);
    }
    at = end + END_STREAM.length;
  }
}

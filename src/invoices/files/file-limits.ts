/**
 * Bounds on an uploaded e-invoice file. A real e-invoice is one page (a few more with a list of goods),
 * 20–200 KB as PDF and 10–50 KB as OFD; the limits leave room for that and refuse everything else before
 * it costs memory. The file size is also what fits, base64-encoded, in the default 1 MiB JSON body.
 */
export const FILE_LIMITS = {
  /** Bytes of the file itself (base64 of 768,000 bytes is 1,024,000 characters). */
  maxFileBytes: 768_000,
  /** PDF pages read; a longer document is refused. */
  maxPages: 5,
  /** Pixels of one image pdf.js decodes (and we scan for a QR code). */
  maxImagePixels: 4_000_000,
  /** Entries of an OFD zip. */
  maxZipEntries: 256,
  /**
   * Unpacked bytes: of all entries of an OFD zip together (declared sizes, checked before anything is
   * unpacked), and of all compressed streams of a PDF together (counted by a bounded inflate).
   */
  maxUnpackedBytes: 8 * 1024 * 1024,
  /** Bytes of one XML document read (an OFD part, or the tax system's XML file). */
  maxXmlBytes: 2 * 1024 * 1024,
} as const;

/** Reason codes of a refused file (see README, "Registering an e-invoice file"). */
export type FileRefusalCode =
  | 'FILE_TOO_LARGE'
  | 'FILE_UNPACKED_TOO_LARGE'
  | 'FILE_TOO_MANY_PAGES'
  | 'FILE_TYPE_UNSUPPORTED'
  | 'FILE_UNREADABLE'
  | 'FILE_NOT_AN_INVOICE'
  | 'FILE_QR_TEXT_MISMATCH'
  | 'FILE_READ_TIMEOUT';

/**
 * HTTP status of each refusal: too big is 413, a kind we do not read 415, the rest 422 (FILE_READ_TIMEOUT:
 * the file took longer than INVOICE_FILE_TIMEOUT_MS to read on its worker thread, see InvoiceFileReader).
 */
export const FILE_REFUSAL_STATUS: Record<FileRefusalCode, number> = {
  FILE_TOO_LARGE: 413,
  FILE_UNPACKED_TOO_LARGE: 413,
  FILE_TOO_MANY_PAGES: 422,
  FILE_TYPE_UNSUPPORTED: 415,
  FILE_UNREADABLE: 422,
  FILE_NOT_AN_INVOICE: 422,
  FILE_QR_TEXT_MISMATCH: 422,
  FILE_READ_TIMEOUT: 422,
};

/** Thrown inside the file readers; turned into a result by parseInvoiceFile. */
export class FileRefusal extends Error {
  constructor(
    readonly code: FileRefusalCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'FileRefusal';
  }
}

/**
 * The piscina task of InvoiceFileReader: reads one uploaded e-invoice file on a worker thread, so a large
 * or hostile file costs that thread, never the API's event loop. Loaded by piscina from the compiled
 * dist/src/invoices/files/invoice-file.worker.js (see invoiceFileWorkerPath). Answers a plain result
 * (structured-cloned back); parseInvoiceFile never throws for any input bytes.
 */
import { parseInvoiceFile, type InvoiceFileResult } from './invoice-file.js';

export default function readInvoiceFileTask(bytes: Uint8Array): Promise<InvoiceFileResult> {
  return parseInvoiceFile(bytes);
}

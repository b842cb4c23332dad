import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { APP_CONFIG } from '../../core/config/config.module.js';
import type { AppConfig } from '../../core/config/config.schema.js';
import { DomainError } from '../../core/errors/domain-error.js';
import type { InvoiceFileResult } from './invoice-file.js';

const WORKER_FILE = 'invoice-file.worker.js';

/**
 * The compiled worker script: next to this module in dist (production), else under the working directory's
 * dist (this module run from src by ts-jest: worker threads run plain Node, so they load what `npm run
 * build` compiled; `npm test` builds first).
 */
export function invoiceFileWorkerPath(): string {
  const candidates = [fileURLToPath(new URL(`./${WORKER_FILE}`, import.meta.url)), resolve('dist/src/invoices/files', WORKER_FILE)];
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error(`The e-invoice file worker is not built (looked for ${candidates.join(', ')}): run npm run build`);
  return found;
}

const isAbort = (error: unknown) => (error as { name?: string } | null)?.name === 'AbortError';

/**
 * Reads uploaded e-invoice files (parseInvoiceFile: PDF through pdf.js and jsQR, OFD, XML) on a piscina pool
 * of worker threads, off the API's event loop. Bounded three ways:
 * - threads: INVOICE_FILE_THREADS files are read at once; up to INVOICE_FILE_QUEUE more wait their turn
 *   (here, not in piscina, so waiting is not counted as reading); one more is 503 SERVICE_UNAVAILABLE.
 * - time: a file still being read INVOICE_FILE_TIMEOUT_MS after it was handed to the pool (when a thread is
 *   free for it; a thread being started, after a timeout or an idle spell, counts) is refused with
 *   FILE_READ_TIMEOUT (422), and piscina terminates that thread (a spinning parse cannot be interrupted
 *   otherwise) and starts a fresh one.
 * - memory: each thread has its own heap limit; a file that exhausts it ends only its thread (FILE_UNREADABLE).
 * The size, page and unpacking limits of FILE_LIMITS apply inside the thread as before.
 * The pool starts on the first file, so processes that never read one (the worker) start no threads.
 * Reading is pure: calling it again with the same bytes gives the same result.
 */
@Injectable()
export class InvoiceFileReader implements OnModuleDestroy {
  private readonly logger = new Logger('InvoiceFileReader');
  private pool: Piscina | null = null;
  private reading = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async read(bytes: Uint8Array): Promise<InvoiceFileResult> {
    await this.takeThread();
    try {
      return await this.pooled().run(bytes, { signal: AbortSignal.timeout(this.config.INVOICE_FILE_TIMEOUT_MS) });
    } catch (error) {
      if (isAbort(error))
        return {
          ok: false,
          code: 'FILE_READ_TIMEOUT',
          message: `The file could not be read within ${this.config.INVOICE_FILE_TIMEOUT_MS} ms; scan the invoice's QR code instead`,
        };
      // The thread died under the file (its heap limit, a crash): that file is unreadable, the pool goes on.
      this.logger.warn(`An invoice file ended its reading thread: ${(error as Error).message}`);
      return { ok: false, code: 'FILE_UNREADABLE', message: 'The file could not be read' };
    } finally {
      this.releaseThread();
    }
  }

  /** Threads of the pool now, and files being read / waiting (for tests and diagnostics). */
  stats(): { threadIds: number[]; reading: number; waiting: number } {
    return { threadIds: this.pool?.threads.map((t) => t.threadId) ?? [], reading: this.reading, waiting: this.waiting.length };
  }

  async onModuleDestroy(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.destroy();
  }

  private pooled(): Piscina {
    this.pool ??= new Piscina({
      filename: invoiceFileWorkerPath(),
      minThreads: 1,
      maxThreads: this.config.INVOICE_FILE_THREADS,
      idleTimeout: 60_000,
      // At most INVOICE_FILE_THREADS tasks are ever handed over (takeThread), so piscina never queues.
      maxQueue: this.config.INVOICE_FILE_THREADS,
      resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32 },
    });
    return this.pool;
  }

  private async takeThread(): Promise<void> {
    if (this.reading < this.config.INVOICE_FILE_THREADS) {
      this.reading++;
      return;
    }
    if (this.waiting.length >= this.config.INVOICE_FILE_QUEUE)
      throw DomainError.unavailable('SERVICE_UNAVAILABLE', 'Too many invoice files are being read right now; try again shortly');
    // The slot is handed over by releaseThread, `reading` unchanged.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private releaseThread(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.reading--;
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, Repository } from 'typeorm';
import { Clock } from '../core/clock/clock.js';
import { feedRows } from '../core/metrics/metrics.js';
import { JOBS, type RecheckAfterImportPayload, type RevokeInvoicesPayload } from '../core/queue/job-contracts.js';
import { QueueName } from '../core/queue/queue-names.js';
import { QueueService } from '../core/queue/queue.service.js';
import type { VoidKind } from './dto/registry.dto.js';
import { RegistryImporter, type ImportCounts, type ImportOptions } from './registry-importer.js';
import { RegistryInvoice } from './registry-invoice.entity.js';

export interface ImportSummary extends ImportCounts {
  importId: string;
}

/** Who sent an import: the tax system's feed, a staff member in the console, or the CLI. */
export type ImportSource = 'feed' | 'console' | 'cli';

export interface ImportRequestOptions extends ImportOptions {
  source?: ImportSource;
  /** staff:<id>:<username> for console uploads. */
  actor?: string;
}

/** One row of the import log (registry_imports). */
export interface ImportLogEntry {
  id: string;
  source: ImportSource;
  actor: string | null;
  startedAt: string;
  finishedAt: string;
  complete: boolean;
  lines: number;
  accepted: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

export interface InvoiceIdentity {
  invoiceCode: string;
  invoiceNumber: string;
}

export interface VoidRequestItem extends InvoiceIdentity {
  kind: VoidKind;
}

export interface VoidResult {
  /** Records that gained the flag with this call. */
  updated: number;
  /** Records that already carried it. */
  unchanged: number;
  /** Identities without a registry record, each once, in request order. */
  notFound: InvoiceIdentity[];
}

/**
 * Job names on the `registry` queue, declared with their payloads in core/queue/job-contracts.ts (the
 * processors live with invoice registration): `recheck-pending` re-matches pending registrations after an
 * import; `revoke-invoices` revokes the verified registrations of voided or red-flushed invoices.
 */
export const RegistryJob = JOBS.registry;

/** The payload of `recheck-pending` after an import (job-contracts.ts). */
export type RecheckPendingJob = RecheckAfterImportPayload;

/** The payload of `revoke-invoices`: existing records that carry the flag now (also those that already did: the job is idempotent). */
export type RevokeInvoicesJob = RevokeInvoicesPayload;

const VOID_CHUNK = 1000;

/** The tax bureau's issued-invoice records: the feed import, voiding, and look-ups for registration. */
@Injectable()
export class RegistryService {
  private readonly logger = new Logger('RegistryService');

  constructor(
    @InjectRepository(RegistryInvoice) private readonly records: Repository<RegistryInvoice>,
    private readonly importer: RegistryImporter,
    private readonly dataSource: DataSource,
    private readonly queues: QueueService,
    private readonly clock: Clock,
  ) {}

  /** The registry record of an invoice, or null. `invoiceCode` is '' for fully digital invoices. */
  async findByIdentity(invoiceCode: string, invoiceNumber: string): Promise<RegistryInvoice | null> {
    return this.records.findOneBy({ invoiceCode, invoiceNumber });
  }

  /**
   * Imports an NDJSON feed (see RegistryImporter), then asks the invoice side to re-check registrations.
   * The recheck job is enqueued after every import, also one that changed nothing (so a feed that re-sends
   * after a failed enqueue still triggers it) and, best effort, after one that failed half-way.
   */
  async importNdjson(source: AsyncIterable<Buffer | string>, options: ImportRequestOptions = {}): Promise<ImportSummary> {
    const importId = randomUUID();
    const startedAt = this.clock.now();
    let counts: ImportCounts | null = null;
    let seen: Readonly<ImportCounts> | null = null;
    const onProgress = (bytes: number, sofar: Readonly<ImportCounts>) => {
      seen = sofar;
      options.onProgress?.(bytes, sofar);
    };
    try {
      counts = await this.importer.import(source, { ...options, onProgress });
    } catch (error) {
      await this.logImport(importId, options, startedAt, seen, false);
      await this.enqueueRecheck({ importId, startedAt: startedAt.toISOString(), finishedAt: this.clock.now().toISOString(), accepted: 0, updated: 0, complete: false }).catch(
        (e: Error) => this.logger.warn(`Could not enqueue the recheck after failed import ${importId}: ${e.message}`),
      );
      throw error;
    }
    await this.enqueueRecheck({
      importId,
      startedAt: startedAt.toISOString(),
      finishedAt: this.clock.now().toISOString(),
      accepted: counts.accepted,
      updated: counts.updated,
      complete: true,
    });
    feedRows.inc({ outcome: 'accepted' }, counts.accepted);
    feedRows.inc({ outcome: 'updated' }, counts.updated);
    feedRows.inc({ outcome: 'unchanged' }, counts.unchanged);
    feedRows.inc({ outcome: 'rejected' }, counts.rejectedCount);
    await this.logImport(importId, options, startedAt, counts, true);
    this.logger.log(
      `Import ${importId}: ${counts.accepted} accepted, ${counts.updated} updated, ${counts.unchanged} unchanged, ${counts.rejectedCount} rejected`,
    );
    return { importId, ...counts };
  }

  /** Writes the import log row; best effort (the import itself is done and must not fail for its log). Idempotent by import id. */
  private async logImport(importId: string, options: ImportRequestOptions, startedAt: Date, counts: Readonly<ImportCounts> | null, complete: boolean): Promise<void> {
    const c = counts ?? { lines: 0, accepted: 0, updated: 0, unchanged: 0, rejectedCount: 0 };
    await this.dataSource
      .query(
        `INSERT IGNORE INTO registry_imports (id, source, actor, started_at, finished_at, complete, line_count, accepted, updated, unchanged, rejected)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [importId, options.source ?? 'feed', options.actor ?? null, startedAt, this.clock.now(), complete ? 1 : 0, c.lines, c.accepted, c.updated, c.unchanged, c.rejectedCount],
      )
      .catch((e: Error) => this.logger.warn(`Could not log import ${importId}: ${e.message}`));
  }

  /** The latest imports, newest first (by the primary key order of finished_at). Read-only. */
  async recentImports(limit: number): Promise<ImportLogEntry[]> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT id, source, actor, started_at, finished_at, complete, line_count, accepted, updated, unchanged, rejected
         FROM registry_imports ORDER BY finished_at DESC LIMIT ?`,
      [limit],
    );
    return rows.map((r) => ({
      id: String(r.id),
      source: r.source as ImportSource,
      actor: (r.actor as string | null) ?? null,
      startedAt: new Date(r.started_at as string).toISOString(),
      finishedAt: new Date(r.finished_at as string).toISOString(),
      complete: Number(r.complete) === 1,
      lines: Number(r.line_count),
      accepted: Number(r.accepted),
      updated: Number(r.updated),
      unchanged: Number(r.unchanged),
      rejected: Number(r.rejected),
    }));
  }

  /** The one place the recheck is requested; one job per import. */
  private async enqueueRecheck(job: RecheckPendingJob): Promise<void> {
    await this.queues.add(QueueName.registry, RegistryJob.recheckPending, job, { jobId: `recheck-after-import-${job.importId}` });
  }

  /**
   * Adds the 'voided' or 'red' flag to existing records and asks the invoice side to revoke verified
   * registrations of them. Idempotent: a repeated call changes nothing (updated 0) and enqueues the
   * revocation again, which is itself idempotent.
   */
  async voidInvoices(items: readonly VoidRequestItem[]): Promise<VoidResult> {
    // Each (identity, kind) once; the same identity may come with both kinds.
    const byKind = new Map<VoidKind, Map<string, InvoiceIdentity>>();
    const order = new Map<string, InvoiceIdentity>();
    for (const { invoiceCode, invoiceNumber, kind } of items) {
      const key = `${invoiceCode}-${invoiceNumber}`;
      if (!order.has(key)) order.set(key, { invoiceCode, invoiceNumber });
      let ofKind = byKind.get(kind);
      if (!ofKind) byKind.set(kind, (ofKind = new Map()));
      ofKind.set(key, { invoiceCode, invoiceNumber });
    }

    const found = new Set<string>();
    const flagged: VoidRequestItem[] = [];
    let updated = 0;
    const now = this.clock.now();
    for (const [kind, identities] of byKind) {
      const list = [...identities.values()];
      for (let i = 0; i < list.length; i += VOID_CHUNK) {
        const chunk = list.slice(i, i + VOID_CHUNK);
        const rows = (await this.dataSource.query(
          `SELECT id, invoice_code AS invoiceCode, invoice_number AS invoiceNumber FROM registry_invoices
           WHERE (invoice_code, invoice_number) IN (${chunk.map(() => '(?,?)').join(',')})`,
          chunk.flatMap((c) => [c.invoiceCode, c.invoiceNumber]),
        )) as { id: string; invoiceCode: string; invoiceNumber: string }[];
        if (rows.length === 0) continue;
        for (const row of rows) {
          found.add(`${row.invoiceCode}-${row.invoiceNumber}`);
          flagged.push({ invoiceCode: row.invoiceCode, invoiceNumber: row.invoiceNumber, kind });
        }
        const result = (await this.dataSource.query(
          `UPDATE registry_invoices SET flags = CONCAT_WS(',', NULLIF(flags, ''), ?), updated_at = ?
           WHERE id IN (${rows.map(() => '?').join(',')}) AND NOT FIND_IN_SET(?, flags)`,
          [kind, now, ...rows.map((r) => r.id), kind],
        )) as { affectedRows: number };
        updated += result.affectedRows;
      }
    }

    if (flagged.length > 0) {
      const job: RevokeInvoicesJob = { invoices: flagged };
      await this.queues.add(QueueName.registry, RegistryJob.revokeInvoices, job, { jobId: `revoke-invoices-${randomUUID()}` });
    }
    const notFound = [...order].filter(([key]) => !found.has(key)).map(([, identity]) => identity);
    return { updated, unchanged: flagged.length - updated, notFound };
  }
}

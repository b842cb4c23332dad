import { Injectable } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import { Clock } from '../core/clock/clock.js';
import { PiiProtector } from '../core/crypto/pii.js';
import { DomainError } from '../core/errors/domain-error.js';
import { parseRegistryLine, type RecordField, type RegistryRecord } from './domain/registry-record.js';
import { NdjsonLineSplitter } from './ndjson-lines.js';

/** Why a line of an import was not imported. */
export type RejectedLineCode = 'MALFORMED_JSON' | 'MISSING_FIELD' | 'INVALID_FIELD' | 'LINE_TOO_LONG';

export interface RejectedLine {
  /** 1-based physical line number in the body (blank lines count). */
  line: number;
  code: RejectedLineCode;
  field?: RecordField;
  message: string;
}

/**
 * The outcome of one import. Every non-blank line is counted exactly once:
 * lines - blank lines = accepted + updated + unchanged + rejectedCount.
 */
export interface ImportCounts {
  /** Physical lines read, blank ones included. */
  lines: number;
  /** Records that did not exist and were inserted. */
  accepted: number;
  /** Lines that changed an existing record (also one inserted earlier in the same body: the last line wins). */
  updated: number;
  /** Lines identical to the stored record (re-sent): nothing written. */
  unchanged: number;
  rejectedCount: number;
  /** The first MAX_REPORTED_REJECTIONS rejected lines, in line order. */
  rejected: RejectedLine[];
}

export interface ImportOptions {
  /** Rows per INSERT statement (default DEFAULT_BATCH_ROWS). */
  batchRows?: number;
  /** Called after each chunk with the bytes read so far and the counts of the lines read so far (for progress bars). */
  onProgress?: (bytesRead: number, counts: Readonly<ImportCounts>) => void;
}

export const MAX_LINE_BYTES = 64 * 1024;
export const MAX_BODY_BYTES = 2 * 1024 * 1024 * 1024;
export const MAX_REPORTED_REJECTIONS = 1000;
export const DEFAULT_BATCH_ROWS = 2000;

const COLUMNS = [
  'invoice_type', 'invoice_code', 'invoice_number', 'issue_date', 'amount_cents', 'tax_cents', 'total_cents', 'check_code',
  'seller_tax_id', 'seller_name', 'buyer_type', 'buyer_name', 'buyer_id_hash', 'flags', 'imported_at', 'updated_at',
] as const;
/** The columns that carry the feed's data (identity excluded): a difference in one of them is a change. */
const DATA_COLUMNS = ['invoice_type', 'issue_date', 'amount_cents', 'tax_cents', 'total_cents', 'check_code', 'seller_tax_id', 'seller_name', 'buyer_type', 'buyer_name', 'buyer_id_hash', 'flags'];
const STRING_COLUMNS = new Set(['invoice_type', 'check_code', 'seller_tax_id', 'seller_name', 'buyer_name', 'buyer_id_hash']);
const PARAMS_PER_ROW = COLUMNS.length;
const ROW_PLACEHOLDERS = `(${COLUMNS.map(() => '?').join(',')})`;

/**
 * ON DUPLICATE KEY UPDATE: the feed is the source of truth, every data column (flags included: a record the
 * feed no longer marks voided is un-voided here; the invoice side is told by the recheck job) is replaced.
 * `updated_at` moves only when something differs; it is assigned FIRST because MySQL evaluates the
 * assignments left to right and later ones would see the new values. Strings compare as bytes (the
 * column collation is case- and trailing-space-insensitive), NULLs with <=>. When nothing differs no
 * column changes, so the server reports the row as unchanged.
 */
const UPSERT_TAIL =
  ` ON DUPLICATE KEY UPDATE updated_at = IF(${DATA_COLUMNS.map((c) =>
    STRING_COLUMNS.has(c) ? `CAST(${c} AS BINARY) <=> CAST(VALUES(${c}) AS BINARY)` : `${c} <=> VALUES(${c})`,
  ).join(' AND ')}, updated_at, VALUES(updated_at)), ` + DATA_COLUMNS.map((c) => `${c} = VALUES(${c})`).join(', ');
const UPSERT_HEAD = `INSERT INTO registry_invoices (${COLUMNS.join(', ')}) VALUES `;

const INFO = /Records:\s*(\d+)\s+Duplicates:\s*(\d+)/;

interface OkPacket {
  affectedRows: number;
  insertId: number;
  info?: string;
}

interface BatchCounts {
  inserted: number;
  changed: number;
  unchanged: number;
}

/**
 * Splits an upsert's result into inserted / changed / unchanged rows. mysql2 connects with CLIENT_FOUND_ROWS,
 * so per row the server counts 1 for an insert, 2 for a changed row and 1 (not 0) for an unchanged one; a
 * multi-row statement also reports "Records: N  Duplicates: D" (D = rows that hit an existing key, changed
 * or not). So inserted = N - D, changed = affected - N, unchanged = D - changed. A single-row statement
 * has no info string: there an insert has a new insertId and an unchanged row insertId 0.
 */
export function countUpsert(rows: number, result: OkPacket): BatchCounts {
  const match = result.info ? INFO.exec(result.info) : null;
  if (match) {
    const records = Number(match[1]);
    const duplicates = Number(match[2]);
    const changed = result.affectedRows - records;
    const counts = { inserted: records - duplicates, changed, unchanged: duplicates - changed };
    if (records !== rows || changed < 0 || counts.unchanged < 0) throw new Error(`Unexpected upsert result: ${result.info}, ${result.affectedRows} affected, ${rows} rows`);
    return counts;
  }
  if (rows !== 1) throw new Error(`Upsert of ${rows} rows without an info string`);
  if (result.affectedRows === 2) return { inserted: 0, changed: 1, unchanged: 0 };
  return result.insertId > 0 ? { inserted: 1, changed: 0, unchanged: 0 } : { inserted: 0, changed: 0, unchanged: 1 };
}

function sqlDateTime(date: Date): string {
  return date.toISOString().slice(0, 23).replace('T', ' ');
}

/**
 * The one implementation of the registry import (HTTP endpoint and CLI): reads an NDJSON byte stream line
 * by line, validates each line with parseRegistryLine, and upserts valid records in multi-row statements
 * on one connection. Memory stays flat: at most one line, one chunk and two batches are held; while a
 * batch is being written the next one is parsed, and reading waits for the write before going on
 * (backpressure), so batches reach the database in file order and the last line of an identity wins.
 *
 * Not atomic: each statement commits on its own, so an import cut off half-way (client gone, database
 * down) keeps the batches written before; sending the file again is safe (upserts are idempotent).
 */
@Injectable()
export class RegistryImporter {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly pii: PiiProtector,
  ) {}

  async import(source: AsyncIterable<Buffer | string>, options: ImportOptions = {}): Promise<ImportCounts> {
    const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
    const counts: ImportCounts = { lines: 0, accepted: 0, updated: 0, unchanged: 0, rejectedCount: 0, rejected: [] };
    const reject = (line: number, code: RejectedLineCode, message: string, field?: RecordField) => {
      counts.rejectedCount++;
      if (counts.rejected.length < MAX_REPORTED_REJECTIONS) {
        const text = message.length > 200 ? `${message.slice(0, 200)}…` : message;
        counts.rejected.push(field === undefined ? { line, code, message: text } : { line, code, field, message: text });
      }
    };

    let batch: RegistryRecord[] = [];
    const splitter = new NdjsonLineSplitter(MAX_LINE_BYTES, {
      line(text, lineNumber) {
        const result = parseRegistryLine(text);
        if (result.ok) batch.push(result.record);
        else reject(lineNumber, result.code, result.message, result.code === 'MALFORMED_JSON' ? undefined : result.field);
      },
      tooLong(lineNumber) {
        reject(lineNumber, 'LINE_TOO_LONG', `the line is longer than ${MAX_LINE_BYTES} bytes`);
      },
    });

    const runner = this.dataSource.createQueryRunner();
    let inFlight: Promise<void> | null = null;
    const write = (records: RegistryRecord[]): Promise<void> => {
      const p = this.upsert(runner, records).then((c) => {
        counts.accepted += c.inserted;
        counts.updated += c.changed;
        counts.unchanged += c.unchanged;
      });
      // Awaited before the next batch or at the end; this only keeps a failure from being "unhandled" meanwhile.
      p.catch(() => undefined);
      return p;
    };
    const flushFullBatches = async () => {
      while (batch.length >= batchRows) {
        const records = batch.length === batchRows ? batch : batch.slice(0, batchRows);
        batch = batch.length === batchRows ? [] : batch.slice(batchRows);
        if (inFlight) await inFlight;
        inFlight = write(records);
      }
    };

    try {
      let bytes = 0;
      // Iterated by hand: a for-await loop left by an exception would destroy the source, and destroying an
      // HTTP request stream resets the socket before the error response can be sent. The caller owns the source.
      const chunks = source[Symbol.asyncIterator]();
      for (;;) {
        const next = await chunks.next();
        if (next.done) break;
        const chunk = next.value;
        const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        bytes += buffer.length;
        if (bytes > MAX_BODY_BYTES) throw new DomainError(413, 'PAYLOAD_TOO_LARGE', `An import may have at most ${MAX_BODY_BYTES} bytes`);
        splitter.push(buffer);
        if (batch.length >= batchRows) await flushFullBatches();
        counts.lines = splitter.lines;
        options.onProgress?.(bytes, counts);
      }
      splitter.end();
      await flushFullBatches();
      if (inFlight) await inFlight;
      inFlight = null;
      if (batch.length > 0) await write(batch);
      batch = [];
      counts.lines = splitter.lines;
      return counts;
    } finally {
      // A failed batch still in flight must settle before the connection goes back to the pool.
      if (inFlight) await (inFlight as Promise<void>).catch(() => undefined);
      await runner.release();
    }
  }

  private async upsert(runner: QueryRunner, records: RegistryRecord[]): Promise<BatchCounts> {
    const now = sqlDateTime(this.clock.now());
    const params: unknown[] = new Array(records.length * PARAMS_PER_ROW);
    let i = 0;
    for (const r of records) {
      params[i++] = r.invoiceType;
      params[i++] = r.invoiceCode;
      params[i++] = r.invoiceNumber;
      params[i++] = r.issueDate;
      params[i++] = r.amountCents;
      params[i++] = r.taxCents;
      params[i++] = r.totalCents;
      params[i++] = r.checkCode;
      params[i++] = r.sellerTaxId;
      params[i++] = r.sellerName;
      params[i++] = r.buyerType;
      params[i++] = r.buyerName;
      // The buyer's ID number never reaches the database: only its keyed hash, as consumers' ID numbers.
      params[i++] = r.buyerIdNumber ? this.pii.lookupHash('identity', r.buyerIdNumber) : null;
      params[i++] = r.flags.join(',');
      params[i++] = now;
      params[i++] = now;
    }
    const result = (await runner.query(this.upsertSql(records.length), params)) as OkPacket;
    return countUpsert(records.length, result);
  }

  private readonly sqlByRows = new Map<number, string>();

  private upsertSql(rows: number): string {
    let sql = this.sqlByRows.get(rows);
    if (!sql) {
      sql = UPSERT_HEAD + new Array<string>(rows).fill(ROW_PLACEHOLDERS).join(',') + UPSERT_TAIL;
      if (this.sqlByRows.size < 8) this.sqlByRows.set(rows, sql);
    }
    return sql;
  }
}

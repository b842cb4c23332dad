import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import DataLoader from 'dataloader';
import { DataSource } from 'typeorm';
import { executePrepared } from '../core/database/prepared-statement.js';
import type { RegistryRecord } from '../registry/domain/registry-record.js';
import type { InvoiceClaim } from './domain/invoice-fields.js';

/** Everything the registration rules need to know from the database about one claim by one consumer. */
export interface RegistrationState {
  identityVerified: boolean;
  realName: string | null;
  alreadyRegistered: boolean;
  registeredToday: number;
  registeredThisMonth: number;
  daySlots: Set<number>;
  monthSlots: Set<number>;
  record: RegistryRecord | null;
}

interface StateKey {
  consumerId: number;
  invoiceCode: string;
  invoiceNumber: string;
  month: string;
}

/**
 * At most this many registrations share one read. Each size is its own prepared statement on each pooled
 * connection, so the bound also bounds the statements the server keeps per connection.
 */
export const MAX_READS_PER_STATEMENT = 16;

/**
 * One registration's read: the consumer, the duplicate check, the registry record and the consumer's
 * registrations of the month (one row each, at least one row). Joins on unique keys and one index range,
 * which MariaDB plans far more cheaply than the same data as correlated subqueries. `k` tells which read
 * of a shared statement a row answers.
 */
const readFor = (k: number) => `(SELECT ${k} AS k, c.identity_verified_at IS NOT NULL AS identity_verified, c.real_name, d.id AS registered_id,
        m.registered_on, m.day_slot, m.month_slot,
        r.invoice_type, r.invoice_code, r.invoice_number, r.issue_date, r.amount_cents, r.tax_cents, r.total_cents,
        r.check_code, r.seller_tax_id, r.seller_name, r.buyer_type, r.buyer_name, r.flags
   FROM consumers c
   LEFT JOIN invoices d ON d.invoice_code = ? AND d.invoice_number = ? AND d.identity_claim = 1
   LEFT JOIN registry_invoices r ON r.invoice_code = ? AND r.invoice_number = ?
   LEFT JOIN invoices m ON m.consumer_id = c.id AND m.registered_month = ?
  WHERE c.id = ?)`;

/** The statement that answers n reads at once (n = 1 is the single read). */
const statements = Array.from({ length: MAX_READS_PER_STATEMENT }, (_, n) =>
  Array.from({ length: n + 1 }, (__, k) => readFor(k)).join('\nUNION ALL\n'),
);

/**
 * Reads the registration state. Registrations that arrive together (in the same turn of the event loop,
 * i.e. while earlier ones wait on the database) share one statement, as the Redis rate-limit calls share
 * one pipeline: under load a round trip to the database is the largest cost of a registration, and this
 * saves most of one per registration without changing what each one reads.
 */
@Injectable()
export class RegistrationStateReader {
  private readonly loader: DataLoader<StateKey, RegistrationStateRow[]>;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.loader = new DataLoader((keys) => this.readTogether(keys), {
      // Never a cached answer: each call reads afresh (a retry after a lost slot must see the new row).
      cache: false,
      maxBatchSize: MAX_READS_PER_STATEMENT,
      // Gather the reads of all requests handled in this turn of the event loop, not only this tick's.
      batchScheduleFn: (run) => setImmediate(run),
    });
  }

  /**
   * The state for `claim` by `consumerId` as of now (`today`, `month` in Asia/Shanghai); null when the
   * consumer does not exist. Read-only; safe to repeat.
   */
  async read(consumerId: number, claim: InvoiceClaim, today: string, month: string): Promise<RegistrationState | null> {
    const rows = await this.loader.load({ consumerId, invoiceCode: claim.invoiceCode, invoiceNumber: claim.invoiceNumber, month });
    return stateOf(rows, today);
  }

  private async readTogether(keys: readonly StateKey[]): Promise<RegistrationStateRow[][]> {
    const values = keys.flatMap((key) => [key.invoiceCode, key.invoiceNumber, key.invoiceCode, key.invoiceNumber, key.month, key.consumerId]);
    const rows = await executePrepared<RegistrationStateRow[]>(this.dataSource, statements[keys.length - 1], values);
    const byKey = keys.map((): RegistrationStateRow[] => []);
    for (const row of rows) byKey[Number(row.k)].push(row);
    return byKey;
  }
}

function stateOf(rows: RegistrationStateRow[], today: string): RegistrationState | null {
  const row = rows[0];
  if (!row) return null;
  const thisMonth = rows.filter((r) => r.registered_on !== null);
  const todays = thisMonth.filter((r) => r.registered_on === today);
  return {
    identityVerified: Number(row.identity_verified) === 1,
    realName: row.real_name,
    alreadyRegistered: row.registered_id !== null,
    registeredToday: todays.length,
    registeredThisMonth: thisMonth.length,
    daySlots: slotsOf(todays.map((r) => r.day_slot)),
    monthSlots: slotsOf(thisMonth.map((r) => r.month_slot)),
    record:
      row.invoice_number === null
        ? null
        : {
            invoiceType: row.invoice_type,
            invoiceCode: row.invoice_code,
            invoiceNumber: row.invoice_number,
            issueDate: row.issue_date,
            amountCents: Number(row.amount_cents),
            taxCents: Number(row.tax_cents),
            totalCents: Number(row.total_cents),
            checkCode: row.check_code,
            sellerTaxId: row.seller_tax_id,
            sellerName: row.seller_name,
            buyerType: row.buyer_type,
            buyerName: row.buyer_name,
            flags: row.flags ? (row.flags.split(',') as RegistryRecord['flags']) : [],
          },
  };
}

interface RegistrationStateRow {
  k: number | string;
  identity_verified: number | string;
  real_name: string | null;
  registered_id: number | string | null;
  registered_on: string | null;
  day_slot: number | null;
  month_slot: number | null;
  invoice_type: string;
  invoice_code: string;
  invoice_number: string | null;
  issue_date: string;
  amount_cents: number | string;
  tax_cents: number | string;
  total_cents: number | string;
  check_code: string | null;
  seller_tax_id: string;
  seller_name: string;
  buyer_type: 'individual' | 'organization';
  buyer_name: string | null;
  flags: string | null;
}

function slotsOf(slots: Array<number | null>): Set<number> {
  return new Set(slots.filter((slot): slot is number => slot !== null));
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import DataLoader from 'dataloader';
import { DataSource } from 'typeorm';
import { executePrepared } from '../core/database/prepared-statement.js';
import type { RegistryRecord } from '../registry/domain/registry-record.js';
import { registryRecordOfRow, type RegistryRecordRow } from '../registry/registry-record-row.js';
import type { InvoiceClaim } from './domain/invoice-fields.js';

/** Everything the registration rules need to know from the database about one claim by one consumer. */
export interface RegistrationState {
  identityVerified: boolean;
  realName: string | null;
  /** Opted in to automatic entry. */
  autoEntry: boolean;
  /** Keyed hash of the consumer's verified ID number; null unless verified. */
  idNumberHash: string | null;
  alreadyRegistered: boolean;
  /** The registration holding the invoice (not rejected) and its consumer, or null. */
  holder: { id: number; consumerId: number } | null;
  registeredToday: number;
  registeredThisMonth: number;
  daySlots: Set<number>;
  monthSlots: Set<number>;
  /** The consumer's registrations in the campaign and the campaign slots they hold (both 0/empty unless `limited`). */
  registeredInCampaign: number;
  campaignSlots: Set<number>;
  record: RegistryRecord | null;
  /** The invoice's period's draw, when scheduled (the draws table, read-only here); null before it is. */
  draw: PeriodDraw | null;
}

/** What registration needs of the draw of the invoice's period. */
export interface PeriodDraw {
  /** Still `scheduled` and not closed by a freeze that has started. */
  open: boolean;
  freezeAt: Date;
}

/**
 * The invoice's period, by its campaign and period key; empty outside any. `gatePool` names the draw of the
 * period whose row says whether the period is open (the first periodic pool: every freeze of a period closes
 * all of the period's draws, see DrawLifecycleService.freezeDraw); `limited` reads the consumer's registrations
 * in the campaign (intake.campaignLimit).
 */
export interface PeriodKey {
  campaignId: string;
  periodKey: string;
  gatePool: string;
  limited: boolean;
}

interface StateKey {
  consumerId: number;
  invoiceCode: string;
  invoiceNumber: string;
  month: string;
  campaignId: string;
  periodKey: string;
  gatePool: string;
  limited: boolean;
}

/** At most this many registrations share one read (a bound on the size of one statement and its answer). */
export const MAX_READS_PER_STATEMENT = 16;

/**
 * The registration reads of a batch, in one SELECT: the keys arrive as one JSON array (`[k, consumer id,
 * invoice code, invoice number, month]` each) turned into rows by JSON_TABLE, and each key row is joined to
 * the consumer, the duplicate check, the registry record, the draw of the invoice's period and the
 * consumer's registrations of the month (one row each, at least one row per existing consumer; `k` tells
 * which read a row answers). Unique keys and one
 * index range. One SELECT over a table of keys costs MariaDB about half of what as many separate SELECTs
 * (UNION ALL) do: each SELECT block is planned again on every execution, even prepared. The key columns
 * carry the tables' collation, so the comparisons use their unique keys (MySQL 8 would otherwise compare
 * JSON strings as utf8mb4_bin).
 */
export const READ_STATEMENT = `SELECT q.k, c.identity_verified_at IS NOT NULL AS identity_verified, c.real_name, c.id_number_hash, c.auto_entry, d.id AS registered_id, d.consumer_id AS registered_by,
       m.registered_on, m.day_slot, m.month_slot,
       r.invoice_type, r.invoice_code, r.invoice_number, r.issue_date, r.amount_cents, r.tax_cents, r.total_cents,
       r.check_code, r.seller_tax_id, r.seller_name, r.buyer_type, r.buyer_name, r.buyer_id_hash, r.flags,
       w.status = 'scheduled' AND w.entries_closed_at IS NULL AS draw_open, w.freeze_at AS draw_freeze_at,
       (SELECT CONCAT(COUNT(*), ':', COALESCE(GROUP_CONCAT(s.campaign_slot), '')) FROM invoices s
         WHERE q.campaign_limited = 1 AND s.consumer_id = c.id AND s.campaign_id = q.campaign_id) AS campaign_slots
  FROM JSON_TABLE(?, '$[*]' COLUMNS (
         k INT PATH '$[0]',
         consumer_id BIGINT UNSIGNED PATH '$[1]',
         invoice_code VARCHAR(12) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci PATH '$[2]',
         invoice_number VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci PATH '$[3]',
         registered_month CHAR(7) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci PATH '$[4]',
         campaign_id VARCHAR(64) CHARACTER SET ascii PATH '$[5]',
         period_key VARCHAR(16) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci PATH '$[6]',
         pool_id VARCHAR(32) CHARACTER SET ascii PATH '$[7]',
         campaign_limited INT PATH '$[8]')) q
  JOIN consumers c ON c.id = q.consumer_id
  LEFT JOIN invoices d ON d.invoice_code = q.invoice_code AND d.invoice_number = q.invoice_number AND d.identity_claim = 1
  LEFT JOIN registry_invoices r ON r.invoice_code = q.invoice_code AND r.invoice_number = q.invoice_number
  LEFT JOIN draws w ON w.campaign_id = q.campaign_id AND w.period_key = q.period_key AND w.pool_id = q.pool_id
  LEFT JOIN invoices m ON m.consumer_id = c.id AND m.registered_month = q.registered_month`;

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
  async read(consumerId: number, claim: InvoiceClaim, today: string, month: string, period: PeriodKey): Promise<RegistrationState | null> {
    const rows = await this.loader.load({ consumerId, invoiceCode: claim.invoiceCode, invoiceNumber: claim.invoiceNumber, month, ...period });
    return stateOf(rows, today);
  }

  private async readTogether(keys: readonly StateKey[]): Promise<RegistrationStateRow[][]> {
    const table = JSON.stringify(
      keys.map((key, k) => [k, key.consumerId, key.invoiceCode, key.invoiceNumber, key.month, key.campaignId, key.periodKey, key.gatePool, key.limited ? 1 : 0]),
    );
    const rows = await executePrepared<RegistrationStateRow[]>(this.dataSource, READ_STATEMENT, [table]);
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
  const [inCampaign, campaignSlots] = (row.campaign_slots ?? '0:').split(':');
  return {
    identityVerified: Number(row.identity_verified) === 1,
    realName: row.real_name,
    idNumberHash: Number(row.identity_verified) === 1 ? row.id_number_hash : null,
    autoEntry: Number(row.auto_entry) === 1,
    alreadyRegistered: row.registered_id !== null,
    holder: row.registered_id === null ? null : { id: Number(row.registered_id), consumerId: Number(row.registered_by) },
    registeredToday: todays.length,
    registeredThisMonth: thisMonth.length,
    daySlots: slotsOf(todays.map((r) => r.day_slot)),
    monthSlots: slotsOf(thisMonth.map((r) => r.month_slot)),
    registeredInCampaign: Number(inCampaign),
    campaignSlots: slotsOf(campaignSlots === '' ? [] : campaignSlots.split(',').map(Number)),
    record: row.invoice_number === null ? null : registryRecordOfRow({ ...row, invoice_number: row.invoice_number }),
    draw: row.draw_freeze_at === null ? null : { open: Number(row.draw_open) === 1, freezeAt: new Date(row.draw_freeze_at) },
  };
}

/** One row of READ_STATEMENT: the consumer, their registrations this month, and the registry record if any (LEFT JOIN). */
interface RegistrationStateRow extends Omit<RegistryRecordRow, 'invoice_number'> {
  k: number | string;
  identity_verified: number | string;
  real_name: string | null;
  id_number_hash: string | null;
  auto_entry: number | string;
  registered_id: number | string | null;
  registered_by: number | string | null;
  registered_on: string | null;
  day_slot: number | null;
  month_slot: number | null;
  /** null when the registry has no record of the claimed invoice. */
  invoice_number: string | null;
  draw_open: number | string | null;
  draw_freeze_at: Date | string | null;
  campaign_slots: string | null;
}

function slotsOf(slots: Array<number | null>): Set<number> {
  return new Set(slots.filter((slot): slot is number => slot !== null));
}

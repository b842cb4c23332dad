import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { BudgetReturn, InstantCommitment, InstantDayRules } from '../draws/algorithm/index.js';
import type { InstantDayStatus } from './instant-day-state-machine.js';

/** An instant day's row as the lifecycle and the draws read it. */
export interface InstantDayRow {
  id: string;
  campaignId: string;
  day: string;
  opensAt: Date;
  closesAt: Date;
  status: InstantDayStatus;
  secretHash: string;
  commitment: InstantCommitment;
  entryCount: number;
  budgetsLeft: Record<string, number[]>;
  committedAt: Date;
  publishedAt: Date | null;
  secret: string | null;
  logDigest: string | null;
}

/** One line of a day's log as stored, with who it belongs to (never published: the log has position, ref, band, outcome only). */
export interface InstantEntryRow {
  dayId: string;
  position: number;
  invoiceId: number;
  consumerId: number;
  ref: string;
  band: string;
  drawnTier: number;
  outcome: number;
  prizeCents: number;
  createdAt: Date;
}

const DAY_COLUMNS = `id, campaign_id, DATE_FORMAT(day, '%Y-%m-%d') AS day, opens_at, closes_at, status, secret_hash, commitment, entry_count,
  budgets_left, committed_at, published_at, secret, log_digest`;

function toDay(r: Record<string, any>): InstantDayRow {
  return {
    id: r.id,
    campaignId: r.campaign_id,
    day: r.day,
    opensAt: new Date(r.opens_at),
    closesAt: new Date(r.closes_at),
    status: r.status,
    secretHash: r.secret_hash,
    commitment: JSON.parse(r.commitment),
    entryCount: Number(r.entry_count),
    budgetsLeft: typeof r.budgets_left === 'string' ? JSON.parse(r.budgets_left) : r.budgets_left,
    committedAt: new Date(r.committed_at),
    publishedAt: r.published_at ? new Date(r.published_at) : null,
    secret: r.secret ?? null,
    logDigest: r.log_digest ?? null,
  };
}

function toEntry(r: Record<string, any>): InstantEntryRow {
  return {
    dayId: r.day_id,
    position: Number(r.position),
    invoiceId: Number(r.invoice_id),
    consumerId: Number(r.consumer_id),
    ref: r.ref,
    band: r.band,
    drawnTier: Number(r.drawn_tier),
    outcome: Number(r.outcome),
    prizeCents: Number(r.prize_cents),
    createdAt: new Date(r.created_at),
  };
}

/** The rules a commitment fixed. */
export const rulesOf = (c: InstantCommitment): InstantDayRules => ({ dayId: c.dayId, bands: c.bands, returns: c.returns });

/**
 * SQL over the instant module's tables (`instant_days`, `instant_entries`, `instant_budget_returns`), one
 * method per use case. The module's services are the only writers; other modules read through
 * InstantReadRepository.
 */
@Injectable()
export class InstantDaysRepository {
  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

  async day(dayId: string, em: EntityManager = this.dataSource.manager, lock = false): Promise<InstantDayRow | null> {
    const [row] = await em.query(`SELECT ${DAY_COLUMNS} FROM instant_days WHERE id = ?${lock ? ' FOR UPDATE' : ''}`, [dayId]);
    return row ? toDay(row) : null;
  }

  /** The dates of a campaign's days that have a row (committed or later), among `dates`. */
  async committedDates(campaignId: string, dates: string[]): Promise<Set<string>> {
    if (dates.length === 0) return new Set();
    const rows: Array<{ day: string }> = await this.dataSource.query(
      `SELECT DATE_FORMAT(day, '%Y-%m-%d') AS day FROM instant_days WHERE campaign_id = ? AND day IN (${dates.map(() => '?').join(',')})`,
      [campaignId, ...dates],
    );
    return new Set(rows.map((r) => r.day));
  }

  /** Ids of the days not yet published, oldest first. */
  async unpublishedDayIds(): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(`SELECT id FROM instant_days WHERE status <> 'published' ORDER BY day, id`);
    return rows.map((r) => r.id);
  }

  /** Open or committed days whose [opens_at, closes_at) contains `at` (the sweep of lost requests). */
  async acceptingDays(at: Date): Promise<InstantDayRow[]> {
    const rows = await this.dataSource.query(`SELECT ${DAY_COLUMNS} FROM instant_days WHERE status IN ('committed','open') AND opens_at <= ? AND closes_at > ?`, [at, at]);
    return rows.map(toDay);
  }

  /** Which of the (day, position) pairs have been returned to some day's budget already. */
  async returnedPositions(em: EntityManager, dayIds: string[]): Promise<Set<string>> {
    if (dayIds.length === 0) return new Set();
    const rows: Array<{ from_day_id: string; position: number }> = await em.query(
      `SELECT from_day_id, position FROM instant_budget_returns WHERE from_day_id IN (${dayIds.map(() => '?').join(',')}) FOR UPDATE`,
      dayIds,
    );
    return new Set(rows.map((r) => `${r.from_day_id}#${Number(r.position)}`));
  }

  /** The band of each (day, position) asked for (from the day logs). */
  async bandsOf(em: EntityManager, keys: Array<{ dayId: string; position: number }>): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (keys.length === 0) return out;
    const rows: Array<{ day_id: string; position: number; band: string }> = await em.query(
      `SELECT day_id, position, band FROM instant_entries WHERE ${keys.map(() => '(day_id = ? AND position = ?)').join(' OR ')}`,
      keys.flatMap((k) => [k.dayId, k.position]),
    );
    for (const r of rows) out.set(`${r.day_id}#${Number(r.position)}`, r.band);
    return out;
  }

  async insertDay(
    em: EntityManager,
    d: { id: string; campaignId: string; day: string; opensAt: Date; closesAt: Date; commitment: InstantCommitment; budgetsLeft: Record<string, number[]>; now: Date },
  ): Promise<void> {
    await em.query(
      `INSERT INTO instant_days (id, campaign_id, day, opens_at, closes_at, status, secret_hash, commitment, entry_count, budgets_left, committed_at)
       VALUES (?, ?, ?, ?, ?, 'committed', ?, ?, 0, ?, ?)`,
      [d.id, d.campaignId, d.day, d.opensAt, d.closesAt, d.commitment.secretHash, JSON.stringify(d.commitment), JSON.stringify(d.budgetsLeft), d.now],
    );
  }

  async insertReturns(em: EntityManager, toDayId: string, returns: Array<BudgetReturn & { prizeId: number }>): Promise<void> {
    for (const r of returns) {
      await em.query(`INSERT INTO instant_budget_returns (from_day_id, position, to_day_id, ref, band, tier, prize_id) VALUES (?, ?, ?, ?, ?, ?, ?)`, [
        r.dayId,
        r.position,
        toDayId,
        r.ref,
        r.band,
        r.tier,
        r.prizeId,
      ]);
    }
  }

  /** Moves a day to `to` from `from` (a conditional UPDATE: true when this call moved it), stamping the step's time. */
  async transition(em: EntityManager, dayId: string, from: InstantDayStatus, to: InstantDayStatus, now: Date): Promise<boolean> {
    const column = { open: 'opened_at', closed: 'closed_at', published: 'published_at', committed: 'committed_at' }[to];
    const result: { affectedRows?: number } = await em.query(`UPDATE instant_days SET status = ?, ${column} = ? WHERE id = ? AND status = ?`, [to, now, dayId, from]);
    return Number(result.affectedRows ?? 0) === 1;
  }

  async markPublished(em: EntityManager, dayId: string, secret: string, logDigest: string, now: Date): Promise<boolean> {
    const result: { affectedRows?: number } = await em.query(
      `UPDATE instant_days SET status = 'published', published_at = ?, secret = ?, log_digest = ? WHERE id = ? AND status = 'closed'`,
      [now, secret, logDigest, dayId],
    );
    return Number(result.affectedRows ?? 0) === 1;
  }

  /** The lines of these registrations, by registration id (one query). */
  async entriesOfInvoices(invoiceIds: number[]): Promise<Map<number, InstantEntryRow>> {
    const out = new Map<number, InstantEntryRow>();
    if (invoiceIds.length === 0) return out;
    const rows = await this.dataSource.query(`SELECT * FROM instant_entries WHERE invoice_id IN (${invoiceIds.map(() => '?').join(',')})`, invoiceIds);
    for (const r of rows) out.set(Number(r.invoice_id), toEntry(r));
    return out;
  }

  async entryOfInvoice(invoiceId: number, em: EntityManager = this.dataSource.manager): Promise<InstantEntryRow | null> {
    const [row] = await em.query(`SELECT * FROM instant_entries WHERE invoice_id = ?`, [invoiceId]);
    return row ? toEntry(row) : null;
  }

  async refInDay(em: EntityManager, dayId: string, ref: string): Promise<boolean> {
    const rows = await em.query(`SELECT 1 FROM instant_entries WHERE day_id = ? AND ref = ?`, [dayId, ref]);
    return rows.length > 0;
  }

  /** Which of these registrations or refs already have a line in the day (under the day's lock). */
  async existingInDay(em: EntityManager, dayId: string, invoiceIds: number[], refs: string[]): Promise<InstantEntryRow[]> {
    const rows = await em.query(
      `SELECT * FROM instant_entries WHERE invoice_id IN (${invoiceIds.map(() => '?').join(',')})
       UNION SELECT * FROM instant_entries WHERE day_id = ? AND ref IN (${refs.map(() => '?').join(',')})`,
      [...invoiceIds, dayId, ...refs],
    );
    return rows.map(toEntry);
  }

  /** Appends log lines (one multi-row INSERT) and sets the day's count and budgets. */
  async appendEntries(em: EntityManager, dayId: string, entries: readonly InstantEntryRow[], entryCount: number, budgetsLeft: Record<string, number[]>): Promise<void> {
    if (entries.length > 0) {
      await em.query(
        `INSERT INTO instant_entries (day_id, position, invoice_id, consumer_id, ref, band, drawn_tier, outcome, prize_cents, created_at)
         VALUES ${entries.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        entries.flatMap((e) => [e.dayId, e.position, e.invoiceId, e.consumerId, e.ref, e.band, e.drawnTier, e.outcome, e.prizeCents, e.createdAt]),
      );
    }
    await em.query(`UPDATE instant_days SET entry_count = ?, budgets_left = ? WHERE id = ?`, [entryCount, JSON.stringify(budgetsLeft), dayId]);
  }

  /** The day's log in position order. */
  async entries(dayId: string): Promise<InstantEntryRow[]> {
    const rows = await this.dataSource.query(`SELECT * FROM instant_entries WHERE day_id = ? ORDER BY position`, [dayId]);
    return rows.map(toEntry);
  }

  /** Which of these registrations have a log line. */
  async invoicesWithEntries(invoiceIds: number[]): Promise<Set<number>> {
    if (invoiceIds.length === 0) return new Set();
    const rows: Array<{ invoice_id: number | string }> = await this.dataSource.query(
      `SELECT invoice_id FROM instant_entries WHERE invoice_id IN (${invoiceIds.map(() => '?').join(',')})`,
      invoiceIds,
    );
    return new Set(rows.map((r) => Number(r.invoice_id)));
  }
}

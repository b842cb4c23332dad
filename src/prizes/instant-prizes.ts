import { Injectable, Logger, Module } from '@nestjs/common';
import { InjectDataSource, TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { NotificationsCoreModule } from '../notifications/notifications-core.module.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { formatCents } from '../core/money.js';
import { shanghaiDate } from '../core/time/shanghai.js';
import { revocationOf } from './invoice-revocation.js';
import { incidentalIncomeTax, Prize } from './prize.entity.js';

const DAY_MS = 86_400_000;
const BATCH = 500;

/** An instant win as the instant module hands it over, inside its transaction. */
export interface InstantWin {
  dayId: string;
  position: number;
  tier: number;
  tierName: string;
  prizeCents: number;
  consumerId: number;
  invoiceId: number;
  ref: string;
  now: Date;
  paymentDelayDays: number;
  claimWindowDays: number;
}

/** A revoked instant prize, for the instant module's budget returns. */
export interface RevokedInstantPrize {
  prizeId: number;
  dayId: string;
  position: number;
  ref: string;
  tier: number;
  endedAt: Date;
}

export interface InstantCheckResult {
  /** Passed the second check: now claimable (awaiting_claim). */
  payable: number;
  /** Failed it (invoice voided, red-flushed or never verified): revoked, budget to be returned. */
  revoked: number;
  /** Claim window passed without a claim (instant prizes have no alternates). */
  forfeited: number;
}

/** Why an instant prize fails its second check: the invoice was voided or red-flushed, or never verified. */
export type InstantCheckFailure = 'INVOICE_VOIDED' | 'INVOICE_RED_FLUSHED' | 'INVOICE_NOT_VERIFIED';

/** The second check's decision from the invoice's row (and its registry record's flags), pure. */
export function instantCheckFailure(status: string, statusReason: string | null, flags: string | null): InstantCheckFailure | null {
  const revoked = revocationOf(status, statusReason, flags);
  if (revoked) return revoked;
  return status === 'verified' ? null : 'INVOICE_NOT_VERIFIED';
}

/**
 * The prizes module's side of instant draws (it owns `prizes`):
 * - `award`: an instant win becomes a prize (kind `instant`, draw_id the day id, slot the log position,
 *   status `awaiting_check`, payable_at = win + paymentDelayDays) with a notice, in the caller's transaction;
 * - `runDue`: the second check (延迟发奖) of every instant prize whose payable_at has passed on the service
 *   clock — its invoice still verified and neither voided nor red-flushed: `awaiting_claim` with its claim
 *   window from now; otherwise `revoked` (the instant module returns its budget to a later day) — and the
 *   forfeiture of instant prizes not claimed in their window (no alternates: the budget stays spent).
 * The claim and payout then follow the periodic prizes' rules (PrizesService: identity match, tax over ¥800).
 */
@Injectable()
export class InstantPrizes {
  private readonly logger = new Logger('InstantPrizes');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly notifications: NotificationsService,
  ) {}

  /**
   * Creates the prizes of instant wins on `em` (the transaction that appends their log lines), one
   * multi-row INSERT for the prizes and one for the notices. Idempotent through the unique slot key (day,
   * tier, position, attempt 0) and the notices' dedupe keys: a second call changes nothing.
   */
  async award(em: EntityManager, wins: readonly InstantWin[]): Promise<void> {
    if (wins.length === 0) return;
    const values: unknown[] = [];
    for (const win of wins) {
      const { taxCents, netCents } = incidentalIncomeTax(win.prizeCents);
      const payableAt = new Date(win.now.getTime() + win.paymentDelayDays * DAY_MS);
      const claimDeadline = new Date(payableAt.getTime() + win.claimWindowDays * DAY_MS);
      values.push(win.dayId, win.tier, win.tierName, win.position, win.position, win.consumerId, win.invoiceId, win.ref, win.prizeCents, taxCents, netCents, claimDeadline, payableAt, win.now);
    }
    await em.query(
      `INSERT INTO prizes (draw_id, kind, tier, tier_name, slot, attempt, pick_index, alternate_rank, consumer_id, invoice_id, ref,
                           gross_cents, tax_cents, net_cents, status, claim_deadline, payable_at, created_at)
       VALUES ${wins.map(() => "(?, 'instant', ?, ?, ?, 0, ?, NULL, ?, ?, ?, ?, ?, ?, 'awaiting_check', ?, ?, ?)").join(', ')} ON DUPLICATE KEY UPDATE id = id`,
      values,
    );
    await this.notifications.createMany(
      wins.map((win) => ({
        consumerId: win.consumerId,
        kind: 'instant-prize-won',
        title: `即开即奖：${win.tierName}`,
        body: `您登记的发票获得即开即奖${win.tierName}（¥${formatCents(win.prizeCents)}）。发票经 ${shanghaiDate(new Date(win.now.getTime() + win.paymentDelayDays * DAY_MS))} 复核仍有效后即可领取。`,
        dedupeKey: `instant-prize-won:${win.dayId}:${win.position}`,
      })),
      em,
    );
  }

  /** Second checks and forfeitures due at `now` (service clock), run by the maintenance tick. Idempotent: each change is a conditional UPDATE. */
  async runDue(now: Date): Promise<InstantCheckResult> {
    const result: InstantCheckResult = { payable: 0, revoked: 0, forfeited: 0 };
    for (let afterId = 0; ; ) {
      const rows: Array<{ id: number | string; consumer_id: number | string; tier_name: string; gross_cents: number | string; status: string; status_reason: string | null; flags: string | null }> =
        await this.dataSource.query(
          `SELECT p.id, p.consumer_id, p.tier_name, p.gross_cents, i.status, i.status_reason, r.flags
             FROM prizes p
             JOIN invoices i ON i.id = p.invoice_id
             LEFT JOIN registry_invoices r ON r.invoice_code = i.invoice_code AND r.invoice_number = i.invoice_number
            WHERE p.kind = 'instant' AND p.status = 'awaiting_check' AND p.payable_at <= ? AND p.id > ?
            ORDER BY p.id LIMIT ${BATCH}`,
          [now, afterId],
        );
      if (rows.length === 0) break;
      afterId = Number(rows[rows.length - 1].id);
      for (const row of rows) {
        const failure = instantCheckFailure(row.status, row.status_reason, row.flags);
        await this.dataSource.transaction(async (em) => {
          if (failure) {
            const done: { affectedRows?: number } = await em.query(
              `UPDATE prizes SET status = 'revoked', ended_at = ?, end_reason = ? WHERE id = ? AND status = 'awaiting_check'`,
              [now, failure, row.id],
            );
            if (Number(done.affectedRows ?? 0) !== 1) return;
            result.revoked += 1;
            await this.notifications.create(
              {
                consumerId: Number(row.consumer_id),
                kind: 'prize-revoked',
                title: `奖项已撤销：${row.tier_name}`,
                body: `您的即开即奖${row.tier_name}（¥${formatCents(Number(row.gross_cents))}）在发奖前复核时未通过（发票已作废、红冲或未通过核验），奖项已撤销。`,
                dedupeKey: `prize-ended:${row.id}`,
              },
              em,
            );
          } else {
            const [p]: Array<{ claim_deadline: Date; payable_at: Date }> = await em.query(`SELECT claim_deadline, payable_at FROM prizes WHERE id = ?`, [row.id]);
            // The claim window starts when the prize becomes payable (kept from the award: payable_at + window).
            const done: { affectedRows?: number } = await em.query(`UPDATE prizes SET status = 'awaiting_claim' WHERE id = ? AND status = 'awaiting_check'`, [row.id]);
            if (Number(done.affectedRows ?? 0) !== 1) return;
            result.payable += 1;
            await this.notifications.create(
              {
                consumerId: Number(row.consumer_id),
                kind: 'instant-prize-payable',
                title: `即开即奖可领取：${row.tier_name}`,
                body: `您的即开即奖${row.tier_name}（¥${formatCents(Number(row.gross_cents))}）已通过复核，请在 ${shanghaiDate(new Date(p.claim_deadline))} 前领取。`,
                dedupeKey: `instant-prize-payable:${row.id}`,
              },
              em,
            );
          }
        });
      }
    }
    const expired: { affectedRows?: number } = await this.dataSource.query(
      `UPDATE prizes SET status = 'forfeited', ended_at = ?, end_reason = 'CLAIM_WINDOW_EXPIRED'
        WHERE kind = 'instant' AND status = 'awaiting_claim' AND claim_deadline <= ?`,
      [now, now],
    );
    result.forfeited = Number(expired.affectedRows ?? 0);
    if (result.revoked || result.payable || result.forfeited) this.logger.log(`Instant prizes at ${now.toISOString()}: ${JSON.stringify(result)}`);
    return result;
  }

  /**
   * The revoked instant prizes of a campaign's days (day ids `<campaign>-instant-…`) ended at or before
   * `before`, oldest first; the instant module picks those it has not returned yet. Read-only.
   */
  async revokedInstantPrizes(campaignId: string, before: Date): Promise<RevokedInstantPrize[]> {
    const rows: Array<{ id: number | string; draw_id: string; slot: number; ref: string; tier: number; ended_at: Date }> = await this.dataSource.query(
      `SELECT id, draw_id, slot, ref, tier, ended_at FROM prizes
        WHERE kind = 'instant' AND status = 'revoked' AND draw_id LIKE ? AND ended_at <= ?
        ORDER BY draw_id, slot`,
      [`${campaignId.replace(/[\\%_]/g, '\\$&')}-instant-%`, before],
    );
    return rows.map((r) => ({ prizeId: Number(r.id), dayId: r.draw_id, position: Number(r.slot), ref: r.ref, tier: Number(r.tier), endedAt: new Date(r.ended_at) }));
  }
}

/** The instant-prize port of the prizes module (award inside the instant module's transaction, the second check). */
@Module({ imports: [TypeOrmModule.forFeature([Prize]), NotificationsCoreModule], providers: [InstantPrizes], exports: [InstantPrizes] })
export class InstantPrizesModule {}

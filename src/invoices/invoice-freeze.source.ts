import { Injectable, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { EntityManager } from 'typeorm';
import { NotificationsCoreModule } from '../notifications/notifications-core.module.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { Invoice } from './invoice.entity.js';

/** How many registrations one batch of the freeze's read holds. */
export const FREEZE_READ_BATCH = 10_000;

/**
 * One batch of the freeze's read: a period's verified registrations after a ref whose paid amount lies in the
 * draw's band, in ref order, from the covering index IX_invoices_period_cover alone (migration 1700000005000).
 * FORCE INDEX: without it MariaDB plans this as `ref` access on the first three columns with `ref > ?` as a
 * mere index condition, so every batch would walk the period from its start (quadratic); forced, it is a
 * `range` on all four. The band is a condition on paid_cents, which the index carries: checked on the index
 * entries of the range, no row look-up (`paid_cents < ?` with NULL, no upper bound, is skipped by the OR).
 */
export const FREEZE_READ_SQL = `SELECT id, consumer_id, ref, paid_cents FROM invoices FORCE INDEX (IX_invoices_period_cover)
  WHERE campaign_id = ? AND period_key = ? AND status = 'verified' AND ref > ?
    AND paid_cents >= ? AND (? IS NULL OR paid_cents < ?) ORDER BY ref LIMIT ${FREEZE_READ_BATCH}`;

/** The amount band of a pool's draw: paid_cents >= minCents and, unless null, < maxCents. */
export interface FreezeBand {
  minCents: number;
  maxCents: number | null;
}

/** Every amount: the band of a draw over all of a period's entries. */
export const ALL_AMOUNTS: FreezeBand = { minCents: 0, maxCents: null };

export type FreezeRow = { id: number | string; consumer_id: number | string; ref: string; paid_cents: number | string };

/** Anything that runs SQL: a query runner holding the freeze's snapshot transaction, or an entity manager. */
interface Queryable {
  query(sql: string, params?: unknown[]): Promise<any>;
}

/**
 * The invoices module's port for a draw's freeze: it hands over a period's verified registrations (read on
 * the caller's snapshot connection, so they are one consistent snapshot) and rejects the ones still pending,
 * telling their owners. The draws module never reads or writes `invoices` itself.
 */
@Injectable()
export class InvoiceFreezeSource {
  constructor(private readonly notifications: NotificationsService) {}

  /** How many verified registrations of the band the period has (on the caller's snapshot). Read-only. */
  async countVerified(q: Queryable, campaignId: string, periodKey: string, band: FreezeBand = ALL_AMOUNTS): Promise<number> {
    const [{ total }] = await q.query(
      `SELECT COUNT(*) AS total FROM invoices FORCE INDEX (IX_invoices_period_cover)
        WHERE campaign_id = ? AND period_key = ? AND status = 'verified' AND paid_cents >= ? AND (? IS NULL OR paid_cents < ?)`,
      [campaignId, periodKey, band.minCents, band.maxCents, band.maxCents],
    );
    return Number(total);
  }

  /** The next batch (FREEZE_READ_BATCH at most) of the band's verified registrations after `afterRef`, in ref order. Read-only. */
  readVerifiedAfter(q: Queryable, campaignId: string, periodKey: string, afterRef: string, band: FreezeBand = ALL_AMOUNTS): Promise<FreezeRow[]> {
    return q.query(FREEZE_READ_SQL, [campaignId, periodKey, afterRef, band.minCents, band.maxCents, band.maxCents]);
  }

  /**
   * Inside the freeze's committing transaction: every registration of the period still pending becomes
   * `rejected` (NOT_VERIFIED_BEFORE_FREEZE) and its owner gets one notice. Returns how many. Idempotent: a
   * second call finds none pending; notices are deduplicated per invoice. With several pool draws in a period
   * the first to freeze rejects them all (the period closed for all at once; a pending claim's paid amount,
   * and so its pool, is not known) and the others find none: no invoice is rejected or announced twice.
   */
  async rejectPendingAtFreeze(em: EntityManager, campaignId: string, periodKey: string): Promise<number> {
    const pending: Array<{ id: string; consumer_id: string }> = await em.query(
      `SELECT id, consumer_id FROM invoices WHERE campaign_id = ? AND period_key = ? AND status = 'pending' FOR UPDATE`,
      [campaignId, periodKey],
    );
    if (pending.length === 0) return 0;
    await em.query(
      `UPDATE invoices SET status = 'rejected', status_reason = 'NOT_VERIFIED_BEFORE_FREEZE'
        WHERE campaign_id = ? AND period_key = ? AND status = 'pending'`,
      [campaignId, periodKey],
    );
    await this.notifications.createMany(
      pending.map((p) => ({
        consumerId: Number(p.consumer_id),
        kind: 'invoice-missed-draw',
        title: '发票未能参加本期抽奖',
        body: `您登记的一张发票在 ${periodKey} 期抽奖截止前仍未通过税务核验，未能参加本期抽奖。`,
        dedupeKey: `missed-draw:${p.id}`,
      })),
      em,
    );
    return pending.length;
  }
}

/** The freeze port of the invoices module, for the draws module (no controllers, no other dependencies). */
@Module({ imports: [TypeOrmModule.forFeature([Invoice]), NotificationsCoreModule], providers: [InvoiceFreezeSource], exports: [InvoiceFreezeSource] })
export class InvoiceFreezeModule {}

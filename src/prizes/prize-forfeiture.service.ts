import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import { CampaignCatalog } from '../campaigns/campaign-catalog.js';
import { Clock } from '../core/clock/clock.js';
import { QueueName } from '../core/queue/queue-names.js';
import { QueueService } from '../core/queue/queue.service.js';
import { DrawAuditService, SCHEDULER_ACTOR } from '../draws/draw-audit.service.js';
import { NotificationJob, prizePassedJobId } from '../notifications/notification-jobs.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { prizeEndedNotice, prizePassedNotice } from '../notifications/prize-notices.js';
import { invoiceRevocation, REVOKED_INVOICE_SQL, revocationOf, type RevocationReason } from './invoice-revocation.js';

const BATCH = 500;
const DAY_MS = 86_400_000;
export const CLAIM_WINDOW_EXPIRED = 'CLAIM_WINDOW_EXPIRED';

export interface ForfeitureRunResult {
  /** Prizes whose claim window had passed, now `forfeited`. */
  forfeited: number;
  /** Prizes whose invoice was voided or red-flushed, now `revoked`. */
  revoked: number;
  /** Of those, slots that passed to an alternate. */
  passed: number;
  /** Of those, slots left unfilled because no usable alternate was left. */
  unfilled: number;
  /**
   * Alternates' prizes whose SMS job was requested by this run: one per pass, plus any alternate still
   * without a recorded SMS from an earlier run (job lost, or still waiting in the queue; the job id is
   * deterministic, so a job already queued is not added twice).
   */
  smsQueued: number;
}

export interface EndedPrize {
  prizeId: number;
  drawId: string;
  status: 'forfeited' | 'revoked';
  reason: string;
  passedTo: { prizeId: number; alternateRank: number; attempt: number; claimDeadline: Date } | null;
}

interface PrizeRow {
  id: number | string;
  draw_id: string;
  tier: number;
  tier_name: string;
  slot: number;
  attempt: number;
  consumer_id: number | string;
  invoice_id: number | string;
  gross_cents: number | string;
  tax_cents: number | string;
  net_cents: number | string;
  status: string;
  claim_deadline: Date;
}

interface CandidateRow {
  pick_index: number;
  alternate_rank: number;
  ref: string;
  invoice_id: number | string;
  consumer_id: number | string;
  invoice_status: string;
  status_reason: string | null;
  flags: string | null;
}

/**
 * Forfeiture and revocation of unclaimed prizes, and passing each slot to the draw's next alternate.
 *
 * - A prize still `awaiting_claim` when its deadline (service clock) has passed becomes `forfeited`
 *   (end_reason CLAIM_WINDOW_EXPIRED); one whose invoice has been voided or red-flushed since the freeze
 *   (registration revoked, or the registry record flagged `voided`/`red`) becomes `revoked` (end_reason
 *   INVOICE_VOIDED / INVOICE_RED_FLUSHED). Claimed prizes are never touched: once paid out, a later void is
 *   a matter for finance, not for this job.
 * - The slot then passes to the alternate with the lowest `alternate_rank` that has no prize in this draw
 *   yet, skipping (for now; the check is made again at the next pass) an alternate whose own invoice has
 *   since been voided/red-flushed, and one whose holder already holds `winLimitPerHolder` live prizes
 *   (awaiting_claim or claimed) of this draw. ILD-1 already counts alternates toward the win limit, so the
 *   second check never skips anyone in a draw made by ILD-1; it is kept as a guard. The alternate gets
 *   attempt + 1, its own window (now + claimWindowDays), an in-app notice and an SMS (`prize-passed` job).
 *   With no usable alternate left the slot stays ended, unfilled.
 * - Each prize is handled in its own READ COMMITTED transaction that first locks the draw row, so passes
 *   within one draw are serialized across workers; the status change is a conditional UPDATE (… AND
 *   status = 'awaiting_claim'), so a claim racing the job, or a second run, changes nothing twice; the
 *   unique keys UQ_prizes_slot_attempt / UQ_prizes_alternate back this up. Every end is written to the
 *   draw audit log (`prize-forfeited` / `prize-revoked`) with prize ids, tier, slot, ranks and reasons only.
 * - Idempotent: a second run with the same clock finds nothing to do.
 * - Prizes of kind `draw` only: instant prizes have their second check and forfeiture in InstantPrizes.
 */
@Injectable()
export class PrizeForfeitureService {
  private readonly logger = new Logger('PrizeForfeiture');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly catalog: CampaignCatalog,
    private readonly audit: DrawAuditService,
    private readonly notifications: NotificationsService,
    private readonly queues: QueueService,
    private readonly clock: Clock,
  ) {}

  /**
   * What is due at `now` (service clock), run by the maintenance tick every minute: revocations first, then
   * claim windows ended by `now`, then re-adds lost SMS jobs. Idempotent: a second run at the same time
   * finds nothing to do (each end is a conditional UPDATE under the draw's row lock).
   */
  async runDue(now: Date = this.clock.now()): Promise<ForfeitureRunResult> {
    const result: ForfeitureRunResult = { forfeited: 0, revoked: 0, passed: 0, unfilled: 0, smsQueued: 0 };
    const requested = new Set<number>();
    const count = (ended: EndedPrize | null) => {
      if (!ended) return;
      result[ended.status] += 1;
      if (ended.passedTo) {
        result.passed += 1;
        requested.add(ended.passedTo.prizeId);
      } else result.unfilled += 1;
    };

    for (let afterId = 0; ; ) {
      const rows: Array<{ id: number | string }> = await this.dataSource.query(
        `SELECT p.id FROM prizes p
           JOIN invoices i ON i.id = p.invoice_id
           LEFT JOIN registry_invoices r ON r.invoice_code = i.invoice_code AND r.invoice_number = i.invoice_number
          WHERE p.kind = 'draw' AND p.status = 'awaiting_claim' AND p.id > ? AND ${REVOKED_INVOICE_SQL}
          ORDER BY p.id LIMIT ${BATCH}`,
        [afterId],
      );
      if (rows.length === 0) break;
      afterId = Number(rows[rows.length - 1].id);
      for (const row of rows) count(await this.endAndPass(Number(row.id), 'revoke', now));
    }

    for (let afterId = 0; ; ) {
      const rows: Array<{ id: number | string }> = await this.dataSource.query(
        `SELECT id FROM prizes WHERE kind = 'draw' AND status = 'awaiting_claim' AND claim_deadline <= ? AND id > ? ORDER BY id LIMIT ${BATCH}`,
        [now, afterId],
      );
      if (rows.length === 0) break;
      afterId = Number(rows[rows.length - 1].id);
      for (const row of rows) count(await this.endAndPass(Number(row.id), 'expire', now));
    }

    await this.requeueAlternateSms(requested);
    result.smsQueued = requested.size;
    if (result.forfeited || result.revoked)
      this.logger.log(`Prizes: ${result.forfeited} forfeited, ${result.revoked} revoked, ${result.passed} passed to alternates, ${result.unfilled} unfilled`);
    return result;
  }

  /**
   * Ends one prize (forfeited when `expire` and its deadline has passed by `now`; revoked when `revoke` and
   * its invoice is voided/red-flushed) and passes the slot on. Returns null when there was nothing to do
   * (already claimed, ended, not yet due, or not revoked). Idempotent and safe to run concurrently.
   */
  async endAndPass(prizeId: number, mode: 'expire' | 'revoke', now: Date = this.clock.now()): Promise<EndedPrize | null> {
    const [head]: Array<{ draw_id: string }> = await this.dataSource.query(`SELECT draw_id FROM prizes WHERE id = ?`, [prizeId]);
    if (!head) return null;
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    let ended: EndedPrize | null = null;
    try {
      await runner.startTransaction('READ COMMITTED');
      ended = await this.endAndPassIn(runner, head.draw_id, prizeId, mode, now);
      if (ended) await runner.commitTransaction();
      else await runner.rollbackTransaction();
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
    if (ended?.passedTo) await this.queueSms(ended.passedTo.prizeId);
    return ended;
  }

  private async endAndPassIn(runner: QueryRunner, drawId: string, prizeId: number, mode: 'expire' | 'revoke', now: Date): Promise<EndedPrize | null> {
    const em = runner.manager;
    // The draw row lock serializes every pass within this draw (the first statement of the transaction).
    const [draw]: Array<{ id: string; campaign_id: string; period_key: string; win_limit_per_holder: number }> = await runner.query(
      `SELECT id, campaign_id, period_key, win_limit_per_holder FROM draws WHERE id = ? FOR UPDATE`,
      [drawId],
    );
    if (!draw) return null;
    const [prize]: PrizeRow[] = await runner.query(`SELECT * FROM prizes WHERE id = ? FOR UPDATE`, [prizeId]);
    if (!prize || prize.status !== 'awaiting_claim') return null;

    let status: 'forfeited' | 'revoked';
    let reason: string;
    if (mode === 'revoke') {
      const revocation = await invoiceRevocation(em, Number(prize.invoice_id));
      if (!revocation) return null;
      status = 'revoked';
      reason = revocation;
    } else {
      if (new Date(prize.claim_deadline).getTime() > now.getTime()) return null;
      status = 'forfeited';
      reason = CLAIM_WINDOW_EXPIRED;
    }
    const update: { affectedRows?: number } = await runner.query(
      `UPDATE prizes SET status = ?, ended_at = ?, end_reason = ? WHERE id = ? AND status = 'awaiting_claim'`,
      [status, now, reason, prizeId],
    );
    if (Number(update.affectedRows ?? 0) !== 1) return null;

    const facts = { periodKey: draw.period_key, tierName: prize.tier_name, grossCents: Number(prize.gross_cents) };
    await this.notifications.create(
      { consumerId: Number(prize.consumer_id), kind: `prize-${status}`, ...prizeEndedNotice(facts, status), dedupeKey: `prize-ended:${prizeId}` },
      em,
    );

    const { candidate, skipped } = await this.nextAlternate(em, drawId, Number(draw.win_limit_per_holder));
    let passedTo: EndedPrize['passedTo'] = null;
    if (candidate) {
      const claimDeadline = new Date(now.getTime() + (await this.claimWindowDays(em, draw.campaign_id)) * DAY_MS);
      const attempt = Number(prize.attempt) + 1;
      const insert: { insertId?: number | string } = await runner.query(
        `INSERT INTO prizes (draw_id, tier, tier_name, slot, attempt, pick_index, alternate_rank, consumer_id, invoice_id, ref,
                             gross_cents, tax_cents, net_cents, status, claim_deadline, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'awaiting_claim', ?, ?)`,
        [
          drawId, prize.tier, prize.tier_name, prize.slot, attempt, candidate.pick_index, candidate.alternate_rank,
          candidate.consumer_id, candidate.invoice_id, candidate.ref, prize.gross_cents, prize.tax_cents, prize.net_cents, claimDeadline, now,
        ],
      );
      const newPrizeId = Number(insert.insertId);
      passedTo = { prizeId: newPrizeId, alternateRank: Number(candidate.alternate_rank), attempt, claimDeadline };
      await this.notifications.create(
        {
          consumerId: Number(candidate.consumer_id),
          kind: 'prize-passed',
          ...prizePassedNotice({ ...facts, claimDeadline }),
          dedupeKey: `prize-passed:${newPrizeId}`,
        },
        em,
      );
    }

    await this.audit.append(
      drawId,
      SCHEDULER_ACTOR,
      status === 'forfeited' ? 'prize-forfeited' : 'prize-revoked',
      {
        prizeId,
        tier: Number(prize.tier),
        slot: Number(prize.slot),
        attempt: Number(prize.attempt),
        reason,
        passedTo: passedTo && { ...passedTo, claimDeadline: passedTo.claimDeadline.toISOString() },
        skippedAlternates: skipped,
      },
      em,
    );
    return { prizeId, drawId, status, reason, passedTo };
  }

  /** The lowest-ranked alternate with no prize in the draw yet that may take one; and those skipped on the way. */
  private async nextAlternate(
    em: EntityManager,
    drawId: string,
    winLimit: number,
  ): Promise<{ candidate: CandidateRow | null; skipped: Array<{ alternateRank: number; reason: RevocationReason | 'WIN_LIMIT' }> }> {
    const candidates: CandidateRow[] = await em.query(
      `SELECT pk.pick_index, pk.alternate_rank, pk.ref, e.invoice_id, e.consumer_id,
              i.status AS invoice_status, i.status_reason, r.flags
         FROM draw_picks pk
         JOIN draw_entries e ON e.draw_id = pk.draw_id AND e.position = pk.position
         JOIN invoices i ON i.id = e.invoice_id
         LEFT JOIN registry_invoices r ON r.invoice_code = i.invoice_code AND r.invoice_number = i.invoice_number
        WHERE pk.draw_id = ? AND pk.kind = 'alternate'
          AND NOT EXISTS (SELECT 1 FROM prizes p WHERE p.draw_id = pk.draw_id AND p.alternate_rank = pk.alternate_rank)
        ORDER BY pk.alternate_rank`,
      [drawId],
    );
    const skipped: Array<{ alternateRank: number; reason: RevocationReason | 'WIN_LIMIT' }> = [];
    for (const c of candidates) {
      const revoked = revocationOf(c.invoice_status, c.status_reason, c.flags);
      if (revoked) {
        skipped.push({ alternateRank: Number(c.alternate_rank), reason: revoked });
        continue;
      }
      if (winLimit > 0) {
        const [{ held }] = await em.query(
          `SELECT COUNT(*) AS held FROM prizes WHERE draw_id = ? AND consumer_id = ? AND status IN ('awaiting_claim', 'claimed')`,
          [drawId, c.consumer_id],
        );
        if (Number(held) >= winLimit) {
          skipped.push({ alternateRank: Number(c.alternate_rank), reason: 'WIN_LIMIT' });
          continue;
        }
      }
      return { candidate: c, skipped };
    }
    return { candidate: null, skipped };
  }

  private async claimWindowDays(em: EntityManager, campaignId: string): Promise<number> {
    const fromCatalog = this.catalog.get(campaignId);
    if (fromCatalog) return fromCatalog.claimWindowDays;
    const [record]: Array<{ definition: string }> = await em.query(`SELECT definition FROM campaigns WHERE id = ?`, [campaignId]);
    const days = record ? Number((JSON.parse(record.definition) as { claimWindowDays?: number }).claimWindowDays) : NaN;
    if (!Number.isSafeInteger(days) || days <= 0) throw new Error(`No claim window for campaign ${campaignId}`);
    return days;
  }

  /**
   * Alternates' prizes still awaiting their claim with no SMS record: the job after the pass was lost (the
   * process stopped between commit and enqueue, or Redis was down). Deterministic job ids keep it single.
   */
  private async requeueAlternateSms(requested: Set<number>): Promise<void> {
    const rows: Array<{ id: number | string }> = await this.dataSource.query(
      `SELECT p.id FROM prizes p
        WHERE p.status = 'awaiting_claim' AND p.attempt > 0
          AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.dedupe_key = CONCAT('sms:prize-passed:', p.id))
        ORDER BY p.id`,
    );
    for (const row of rows) {
      const prizeId = Number(row.id);
      if (requested.has(prizeId)) continue;
      if (await this.queueSms(prizeId)) requested.add(prizeId);
    }
  }

  private async queueSms(prizeId: number): Promise<boolean> {
    try {
      await this.queues.add(QueueName.notifications, NotificationJob.prizePassed, { prizeId }, { jobId: prizePassedJobId(prizeId) });
      return true;
    } catch (error) {
      // The pass is committed and the in-app notice exists; the next tick adds the SMS job again.
      this.logger.warn(`Could not queue the SMS for prize ${prizeId}: ${(error as Error).message}`);
      return false;
    }
  }
}

import { Injectable, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { EntityManager } from 'typeorm';
import { shanghaiDate } from '../core/time/shanghai.js';
import { NotificationsCoreModule } from '../notifications/notifications-core.module.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { incidentalIncomeTax, Prize } from './prize.entity.js';

/** One winning pick of a published draw, as the draws module hands it over. */
export interface PublishedWinner {
  pickIndex: number;
  tier: number;
  slot: number;
  ref: string;
  invoiceId: number | string;
  consumerId: number | string;
}

export interface PublishedDraw {
  drawId: string;
  periodKey: string;
  tiers: ReadonlyArray<{ tier: number; name: string; prizeCents: number }>;
  winners: readonly PublishedWinner[];
  claimDeadline: Date;
  now: Date;
}

/** A winner of a tier the draw does not have (the caller checks first; this is the last line). */
export class UnknownPrizeTierError extends Error {
  constructor(drawId: string, tier: number) {
    super(`Draw ${drawId}: winner of unknown tier ${tier}`);
    this.name = 'UnknownPrizeTierError';
  }
}

const INSERT_PRIZES =
  'INSERT INTO prizes (draw_id, tier, tier_name, slot, attempt, pick_index, alternate_rank, consumer_id, invoice_id, ref, gross_cents, tax_cents, net_cents, status, claim_deadline, created_at) VALUES ';
const PRIZE_WIDTH = 16;

/**
 * The prizes module's side of a publication: one prize per winner (attempt 0) with the incidental-income
 * tax withheld (偶然所得: 20 % over ¥800), and a "prize won" notice to each winner through the notifications
 * module, inside the publishing transaction. The draws module never writes `prizes` or `notifications`.
 */
@Injectable()
export class PrizeAwards {
  constructor(private readonly notifications: NotificationsService) {}

  /**
   * Creates the prizes and notices of a draw being published, on `em` (its transaction). Not idempotent on
   * its own (a second call would collide on the prize slots): the caller runs it once, in the transaction
   * that moves the draw from drawn to published.
   */
  async awardPublishedDraw(em: EntityManager, draw: PublishedDraw): Promise<number> {
    const tierOf = new Map(draw.tiers.map((t) => [t.tier, t]));
    const values: unknown[] = [];
    const notices = [];
    for (const w of draw.winners) {
      const tier = tierOf.get(Number(w.tier));
      if (!tier) throw new UnknownPrizeTierError(draw.drawId, w.tier);
      const { taxCents, netCents } = incidentalIncomeTax(tier.prizeCents);
      values.push(draw.drawId, w.tier, tier.name, w.slot, 0, w.pickIndex, null, w.consumerId, w.invoiceId, w.ref);
      values.push(tier.prizeCents, taxCents, netCents, 'awaiting_claim', draw.claimDeadline, draw.now);
      notices.push({
        consumerId: Number(w.consumerId),
        kind: 'prize-won',
        title: `恭喜中奖：${tier.name}`,
        body: `您登记的发票在 ${draw.periodKey} 期抽奖中获得${tier.name}（¥${(tier.prizeCents / 100).toFixed(2)}），请在 ${shanghaiDate(draw.claimDeadline)} 前领取。`,
        dedupeKey: `prize-won:${draw.drawId}:${w.tier}:${w.slot}`,
      });
    }
    const rowsPerBatch = Math.floor(60_000 / PRIZE_WIDTH);
    const row = `(${Array(PRIZE_WIDTH).fill('?').join(',')})`;
    for (let i = 0; i < values.length; i += rowsPerBatch * PRIZE_WIDTH) {
      const slice = values.slice(i, i + rowsPerBatch * PRIZE_WIDTH);
      await em.query(`${INSERT_PRIZES}${Array(slice.length / PRIZE_WIDTH).fill(row).join(',')}`, slice);
    }
    await this.notifications.createMany(notices, em);
    return draw.winners.length;
  }
}

/** The publication port of the prizes module, for the draws module (no controllers, no other dependencies). */
@Module({ imports: [TypeOrmModule.forFeature([Prize]), NotificationsCoreModule], providers: [PrizeAwards], exports: [PrizeAwards] })
export class PrizeAwardsModule {}

import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ConsumersService } from '../consumers/consumers.service.js';
import { Clock } from '../core/clock/clock.js';
import { violatedUniqueIndex } from '../core/errors/unique-violation.js';
import { SmsSender } from '../core/sms/sms-sender.js';
import { SMS_RECORD_KIND } from './notification-jobs.js';
import { prizePassedSms, prizeWonSms } from './prize-notices.js';

interface PrizeRow {
  id: string;
  consumer_id: string;
  attempt: number;
  tier_name: string;
  gross_cents: string;
  claim_deadline: Date;
  period_key: string;
}

export type SmsOutcome = 'sent' | 'already-sent' | 'not-awaiting-claim';

/**
 * Winner and alternate SMS, each sent at most once per prize. Before sending, a row (kind `sms`, dedupe
 * key `sms:prize-won:<prizeId>` or `sms:prize-passed:<prizeId>`, no phone in it) is inserted as a claim;
 * `read_at` is set to the send time once the gateway accepted the message. A failed send deletes the claim
 * and rethrows, so the job's retry sends again. A process killed between the claim and the gateway's
 * answer leaves a row with `read_at` NULL and the message is not re-sent (at most once; the in-app notice
 * is there regardless). Such rows are the ones to look at after a crash.
 */
@Injectable()
export class PrizeSmsService {
  private readonly logger = new Logger('PrizeSms');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly consumers: ConsumersService,
    private readonly sms: SmsSender,
    private readonly clock: Clock,
  ) {}

  /**
   * SMS to each winner (attempt 0) of a published draw still awaiting their claim. Idempotent. Every prize
   * is tried; if any send failed the call throws after the others, so a retry resends only the failed ones.
   */
  async notifyDrawWinners(drawId: string): Promise<{ sent: number; skipped: number }> {
    const rows = await this.prizeRows('p.draw_id = ? AND p.attempt = 0', [drawId]);
    return this.sendAll(rows);
  }

  /** SMS to the alternate now holding `prizeId`. Idempotent. */
  async notifyPrizeHolder(prizeId: number): Promise<{ sent: number; skipped: number }> {
    return this.sendAll(await this.prizeRows('p.id = ?', [prizeId]));
  }

  private async sendAll(rows: PrizeRow[]): Promise<{ sent: number; skipped: number }> {
    let sent = 0;
    let skipped = 0;
    let failures = 0;
    let lastError: Error | null = null;
    for (const row of rows) {
      try {
        const outcome = await this.sendOne(row);
        if (outcome === 'sent') sent += 1;
        else skipped += 1;
      } catch (error) {
        failures += 1;
        lastError = error as Error;
      }
    }
    if (failures > 0) {
      this.logger.warn(`${failures} of ${rows.length} prize SMS failed (${sent} sent); the job will retry`);
      throw new Error(`${failures} prize SMS failed: ${lastError?.message ?? 'unknown error'}`);
    }
    return { sent, skipped };
  }

  private async sendOne(row: PrizeRow): Promise<SmsOutcome> {
    const prizeId = Number(row.id);
    const consumerId = Number(row.consumer_id);
    const facts = { periodKey: row.period_key, tierName: row.tier_name, grossCents: Number(row.gross_cents), claimDeadline: new Date(row.claim_deadline) };
    const kind = row.attempt === 0 ? 'prize-won' : 'prize-passed';
    const message = row.attempt === 0 ? prizeWonSms(facts) : prizePassedSms(facts);
    const dedupeKey = `sms:${kind}:${prizeId}`;

    try {
      await this.dataSource.query(
        `INSERT INTO notifications (consumer_id, kind, title, body, dedupe_key, created_at, read_at) VALUES (?, ?, ?, ?, ?, ?, NULL)`,
        [consumerId, SMS_RECORD_KIND, `SMS ${kind}`, message, dedupeKey, this.clock.now()],
      );
    } catch (error) {
      if (violatedUniqueIndex(error) === 'UQ_notifications_dedupe') return 'already-sent';
      throw error;
    }
    try {
      const phone = await this.consumers.contactPhone(consumerId);
      await this.sms.send(phone, message);
    } catch (error) {
      await this.dataSource.query(`DELETE FROM notifications WHERE dedupe_key = ? AND read_at IS NULL`, [dedupeKey]);
      throw error;
    }
    await this.dataSource.query(`UPDATE notifications SET read_at = ? WHERE dedupe_key = ?`, [this.clock.now(), dedupeKey]);
    return 'sent';
  }

  private async prizeRows(where: string, params: unknown[]): Promise<PrizeRow[]> {
    return this.dataSource.query(
      `SELECT p.id, p.consumer_id, p.attempt, p.tier_name, p.gross_cents, p.claim_deadline, d.period_key
         FROM prizes p JOIN draws d ON d.id = p.draw_id
        WHERE ${where} AND p.status = 'awaiting_claim' ORDER BY p.id`,
      params,
    );
  }
}

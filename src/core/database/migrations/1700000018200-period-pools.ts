import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The 2026 kind of campaign (issue #18): period keys longer than 'YYYY-MM', one draw per periodic prize pool,
 * and a per-campaign registration limit.
 *
 * - `period_key` (invoices, draws, registration_counts) becomes VARCHAR(16): half months are 'YYYY-MMa' /
 *   'YYYY-MMb' and a custom period key has up to 16 characters (campaign-definition.ts).
 * - draws: `pool_id`, `pool_name` and the pool's amount band (`band_min_cents`, `band_max_cents`, NULL = no
 *   upper bound) fixed when the draw is scheduled, like its tiers. A period has one draw per periodic pool,
 *   so the unique key is (campaign, period, pool). Existing draws are the one pool 'main' of their campaign,
 *   over every amount (band 0..none), which is what their freeze read.
 * - invoices.campaign_slot: 1..intake.campaignLimit, unique per consumer and campaign, so the campaign limit
 *   holds under concurrent registrations exactly as the day and month slots do (RegistrationSlots
 *   migration). NULL for campaigns without a limit (NULLs never collide) and for earlier rows. The key's
 *   prefix (consumer_id, campaign_id) serves the count of a consumer's registrations in a campaign.
 */
export class PeriodPools1700000018200 implements MigrationInterface {
  name = 'PeriodPools1700000018200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE invoices
        MODIFY period_key VARCHAR(16) NOT NULL COMMENT 'the draw period of the issue date: YYYY-MM, YYYY-MMa/b or a listed key',
        ADD COLUMN campaign_slot INT UNSIGNED NULL COMMENT '1..campaignLimit: its place in its consumer''s campaign' AFTER month_slot,
        ADD UNIQUE KEY UQ_invoices_consumer_campaign_slot (consumer_id, campaign_id, campaign_slot)`);
    await q.query(`ALTER TABLE registration_counts MODIFY period_key VARCHAR(16) NOT NULL`);
    await q.query(`
      ALTER TABLE draws
        MODIFY period_key VARCHAR(16) NOT NULL,
        ADD COLUMN pool_id VARCHAR(32) CHARACTER SET ascii NOT NULL DEFAULT 'main' COMMENT 'the periodic prize pool drawn' AFTER period_key,
        ADD COLUMN pool_name VARCHAR(255) NULL AFTER pool_id,
        ADD COLUMN band_min_cents BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'entries whose paid_cents is >= this' AFTER pool_name,
        ADD COLUMN band_max_cents BIGINT UNSIGNED NULL COMMENT 'and < this (NULL: no upper bound)' AFTER band_min_cents,
        DROP INDEX UQ_draws_period,
        ADD UNIQUE KEY UQ_draws_period (campaign_id, period_key, pool_id)`);
    await q.query(`UPDATE draws d JOIN campaigns c ON c.id = d.campaign_id SET d.pool_name = c.name WHERE d.pool_name IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Fails, as it should, while a period has several pool draws or a key longer than 7 characters.
    await q.query(`
      ALTER TABLE draws
        DROP INDEX UQ_draws_period,
        ADD UNIQUE KEY UQ_draws_period (campaign_id, period_key),
        DROP COLUMN pool_id, DROP COLUMN pool_name, DROP COLUMN band_min_cents, DROP COLUMN band_max_cents,
        MODIFY period_key CHAR(7) NOT NULL`);
    await q.query(`ALTER TABLE registration_counts MODIFY period_key CHAR(7) NOT NULL`);
    await q.query(`
      ALTER TABLE invoices
        DROP INDEX UQ_invoices_consumer_campaign_slot,
        DROP COLUMN campaign_slot,
        MODIFY period_key CHAR(7) NOT NULL COMMENT 'YYYY-MM of the issue date: the draw period'`);
  }
}

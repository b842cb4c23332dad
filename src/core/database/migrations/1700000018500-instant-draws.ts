import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Instant draws (ILI-1, issue 18): the days with their commitment (owned by src/instant), the ordered day
 * logs, the prizes returned to a later day's budget; and instant prizes in `prizes` (owned by src/prizes):
 * `kind`, `payable_at` and the status `awaiting_check` (won, waiting for the second check before payment).
 *
 * No column ever holds a day's secret before it is revealed: `instant_days.secret` is written by the
 * publication, together with the log and the bundle.
 */
export class InstantDraws1700000018500 implements MigrationInterface {
  name = 'InstantDraws1700000018500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE instant_days (
        id VARCHAR(64) CHARACTER SET ascii NOT NULL COMMENT 'the ILI-1 day id, <campaign>-instant-<YYYY-MM-DD>',
        campaign_id VARCHAR(64) CHARACTER SET ascii NOT NULL,
        day DATE NOT NULL COMMENT 'the Asia/Shanghai calendar day',
        opens_at DATETIME(3) NOT NULL,
        closes_at DATETIME(3) NOT NULL,
        status ENUM('committed','open','closed','published') NOT NULL,
        secret_hash CHAR(64) CHARACTER SET ascii NOT NULL,
        commitment LONGTEXT NOT NULL COMMENT 'the ILI-1 commitment JSON as published',
        entry_count INT UNSIGNED NOT NULL DEFAULT 0,
        budgets_left JSON NOT NULL COMMENT '{band: [left per tier in published order]}, updated with each entry',
        committed_at DATETIME(3) NOT NULL,
        opened_at DATETIME(3) NULL,
        closed_at DATETIME(3) NULL,
        published_at DATETIME(3) NULL,
        secret CHAR(64) CHARACTER SET ascii NULL COMMENT 'revealed at publication, never before',
        log_digest CHAR(64) CHARACTER SET ascii NULL,
        PRIMARY KEY (id),
        UNIQUE KEY UQ_instant_days_campaign_day (campaign_id, day),
        KEY IX_instant_days_status (status)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);

    await q.query(`
      CREATE TABLE instant_entries (
        day_id VARCHAR(64) CHARACTER SET ascii NOT NULL,
        position INT UNSIGNED NOT NULL,
        invoice_id BIGINT UNSIGNED NOT NULL,
        consumer_id BIGINT UNSIGNED NOT NULL,
        ref CHAR(64) CHARACTER SET ascii NOT NULL,
        band VARCHAR(32) CHARACTER SET ascii NOT NULL,
        drawn_tier INT UNSIGNED NOT NULL,
        outcome INT UNSIGNED NOT NULL COMMENT '0: no prize',
        prize_cents BIGINT NOT NULL DEFAULT 0,
        created_at DATETIME(3) NOT NULL,
        PRIMARY KEY (day_id, position),
        UNIQUE KEY UQ_instant_entries_invoice (invoice_id),
        UNIQUE KEY UQ_instant_entries_day_ref (day_id, ref)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);

    await q.query(`
      CREATE TABLE instant_budget_returns (
        from_day_id VARCHAR(64) CHARACTER SET ascii NOT NULL,
        position INT UNSIGNED NOT NULL,
        to_day_id VARCHAR(64) CHARACTER SET ascii NOT NULL,
        ref CHAR(64) CHARACTER SET ascii NOT NULL,
        band VARCHAR(32) CHARACTER SET ascii NOT NULL,
        tier INT UNSIGNED NOT NULL,
        prize_id BIGINT UNSIGNED NOT NULL,
        PRIMARY KEY (from_day_id, position) COMMENT 'a revoked prize is returned once',
        KEY IX_instant_budget_returns_to (to_day_id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);

    await q.query(`ALTER TABLE prizes ADD COLUMN kind ENUM('draw','instant') NOT NULL DEFAULT 'draw' AFTER draw_id`);
    await q.query(`ALTER TABLE prizes ADD COLUMN payable_at DATETIME(3) NULL COMMENT 'instant prizes: when the second check is due' AFTER claim_deadline`);
    await q.query(`ALTER TABLE prizes MODIFY status ENUM('awaiting_check','awaiting_claim','claimed','forfeited','revoked') NOT NULL`);
    await q.query(`CREATE INDEX IX_prizes_instant_due ON prizes (kind, status, payable_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IX_prizes_instant_due ON prizes`);
    await q.query(`DELETE FROM prizes WHERE kind = 'instant'`);
    await q.query(`ALTER TABLE prizes MODIFY status ENUM('awaiting_claim','claimed','forfeited','revoked') NOT NULL`);
    await q.query(`ALTER TABLE prizes DROP COLUMN payable_at`);
    await q.query(`ALTER TABLE prizes DROP COLUMN kind`);
    await q.query(`DROP TABLE instant_budget_returns`);
    await q.query(`DROP TABLE instant_entries`);
    await q.query(`DROP TABLE instant_days`);
  }
}

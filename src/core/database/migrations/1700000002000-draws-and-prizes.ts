import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Campaign records, draws with their committed entries and results, the two-person draw requests, the
 * append-only audit log, prizes and notifications.
 */
export class DrawsAndPrizes1700000002000 implements MigrationInterface {
  name = 'DrawsAndPrizes1700000002000';

  async up(q: QueryRunner): Promise<void> {
    // The ILD-1 entry ref of a registration (SHA-256 of '<code>-<number>'), indexed so a freeze reads a
    // period's verified entries already in canonical order.
    await q.query(`ALTER TABLE invoices ADD COLUMN ref CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER invoice_number`);
    await q.query(`UPDATE invoices SET ref = SHA2(CONCAT(invoice_code, '-', invoice_number), 256) WHERE ref IS NULL`);
    await q.query(`ALTER TABLE invoices MODIFY ref CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL`);
    await q.query(`CREATE INDEX IX_invoices_period_entries ON invoices (campaign_id, period_key, status, ref)`);

    await q.query(`
      CREATE TABLE campaigns (
        id VARCHAR(64) CHARACTER SET ascii NOT NULL,
        name VARCHAR(200) NOT NULL,
        definition LONGTEXT NOT NULL COMMENT 'the campaign file as loaded (JSON)',
        definition_hash CHAR(64) NOT NULL,
        loaded_at DATETIME(3) NOT NULL,
        ended_at DATETIME(3) NULL COMMENT 'set when the last draw is published',
        PRIMARY KEY (id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);

    await q.query(`
      CREATE TABLE draws (
        id VARCHAR(64) CHARACTER SET ascii NOT NULL COMMENT 'the ILD-1 drawId, e.g. henan-2022-2022-08',
        campaign_id VARCHAR(64) CHARACTER SET ascii NOT NULL,
        period_key CHAR(7) NOT NULL,
        period_start DATE NOT NULL,
        period_end DATE NOT NULL,
        freeze_at DATETIME(3) NOT NULL,
        draw_at DATETIME(3) NOT NULL,
        status ENUM('scheduled','frozen','drawn','published','failed') NOT NULL,
        failed_phase ENUM('freeze','draw','publish') NULL,
        failure_reason VARCHAR(1000) NULL,
        tiers LONGTEXT NOT NULL COMMENT 'JSON [{tier,name,count,prizeCents}] fixed when scheduled',
        win_limit_per_holder INT UNSIGNED NOT NULL,
        alternate_count INT UNSIGNED NOT NULL,
        ticket_unit_cents INT UNSIGNED NOT NULL,
        ticket_cap INT UNSIGNED NOT NULL,
        entry_count INT UNSIGNED NULL,
        total_tickets BIGINT UNSIGNED NULL,
        entries_digest CHAR(64) CHARACTER SET ascii NULL,
        secret_hash CHAR(64) CHARACTER SET ascii NULL,
        secret_encrypted VARCHAR(255) NULL COMMENT 'sealed until the draw runs',
        secret CHAR(64) CHARACTER SET ascii NULL COMMENT 'revealed at the draw',
        beacon VARCHAR(200) NULL,
        seed CHAR(64) CHARACTER SET ascii NULL,
        audit_bundle LONGTEXT NULL COMMENT 'the ILD-1 audit bundle JSON',
        progress VARCHAR(500) NULL COMMENT 'JSON {phase, processed, total}',
        frozen_at DATETIME(3) NULL,
        drawn_at DATETIME(3) NULL,
        published_at DATETIME(3) NULL,
        created_at DATETIME(3) NOT NULL,
        updated_at DATETIME(3) NOT NULL,
        PRIMARY KEY (id),
        UNIQUE KEY UQ_draws_period (campaign_id, period_key),
        KEY IX_draws_status_freeze (status, freeze_at),
        KEY IX_draws_status_draw (status, draw_at)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);

    // One row per committed entry, in canonical (ref) order. Never updated after the freeze.
    await q.query(`
      CREATE TABLE draw_entries (
        draw_id VARCHAR(64) CHARACTER SET ascii NOT NULL,
        position INT UNSIGNED NOT NULL COMMENT '0-based index in canonical order',
        ref CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        holder CHAR(16) CHARACTER SET ascii NOT NULL,
        tickets INT UNSIGNED NOT NULL,
        invoice_id BIGINT UNSIGNED NOT NULL,
        consumer_id BIGINT UNSIGNED NOT NULL,
        paid_cents BIGINT NOT NULL,
        PRIMARY KEY (draw_id, position),
        UNIQUE KEY UQ_draw_entries_ref (draw_id, ref),
        KEY IX_draw_entries_invoice (invoice_id)
      ) ENGINE=InnoDB DEFAULT CHARSET=ascii`);

    // Winners and alternates in draw order (pick_index 0..K-1): the result of ILD-1.
    await q.query(`
      CREATE TABLE draw_picks (
        draw_id VARCHAR(64) CHARACTER SET ascii NOT NULL,
        pick_index INT UNSIGNED NOT NULL,
        kind ENUM('winner','alternate') NOT NULL,
        tier INT UNSIGNED NULL,
        slot INT UNSIGNED NULL,
        alternate_rank INT UNSIGNED NULL,
        position INT UNSIGNED NOT NULL COMMENT 'draw_entries.position',
        ref CHAR(64) CHARACTER SET ascii NOT NULL,
        holder CHAR(16) CHARACTER SET ascii NOT NULL,
        tickets INT UNSIGNED NOT NULL,
        PRIMARY KEY (draw_id, pick_index),
        UNIQUE KEY UQ_draw_picks_slot (draw_id, tier, slot),
        UNIQUE KEY UQ_draw_picks_alternate (draw_id, alternate_rank)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);

    await q.query(`
      CREATE TABLE draw_requests (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
        draw_id VARCHAR(64) CHARACTER SET ascii NOT NULL,
        requested_by BIGINT UNSIGNED NOT NULL,
        requested_at DATETIME(3) NOT NULL,
        beacon VARCHAR(200) NULL,
        status ENUM('pending','approved','rejected','superseded') NOT NULL,
        decided_by BIGINT UNSIGNED NULL,
        decided_at DATETIME(3) NULL,
        PRIMARY KEY (id),
        KEY IX_draw_requests_draw (draw_id, status)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);

    // Append-only: the service only ever INSERTs here.
    await q.query(`
      CREATE TABLE draw_audit_log (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
        draw_id VARCHAR(64) CHARACTER SET ascii NOT NULL,
        at DATETIME(3) NOT NULL,
        actor VARCHAR(100) NOT NULL COMMENT 'system, or staff:<id>:<username>',
        action VARCHAR(64) NOT NULL,
        details LONGTEXT NULL COMMENT 'JSON; never personal data',
        PRIMARY KEY (id),
        KEY IX_draw_audit_log_draw (draw_id, id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);

    // A prize slot (draw, tier, slot) passes down a chain: the winner (attempt 0), then alternates in rank
    // order (attempt 1, 2, ...), each with its own claim window.
    await q.query(`
      CREATE TABLE prizes (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
        draw_id VARCHAR(64) CHARACTER SET ascii NOT NULL,
        tier INT UNSIGNED NOT NULL,
        tier_name VARCHAR(64) NOT NULL,
        slot INT UNSIGNED NOT NULL,
        attempt INT UNSIGNED NOT NULL,
        pick_index INT UNSIGNED NOT NULL COMMENT 'draw_picks.pick_index of the winner or alternate',
        alternate_rank INT UNSIGNED NULL,
        consumer_id BIGINT UNSIGNED NOT NULL,
        invoice_id BIGINT UNSIGNED NOT NULL,
        ref CHAR(64) CHARACTER SET ascii NOT NULL,
        gross_cents BIGINT NOT NULL,
        tax_cents BIGINT NOT NULL,
        net_cents BIGINT NOT NULL,
        status ENUM('awaiting_claim','claimed','forfeited','revoked') NOT NULL,
        claim_deadline DATETIME(3) NOT NULL,
        claimed_at DATETIME(3) NULL,
        bank_name VARCHAR(100) NULL,
        bank_account_encrypted VARCHAR(255) NULL,
        bank_account_masked VARCHAR(32) NULL,
        ended_at DATETIME(3) NULL COMMENT 'forfeited or revoked at',
        end_reason VARCHAR(64) NULL,
        created_at DATETIME(3) NOT NULL,
        PRIMARY KEY (id),
        UNIQUE KEY UQ_prizes_slot_attempt (draw_id, tier, slot, attempt),
        UNIQUE KEY UQ_prizes_alternate (draw_id, alternate_rank),
        KEY IX_prizes_consumer (consumer_id),
        KEY IX_prizes_status_deadline (status, claim_deadline)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);

    await q.query(`
      CREATE TABLE notifications (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
        consumer_id BIGINT UNSIGNED NOT NULL,
        kind VARCHAR(64) NOT NULL,
        title VARCHAR(200) NOT NULL,
        body VARCHAR(2000) NOT NULL,
        dedupe_key VARCHAR(191) NOT NULL COMMENT 'makes each notice idempotent',
        created_at DATETIME(3) NOT NULL,
        read_at DATETIME(3) NULL,
        PRIMARY KEY (id),
        UNIQUE KEY UQ_notifications_dedupe (dedupe_key),
        KEY IX_notifications_consumer (consumer_id, id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['notifications', 'prizes', 'draw_audit_log', 'draw_requests', 'draw_picks', 'draw_entries', 'draws', 'campaigns'])
      await q.query(`DROP TABLE ${table}`);
    await q.query('DROP INDEX IX_invoices_period_entries ON invoices');
    await q.query('ALTER TABLE invoices DROP COLUMN ref');
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

const REGION = (row: 'NEW' | 'OLD') =>
  `CASE CHAR_LENGTH(${row}.invoice_code) WHEN 12 THEN SUBSTRING(${row}.invoice_code, 2, 4) WHEN 10 THEN SUBSTRING(${row}.invoice_code, 1, 4) ELSE SUBSTRING(${row}.invoice_number, 3, 2) END`;
const BUMP = (row: 'NEW' | 'OLD', delta: 1 | -1) => `
  INSERT INTO registration_counts (campaign_id, period_key, registered_on, region, status, shard, n)
  VALUES (${row}.campaign_id, ${row}.period_key, ${row}.registered_on, ${REGION(row)}, ${row}.status, ${row}.id % 8, ${delta})
  ON DUPLICATE KEY UPDATE n = n + (${delta})`;

/**
 * Pre-aggregated registration counts for the staff dashboard: per campaign, period, registration day,
 * issuing region (4 digits of the invoice code; 2 for fully digital numbers) and status. Kept by triggers
 * on invoices, so every writer (registration, recheck, revocation, bulk loads) keeps them right in the same
 * statement, and registration pays one primary-key upsert and no extra round trip. Rows are split over 8
 * shards (invoice id % 8) so concurrent registrations of one day and city do not queue on one row lock; the
 * dashboard sums the shards. Owned by the invoices module.
 */
export class RegistrationCounts1700000013100 implements MigrationInterface {
  name = 'RegistrationCounts1700000013100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE registration_counts (
        campaign_id VARCHAR(64) NOT NULL,
        period_key CHAR(7) NOT NULL,
        registered_on DATE NOT NULL,
        region VARCHAR(4) NOT NULL,
        status ENUM('pending', 'verified', 'rejected', 'revoked') NOT NULL,
        shard TINYINT UNSIGNED NOT NULL,
        n INT NOT NULL,
        PRIMARY KEY (campaign_id, period_key, registered_on, region, status, shard)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await q.query(`CREATE TRIGGER TR_invoices_count_insert AFTER INSERT ON invoices FOR EACH ROW ${BUMP('NEW', 1)}`);
    await q.query(`
      CREATE TRIGGER TR_invoices_count_update AFTER UPDATE ON invoices FOR EACH ROW
      BEGIN
        IF NOT (OLD.status <=> NEW.status) OR NOT (OLD.registered_on <=> NEW.registered_on) OR NOT (OLD.period_key <=> NEW.period_key) THEN
          ${BUMP('OLD', -1)};
          ${BUMP('NEW', 1)};
        END IF;
      END`);
    await q.query(`CREATE TRIGGER TR_invoices_count_delete AFTER DELETE ON invoices FOR EACH ROW ${BUMP('OLD', -1)}`);
    await q.query(`
      INSERT INTO registration_counts (campaign_id, period_key, registered_on, region, status, shard, n)
      SELECT campaign_id, period_key, registered_on,
             CASE CHAR_LENGTH(invoice_code) WHEN 12 THEN SUBSTRING(invoice_code, 2, 4) WHEN 10 THEN SUBSTRING(invoice_code, 1, 4) ELSE SUBSTRING(invoice_number, 3, 2) END,
             status, id % 8, COUNT(*)
        FROM invoices GROUP BY 1, 2, 3, 4, 5, 6`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS TR_invoices_count_insert`);
    await q.query(`DROP TRIGGER IF EXISTS TR_invoices_count_update`);
    await q.query(`DROP TRIGGER IF EXISTS TR_invoices_count_delete`);
    await q.query(`DROP TABLE registration_counts`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Registration limits enforced by unique keys instead of a row lock. A registration takes a numbered
 * slot of its consumer's day (1..dailyLimit) and of its month (1..monthlyLimit); two registrations can
 * never hold the same slot, so no interleaving of concurrent requests can exceed a limit, and a
 * registration is one autocommit INSERT after one read instead of a locking transaction of five
 * statements. The unique keys' prefixes serve the day and month counts the dropped indexes served.
 *
 * Existing rows are numbered in id order. The columns are nullable for rows written by bulk paths
 * (benchmarks, fixtures) that bypass the registration limits; every registration sets both.
 */
export class RegistrationSlots1700000004000 implements MigrationInterface {
  name = 'RegistrationSlots1700000004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE invoices
        ADD COLUMN day_slot SMALLINT UNSIGNED NULL COMMENT '1..dailyLimit: this registration''s place in its consumer''s day' AFTER registered_month,
        ADD COLUMN month_slot SMALLINT UNSIGNED NULL COMMENT '1..monthlyLimit: its place in its consumer''s month' AFTER day_slot`);
    await q.query(`
      UPDATE invoices i
      JOIN (
        SELECT id,
               ROW_NUMBER() OVER (PARTITION BY consumer_id, registered_on ORDER BY id) AS day_slot,
               ROW_NUMBER() OVER (PARTITION BY consumer_id, registered_month ORDER BY id) AS month_slot
        FROM invoices
      ) numbered ON numbered.id = i.id
      SET i.day_slot = numbered.day_slot, i.month_slot = numbered.month_slot`);
    await q.query(`
      ALTER TABLE invoices
        ADD UNIQUE KEY UQ_invoices_consumer_day_slot (consumer_id, registered_on, day_slot),
        ADD UNIQUE KEY UQ_invoices_consumer_month_slot (consumer_id, registered_month, month_slot),
        DROP INDEX IX_invoices_consumer_day,
        DROP INDEX IX_invoices_consumer_month`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE invoices
        ADD KEY IX_invoices_consumer_day (consumer_id, registered_on),
        ADD KEY IX_invoices_consumer_month (consumer_id, registered_month),
        DROP INDEX UQ_invoices_consumer_day_slot,
        DROP INDEX UQ_invoices_consumer_month_slot,
        DROP COLUMN day_slot,
        DROP COLUMN month_slot`);
  }
}

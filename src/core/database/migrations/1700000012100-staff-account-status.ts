import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Staff accounts can be switched off: `active`, `updated_at`, and `tokens_valid_after` (tokens issued before
 * it, e.g. before a password reset or a deactivation, are refused). Every change an admin makes is kept in
 * `staff_audit_log`, owned by the staff module, with the acting admin.
 */
export class StaffAccountStatus1700000012100 implements MigrationInterface {
  name = 'StaffAccountStatus1700000012100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE staff_accounts
        ADD COLUMN active TINYINT(1) NOT NULL DEFAULT 1,
        ADD COLUMN updated_at DATETIME(3) NULL,
        ADD COLUMN tokens_valid_after DATETIME(3) NULL`);
    await q.query(`UPDATE staff_accounts SET updated_at = created_at`);
    await q.query(`ALTER TABLE staff_accounts MODIFY updated_at DATETIME(3) NOT NULL`);
    await q.query(`
      CREATE TABLE staff_audit_log (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
        actor_id BIGINT UNSIGNED NOT NULL,
        actor_username VARCHAR(64) NOT NULL,
        action VARCHAR(32) NOT NULL,
        target_id BIGINT UNSIGNED NULL,
        target_username VARCHAR(64) NOT NULL,
        outcome VARCHAR(64) NOT NULL,
        detail VARCHAR(1000) NULL,
        created_at DATETIME(3) NOT NULL,
        PRIMARY KEY (id),
        KEY IDX_staff_audit_target (target_id, id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE staff_audit_log');
    await q.query('ALTER TABLE staff_accounts DROP COLUMN tokens_valid_after, DROP COLUMN updated_at, DROP COLUMN active');
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Identities count as verified only after a three-element check (name, ID number, the phone's owner) by the
 * identity port. Identities bound before were checked by checksum only, so they lose their verified mark and
 * their owners verify again (name, hash and mask stay, so a re-verification of the same person is quick and an
 * ID number a stranger bound is taken back by its verified owner). `auto_entry` is the consumer's opt-in to
 * automatic entry (自动参与).
 */
export class VerifiedIdentities1700000012000 implements MigrationInterface {
  name = 'VerifiedIdentities1700000012000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE consumers
        ADD COLUMN identity_method VARCHAR(16) NULL COMMENT 'which verifier passed the identity (http, local)' AFTER identity_verified_at,
        ADD COLUMN auto_entry TINYINT(1) NOT NULL DEFAULT 0 AFTER identity_method,
        ADD KEY IDX_consumers_auto_entry (auto_entry, id_number_hash)`);
    await q.query(`UPDATE consumers SET identity_verified_at = NULL WHERE identity_method IS NULL AND identity_verified_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE consumers DROP KEY IDX_consumers_auto_entry, DROP COLUMN auto_entry, DROP COLUMN identity_method`);
  }
}

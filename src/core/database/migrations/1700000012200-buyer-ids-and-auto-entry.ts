import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The tax bureau's feed may carry an individual buyer's ID number (数电 invoices: the buyer's taxpayer number);
 * only its keyed hash is kept (`buyer_id_hash`, the same PII key and purpose as consumers.id_number_hash),
 * indexed for automatic entry. Registrations gain the source `auto` (entered by the worker for an opted-in
 * buyer).
 */
export class BuyerIdsAndAutoEntry1700000012200 implements MigrationInterface {
  name = 'BuyerIdsAndAutoEntry1700000012200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE registry_invoices
        ADD COLUMN buyer_id_hash CHAR(64) NULL AFTER buyer_name,
        ADD KEY IDX_registry_invoices_buyer_id (buyer_id_hash, issue_date)`);
    await q.query(`ALTER TABLE invoices MODIFY source ENUM('qr','typed','auto') NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE invoices MODIFY source ENUM('qr','typed') NOT NULL`);
    await q.query(`ALTER TABLE registry_invoices DROP KEY IDX_registry_invoices_buyer_id, DROP COLUMN buyer_id_hash`);
  }
}

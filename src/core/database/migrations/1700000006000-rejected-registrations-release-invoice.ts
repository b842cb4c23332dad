import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A registration rejected after the fact no longer holds its invoice. The invoice's identity (code +
 * number) was unique over every registration, so someone who registered an invoice that was not theirs
 * (pending, then rejected when the tax bureau's record named another buyer) kept its real buyer out for
 * good. Now it is unique over the registrations that are not rejected: `identity_claim` is 1 for those and
 * NULL for rejected ones (NULLs never collide in a unique key), so at most one live registration per
 * invoice, and any number of rejected ones kept as history.
 */
export class RejectedRegistrationsReleaseInvoice1700000006000 implements MigrationInterface {
  name = 'RejectedRegistrationsReleaseInvoice1700000006000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE invoices
        ADD COLUMN identity_claim TINYINT UNSIGNED AS (IF(status = 'rejected', NULL, 1)) STORED
          COMMENT '1 unless rejected: the invoice is held by at most one registration that is not rejected' AFTER invoice_number`);
    await q.query(`
      ALTER TABLE invoices
        DROP INDEX UQ_invoices_identity,
        ADD UNIQUE KEY UQ_invoices_identity (invoice_code, invoice_number, identity_claim)`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Fails, as it should, while an invoice has a rejected registration and a live one.
    await q.query(`
      ALTER TABLE invoices
        DROP INDEX UQ_invoices_identity,
        ADD UNIQUE KEY UQ_invoices_identity (invoice_code, invoice_number)`);
    await q.query(`ALTER TABLE invoices DROP COLUMN identity_claim`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Registrations may come from an uploaded e-invoice file (PDF, OFD, tax XML) as well as a QR scan or the typed form. */
export class InvoiceFileSource1700000018000 implements MigrationInterface {
  name = 'InvoiceFileSource1700000018000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE invoices MODIFY COLUMN source ENUM('qr','typed','file') NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Fails, as it should, while a registration from a file exists.
    await q.query(`ALTER TABLE invoices MODIFY COLUMN source ENUM('qr','typed') NOT NULL`);
  }
}

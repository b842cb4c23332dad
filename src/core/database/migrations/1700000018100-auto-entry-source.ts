import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Automatic entries keep their source `auto` next to the e-invoice file source (both added in parallel). */
export class AutoEntrySource1700000018100 implements MigrationInterface {
  name = 'AutoEntrySource1700000018100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE invoices MODIFY source ENUM('qr','typed','file','auto') NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE invoices MODIFY source ENUM('qr','typed','file') NOT NULL`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Consumers, the tax bureau's issued-invoice records, and consumers' invoice registrations. */
export class Intake1700000001000 implements MigrationInterface {
  name = 'Intake1700000001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE consumers (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
        phone_hash CHAR(64) NOT NULL COMMENT 'keyed HMAC of the 11-digit phone',
        phone_masked VARCHAR(16) NOT NULL,
        phone_encrypted VARCHAR(255) NOT NULL COMMENT 'AES-GCM, for SMS to winners',
        real_name VARCHAR(64) NULL,
        id_number_hash CHAR(64) NULL COMMENT 'keyed HMAC of the resident ID number',
        id_number_masked VARCHAR(32) NULL,
        identity_verified_at DATETIME(3) NULL,
        created_at DATETIME(3) NOT NULL,
        PRIMARY KEY (id),
        UNIQUE KEY UQ_consumers_phone (phone_hash),
        UNIQUE KEY UQ_consumers_identity (id_number_hash)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);

    await q.query(`
      CREATE TABLE registry_invoices (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
        invoice_type CHAR(2) NOT NULL,
        invoice_code VARCHAR(12) NOT NULL DEFAULT '',
        invoice_number VARCHAR(20) NOT NULL,
        issue_date DATE NOT NULL,
        amount_cents BIGINT NOT NULL,
        tax_cents BIGINT NOT NULL,
        total_cents BIGINT NOT NULL,
        check_code VARCHAR(20) NULL,
        seller_tax_id VARCHAR(20) NOT NULL,
        seller_name VARCHAR(200) NOT NULL,
        buyer_type ENUM('individual','organization') NOT NULL,
        buyer_name VARCHAR(200) NULL,
        flags SET('red','voided','proxy','purchase','fixed','sellerAbnormal') NOT NULL DEFAULT '',
        imported_at DATETIME(3) NOT NULL,
        updated_at DATETIME(3) NOT NULL,
        PRIMARY KEY (id),
        UNIQUE KEY UQ_registry_invoices_identity (invoice_code, invoice_number)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);

    await q.query(`
      CREATE TABLE invoices (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
        consumer_id BIGINT UNSIGNED NOT NULL,
        campaign_id VARCHAR(64) NOT NULL,
        period_key CHAR(7) NOT NULL COMMENT 'YYYY-MM of the issue date: the draw period',
        invoice_type CHAR(2) NOT NULL,
        invoice_code VARCHAR(12) NOT NULL DEFAULT '',
        invoice_number VARCHAR(20) NOT NULL,
        issue_date DATE NOT NULL,
        amount_cents BIGINT NOT NULL COMMENT 'as on the QR code or as typed',
        check_code VARCHAR(20) NULL,
        source ENUM('qr','typed') NOT NULL,
        status ENUM('pending','verified','rejected','revoked') NOT NULL,
        status_reason VARCHAR(64) NULL,
        paid_cents BIGINT NULL COMMENT 'registry totalCents once verified: the ticket weight',
        matched_amount ENUM('amount','total') NULL,
        registered_at DATETIME(3) NOT NULL,
        registered_on DATE NOT NULL COMMENT 'Asia/Shanghai day of registration, for the daily limit',
        registered_month CHAR(7) NOT NULL COMMENT 'Asia/Shanghai month of registration, for the monthly limit',
        verified_at DATETIME(3) NULL,
        revoked_at DATETIME(3) NULL,
        PRIMARY KEY (id),
        UNIQUE KEY UQ_invoices_identity (invoice_code, invoice_number),
        KEY IX_invoices_consumer_registered (consumer_id, registered_at),
        KEY IX_invoices_consumer_day (consumer_id, registered_on),
        KEY IX_invoices_consumer_month (consumer_id, registered_month),
        KEY IX_invoices_period_status (campaign_id, period_key, status, id),
        KEY IX_invoices_status (status, id),
        CONSTRAINT FK_invoices_consumer FOREIGN KEY (consumer_id) REFERENCES consumers (id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE invoices');
    await q.query('DROP TABLE registry_invoices');
    await q.query('DROP TABLE consumers');
  }
}

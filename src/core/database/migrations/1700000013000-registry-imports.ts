import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per feed import (the registry API, the console's upload, the CLI): when it ran and what it did,
 * so staff see how fresh the tax bureau's data is. Owned by the registry module.
 */
export class RegistryImports1700000013000 implements MigrationInterface {
  name = 'RegistryImports1700000013000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE registry_imports (
        id CHAR(36) NOT NULL,
        source ENUM('feed', 'console', 'cli') NOT NULL,
        actor VARCHAR(100) NULL COMMENT 'staff:<id>:<username> for console uploads',
        started_at DATETIME(3) NOT NULL,
        finished_at DATETIME(3) NOT NULL,
        complete TINYINT(1) NOT NULL COMMENT '0: failed half-way (the batches before the failure were written)',
        line_count INT UNSIGNED NOT NULL,
        accepted INT UNSIGNED NOT NULL,
        updated INT UNSIGNED NOT NULL,
        unchanged INT UNSIGNED NOT NULL,
        rejected INT UNSIGNED NOT NULL,
        PRIMARY KEY (id),
        KEY IX_registry_imports_finished (finished_at)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE registry_imports`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Beacons are any UTF-8 text of up to 256 characters (a Chinese lottery result is the natural public beacon
 * here): the beacon columns of draws and draw_requests grow from 200 to 256 characters (utf8mb4, so every
 * character fits; stored exactly as given).
 */
export class Utf8Beacons1700000016000 implements MigrationInterface {
  name = 'Utf8Beacons1700000016000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE draws MODIFY beacon VARCHAR(256) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL`);
    await q.query(`ALTER TABLE draw_requests MODIFY beacon VARCHAR(256) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Fails, as it should, while a beacon is longer than 200 characters.
    await q.query(`ALTER TABLE draw_requests MODIFY beacon VARCHAR(200) NULL`);
    await q.query(`ALTER TABLE draws MODIFY beacon VARCHAR(200) NULL`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `draws.entries_closed_at`: the instant the freeze closed the period to new registrations, set (and
 * committed) by the freeze before it takes its snapshot. A registration's INSERT checks the draw row under a
 * shared lock in the same statement (see InvoicesService), so every registration either commits before the
 * marker (and is in the freeze's snapshot) or is refused with PERIOD_CLOSED: none is accepted but left out.
 */
export class DrawEntriesClosed1700000016500 implements MigrationInterface {
  name = 'DrawEntriesClosed1700000016500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE draws ADD COLUMN entries_closed_at DATETIME(3) NULL AFTER draw_at`);
    // Draws frozen before this column existed are closed all the same.
    await q.query(`UPDATE draws SET entries_closed_at = COALESCE(frozen_at, updated_at) WHERE status <> 'scheduled'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE draws DROP COLUMN entries_closed_at`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A draw request turned down (by an auditor, or withdrawn by its requester) keeps why: up to 500 characters
 * of the decider's text (utf8mb4), shown to the operator next to the request. Null for the other statuses
 * and for requests rejected before the reason was asked for.
 */
export class DrawRequestReason1700000019000 implements MigrationInterface {
  name = 'DrawRequestReason1700000019000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE draw_requests ADD COLUMN rejection_reason VARCHAR(500) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NULL AFTER decided_at`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE draw_requests DROP COLUMN rejection_reason`);
  }
}

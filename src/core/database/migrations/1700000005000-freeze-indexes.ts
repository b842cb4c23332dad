import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the freeze of large periods (issue #5, BENCHMARKS.md "Freeze and draw").
 *
 * - invoices: the freeze reads a period's verified registrations in ref order in keyset batches. The index
 *   `(campaign_id, period_key, status, ref)` made every row a random look-up in the clustered index for
 *   consumer_id and paid_cents; `IX_invoices_period_cover` carries them, so the read is index-only. It keeps
 *   the old index's leading columns, so every query the old one served (the freeze's count, the pending
 *   registrations of a period) is served by it or by `IX_invoices_period_status` as before. Built online: the
 *   table takes registrations while it is built.
 * - draw_entries: nothing reads the entries by invoice_id (look-ups go by (draw_id, position) or
 *   (draw_id, ref)), and its random inserts cost half the time of writing a period's entries.
 */
export class FreezeIndexes1700000005000 implements MigrationInterface {
  name = 'FreezeIndexes1700000005000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE invoices
        ADD INDEX IX_invoices_period_cover (campaign_id, period_key, status, ref, consumer_id, paid_cents),
        DROP INDEX IX_invoices_period_entries,
        ALGORITHM=INPLACE, LOCK=NONE`);
    await q.query(`ALTER TABLE draw_entries DROP INDEX IX_draw_entries_invoice, ALGORITHM=INPLACE, LOCK=NONE`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE draw_entries ADD INDEX IX_draw_entries_invoice (invoice_id), ALGORITHM=INPLACE, LOCK=NONE`);
    await q.query(`
      ALTER TABLE invoices
        ADD INDEX IX_invoices_period_entries (campaign_id, period_key, status, ref),
        DROP INDEX IX_invoices_period_cover,
        ALGORITHM=INPLACE, LOCK=NONE`);
  }
}

/**
 * Migration 1700000005000 (indexes for the freeze, issue #5): what it changes, that its down() restores exactly
 * the schema of the migrations before it, and that the freeze's read uses the covering index as a range.
 */
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { dropDatabase } from '../../src/core/database/ensure-database.js';
import { migrations } from '../../src/core/database/migrations/index.js';
import { FREEZE_READ_SQL } from '../../src/invoices/invoice-freeze.source.js';
import { expectDownThenUpRestores, migrationBefore, openMigrated } from '../support/migrations.js';
import { TEST_DATABASE_SERVER } from '../support/test-env.js';

const id = `${process.pid}_${randomBytes(4).toString('hex')}`;
const fullUrl = `${TEST_DATABASE_SERVER}/il_test_${id}`;
const beforeUrl = `${TEST_DATABASE_SERVER}/il_test_${id}_b`;
const mineUrl = `${TEST_DATABASE_SERVER}/il_test_${id}_m`;
const MINE = 'FreezeIndexes1700000005000';
const LAST_BEFORE = migrationBefore(MINE);
let full: DataSource;
let before: DataSource;
let mine: DataSource;

async function indexColumns(ds: DataSource, table: string): Promise<Record<string, string[]>> {
  const rows: Array<{ Key_name: string; Column_name: string; Seq_in_index: number }> = await ds.query(`SHOW INDEX FROM ${table}`);
  const out: Record<string, string[]> = {};
  for (const r of rows.sort((a, b) => Number(a.Seq_in_index) - Number(b.Seq_in_index))) (out[r.Key_name] ??= []).push(r.Column_name);
  return out;
}

beforeAll(async () => {
  full = await openMigrated(fullUrl);
  before = await openMigrated(beforeUrl, LAST_BEFORE);
  mine = await openMigrated(mineUrl, MINE);
});
afterAll(async () => {
  for (const ds of [full, before, mine]) await ds?.destroy();
  for (const url of [fullUrl, beforeUrl, mineUrl]) await dropDatabase(url);
});

test('the freeze migration comes after the draws tables, the list in timestamp order', () => {
  const names = migrations.map((m) => m.name);
  expect(names.indexOf(MINE)).toBeGreaterThan(names.indexOf('DrawsAndPrizes1700000002000'));
  const stamps = names.map((n) => Number(/(\d{13})$/.exec(n)![1]));
  expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
});

test('invoices get the covering period index instead of the narrow one; draw_entries loses its invoice index', async () => {
  const invoices = await indexColumns(full, 'invoices');
  expect(invoices.IX_invoices_period_cover).toEqual(['campaign_id', 'period_key', 'status', 'ref', 'consumer_id', 'paid_cents']);
  expect(invoices.IX_invoices_period_entries).toBeUndefined();
  // The queries of a period by status (the freeze's count, its pending registrations) keep an index.
  expect(invoices.IX_invoices_period_status).toEqual(['campaign_id', 'period_key', 'status', 'id']);
  const entries = await indexColumns(full, 'draw_entries');
  expect(entries.IX_draw_entries_invoice).toBeUndefined();
  expect(entries.PRIMARY).toEqual(['draw_id', 'position']);
  expect(entries.UQ_draw_entries_ref).toEqual(['draw_id', 'ref']);
});

test("the freeze's batch read is a range over the covering index, index only, in index order", async () => {
  await full.query(
    `INSERT INTO consumers (phone_hash, phone_masked, phone_encrypted, created_at) VALUES (REPEAT('a', 64), '139****0000', 'x', NOW(3))`,
  );
  // 10,000 registrations over the 6 periods, 90 % verified (a digits cross join: works on MariaDB and MySQL).
  await full.query(`
    INSERT INTO invoices (consumer_id, campaign_id, period_key, invoice_type, invoice_code, invoice_number, ref, issue_date,
      amount_cents, source, status, paid_cents, matched_amount, registered_at, registered_on, registered_month)
    SELECT 1, 'henan-2022', CONCAT('2022-', LPAD(7 + n % 6, 2, '0')), '10', '041012200111', LPAD(n, 8, '0'),
      SHA2(CONCAT('041012200111-', LPAD(n, 8, '0')), 256), '2022-08-15', 2000 + n, 'typed',
      ELT(1 + (n % 20 = 0) + (n % 20 = 1) * 2, 'verified', 'pending', 'rejected'), 2000 + n, 'total', NOW(3), '2022-08-20', '2022-08'
    FROM (SELECT a.d + 10 * b.d + 100 * c.d + 1000 * e.d AS n
            FROM (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) a,
                 (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) b,
                 (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) c,
                 (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) e
          ) t`);
  await full.query('ANALYZE TABLE invoices');
  // Every amount (a campaign of one pool) and a pool's band: both read the index range alone.
  for (const [after, min, max] of [['', 0, null], ['8', 0, null], ['f0', 0, null], ['', 3000, 6000], ['8', 5000, null]] as const) {
    const [plan] = await full.query(`EXPLAIN ${FREEZE_READ_SQL}`, ['henan-2022', '2022-08', after, min, max, max]);
    expect(plan).toMatchObject({ table: 'invoices', type: 'range', key: 'IX_invoices_period_cover' });
    expect(String(plan.Extra)).toContain('Using index');
    expect(String(plan.Extra)).not.toMatch(/filesort/i);
  }
  const [{ n }] = await full.query(`SELECT COUNT(*) AS n FROM invoices WHERE period_key = '2022-08' AND status = 'verified'`);
  const rows = await full.query(FREEZE_READ_SQL, ['henan-2022', '2022-08', '', 0, null, null]);
  expect(rows).toHaveLength(Math.min(Number(n), 10_000));
  const refs = rows.map((r: { ref: string }) => r.ref);
  expect(refs).toEqual([...refs].sort());
  const [{ inBand }] = await full.query(
    `SELECT COUNT(*) AS inBand FROM invoices WHERE period_key = '2022-08' AND status = 'verified' AND paid_cents >= 3000 AND paid_cents < 6000`,
  );
  const banded = await full.query(FREEZE_READ_SQL, ['henan-2022', '2022-08', '', 3000, 6000, 6000]);
  expect(banded).toHaveLength(Number(inBand));
  expect(banded.every((r: { paid_cents: string }) => Number(r.paid_cents) >= 3000 && Number(r.paid_cents) < 6000)).toBe(true);
});

test('down() restores exactly the schema before the migration, and up() applies it again', async () => {
  await expectDownThenUpRestores(mine, before, MINE, ['invoices', 'draw_entries']);
});

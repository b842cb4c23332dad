/**
 * Migration 1700000018200 (issue #18: period keys longer than 'YYYY-MM', one draw per periodic pool, the campaign
 * slot): a database with Henan's draws and registrations keeps them as the one pool 'main' over every amount,
 * and down() restores exactly the schema before it.
 */
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { dropDatabase } from '../../src/core/database/ensure-database.js';
import { migrations } from '../../src/core/database/migrations/index.js';
import { expectDownThenUpRestores, migrationBefore, openMigrated } from '../support/migrations.js';
import { TEST_DATABASE_SERVER } from '../support/test-env.js';

const id = `${process.pid}_${randomBytes(4).toString('hex')}`;
const mineUrl = `${TEST_DATABASE_SERVER}/il_test_${id}_pp`;
const beforeUrl = `${TEST_DATABASE_SERVER}/il_test_${id}_pb`;
const MINE = 'PeriodPools1700000018200';
const LAST_BEFORE = migrationBefore(MINE);
let mine: DataSource;
let before: DataSource;

const TABLES = ['invoices', 'draws', 'registration_counts'];

beforeAll(async () => {
  before = await openMigrated(beforeUrl, LAST_BEFORE);
  mine = await openMigrated(mineUrl, LAST_BEFORE);
  // Henan as it was before: its campaign and a monthly draw.
  await mine.query(`INSERT INTO campaigns (id, name, definition, definition_hash, loaded_at) VALUES ('henan-2022', '河南省2022年有奖发票促消费活动', '{}', REPEAT('0', 64), NOW(3))`);
  await mine.query(
    `INSERT INTO draws (id, campaign_id, period_key, period_start, period_end, freeze_at, draw_at, status, tiers, win_limit_per_holder, alternate_count,
                        ticket_unit_cents, ticket_cap, created_at, updated_at)
     VALUES ('henan-2022-2022-08', 'henan-2022', '2022-08', '2022-08-01', '2022-08-31', NOW(3), NOW(3), 'scheduled', '[]', 1, 100, 100, 10000, NOW(3), NOW(3))`,
  );
  const runner = mine.createQueryRunner();
  try {
    await new (migrations.find((m) => m.name === MINE)!)().up(runner);
  } finally {
    await runner.release();
  }
});
afterAll(async () => {
  for (const ds of [mine, before]) await ds?.destroy();
  for (const url of [mineUrl, beforeUrl]) await dropDatabase(url);
});

test("existing draws become their campaign's one pool 'main' over every amount, named after the campaign", async () => {
  const [draw] = await mine.query(`SELECT pool_id, pool_name, band_min_cents, band_max_cents FROM draws WHERE id = 'henan-2022-2022-08'`);
  expect({ ...draw, band_min_cents: Number(draw.band_min_cents) }).toEqual({ pool_id: 'main', pool_name: '河南省2022年有奖发票促消费活动', band_min_cents: 0, band_max_cents: null });
});

test('period keys of 16 characters fit; a period has one draw per pool; campaign slots are unique per consumer and campaign', async () => {
  const insertDraw = (drawId: string, periodKey: string, poolId: string) =>
    mine.query(
      `INSERT INTO draws (id, campaign_id, period_key, pool_id, period_start, period_end, freeze_at, draw_at, status, tiers, win_limit_per_holder,
                          alternate_count, ticket_unit_cents, ticket_cap, created_at, updated_at)
       VALUES (?, 'zhuzhou-2026', ?, ?, '2026-11-01', '2026-11-15', NOW(3), NOW(3), 'scheduled', '[]', 1, 20, 10000, 100, NOW(3), NOW(3))`,
      [drawId, periodKey, poolId],
    );
  await insertDraw('zhuzhou-2026-2026-11a-band-1000', '2026-11a', 'band-1000');
  await insertDraw('zhuzhou-2026-2026-11a-band-5000', '2026-11a', 'band-5000');
  await insertDraw('zhuzhou-2026-ABCDEFGHIJKLMNOP-x', 'ABCDEFGHIJKLMNOP', 'x');
  await expect(insertDraw('zhuzhou-2026-2026-11a-again', '2026-11a', 'band-1000')).rejects.toThrow(/UQ_draws_period/);

  await mine.query(`INSERT INTO consumers (phone_hash, phone_masked, phone_encrypted, created_at) VALUES (REPEAT('b', 64), '139****0000', 'x', NOW(3))`);
  const insertInvoice = (number: string, slot: number | null) =>
    mine.query(
      `INSERT INTO invoices (consumer_id, campaign_id, period_key, invoice_type, invoice_code, invoice_number, ref, issue_date, amount_cents, source, status,
                             registered_at, registered_on, registered_month, campaign_slot)
       VALUES (1, 'zhuzhou-2026', '2026-11a', '32', '', ?, SHA2(?, 256), '2026-11-03', 20000, 'typed', 'pending', NOW(3), '2026-11-05', '2026-11', ?)`,
      [number, number, slot],
    );
  await insertInvoice('26430000000000000001', 1);
  await insertInvoice('26430000000000000002', null);
  await insertInvoice('26430000000000000003', null);
  await expect(insertInvoice('26430000000000000004', 1)).rejects.toThrow(/UQ_invoices_consumer_campaign_slot/);
  // The dashboard's counts keep the longer key (the trigger writes registration_counts).
  const [{ n }] = await mine.query(`SELECT SUM(n) AS n FROM registration_counts WHERE period_key = '2026-11a'`);
  expect(Number(n)).toBe(3);
  await mine.query(`DELETE FROM invoices`);
  await mine.query(`DELETE FROM registration_counts`);
  await mine.query(`DELETE FROM draws WHERE campaign_id = 'zhuzhou-2026'`);
});

test('down() restores exactly the schema before the migration, and up() applies it again', async () => {
  await expectDownThenUpRestores(mine, before, MINE, TABLES);
});

import { getDataSourceToken } from '@nestjs/typeorm';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { ManualClock } from '../../src/core/clock/clock.js';
import { PiiProtector } from '../../src/core/crypto/pii.js';
import { DrawReadRepository } from '../../src/draws/draw-read.repository.js';
import { DrawTickService } from '../../src/draws/draw-tick.service.js';
import { InvoiceReadRepository } from '../../src/invoices/invoice-read.repository.js';
import { ConsumerReadRepository } from '../../src/consumers/consumer-read.repository.js';
import { PrizeForfeitureService } from '../../src/prizes/prize-forfeiture.service.js';
import { PrizeReadRepository } from '../../src/prizes/prize-read.repository.js';
import { drawRow, insertConsumers, insertInvoices } from '../faults/draw-fixtures.js';
import { destroyTestEnvironment, isolatedConfig, startTestWorker } from '../support/test-env.js';
import { eventually } from '../support/waiting.js';

/**
 * The read repositories other modules read through (the public API above all), on the real MariaDB: the
 * prizes module's "current holders of a draw's prize slots after forfeits" in particular.
 * Two first prizes, three alternates, win limit 1, eight holders.
 */
const campaignsDir = mkdtempSync(join(tmpdir(), 'il-read-repos-'));
const henan = JSON.parse(readFileSync(new URL('../../config/campaigns/henan-2022.json', import.meta.url), 'utf8'));
writeFileSync(
  join(campaignsDir, 'henan-2022.json'),
  JSON.stringify({ ...henan, tiers: [{ tier: 1, name: '一等奖', count: 2, prizeCents: 1_000_000 }], winLimitPerHolder: 1, alternateCount: 3 }),
);
const JULY = 'henan-2022-2022-07';
const clock = new ManualClock('2022-08-07T10:00:00+08:00');
const config = isolatedConfig({ CAMPAIGNS_DIR: campaignsDir });
let worker: Awaited<ReturnType<typeof startTestWorker>>;
let ds: DataSource;
let draws: DrawReadRepository;
let prizes: PrizeReadRepository;

beforeAll(async () => {
  worker = await startTestWorker({ config, clock });
  ds = worker.app.get<DataSource>(getDataSourceToken());
  draws = worker.app.get(DrawReadRepository);
  prizes = new PrizeReadRepository(ds, draws);
  const consumers = await insertConsumers(ds, worker.app.get(PiiProtector), 8);
  await insertInvoices(ds, { periodKey: '2022-07', issueDate: '2022-07-20', consumerIds: consumers, count: 8 });
  await eventually('July published', 60_000, async () => {
    await worker.app.get(DrawTickService).tick();
    return (await drawRow(ds, JULY)).status === 'published';
  });
}, 90_000);
afterAll(async () => {
  await worker?.close();
  await destroyTestEnvironment(config);
  rmSync(campaignsDir, { recursive: true, force: true });
});

test('the winner picks page by draw order, with their total; a tier filter', async () => {
  const all = await draws.winnerPicks(JULY, undefined, 1, 10);
  expect(all.total).toBe(2);
  expect(all.picks.map((p) => [Number(p.tier), Number(p.slot)])).toEqual([
    [1, 1],
    [1, 2],
  ]);
  expect(await draws.winnerPicks(JULY, 1, 2, 1)).toEqual({ total: 2, picks: [all.picks[1]] });
  expect(await draws.winnerPicks(JULY, 2, 1, 10)).toEqual({ total: 0, picks: [] });
});

test("current holders: the drawn winners, then the alternate who took a forfeited slot (with the alternate's own ref and tickets)", async () => {
  const { picks } = await draws.winnerPicks(JULY, undefined, 1, 10);
  const before = await prizes.currentHolders(JULY, picks);
  const entries = await draws.entriesAt(JULY, picks.map((p) => Number(p.position)));
  expect(before.map((h) => [h.ref, h.tickets, h.alternateRank, h.previous, h.latest?.status, h.invoiceId])).toEqual(
    picks.map((p) => [p.ref, Number(p.tickets), null, undefined, 'awaiting_claim', String(entries.get(Number(p.position))!.invoice_id)]),
  );
  const version = await prizes.versionOf(JULY);

  // Both windows end; the slots pass to alternates 1 and 2.
  clock.set(new Date(before[1].latest!.claim_deadline));
  expect(await worker.app.get(PrizeForfeitureService).runDue()).toMatchObject({ forfeited: 2, passed: 2 });
  expect(await prizes.versionOf(JULY)).not.toBe(version);
  const [alternate1] = await ds.query(
    `SELECT pk.ref, pk.tickets, e.invoice_id, e.consumer_id FROM draw_picks pk JOIN draw_entries e ON e.draw_id = pk.draw_id AND e.position = pk.position
      WHERE pk.draw_id = ? AND pk.kind = 'alternate' AND pk.alternate_rank = 1`,
    [JULY],
  );
  const after = await prizes.currentHolders(JULY, picks);
  const heldByAlternate1 = after.find((h) => Number(h.latest!.alternate_rank) === 1)!;
  expect(heldByAlternate1).toMatchObject({
    ref: alternate1.ref,
    tickets: Number(alternate1.tickets),
    alternateRank: 1,
    invoiceId: String(alternate1.invoice_id),
    consumerId: String(alternate1.consumer_id),
    previous: expect.objectContaining({ status: 'forfeited', attempt: 0 }),
    latest: expect.objectContaining({ status: 'awaiting_claim', attempt: 1 }),
  });
});

test('without a prize row yet (publication still writing), the holder is the drawn entry', async () => {
  const { picks } = await draws.winnerPicks(JULY, 1, 1, 1);
  const entries = await draws.entriesAt(JULY, [Number(picks[0].position)]);
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    // Read inside a transaction that deleted the slot's prizes (rolled back after): the read falls back.
    await runner.startTransaction();
    await runner.query(`DELETE FROM prizes WHERE draw_id = ? AND tier = 1 AND slot = ?`, [JULY, picks[0].slot]);
    const inTransaction = { query: (sql: string, params: unknown[]) => runner.query(sql, params) } as unknown as DataSource;
    const [holder] = await new PrizeReadRepository(inTransaction, draws).currentHolders(JULY, picks);
    expect(holder).toMatchObject({ latest: undefined, previous: undefined, ref: picks[0].ref, alternateRank: null, invoiceId: String(entries.get(Number(picks[0].position))!.invoice_id) });
  } finally {
    await runner.rollbackTransaction();
    await runner.release();
  }
});

test('invoices and consumers answer only what masking needs', async () => {
  const [row] = await ds.query(`SELECT id, consumer_id, invoice_code, invoice_number FROM invoices ORDER BY id LIMIT 1`);
  const invoices = new InvoiceReadRepository(ds);
  expect([...(await invoices.invoiceIdentitiesOf([String(row.id)])).values()]).toEqual([{ id: row.id, invoice_code: row.invoice_code, invoice_number: row.invoice_number }]);
  expect(await invoices.registrationOf(row.invoice_code, row.invoice_number)).toMatchObject({ campaign_id: 'henan-2022', period_key: '2022-07', status: 'verified' });
  expect(await invoices.registrationOf(row.invoice_code, '99999999')).toBeNull();
  const names = await new ConsumerReadRepository(ds).realNamesOf([String(row.consumer_id)]);
  expect([...names.entries()]).toEqual([[String(row.consumer_id), '张三']]);
});

import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CampaignCatalog } from '../../src/campaigns/campaign-catalog.js';
import { ManualClock } from '../../src/core/clock/clock.js';
import { DrawLifecycleService } from '../../src/draws/draw-lifecycle.service.js';
import { createConsumer, henanInvoice, insertRegistryRecord } from '../support/fixtures.js';
import { destroyTestEnvironment, startTestApi, type TestApi } from '../support/test-env.js';
import { eventually } from '../support/waiting.js';

/**
 * Registration follows the draw's state (issue 16, item 4): once a period's draw has left `scheduled`, or
 * its freeze has started, an invoice of that period is refused PERIOD_CLOSED whatever the calendar says, and
 * no registration gets a 201 without being in the freeze's entries, even when the freeze starts while it is
 * in flight.
 */
const clock = new ManualClock('2022-08-03T10:00:00+08:00');
const JULY = 'henan-2022-2022-07';
/** July's freeze time: the period ends 07-31, registrations close 5 grace days later. */
const JULY_FREEZE = '2022-08-06T00:00:00+08:00';
let api: TestApi;
let ds: DataSource;

beforeAll(async () => {
  api = await startTestApi({ clock });
  ds = api.app.get<DataSource>(getDataSourceToken());
  // The draws are scheduled as the worker does at start-up.
  for (const campaign of api.app.get(CampaignCatalog).campaigns) await api.app.get(DrawLifecycleService).ensureCampaign(campaign);
});
afterAll(async () => {
  await api.close();
  await destroyTestEnvironment(api.config);
});
beforeEach(async () => {
  clock.set('2022-08-03T10:00:00+08:00');
  await ds.query(`UPDATE draws SET status = 'scheduled', entries_closed_at = NULL WHERE id = ?`, [JULY]);
});

const typed = (ids: { invoiceCode: string; invoiceNumber: string }, issueDate = '2022-07-20') => ({
  invoiceType: '10',
  ...ids,
  issueDate,
  amount: '113.00',
  checkCode: '567890',
});
async function verifiableInvoice(issueDate = '2022-07-20') {
  const ids = henanInvoice();
  await insertRegistryRecord(api.app, { ...ids, issueDate, amountCents: 10_000, taxCents: 1_300 });
  return typed(ids, issueDate);
}
const register = (token: string, body: unknown) => api.http.post('/api/v1/invoices', body, token);
/** Statements of this test's database running now whose text is LIKE `pattern`. */
async function waitingStatements(pattern: string): Promise<number> {
  const [{ n }] = await ds.query(`SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE ? AND DB = DATABASE()`, [pattern]);
  return Number(n);
}

test('a period whose draw has left `scheduled` is closed before its calendar freeze; other periods stay open', async () => {
  const consumer = await createConsumer(api.app);
  for (const status of ['frozen', 'drawn', 'published', 'failed']) {
    await ds.query(`UPDATE draws SET status = ? WHERE id = ?`, [status, JULY]);
    const res = await register(consumer.token, await verifiableInvoice());
    expect([res.status, res.body.code]).toEqual([422, 'PERIOD_CLOSED']);
  }
  expect((await register(consumer.token, await verifiableInvoice('2022-08-01'))).status).toBe(201);
  const [{ july }] = await ds.query(`SELECT COUNT(*) AS july FROM invoices WHERE period_key = '2022-07'`);
  expect(Number(july)).toBe(0);
});

test('a freeze that has started (entries closed, status still `scheduled`) closes the period', async () => {
  const consumer = await createConsumer(api.app);
  await ds.query(`UPDATE draws SET entries_closed_at = ? WHERE id = ?`, [clock.now(), JULY]);
  const res = await register(consumer.token, await verifiableInvoice());
  expect([res.status, res.body.code]).toEqual([422, 'PERIOD_CLOSED']);
});

test("the draw's freeze time decides, on the service clock", async () => {
  const consumer = await createConsumer(api.app);
  clock.set('2022-08-05T23:59:59.999+08:00');
  expect((await register(consumer.token, await verifiableInvoice())).status).toBe(201);
  clock.set(JULY_FREEZE);
  const res = await register(consumer.token, await verifiableInvoice());
  expect([res.status, res.body.code]).toEqual([422, 'PERIOD_CLOSED']);
});

test('a freeze that starts between the registration\'s read and its INSERT: the INSERT waits for it and writes nothing', async () => {
  const consumer = await createConsumer(api.app);
  const body = await verifiableInvoice();
  // The freeze's first act, held open: the draw row is locked for the closing mark.
  const freeze = ds.createQueryRunner();
  await freeze.connect();
  try {
    await freeze.startTransaction();
    await freeze.query(`UPDATE draws SET entries_closed_at = ? WHERE id = ?`, [clock.now(), JULY]);
    const pending = register(consumer.token, body);
    // The registration's read does not wait (a plain read sees the draw open); its INSERT does.
    await eventually('the INSERT waits on the draw row', 10_000, async () => (await waitingStatements('INSERT INTO invoices%')) === 1);
    await freeze.commitTransaction();
    const res = await pending;
    expect([res.status, res.body.code]).toEqual([422, 'PERIOD_CLOSED']);
  } finally {
    if (freeze.isTransactionActive) await freeze.rollbackTransaction();
    await freeze.release();
  }
  const [{ n }] = await ds.query(`SELECT COUNT(*) AS n FROM invoices WHERE invoice_number = ?`, [body.invoiceNumber]);
  expect(Number(n)).toBe(0);
});

test('a registration between its draw check and its commit when the freeze starts: the freeze waits for it, and it is in the entries', async () => {
  const consumer = await createConsumer(api.app);
  const body = await verifiableInvoice();
  const now = clock.now();
  // Holds the registration's INSERT after its check of the draw row: an uncommitted row of the consumer
  // holds day slot 1, which the registration (reading committed data) also takes, so its INSERT waits on
  // the unique key while holding its shared lock on the draw row.
  const blocker = ds.createQueryRunner();
  await blocker.connect();
  try {
    await blocker.startTransaction();
    const other = henanInvoice();
    await blocker.query(
      `INSERT INTO invoices (consumer_id, campaign_id, period_key, invoice_type, invoice_code, invoice_number, ref, issue_date, amount_cents,
                            check_code, source, status, status_reason, registered_at, registered_on, registered_month, day_slot, month_slot)
       VALUES (?, 'henan-2022', '2022-08', '10', ?, ?, REPEAT('a', 64), '2022-08-01', 10000, '567890', 'typed', 'pending', 'AWAITING_REGISTRY_RECORD', ?, '2022-08-03', '2022-08', 1, 99)`,
      [consumer.id, other.invoiceCode, other.invoiceNumber, now],
    );
    const pending = register(consumer.token, body);
    await eventually('the INSERT waits on the slot', 10_000, async () => await waitingStatements('INSERT INTO invoices%') === 1);
    // The freeze time comes and the freeze starts: its closing mark waits for the registration's lock on the draw row.
    clock.set(JULY_FREEZE);
    const freezing = api.app.get(DrawLifecycleService).freezeDraw(JULY);
    await eventually('the freeze waits on the draw row', 10_000, async () => await waitingStatements('UPDATE draws SET entries_closed_at%') === 1);
    await blocker.rollbackTransaction();
    const res = await pending;
    expect(res.status).toBe(201);
    expect((await freezing).status).toBe('frozen');
    const entries = await ds.query(`SELECT invoice_id FROM draw_entries WHERE draw_id = ? AND invoice_id = ?`, [JULY, res.body.id]);
    expect(entries).toHaveLength(1);
  } finally {
    if (blocker.isTransactionActive) await blocker.rollbackTransaction();
    await blocker.release();
  }
  await ds.query(`DELETE FROM draw_entries WHERE draw_id = ?`, [JULY]);
});

test('registrations racing the freeze: every 201 is in the entries, every other answer is PERIOD_CLOSED', async () => {
  const consumers = await Promise.all(Array.from({ length: 40 }, () => createConsumer(api.app)));
  const bodies = await Promise.all(consumers.flatMap((c) => Array.from({ length: 5 }, async () => [c.token, await verifiableInvoice()] as const)));
  clock.set('2022-08-05T23:59:00+08:00');
  const earlier = (await ds.query(`SELECT id FROM invoices WHERE period_key = '2022-07'`)) as Array<{ id: number | string }>;
  const answers = Promise.all(bodies.map(([token, body]) => register(token, body)));
  // Freeze once some registrations are in and most are still on their way (the clock passes the freeze
  // time with it, so registrations that start later are refused by the calendar too).
  await eventually('some registrations in', 10_000, async () => {
    const [{ n }] = await ds.query(`SELECT COUNT(*) AS n FROM invoices WHERE period_key = '2022-07'`);
    return Number(n) >= earlier.length + 10;
  });
  clock.set(JULY_FREEZE);
  const frozen = await api.app.get(DrawLifecycleService).freezeDraw(JULY);
  expect(frozen.status).toBe('frozen');

  const results = await answers;
  const accepted = results.filter((r) => r.status === 201);
  const refused = results.filter((r) => r.status !== 201);
  expect(accepted.every((r) => r.body.status === 'verified')).toBe(true);
  expect(refused.map((r) => [r.status, r.body.code])).toEqual(refused.map(() => [422, 'PERIOD_CLOSED']));
  expect(accepted.length).toBeGreaterThanOrEqual(10);
  const entries: Array<{ invoice_id: number | string }> = await ds.query(`SELECT invoice_id FROM draw_entries WHERE draw_id = ?`, [JULY]);
  const acceptedIds = [...earlier.map((r) => Number(r.id)), ...accepted.map((r) => Number(r.body.id))].sort((a, b) => a - b);
  expect(entries.map((e) => Number(e.invoice_id)).sort((a, b) => a - b)).toEqual(acceptedIds);
  const [{ n }] = await ds.query(`SELECT COUNT(*) AS n FROM invoices WHERE period_key = '2022-07'`);
  expect(Number(n)).toBe(acceptedIds.length);
});

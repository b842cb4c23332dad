/**
 * Automatic entry end to end: a verified consumer opts in; the tax bureau's feed (imported through the API)
 * carries invoices issued to their ID number; the worker enters them (source auto) after the import; they
 * appear in the consumer's list and in the period draw's entries. Real API, worker, queue, MariaDB and Redis.
 */
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CampaignCatalog } from '../../src/campaigns/campaign-catalog.js';
import { ManualClock } from '../../src/core/clock/clock.js';
import { makeResidentId } from '../../src/consumers/domain/resident-id.js';
import { DrawLifecycleService } from '../../src/draws/draw-lifecycle.service.js';
import { henanInvoice } from '../support/fixtures.js';
import { destroyTestEnvironment, startTestApi, startTestWorker, TEST_OTP, TEST_REGISTRY_KEY, type TestApi } from '../support/test-env.js';

const clock = new ManualClock('2022-08-03T10:00:00+08:00');
let api: TestApi;
let worker: Awaited<ReturnType<typeof startTestWorker>>;
let db: DataSource;

beforeAll(async () => {
  api = await startTestApi({ clock });
  worker = await startTestWorker({ clock, config: api.config });
  db = api.app.get<DataSource>(getDataSourceToken());
});
afterAll(async () => {
  await worker?.close();
  await api?.close();
  if (api) await destroyTestEnvironment(api.config);
});

let phoneSeq = 0;
async function verifiedConsumer(realName: string, idNumber: string): Promise<{ id: number; token: string }> {
  const phone = `1350000${String(++phoneSeq).padStart(4, '0')}`;
  expect((await api.http.post('/api/v1/auth/otp', { phone })).status).toBe(202);
  const token = (await api.http.post('/api/v1/auth/login', { phone, code: TEST_OTP })).body.accessToken as string;
  const bound = await api.http.put('/api/v1/me/identity', { realName, idNumber }, token);
  expect(bound.status).toBe(200);
  return { id: bound.body.id, token };
}
const line = (invoice: { invoiceCode: string; invoiceNumber: string }, buyerIdNumber: string | null, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    invoiceType: '10', ...invoice, issueDate: '2022-07-28', amountCents: 20_000, taxCents: 2_600, totalCents: 22_600,
    checkCode: '12345678901234567890', sellerTaxId: '91410100MA40000000', sellerName: '郑州测试商贸有限公司',
    buyerType: 'individual', buyerName: '张三', flags: [], buyerIdNumber, ...extra,
  });
async function importFeed(lines: string[]): Promise<void> {
  const res = await api.http.request('POST', '/api/v1/registry/invoices', { raw: lines.join('\n'), token: TEST_REGISTRY_KEY, headers: { 'content-type': 'application/x-ndjson' } });
  expect(res.status).toBe(200);
  expect(res.body.rejectedCount).toBe(0);
}
async function eventually<T>(what: string, probe: () => Promise<T | undefined | false>): Promise<T> {
  const until = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}
const list = async (token: string) => (await api.http.get('/api/v1/invoices', token)).body.items as Array<Record<string, unknown>>;

test('from a feed import to the consumer list and into the draw entries; only for the opted-in buyer; never twice; no one else can take it', async () => {
  const ownerId = makeResidentId('410105', '19800808', '017');
  const owner = await verifiedConsumer('张三', ownerId);
  const optedOut = await verifiedConsumer('李四', makeResidentId('410105', '19800808', '025'));
  const stranger = await verifiedConsumer('张三', makeResidentId('410105', '19800808', '033'));
  expect((await api.http.request('PATCH', '/api/v1/me', { body: { autoEntry: true }, token: owner.token })).body.autoEntry).toBe(true);

  const auto = henanInvoice();
  const alreadyMine = henanInvoice();
  const tooSmall = henanInvoice();
  const someoneElses = henanInvoice();
  // The owner registered one of them by hand before the feed had it (pending).
  const manual = await api.http.post(
    '/api/v1/invoices',
    { invoiceType: '10', ...alreadyMine, issueDate: '2022-07-28', amount: '226.00', checkCode: '567890' },
    owner.token,
  );
  expect(manual.status).toBe(201);

  await importFeed([
    line(auto, ownerId.toLowerCase()),
    line(alreadyMine, ownerId),
    line(tooSmall, ownerId, { amountCents: 1_000, taxCents: 0, totalCents: 1_000 }),
    line(someoneElses, makeResidentId('410105', '19800808', '025')), // the opted-out consumer's
  ]);

  const entered = await eventually('the automatic entry', async () => {
    const items = await list(owner.token);
    return items.find((i) => i.invoiceNumber === auto.invoiceNumber && i.status === 'verified');
  });
  expect(entered).toMatchObject({ source: 'auto', status: 'verified', tickets: 226, period: '2022-07' });
  const mine = await eventually('the manual one verified', async () => {
    const items = await list(owner.token);
    return items.find((i) => i.invoiceNumber === alreadyMine.invoiceNumber && i.status === 'verified') && items;
  });
  // The manual registration stays the only one of its invoice; the too-small one is not entered.
  expect(mine.map((i) => [i.invoiceNumber, i.source]).sort()).toEqual(
    [
      [auto.invoiceNumber, 'auto'],
      [alreadyMine.invoiceNumber, 'manual'],
    ].sort(),
  );
  expect(await list(optedOut.token)).toEqual([]);
  const [{ n }] = await db.query('SELECT COUNT(*) AS n FROM invoices WHERE invoice_number = ?', [alreadyMine.invoiceNumber]);
  expect(Number(n)).toBe(1);

  // Another consumer cannot register an invoice entered automatically.
  const taken = await api.http.post('/api/v1/invoices', { invoiceType: '10', ...auto, issueDate: '2022-07-28', amount: '226.00', checkCode: '567890' }, stranger.token);
  expect([taken.status, taken.body.code]).toEqual([409, 'INVOICE_ALREADY_REGISTERED']);

  // A second import of the same feed enters nothing twice.
  await importFeed([line(auto, ownerId)]);
  await new Promise((r) => setTimeout(r, 1500));
  expect((await list(owner.token)).filter((i) => i.invoiceNumber === auto.invoiceNumber)).toHaveLength(1);

  // The July draw's entries include it.
  clock.set('2022-08-06T10:00:00+08:00');
  const lifecycle = worker.app.get(DrawLifecycleService);
  await lifecycle.ensureCampaign(worker.app.get(CampaignCatalog).get('henan-2022')!);
  await lifecycle.freezeDraw('henan-2022-2022-07');
  const entries = (await db.query('SELECT invoice_id, tickets FROM draw_entries WHERE draw_id = ?', ['henan-2022-2022-07'])).map((e: { invoice_id: unknown; tickets: unknown }) => ({ invoice_id: Number(e.invoice_id), tickets: Number(e.tickets) }));
  expect(entries).toEqual(expect.arrayContaining([{ invoice_id: Number(entered.id), tickets: 226 }]));
});

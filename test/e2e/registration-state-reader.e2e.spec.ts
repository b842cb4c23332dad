import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ManualClock } from '../../src/core/clock/clock.js';
import type { InvoiceClaim } from '../../src/invoices/domain/invoice-fields.js';
import { MAX_READS_PER_STATEMENT, READ_STATEMENT, RegistrationStateReader } from '../../src/invoices/registration-state.reader.js';
import { createConsumer, henanInvoice, insertRegistryRecord } from '../support/fixtures.js';
import { destroyTestEnvironment, startTestApi, type TestApi } from '../support/test-env.js';

const clock = new ManualClock('2022-08-10T10:00:00+08:00');
let api: TestApi;
let reader: RegistrationStateReader;
/** How many reads each statement sent through the pool's `execute` (prepared) carried. */
let executed: number[] = [];

beforeAll(async () => {
  api = await startTestApi({ clock });
  reader = api.app.get(RegistrationStateReader);
  const pool = (api.app.get<DataSource>(getDataSourceToken()).driver as unknown as { pool: { execute: (...args: unknown[]) => unknown } }).pool;
  const execute = pool.execute.bind(pool);
  pool.execute = (...args: unknown[]) => {
    if (String(args[0]).includes('JSON_TABLE')) executed.push((JSON.parse((args[1] as string[])[0]) as unknown[]).length);
    return execute(...args);
  };
});
afterAll(async () => {
  await api.close();
  await destroyTestEnvironment(api.config);
});

/** No draw is scheduled in these tests (the worker schedules them): the state's `draw` is null. */
const AUGUST = { campaignId: 'henan-2022', periodKey: '2022-08', gatePool: 'main', limited: false };
const claimOf = (ids: { invoiceCode: string; invoiceNumber: string }) => ({ ...ids }) as InvoiceClaim;
const typed = (ids: { invoiceCode: string; invoiceNumber: string }) => ({ invoiceType: '10', ...ids, issueDate: '2022-08-08', amount: '113.00', checkCode: '567890' });

test('reads that arrive together share one statement, and each gets exactly what it would have read alone', async () => {
  const a = await createConsumer(api.app);
  const unverified = await createConsumer(api.app, { verified: false });
  const fresh = await createConsumer(api.app, { realName: '李四' });
  // a: one registration yesterday, one today (both this month); the one today is of `taken`.
  clock.set('2022-08-09T10:00:00+08:00');
  expect((await api.http.post('/api/v1/invoices', typed(henanInvoice()), a.token)).status).toBe(201);
  clock.set('2022-08-10T10:00:00+08:00');
  const taken = henanInvoice();
  expect((await api.http.post('/api/v1/invoices', typed(taken), a.token)).status).toBe(201);
  const inRegistry = henanInvoice();
  await insertRegistryRecord(api.app, { ...inRegistry, issueDate: '2022-08-08', amountCents: 10_000, taxCents: 1_300, flags: ['voided'] });
  const unknown = henanInvoice();

  const reads: Array<[number, { invoiceCode: string; invoiceNumber: string }]> = [
    [a.id, inRegistry],
    [a.id, taken],
    [unverified.id, unknown],
    [fresh.id, inRegistry],
    [987_654_321, unknown],
    [fresh.id, taken],
  ];
  const readAll = () => Promise.all(reads.map(([consumerId, ids]) => reader.read(consumerId, claimOf(ids), '2022-08-10', '2022-08', AUGUST)));

  executed = [];
  const together = await readAll();
  expect(executed).toEqual([reads.length]);

  const alone = [];
  for (const [consumerId, ids] of reads) alone.push(await reader.read(consumerId, claimOf(ids), '2022-08-10', '2022-08', AUGUST));
  expect(together).toEqual(alone);

  const [aRegistry, aTaken, unverifiedUnknown, freshRegistry, missing, freshTaken] = together;
  expect(aRegistry).toMatchObject({ identityVerified: true, realName: '张三', alreadyRegistered: false, registeredToday: 1, registeredThisMonth: 2 });
  expect(aRegistry?.daySlots).toEqual(new Set([1]));
  expect(aRegistry?.monthSlots).toEqual(new Set([1, 2]));
  expect(aRegistry?.record).toMatchObject({ ...inRegistry, amountCents: 10_000, taxCents: 1_300, totalCents: 11_300, flags: ['voided'] });
  expect(aTaken).toMatchObject({ alreadyRegistered: true, record: null, draw: null });
  expect(unverifiedUnknown).toMatchObject({ identityVerified: false, alreadyRegistered: false, registeredThisMonth: 0, record: null });
  expect(freshRegistry).toMatchObject({ identityVerified: true, realName: '李四', registeredToday: 0, registeredThisMonth: 0 });
  expect(freshRegistry?.record?.invoiceNumber).toBe(inRegistry.invoiceNumber);
  expect(missing).toBeNull();
  // Someone else's registration of the invoice shows as a duplicate, not as one of this consumer's.
  expect(freshTaken).toMatchObject({ alreadyRegistered: true, registeredThisMonth: 0 });
});

test(`more than ${MAX_READS_PER_STATEMENT} reads at once are split; reads apart are not held back`, async () => {
  const consumer = await createConsumer(api.app);
  const claims = Array.from({ length: 2 * MAX_READS_PER_STATEMENT + 3 }, () => claimOf(henanInvoice()));
  executed = [];
  const states = await Promise.all(claims.map((claim) => reader.read(consumer.id, claim, '2022-08-10', '2022-08', AUGUST)));
  expect(states.every((s) => s?.identityVerified === true && !s.alreadyRegistered)).toBe(true);
  expect(executed).toEqual([MAX_READS_PER_STATEMENT, MAX_READS_PER_STATEMENT, 3]);

  executed = [];
  await reader.read(consumer.id, claims[0], '2022-08-10', '2022-08', AUGUST);
  await reader.read(consumer.id, claims[1], '2022-08-10', '2022-08', AUGUST);
  expect(executed).toEqual([1, 1]);
});

test('the keys can be looked up through unique keys (they compare in the tables\' collation)', async () => {
  const keys = JSON.stringify([
    [0, 1, '041012200111', '12345678', '2022-08', 'henan-2022', '2022-08', 'main', 0],
    [1, 2, '', '22410000000000000001', '2022-08', 'zhuzhou-2026', '2026-11a', 'band-1000', 1],
  ]);
  const plan = (await api.app.get<DataSource>(getDataSourceToken()).query(`EXPLAIN ${READ_STATEMENT}`, [keys])) as Array<{ table: string; possible_keys: string | null }>;
  // Which key the optimizer then takes depends on the data (a handful of rows here are scanned instead);
  // a key that is not even possible would mean a scan of the whole table on every registration.
  const usable = Object.fromEntries(plan.map((row) => [row.table, (row.possible_keys ?? '').split(',')]));
  expect(usable.c).toContain('PRIMARY');
  expect(usable.d).toContain('UQ_invoices_identity');
  expect(usable.r).toContain('UQ_registry_invoices_identity');
  expect(usable.m).toContain('UQ_invoices_consumer_month_slot');
  expect(usable.w).toContain('UQ_draws_period');
  // The consumer's registrations in a campaign with a campaign limit (intake.campaignLimit).
  expect(usable.s).toContain('UQ_invoices_consumer_campaign_slot');
});

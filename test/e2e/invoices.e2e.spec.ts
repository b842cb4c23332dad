import { QueueEvents } from 'bullmq';
import { DataSource } from 'typeorm';
import { TokenService } from '../../src/auth/token.service.js';
import { ManualClock } from '../../src/core/clock/clock.js';
import { formatInvoiceQr } from '../../src/invoices/domain/qr.js';
import { QueueService } from '../../src/core/queue/queue.service.js';
import { QueueName } from '../../src/core/queue/queue-names.js';
import { RegistryJob } from '../../src/invoices/invoice-verification.processor.js';
import { MISMATCH_COST, REGISTRATION_POINTS_PER_HOUR } from '../../src/invoices/registration-limits.js';
import { createConsumer, henanInvoice, insertRegistryRecord } from '../support/fixtures.js';
import { destroyTestEnvironment, startTestApi, startTestWorker, type TestApi } from '../support/test-env.js';

const clock = new ManualClock('2022-08-10T10:00:00+08:00');
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({ clock });
});
afterAll(async () => {
  await api.close();
  await destroyTestEnvironment(api.config);
});
beforeEach(() => clock.set('2022-08-10T10:00:00+08:00'));

/** A typed registration body for a fresh Henan invoice (amount 100.00 + 13.00 tax unless given). */
function typed(overrides: Record<string, unknown> = {}) {
  return { invoiceType: '10', ...henanInvoice(), issueDate: '2022-08-08', amount: '113.00', checkCode: '567890', ...overrides };
}
async function withRecord(body: ReturnType<typeof typed>, record: Partial<Parameters<typeof insertRegistryRecord>[1]> = {}) {
  await insertRegistryRecord(api.app, {
    invoiceType: body.invoiceType as string,
    invoiceCode: body.invoiceCode as string,
    invoiceNumber: body.invoiceNumber as string,
    issueDate: body.issueDate as string,
    amountCents: 10000,
    taxCents: 1300,
    ...record,
  });
  return body;
}
const register = (token: string, body: unknown) => api.http.post('/api/v1/invoices', body, token);
/** Consumer tokens live 7 days on the service clock: a test that lets days pass signs in again. */
const tokenOf = (consumerId: number) => api.app.get(TokenService).issueConsumerToken(consumerId);
/** `count` accepted registrations by the consumer, 5 a day from 2022-08-10 09:00 on (the clock is left on the last day). */
async function registerFromAugust10(consumerId: number, count: number): Promise<void> {
  let token = '';
  for (let n = 0; n < count; n++) {
    if (n % 5 === 0) {
      clock.set(`2022-08-${10 + n / 5}T09:00:00+08:00`);
      token = tokenOf(consumerId);
    }
    expect((await register(token, typed())).status).toBe(201);
  }
}

describe('registration outcomes', () => {
  test('a matching registry record makes it verified, with one ticket per whole yuan paid', async () => {
    const consumer = await createConsumer(api.app);
    const res = await register(consumer.token, await withRecord(typed()));
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(Number), status: 'verified', tickets: 113 });
    // Times on the service clock, stored in UTC; dates and months in Shanghai.
    const [row] = await api.app
      .get(DataSource)
      .query(`SELECT registered_at, verified_at, registered_on, registered_month, day_slot, month_slot, paid_cents FROM invoices WHERE id = ?`, [res.body.id]);
    expect(row).toEqual({
      registered_at: new Date('2022-08-10T02:00:00.000Z'),
      verified_at: new Date('2022-08-10T02:00:00.000Z'),
      registered_on: '2022-08-10',
      registered_month: '2022-08',
      day_slot: 1,
      month_slot: 1,
      paid_cents: 11300,
    });
  });

  test('the pre-tax amount matches too; tickets still follow what was paid', async () => {
    const consumer = await createConsumer(api.app);
    const res = await register(consumer.token, await withRecord(typed({ amount: '100' })));
    expect(res.body).toMatchObject({ status: 'verified', tickets: 113 });
  });

  test('a scanned QR code registers like the typed fields', async () => {
    const consumer = await createConsumer(api.app);
    const ids = henanInvoice();
    const qr = formatInvoiceQr({ invoiceType: '10', ...ids, issueDate: '2022-08-09', amountCents: 25_050, checkCode: '12345678901234567890' }, { trailer: 'AB12', trailingComma: true });
    await insertRegistryRecord(api.app, { ...ids, issueDate: '2022-08-09', amountCents: 25_050, taxCents: 0 });
    const res = await register(consumer.token, { qr });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'verified', tickets: 250 });
  });

  test('not yet in the registry: pending with a reason and no tickets', async () => {
    const consumer = await createConsumer(api.app);
    const res = await register(consumer.token, typed());
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(Number), status: 'pending', tickets: 0, reason: 'AWAITING_REGISTRY_RECORD' });
  });

  test('a fully digital (数电) invoice without code or check code registers', async () => {
    const consumer = await createConsumer(api.app);
    const number = `22410000000${String(Date.now()).slice(-9)}`;
    const qr = `01,32,,${number},200.00,20220809,,74AE,`;
    const res = await register(consumer.token, { qr });
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('pending');
  });
});

describe('refusals', () => {
  test('without a token: 401', async () => {
    const res = await register('', typed());
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('AUTH_REQUIRED');
  });

  test('a malformed QR is 400 QR_MALFORMED; malformed fields 400 VALIDATION_FAILED', async () => {
    const consumer = await createConsumer(api.app);
    const qr = await register(consumer.token, { qr: '01,10,041012200111,123,abc' });
    expect(qr.status).toBe(400);
    expect(qr.body.code).toBe('QR_MALFORMED');
    const fields = await register(consumer.token, typed({ amount: 12.5 }));
    expect(fields.status).toBe(400);
    expect(fields.body).toMatchObject({ code: 'VALIDATION_FAILED', field: 'amount' });
    const array = await register(consumer.token, [1, 2]);
    expect(array.status).toBe(400);
  });

  test('an invoice registered by someone else before is 409 INVOICE_ALREADY_REGISTERED; by the same consumer, 200 with it', async () => {
    const [a, b] = [await createConsumer(api.app), await createConsumer(api.app)];
    const body = typed();
    const first = await register(a.token, body);
    expect(first.status).toBe(201);
    const retried = await register(a.token, body);
    expect([retried.status, retried.body]).toEqual([200, first.body]);
    const again = await register(b.token, body);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('INVOICE_ALREADY_REGISTERED');
  });

  const cases: Array<[string, Record<string, unknown>]> = [
    ['INELIGIBLE_TYPE', { invoiceType: '01' }],
    ['CHECK_CODE_REQUIRED', { checkCode: undefined }],
    ['OUTSIDE_REGION', { invoiceCode: '044012200111' }],
    ['ISSUE_DATE_IN_FUTURE', { issueDate: '2022-08-11' }],
    ['OUTSIDE_CAMPAIGN', { issueDate: '2022-07-14' }],
    ['AMOUNT_TOO_SMALL', { amount: '19.99' }],
  ];
  test.each(cases)('422 %s', async (code, overrides) => {
    const consumer = await createConsumer(api.app);
    const res = await register(consumer.token, typed(overrides));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ statusCode: 422, code });
  });

  test('422 REGISTRATION_TOO_LATE more than 90 days after issue', async () => {
    clock.set('2022-11-20T10:00:00+08:00');
    const consumer = await createConsumer(api.app);
    const res = await register(consumer.token, typed({ issueDate: '2022-08-20' }));
    expect(res.body.code).toBe('REGISTRATION_TOO_LATE');
  });

  test('422 PERIOD_CLOSED once the period has frozen (after the 5 grace days)', async () => {
    const consumer = await createConsumer(api.app);
    clock.set('2022-08-05T23:59:00+08:00');
    expect((await register(consumer.token, typed({ issueDate: '2022-07-20' }))).status).toBe(201);
    clock.set('2022-08-06T00:00:00+08:00');
    const res = await register(consumer.token, typed({ issueDate: '2022-07-21' }));
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('PERIOD_CLOSED');
  });

  test('422 IDENTITY_REQUIRED without a verified identity', async () => {
    const consumer = await createConsumer(api.app, { verified: false });
    const res = await register(consumer.token, typed());
    expect(res.body.code).toBe('IDENTITY_REQUIRED');
  });

  test('422 INVOICE_MISMATCH when the registry disagrees on the amount, date or check code', async () => {
    const consumer = await createConsumer(api.app);
    const amount = await register(consumer.token, await withRecord(typed({ amount: '120.00' })));
    expect(amount.status).toBe(422);
    expect(amount.body).toMatchObject({ code: 'INVOICE_MISMATCH', field: 'amount' });
    const check = await register(consumer.token, await withRecord(typed({ checkCode: '000000' })));
    expect(check.body).toMatchObject({ code: 'INVOICE_MISMATCH', field: 'checkCode' });
  });

  test('422 INVOICE_EXCLUDED for a voided record, an organization buyer, another buyer name', async () => {
    const consumer = await createConsumer(api.app, { realName: '李四' });
    const voided = await register(consumer.token, await withRecord(typed(), { flags: ['voided'] }));
    expect(voided.body).toMatchObject({ code: 'INVOICE_EXCLUDED', flag: 'voided' });
    const proxy = await register(consumer.token, await withRecord(typed(), { flags: ['proxy'] }));
    expect(proxy.body).toMatchObject({ code: 'INVOICE_EXCLUDED', flag: 'proxy' });
    const org = await register(consumer.token, await withRecord(typed(), { buyerType: 'organization', buyerName: '某公司' }));
    expect(org.body).toMatchObject({ code: 'INVOICE_EXCLUDED', flag: 'organizationBuyer' });
    const other = await register(consumer.token, await withRecord(typed(), { buyerName: '王五' }));
    expect(other.body).toMatchObject({ code: 'INVOICE_EXCLUDED', flag: 'buyerNameMismatch' });
    const mine = await register(consumer.token, await withRecord(typed(), { buyerName: '李四' }));
    expect(mine.body.status).toBe('verified');
  });
});

describe('limits', () => {
  test('at most 5 a day; rejected attempts do not count; the next day opens again', async () => {
    const consumer = await createConsumer(api.app);
    expect((await register(consumer.token, typed({ amount: '1.00' }))).status).toBe(422);
    for (let i = 0; i < 5; i++) expect((await register(consumer.token, typed())).status).toBe(201);
    const sixth = await register(consumer.token, typed());
    expect(sixth.status).toBe(422);
    expect(sixth.body.code).toBe('DAILY_LIMIT_REACHED');
    clock.set('2022-08-11T00:00:00+08:00');
    expect((await register(consumer.token, typed())).status).toBe(201);
  });

  test('at most 45 in a calendar month', async () => {
    const consumer = await createConsumer(api.app);
    const token = () => tokenOf(consumer.id);
    await registerFromAugust10(consumer.id, 45);
    clock.set('2022-08-19T09:00:00+08:00');
    const res = await register(token(), typed({ issueDate: '2022-08-08' }));
    expect(res.body.code).toBe('MONTHLY_LIMIT_REACHED');
    clock.set('2022-09-01T09:00:00+08:00');
    expect((await register(token(), typed({ issueDate: '2022-08-20' }))).status).toBe(201);
  });
});

describe('concurrency', () => {
  test('50 consumers registering one invoice at once: exactly one 201', async () => {
    const consumers = await Promise.all(Array.from({ length: 50 }, () => createConsumer(api.app)));
    const body = typed();
    const results = await Promise.all(consumers.map((c) => register(c.token, body)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409 && r.body.code === 'INVOICE_ALREADY_REGISTERED')).toHaveLength(49);
  });

  test('20 concurrent registrations by one consumer: exactly 5 accepted', async () => {
    const consumer = await createConsumer(api.app);
    const results = await Promise.all(Array.from({ length: 20 }, () => register(consumer.token, typed())));
    expect(results.filter((r) => r.status === 201)).toHaveLength(5);
    expect(results.filter((r) => r.body.code === 'DAILY_LIMIT_REACHED')).toHaveLength(15);
  });

  test('concurrent registrations at the edge of the month: exactly the 3 slots left are taken', async () => {
    const consumer = await createConsumer(api.app);
    const token = () => tokenOf(consumer.id);
    await registerFromAugust10(consumer.id, 42);
    // 42 this month, none today: the month (45) binds before the day (5).
    clock.set('2022-08-19T09:00:00+08:00');
    const t = token();
    const results = await Promise.all(Array.from({ length: 10 }, () => register(t, typed())));
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    expect(results.filter((r) => r.status !== 201).map((r) => r.body.code)).toEqual(Array(7).fill('MONTHLY_LIMIT_REACHED'));
    const [{ rows, slots }] = await api.app
      .get(DataSource)
      .query(`SELECT COUNT(*) AS \`rows\`, COUNT(DISTINCT month_slot) AS slots FROM invoices WHERE consumer_id = ? AND registered_month = '2022-08'`, [
        consumer.id,
      ]);
    expect([Number(rows), Number(slots)]).toEqual([45, 45]);
  });

  test('rows written around intake (no slot) still count against the limits', async () => {
    const consumer = await createConsumer(api.app);
    for (let i = 0; i < 3; i++) expect((await register(consumer.token, typed())).status).toBe(201);
    // Two of today's rows lose their slots, as if loaded in bulk: 3 rows, 1 slot.
    await api.app.get(DataSource).query(`UPDATE invoices SET day_slot = NULL WHERE consumer_id = ? ORDER BY id LIMIT 2`, [consumer.id]);
    const results = await Promise.all(Array.from({ length: 6 }, () => register(consumer.token, typed())));
    expect(results.filter((r) => r.status === 201)).toHaveLength(2);
    expect(results.filter((r) => r.body.code === 'DAILY_LIMIT_REACHED')).toHaveLength(4);
  });
});

describe('rate limit', () => {
  test(`more than ${REGISTRATION_POINTS_PER_HOUR} attempts an hour by one consumer: 429 RATE_LIMITED with Retry-After; others unaffected`, async () => {
    const consumer = await createConsumer(api.app);
    // Refused attempts count too (this is about request floods, not stored registrations).
    const attempts = await Promise.all(Array.from({ length: REGISTRATION_POINTS_PER_HOUR }, () => register(consumer.token, typed({ amount: '1.00' }))));
    expect(new Set(attempts.map((r) => r.body.code))).toEqual(new Set(['AMOUNT_TOO_SMALL']));
    const refused = await register(consumer.token, typed());
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await register((await createConsumer(api.app)).token, typed())).status).toBe(201);
  });

  test(`a registration the registry contradicts costs ${MISMATCH_COST} attempts: guessing a check code stops after ${REGISTRATION_POINTS_PER_HOUR / MISMATCH_COST} tries`, async () => {
    const consumer = await createConsumer(api.app);
    const body = await withRecord(typed({ checkCode: '000000' }), { checkCode: '12345678901234567890' });
    const guesses = REGISTRATION_POINTS_PER_HOUR / MISMATCH_COST;
    for (let i = 0; i < guesses; i++) {
      const res = await register(consumer.token, { ...body, checkCode: String(i).padStart(6, '0') });
      expect(res.body).toMatchObject({ code: 'INVOICE_MISMATCH', field: 'checkCode' });
    }
    const right = await register(consumer.token, { ...body, checkCode: '567890' });
    expect(right.status).toBe(429);
    expect(right.body.code).toBe('RATE_LIMITED');
  });
});

describe('reading registrations', () => {
  test("own list newest first, paginated; someone else's is 404", async () => {
    const [a, b] = [await createConsumer(api.app), await createConsumer(api.app)];
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      clock.advance(60_000);
      ids.push((await register(a.token, typed())).body.id);
    }
    const page1 = await api.http.get('/api/v1/invoices?page=1&pageSize=2', a.token);
    expect(page1.status).toBe(200);
    expect(page1.body.total).toBe(3);
    expect(page1.body.items.map((i: { id: number }) => i.id)).toEqual([ids[2], ids[1]]);
    expect(page1.body.items[0]).toMatchObject({ status: 'pending', reason: 'AWAITING_REGISTRY_RECORD', tickets: 0, period: '2022-08' });
    const page2 = await api.http.get('/api/v1/invoices?page=2&pageSize=2', a.token);
    expect(page2.body.items.map((i: { id: number }) => i.id)).toEqual([ids[0]]);
    expect((await api.http.get(`/api/v1/invoices/${ids[0]}`, a.token)).status).toBe(200);
    const foreign = await api.http.get(`/api/v1/invoices/${ids[0]}`, b.token);
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('INVOICE_NOT_FOUND');
    expect((await api.http.get('/api/v1/invoices/abc', a.token)).status).toBe(400);
    expect((await api.http.get('/api/v1/invoices?pageSize=1000', a.token)).status).toBe(400);
  });
});

describe('follow-up in the worker', () => {
  test('a pending registration is verified or rejected once the registry has it; a void revokes a verified one', async () => {
    const worker = await startTestWorker({ config: api.config, clock });
    const events = new QueueEvents(QueueName.registry, { connection: { url: api.config.REDIS_URL }, prefix: api.config.REDIS_PREFIX });
    await events.waitUntilReady();
    try {
      const consumer = await createConsumer(api.app);
      const good = typed();
      const bad = typed();
      const later = typed();
      const goodId = (await register(consumer.token, good)).body.id;
      const badId = (await register(consumer.token, bad)).body.id;
      const laterId = (await register(consumer.token, later)).body.id;
      await withRecord(good);
      await withRecord(bad, { amountCents: 5000, taxCents: 0 });

      const queues = api.app.get(QueueService);
      const job = await queues.add(QueueName.registry, RegistryJob.recheckPending, {});
      expect(await job.waitUntilFinished(events, 20_000)).toMatchObject({ verified: 1, rejected: 1, stillPending: expect.any(Number) });
      const view = async (id: number) => (await api.http.get(`/api/v1/invoices/${id}`, consumer.token)).body;
      expect(await view(goodId)).toMatchObject({ status: 'verified', tickets: 113 });
      expect(await view(badId)).toMatchObject({ status: 'rejected', reason: 'INVOICE_MISMATCH:amount' });
      expect(await view(laterId)).toMatchObject({ status: 'pending' });

      // Running it again changes nothing.
      const again = await queues.add(QueueName.registry, RegistryJob.recheckPending, {});
      expect(await again.waitUntilFinished(events, 20_000)).toMatchObject({ verified: 0, rejected: 0 });

      const revoke = await queues.add(QueueName.registry, RegistryJob.revokeInvoices, {
        invoices: [{ invoiceCode: good.invoiceCode, invoiceNumber: good.invoiceNumber, kind: 'voided' }],
      });
      expect(await revoke.waitUntilFinished(events, 20_000)).toEqual({ revoked: 1 });
      expect(await view(goodId)).toMatchObject({ status: 'revoked', reason: 'INVOICE_VOIDED', tickets: 0 });

      // A stranger's registration, rejected once the record names another buyer, releases the invoice:
      // its real buyer registers it, and then it is taken again.
      const stranger = await createConsumer(api.app, { realName: '李四' });
      const buyer = await createConsumer(api.app, { realName: '王五' });
      const theirs = typed();
      const squatted = await register(stranger.token, theirs);
      expect(squatted.body).toMatchObject({ status: 'pending' });
      expect((await register(buyer.token, theirs)).body.code).toBe('INVOICE_ALREADY_REGISTERED');
      await withRecord(theirs, { buyerName: '王五' });
      const rejection = await queues.add(QueueName.registry, RegistryJob.recheckPending, {});
      expect(await rejection.waitUntilFinished(events, 20_000)).toMatchObject({ rejected: 1 });
      expect((await api.http.get(`/api/v1/invoices/${squatted.body.id}`, stranger.token)).body).toMatchObject({
        status: 'rejected',
        reason: 'INVOICE_EXCLUDED:buyerNameMismatch',
      });
      const owned = await register(buyer.token, theirs);
      expect(owned.status).toBe(201);
      expect(owned.body).toMatchObject({ status: 'verified', tickets: 113 });
      expect((await register(stranger.token, theirs)).body.code).toBe('INVOICE_ALREADY_REGISTERED');
      expect((await register((await createConsumer(api.app)).token, theirs)).body.code).toBe('INVOICE_ALREADY_REGISTERED');
      // The public check shows the live registration, not the rejected one.
      const check = await api.http.get(`/api/v1/public/check?invoiceCode=${theirs.invoiceCode}&invoiceNumber=${theirs.invoiceNumber}`);
      expect(check.body).toMatchObject({ registrationStatus: 'verified', outcome: 'AWAITING_DRAW' });

      // The daily re-check is queued by the maintenance tick, once per service-clock day (no real-time scheduler).
      expect((await queues.queue(QueueName.registry).getJobSchedulers()).map((s) => s.key)).toEqual([]);
    } finally {
      await events.close();
      await worker.close();
    }
  });
});

/**
 * Buyers matched by ID, safe retries of registrations and claims, on the real API, MariaDB and Redis. The
 * clock starts in August 2022 (registrations) and moves to December (the July draw and its claims).
 */
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { TokenService } from '../../src/auth/token.service.js';
import { CampaignCatalog } from '../../src/campaigns/campaign-catalog.js';
import { ManualClock } from '../../src/core/clock/clock.js';
import { PiiProtector } from '../../src/core/crypto/pii.js';
import { makeResidentId } from '../../src/consumers/domain/resident-id.js';
import { invoiceRef } from '../../src/draws/algorithm/index.js';
import { DrawLifecycleService } from '../../src/draws/draw-lifecycle.service.js';
import { Invoice } from '../../src/invoices/invoice.entity.js';
import { createConsumer, henanInvoice, insertRegistryRecord } from '../support/fixtures.js';
import { destroyTestEnvironment, startTestApi, TEST_REGISTRY_KEY, type TestApi } from '../support/test-env.js';

const clock = new ManualClock('2022-08-10T10:00:00+08:00');
let api: TestApi;
let db: DataSource;
let pii: PiiProtector;

beforeAll(async () => {
  api = await startTestApi({ clock });
  db = api.app.get<DataSource>(getDataSourceToken());
  pii = api.app.get(PiiProtector);
});
afterAll(async () => {
  await api?.close();
  if (api) await destroyTestEnvironment(api.config);
});

let idSeq = 100;
/** A verified consumer whose ID number hash is the real keyed hash of `idNumber` (as a verified binding stores it). */
async function verifiedConsumer(realName: string, idNumber = makeResidentId('410105', '19880808', String(++idSeq))) {
  const consumer = await createConsumer(api.app, { realName });
  await db.query('UPDATE consumers SET id_number_hash = ?, identity_method = ? WHERE id = ?', [pii.lookupHash('identity', idNumber), 'http', consumer.id]);
  return { ...consumer, idNumber };
}
const typed = (invoice: { invoiceCode: string; invoiceNumber: string }, issueDate = '2022-08-08', amount = '113.00') => ({
  invoiceType: '10',
  ...invoice,
  issueDate,
  amount,
  checkCode: '567890',
});
const register = (token: string, body: unknown, headers: Record<string, string> = {}) => api.http.request('POST', '/api/v1/invoices', { body, token, headers });

describe('the feed carries buyer ID numbers as keyed hashes only', () => {
  test('an import with buyerIdNumber stores its hash, never the number; a bad number is a rejected line', async () => {
    const idNumber = makeResidentId('410105', '19750505', '123');
    const invoice = henanInvoice();
    const line = (extra: Record<string, unknown>) =>
      JSON.stringify({
        invoiceType: '10', ...invoice, issueDate: '2022-08-08', amountCents: 10_000, taxCents: 1_300, totalCents: 11_300,
        checkCode: '12345678901234567890', sellerTaxId: '91410100MA40000000', sellerName: '郑州测试商贸有限公司',
        buyerType: 'individual', buyerName: '张三', flags: [], ...extra,
      });
    const res = await api.http.request('POST', '/api/v1/registry/invoices', {
      raw: [line({ buyerIdNumber: idNumber.toLowerCase() }), line({ invoiceNumber: '99999998', buyerIdNumber: '410105197505051230' })].join('\n'),
      token: TEST_REGISTRY_KEY,
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: 1, rejectedCount: 1, rejected: [{ line: 2, code: 'INVALID_FIELD', field: 'buyerIdNumber' }] });
    const [row] = await db.query('SELECT * FROM registry_invoices WHERE invoice_code = ? AND invoice_number = ?', [invoice.invoiceCode, invoice.invoiceNumber]);
    expect(row.buyer_id_hash).toBe(pii.lookupHash('identity', idNumber));
    expect(JSON.stringify(row)).not.toContain(idNumber);
  });
});

describe('registration against a record with the buyer ID', () => {
  test("someone else under the same name is refused like a record naming another buyer; the buyer registers", async () => {
    const owner = await verifiedConsumer('张三');
    const namesake = await verifiedConsumer('张三');
    const invoice = henanInvoice();
    await insertRegistryRecord(api.app, { ...invoice, issueDate: '2022-08-08', amountCents: 10_000, taxCents: 1_300, buyerName: '张三' });
    await db.query('UPDATE registry_invoices SET buyer_id_hash = ? WHERE invoice_number = ?', [pii.lookupHash('identity', owner.idNumber), invoice.invoiceNumber]);

    const refused = await register(namesake.token, typed(invoice));
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('INVOICE_EXCLUDED');
    const otherName = henanInvoice();
    await insertRegistryRecord(api.app, { ...otherName, issueDate: '2022-08-08', amountCents: 10_000, taxCents: 1_300, buyerName: '李四' });
    const byName = await register(namesake.token, typed(otherName));
    // The same answer as a record naming another buyer: it does not tell whether the record carried an ID.
    expect(refused.body).toEqual(byName.body);

    const ok = await register(owner.token, typed(invoice));
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ status: 'verified', tickets: 113 });
  });

  test('a buyer ID on the record wins over the name: the verified buyer registers even under another spelling', async () => {
    const owner = await verifiedConsumer('欧阳娜娜');
    const invoice = henanInvoice();
    await insertRegistryRecord(api.app, { ...invoice, issueDate: '2022-08-08', amountCents: 10_000, taxCents: 1_300, buyerName: '欧阳 娜' });
    await db.query('UPDATE registry_invoices SET buyer_id_hash = ? WHERE invoice_number = ?', [pii.lookupHash('identity', owner.idNumber), invoice.invoiceNumber]);
    expect((await register(owner.token, typed(invoice))).status).toBe(201);
  });
});

describe('safe retries of a registration', () => {
  test('the same consumer sending an invoice again gets 200 with that registration; anyone else 409', async () => {
    const consumer = await verifiedConsumer('王五');
    const other = await verifiedConsumer('赵六');
    const invoice = henanInvoice();
    const first = await register(consumer.token, typed(invoice));
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ status: 'pending', reason: 'AWAITING_REGISTRY_RECORD' });
    const again = await register(consumer.token, typed(invoice));
    expect([again.status, again.body]).toEqual([200, first.body]);
    const taken = await register(other.token, typed(invoice));
    expect([taken.status, taken.body.code]).toEqual([409, 'INVOICE_ALREADY_REGISTERED']);
    const list = (await api.http.get('/api/v1/invoices', consumer.token)).body.items;
    expect(list.filter((i: { id: number }) => i.id === first.body.id)).toEqual([expect.objectContaining({ source: 'manual' })]);
    expect(list).toHaveLength(1);
  });

  test('retries racing each other store one registration; each is answered with it', async () => {
    const consumer = await verifiedConsumer('孙七');
    const invoice = henanInvoice();
    const results = await Promise.all(Array.from({ length: 6 }, () => register(consumer.token, typed(invoice))));
    const ids = new Set(results.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    const [{ n }] = await db.query('SELECT COUNT(*) AS n FROM invoices WHERE invoice_number = ?', [invoice.invoiceNumber]);
    expect(Number(n)).toBe(1);
  });

  test('Idempotency-Key: the same key and body get the first answer (also a refusal); another body is 422', async () => {
    const consumer = await verifiedConsumer('周八');
    const invoice = henanInvoice();
    const key = { 'idempotency-key': `reg-${invoice.invoiceNumber}` };
    const first = await register(consumer.token, typed(invoice), key);
    expect(first.status).toBe(201);
    const replay = await register(consumer.token, typed(invoice), key);
    expect([replay.status, replay.body, replay.headers.get('idempotent-replayed')]).toEqual([201, first.body, 'true']);
    const reused = await register(consumer.token, typed(henanInvoice()), key);
    expect([reused.status, reused.body.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    // Keys are per consumer: another consumer's same key is their own.
    const other = await verifiedConsumer('吴九');
    expect((await register(other.token, typed(henanInvoice()), key)).status).toBe(201);

    const tooSmall = typed(henanInvoice(), '2022-08-08', '1.00');
    const refusalKey = { 'idempotency-key': 'small-one' };
    const refused = await register(consumer.token, tooSmall, refusalKey);
    expect([refused.status, refused.body.code]).toEqual([422, 'AMOUNT_TOO_SMALL']);
    expect((await register(consumer.token, tooSmall, refusalKey)).body).toEqual(refused.body);
    expect((await register(consumer.token, tooSmall, { 'idempotency-key': 'bad key with spaces' })).body.code).toBe('IDEMPOTENCY_KEY_INVALID');
  });
});

describe('claims', () => {
  const CAMPAIGN = 'henan-2022';
  const JULY = `${CAMPAIGN}-2022-07`;
  const people: Record<'owner' | 'namesake' | 'other', Awaited<ReturnType<typeof verifiedConsumer>>> = {} as never;
  const prizeOf: Record<string, number> = {};

  beforeAll(async () => {
    people.owner = await verifiedConsumer('张三');
    people.namesake = await verifiedConsumer('张三');
    people.other = await verifiedConsumer('钱十');
    clock.set('2022-12-10T12:00:00+08:00');
    for (const who of ['owner', 'namesake', 'other'] as const) people[who].token = api.app.get(TokenService).issueConsumerToken(people[who].id);
    const lifecycle = api.app.get(DrawLifecycleService);
    await lifecycle.ensureCampaign(api.app.get(CampaignCatalog).get(CAMPAIGN)!);
    // Each holds one verified July invoice. The namesake's was registered under the old name-only rule: its
    // record carries the owner's ID (what the tax bureau now sends).
    for (const [who, buyer] of [['owner', 'owner'], ['namesake', 'owner'], ['other', null]] as const) {
      const invoice = henanInvoice();
      await insertRegistryRecord(api.app, { ...invoice, issueDate: '2022-07-20', amountCents: 10_000, taxCents: 0, buyerName: '张三' });
      if (buyer) await db.query('UPDATE registry_invoices SET buyer_id_hash = ? WHERE invoice_number = ?', [pii.lookupHash('identity', people[buyer].idNumber), invoice.invoiceNumber]);
      else await db.query("UPDATE registry_invoices SET buyer_name = '钱十' WHERE invoice_number = ?", [invoice.invoiceNumber]);
      await db.getRepository(Invoice).insert(
        db.getRepository(Invoice).create({
          consumerId: people[who].id, campaignId: CAMPAIGN, periodKey: '2022-07', invoiceType: '10', ...invoice,
          ref: invoiceRef(invoice.invoiceCode, invoice.invoiceNumber), issueDate: '2022-07-20', amountCents: 10_000, checkCode: null,
          source: 'typed', status: 'verified', statusReason: null, paidCents: 10_000, matchedAmount: 'total',
          registeredAt: new Date('2022-07-20T12:00:00+08:00'), registeredOn: '2022-07-20', registeredMonth: '2022-07',
          verifiedAt: new Date('2022-07-20T12:00:00+08:00'), revokedAt: null,
        }),
      );
    }
    await lifecycle.freezeDraw(JULY);
    await lifecycle.runDraw(JULY);
    expect((await lifecycle.publishDraw(JULY)).status).toBe('published');
    const prizes: Array<{ id: string; consumer_id: string }> = await db.query('SELECT id, consumer_id FROM prizes WHERE draw_id = ?', [JULY]);
    for (const who of ['owner', 'namesake', 'other'] as const) {
      const mine = prizes.filter((p) => Number(p.consumer_id) === people[who].id);
      expect(mine).toHaveLength(1);
      prizeOf[who] = Number(mine[0].id);
    }
  });

  const claim = (who: 'owner' | 'namesake' | 'other', body: unknown, headers: Record<string, string> = {}) =>
    api.http.request('POST', `/api/v1/me/prizes/${prizeOf[who]}/claim`, { body, token: people[who].token, headers });
  const bank = (account: string) => ({ bankName: '中国工商银行', bankAccount: account });

  test("a claim by someone whose verified identity is not the record's buyer is refused (also under the same name)", async () => {
    const res = await claim('namesake', bank('6222020000000000011'));
    expect([res.status, res.body.code]).toEqual([422, 'CLAIMANT_IDENTITY_MISMATCH']);
    const [row] = await db.query('SELECT status, bank_account_masked FROM prizes WHERE id = ?', [prizeOf.namesake]);
    expect(row).toEqual({ status: 'awaiting_claim', bank_account_masked: null });
  });

  test('the buyer claims; a retried claim gets the same answer; a second claim with another account is refused and changes nothing', async () => {
    const first = await claim('owner', bank('6222020000000000029'));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'claimed', bankAccount: expect.stringMatching(/0029$/) });
    const retried = await claim('owner', bank('6222020000000000029'));
    expect([retried.status, retried.body]).toEqual([200, first.body]);
    const before = await db.query('SELECT * FROM prizes WHERE id = ?', [prizeOf.owner]);
    const second = await claim('owner', bank('6222020000000000037'));
    expect([second.status, second.body.code]).toEqual([409, 'PRIZE_ALREADY_CLAIMED']);
    expect(await db.query('SELECT * FROM prizes WHERE id = ?', [prizeOf.owner])).toEqual(before);
  });

  test('Idempotency-Key on a claim: the same key and body replay the answer, another body is 422', async () => {
    const key = { 'idempotency-key': 'claim-other-1' };
    const first = await claim('other', bank('6222020000000000045'), key);
    expect(first.status).toBe(200);
    const replay = await claim('other', bank('6222020000000000045'), key);
    expect([replay.status, replay.body, replay.headers.get('idempotent-replayed')]).toEqual([200, first.body, 'true']);
    const reused = await claim('other', bank('6222020000000000052'), key);
    expect([reused.status, reused.body.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
  });
});

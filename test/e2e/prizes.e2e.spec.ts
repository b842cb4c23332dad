import { getDataSourceToken } from '@nestjs/typeorm';
import { QueueEvents } from 'bullmq';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { TokenService } from '../../src/auth/token.service.js';
import { CampaignCatalog } from '../../src/campaigns/campaign-catalog.js';
import { ManualClock } from '../../src/core/clock/clock.js';
import { QueueName } from '../../src/core/queue/queue-names.js';
import { QueueService } from '../../src/core/queue/queue.service.js';
import { SmsSender } from '../../src/core/sms/sms-sender.js';
import { invoiceRef } from '../../src/draws/algorithm/index.js';
import { DrawBusyError, DrawLifecycleService } from '../../src/draws/draw-lifecycle.service.js';
import { Invoice } from '../../src/invoices/invoice.entity.js';
import { NotificationJob } from '../../src/notifications/notification-jobs.js';
import { MAINTENANCE_TICK_SCHEDULER_ID, MaintenanceJob } from '../../src/maintenance/dated-work.tick.js';
import { PrizeForfeitureService, type ForfeitureRunResult } from '../../src/prizes/prize-forfeiture.service.js';
import { createConsumer, henanInvoice, insertRegistryRecord } from '../support/fixtures.js';
import { destroyTestEnvironment, startTestApi, startTestWorker, TEST_ADMIN, type HttpResult, type TestApi } from '../support/test-env.js';

/**
 * Prizes end to end: a small campaign (tier 1 one prize of ¥10,000, tier 2 one prize of ¥100, three
 * alternates, win limit 1), one draw per scenario, every draw published at T0 through DrawLifecycleService.
 * The clock only moves forward through the file, so the describes run in order.
 */
const CAMPAIGN_ID = 'prize-test';
const T0 = '2022-12-10T12:00:00+08:00';
const DAY = 86_400_000;
const WINDOW_DAYS = 60;

const campaignsDir = mkdtempSync(join(tmpdir(), 'il-prizes-'));
const henan = JSON.parse(readFileSync(new URL('../../config/campaigns/henan-2022.json', import.meta.url), 'utf8'));
writeFileSync(
  join(campaignsDir, `${CAMPAIGN_ID}.json`),
  JSON.stringify({
    ...henan,
    id: CAMPAIGN_ID,
    name: '测试活动',
    startDate: '2022-01-01',
    endDate: '2022-12-31',
    tiers: [
      { tier: 1, name: '一等奖', count: 1, prizeCents: 1_000_000 },
      { tier: 2, name: '二等奖', count: 1, prizeCents: 10_000 },
    ],
    winLimitPerHolder: 1,
    alternateCount: 3,
    claimWindowDays: WINDOW_DAYS,
  }),
);

class CapturingSmsSender extends SmsSender {
  readonly sent: Array<{ phone: string; message: string }> = [];
  failures = 0;
  async send(phone: string, message: string): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('gateway unavailable');
    }
    this.sent.push({ phone, message });
  }
}

type Seeded = Awaited<ReturnType<typeof createConsumer>>;
interface Scenario {
  drawId: string;
  period: string;
  entrants: Seeded[];
}

const clock = new ManualClock(T0);
const sms = new CapturingSmsSender();
let api: TestApi;
let db: DataSource;
let worker: Awaited<ReturnType<typeof startTestWorker>>;
let forfeiture: PrizeForfeitureService;
const consumers = new Map<number, Seeded>();
const bankAccounts: string[] = [];
/** The body of every response of the prize and notification endpoints (payouts.csv kept apart). */
const jsonBodies: string[] = [];
const csvBodies: string[] = [];

const scenarios: Record<'main' | 'noIdentity' | 'mismatch' | 'noBuyer' | 'forfeit' | 'revoke', Scenario> = {} as never;

const token = (consumerId: number) => api.app.get(TokenService).issueConsumerToken(consumerId);
async function call(method: string, path: string, consumerId: number | null, body?: unknown): Promise<HttpResult> {
  const res = await api.http.request(method, path, { body, token: consumerId === null ? undefined : token(consumerId) });
  jsonBodies.push(res.text);
  return res;
}
const myPrizes = async (consumerId: number) => (await call('GET', '/api/v1/me/prizes', consumerId)).body.items as any[];
const claim = (consumerId: number, prizeId: number, body: unknown) => call('POST', `/api/v1/me/prizes/${prizeId}/claim`, consumerId, body);

async function prizesOf(drawId: string): Promise<any[]> {
  const rows = await db.query(`SELECT * FROM prizes WHERE draw_id = ? ORDER BY tier, slot, attempt`, [drawId]);
  return rows.map((r: any) => ({
    ...r,
    ...Object.fromEntries(['id', 'consumer_id', 'invoice_id', 'gross_cents', 'tax_cents', 'net_cents'].map((k) => [k, Number(r[k])])),
  }));
}
async function current(drawId: string, tier: number): Promise<any> {
  const rows = (await prizesOf(drawId)).filter((p) => p.tier === tier);
  return rows[rows.length - 1];
}
async function alternate(drawId: string, rank: number): Promise<{ consumerId: number; invoiceId: number }> {
  const [row] = await db.query(
    `SELECT e.consumer_id, e.invoice_id FROM draw_picks pk JOIN draw_entries e ON e.draw_id = pk.draw_id AND e.position = pk.position
      WHERE pk.draw_id = ? AND pk.kind = 'alternate' AND pk.alternate_rank = ?`,
    [drawId, rank],
  );
  return { consumerId: Number(row.consumer_id), invoiceId: Number(row.invoice_id) };
}
async function auditOf(drawId: string, action: string): Promise<any[]> {
  const rows = await db.query(`SELECT actor, action, details FROM draw_audit_log WHERE draw_id = ? AND action = ? ORDER BY id`, [drawId, action]);
  return rows.map((r: any) => ({ ...r, details: JSON.parse(r.details) }));
}
const snapshot = async () => ({
  prizes: await db.query(`SELECT * FROM prizes ORDER BY id`),
  notifications: Number((await db.query(`SELECT COUNT(*) AS n FROM notifications`))[0].n),
  // The scenario draws only: the worker's draw tick may freeze the campaign's later (empty) draws meanwhile.
  audit: Number((await db.query(`SELECT COUNT(*) AS n FROM draw_audit_log WHERE draw_id IN (?)`, [Object.values(scenarios).map((s) => s.drawId)]))[0].n),
});
async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
/** Waits until every prize awaiting its claim has had its SMS sent (winner or alternate). */
async function settleSms(): Promise<void> {
  await waitFor(
    'the pending SMS',
    async () => {
      const [{ n }] = await db.query(
        `SELECT COUNT(*) AS n FROM prizes p WHERE p.status = 'awaiting_claim' AND NOT EXISTS (
           SELECT 1 FROM notifications s WHERE s.read_at IS NOT NULL
              AND s.dedupe_key = CONCAT(IF(p.attempt = 0, 'sms:prize-won:', 'sms:prize-passed:'), p.id))`,
      );
      return Number(n) === 0;
    },
    30_000,
  );
}
async function retryBusy<T>(step: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await step();
    } catch (error) {
      if (!(error instanceof DrawBusyError) || i > 100) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** A verified registration (inserted directly: intake has its own tests) with its registry record. */
async function verifiedInvoice(consumer: Seeded, period: string, buyerName: string | null): Promise<void> {
  const ids = henanInvoice();
  const issueDate = `${period}-10`;
  const amountCents = 10_000;
  await insertRegistryRecord(api.app, { ...ids, issueDate, amountCents, taxCents: 0, buyerName });
  await db.getRepository(Invoice).insert({
    consumerId: consumer.id,
    campaignId: CAMPAIGN_ID,
    periodKey: period,
    invoiceType: '10',
    invoiceCode: ids.invoiceCode,
    invoiceNumber: ids.invoiceNumber,
    ref: invoiceRef(ids.invoiceCode, ids.invoiceNumber),
    issueDate,
    amountCents,
    checkCode: null,
    source: 'typed',
    status: 'verified',
    statusReason: null,
    paidCents: amountCents,
    matchedAmount: 'total',
    registeredAt: new Date(`${issueDate}T12:00:00+08:00`),
    registeredOn: issueDate,
    registeredMonth: period,
    verifiedAt: new Date(`${issueDate}T12:00:00+08:00`),
    revokedAt: null,
  });
}

async function scenario(
  period: string,
  people: Array<{ realName: string; verified?: boolean; buyerName?: string | null }>,
): Promise<Scenario> {
  const entrants: Seeded[] = [];
  for (const p of people) {
    const consumer = await createConsumer(api.app, { realName: p.realName, verified: p.verified ?? true });
    consumers.set(consumer.id, consumer);
    entrants.push(consumer);
    await verifiedInvoice(consumer, period, p.buyerName === undefined ? p.realName : p.buyerName);
  }
  return { drawId: `${CAMPAIGN_ID}-${period}`, period, entrants };
}

const names = ['李雷', '韩梅梅', '欧阳娜娜', '王小明', '赵敏'];

beforeAll(async () => {
  api = await startTestApi({ clock, env: { CAMPAIGNS_DIR: campaignsDir } });
  db = api.app.get<DataSource>(getDataSourceToken());
  const lifecycle = api.app.get(DrawLifecycleService);
  await lifecycle.ensureCampaign(api.app.get(CampaignCatalog).get(CAMPAIGN_ID)!);

  scenarios.main = await scenario('2022-01', names.map((realName) => ({ realName })));
  scenarios.noIdentity = await scenario('2022-02', names.map((realName) => ({ realName, verified: false, buyerName: null })));
  // The registry corrected the buyer of every invoice after registration: nobody's name matches any more.
  scenarios.mismatch = await scenario('2022-03', names.map((realName) => ({ realName, buyerName: '王五' })));
  scenarios.noBuyer = await scenario('2022-04', names.map((realName) => ({ realName, buyerName: null })));
  scenarios.forfeit = await scenario('2022-05', names.map((realName) => ({ realName })));
  scenarios.revoke = await scenario('2022-06', names.map((realName) => ({ realName })));

  for (const s of Object.values(scenarios)) {
    await retryBusy(() => lifecycle.freezeDraw(s.drawId));
    await retryBusy(() => lifecycle.runDraw(s.drawId));
    const published = await retryBusy(() => lifecycle.publishDraw(s.drawId));
    expect(published.status).toBe('published');
  }

  // The worker (queue processors) starts once every draw is published, so its draw tick finds nothing to do.
  worker = await startTestWorker({ config: api.config, clock, override: (b) => b.overrideProvider(SmsSender).useValue(sms) });
  forfeiture = worker.app.get(PrizeForfeitureService);
});

afterAll(async () => {
  await worker?.close();
  await api?.close();
  if (api) await destroyTestEnvironment(api.config);
  rmSync(campaignsDir, { recursive: true, force: true });
});

describe('a winner sees the prize', () => {
  test('GET /me/prizes: gross, 20% tax over ¥800 (¥10,000 -> ¥2,000 tax, ¥8,000 net), none on ¥100; masked invoice number', async () => {
    const { drawId } = scenarios.main;
    const first = await current(drawId, 1);
    const second = await current(drawId, 2);
    const deadline = new Date(new Date(T0).getTime() + WINDOW_DAYS * DAY).toISOString();

    const [big] = await myPrizes(first.consumer_id);
    const [invoice] = await db.query(`SELECT invoice_number FROM invoices WHERE id = ?`, [first.invoice_id]);
    expect(big).toEqual({
      id: first.id,
      kind: 'draw',
      drawId,
      period: '2022-01',
      tier: 1,
      tierName: '一等奖',
      slot: 1,
      asAlternate: false,
      grossCents: 1_000_000,
      taxCents: 200_000,
      netCents: 800_000,
      status: 'awaiting_claim',
      claimable: true,
      claimDeadline: deadline,
      claimedAt: null,
      bankName: null,
      bankAccount: null,
      invoiceNumber: `****${invoice.invoice_number.slice(-4)}`,
      endedAt: null,
      endReason: null,
      payableAt: null,
    });
    const [small] = await myPrizes(second.consumer_id);
    expect(small).toMatchObject({ tier: 2, tierName: '二等奖', grossCents: 10_000, taxCents: 0, netCents: 10_000, status: 'awaiting_claim' });

    const alt = await alternate(drawId, 1);
    expect(await myPrizes(alt.consumerId)).toEqual([]);
  });

  test('only consumers: 401 without a token, 403 for staff', async () => {
    expect((await call('GET', '/api/v1/me/prizes', null)).status).toBe(401);
    const staff = await api.http.staffToken(TEST_ADMIN.username, TEST_ADMIN.password);
    const res = await api.http.get('/api/v1/me/prizes', staff);
    jsonBodies.push(res.text);
    expect(res.status).toBe(403);
  });

  test('GET /me/notifications lists the prize-won notice; marking read is idempotent and owner-only', async () => {
    const first = await current(scenarios.main.drawId, 1);
    const list = await call('GET', '/api/v1/me/notifications', first.consumer_id);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ page: 1, pageSize: 20, total: 1, unread: 1 });
    const [notice] = list.body.items;
    expect(notice).toMatchObject({ kind: 'prize-won', title: expect.stringContaining('一等奖'), readAt: null });

    const read = await call('POST', `/api/v1/me/notifications/${notice.id}/read`, first.consumer_id);
    expect(read.status).toBe(200);
    expect(read.body.readAt).toEqual(expect.any(String));
    clock.advance(1000);
    const again = await call('POST', `/api/v1/me/notifications/${notice.id}/read`, first.consumer_id);
    expect(again.body.readAt).toBe(read.body.readAt);
    expect((await call('GET', '/api/v1/me/notifications', first.consumer_id)).body.unread).toBe(0);

    const other = await current(scenarios.main.drawId, 2);
    const foreign = await call('POST', `/api/v1/me/notifications/${notice.id}/read`, other.consumer_id);
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('NOTIFICATION_NOT_FOUND');
    const all = await call('POST', '/api/v1/me/notifications/read-all', other.consumer_id);
    expect(all.body).toEqual({ updated: 1 });
    expect((await call('POST', '/api/v1/me/notifications/read-all', other.consumer_id)).body).toEqual({ updated: 0 });
    expect((await call('GET', '/api/v1/me/notifications', null)).status).toBe(401);
  });

  test('every winner gets one SMS through the SMS sender, with the tier and no personal numbers', async () => {
    const winners = (await db.query(`SELECT id, consumer_id FROM prizes WHERE attempt = 0`)).map((r: any) => Number(r.consumer_id));
    expect(winners).toHaveLength(12);
    await waitFor('the winner SMS', () => sms.sent.length >= 12);
    const phones = winners.map((id: number) => consumers.get(id)!.phone);
    expect(sms.sent.map((s) => s.phone).sort()).toEqual([...phones].sort());
    for (const s of sms.sent) {
      expect(s.message).toMatch(/恭喜您在2022年\d+月期抽奖中获得(一等奖|二等奖)/);
      for (const c of consumers.values()) {
        expect(s.message).not.toContain(c.phone);
        if (c.idNumber) expect(s.message).not.toContain(c.idNumber);
      }
    }
    // SMS records are not shown as in-app notices.
    const first = await current(scenarios.main.drawId, 1);
    const kinds = (await call('GET', '/api/v1/me/notifications', first.consumer_id)).body.items.map((n: any) => n.kind);
    expect(kinds).toEqual(['prize-won']);
  });

  test('a repeated draw-published job sends nothing twice', async () => {
    const before = sms.sent.length;
    const events = new QueueEvents(QueueName.notifications, { connection: { url: api.config.REDIS_URL }, prefix: api.config.REDIS_PREFIX });
    await events.waitUntilReady();
    try {
      const job = await api.app.get(QueueService).add(QueueName.notifications, NotificationJob.drawPublished, { drawId: scenarios.main.drawId }, { jobId: 'again-main' });
      expect(await job.waitUntilFinished(events, 20_000)).toEqual({ sent: 0, skipped: 2 });
    } finally {
      await events.close();
    }
    expect(sms.sent.length).toBe(before);
  });
});

describe('claiming', () => {
  test("someone else's prize is 404 PRIZE_NOT_FOUND, like a missing one; a bad id 400", async () => {
    const first = await current(scenarios.main.drawId, 1);
    const second = await current(scenarios.main.drawId, 2);
    const body = { bankName: '中国工商银行', bankAccount: '6222021234567890123' };
    const foreign = await claim(second.consumer_id, first.id, body);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ statusCode: 404, code: 'PRIZE_NOT_FOUND', message: expect.any(String) });
    expect((await claim(first.consumer_id, 999_999, body)).body.code).toBe('PRIZE_NOT_FOUND');
    expect((await claim(first.consumer_id, 'abc' as never, body)).status).toBe(400);
    expect((await call('POST', `/api/v1/me/prizes/${first.id}/claim`, null, body)).status).toBe(401);
  });

  test('the bank account must be 12-19 digits and the bank named: 400 VALIDATION_FAILED', async () => {
    const first = await current(scenarios.main.drawId, 1);
    for (const body of [
      { bankName: '中国工商银行', bankAccount: '62220212345' },
      { bankName: '中国工商银行', bankAccount: '62220212345678901234' },
      { bankName: '中国工商银行', bankAccount: '6222O21234567890123' },
      { bankName: '中国工商银行', bankAccount: 6222021234567890 },
      { bankName: '', bankAccount: '6222021234567890123' },
      { bankAccount: '6222021234567890123' },
    ]) {
      const res = await claim(first.consumer_id, first.id, body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.text).not.toContain('62220212345');
    }
    expect((await current(scenarios.main.drawId, 1)).status).toBe('awaiting_claim');
  });

  test('the winner claims: stored encrypted, shown masked; the same claim again is 200, another account 409', async () => {
    const first = await current(scenarios.main.drawId, 1);
    const account = '6222021234567890123';
    bankAccounts.push(account);
    clock.advance(60_000);
    const res = await claim(first.consumer_id, first.id, { bankName: ' 中国工商银行郑州分行 ', bankAccount: '6222 0212 3456 7890 123' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: first.id,
      status: 'claimed',
      claimable: false,
      claimedAt: clock.now().toISOString(),
      bankName: '中国工商银行郑州分行',
      bankAccount: '6222 **** **** 0123',
      grossCents: 1_000_000,
      taxCents: 200_000,
      netCents: 800_000,
    });
    const [row] = await db.query(`SELECT bank_account_encrypted, bank_account_masked FROM prizes WHERE id = ?`, [first.id]);
    expect(row.bank_account_encrypted).toMatch(/^v1\./);
    expect(row.bank_account_encrypted).not.toContain(account);

    clock.advance(60_000);
    const again = await claim(first.consumer_id, first.id, { bankName: '中国工商银行郑州分行', bankAccount: account });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);

    const other = await claim(first.consumer_id, first.id, { bankName: '中国工商银行郑州分行', bankAccount: '6222021234567890124' });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('PRIZE_ALREADY_CLAIMED');
    const otherBank = await claim(first.consumer_id, first.id, { bankName: '中国银行', bankAccount: account });
    expect(otherBank.body.code).toBe('PRIZE_ALREADY_CLAIMED');

    const [listed] = await myPrizes(first.consumer_id);
    expect(listed).toMatchObject({ status: 'claimed', bankAccount: '6222 **** **** 0123', claimedAt: res.body.claimedAt });
  });

  test('the ¥100 winner claims too (a bank name that looks like a formula, for the CSV test)', async () => {
    const second = await current(scenarios.main.drawId, 2);
    bankAccounts.push('621700123456789012');
    const res = await claim(second.consumer_id, second.id, { bankName: '=HYPERLINK("http://x","建设银行")', bankAccount: '621700123456789012' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'claimed', grossCents: 10_000, taxCents: 0, netCents: 10_000, bankAccount: '6217 **** **** 9012' });
  });

  test('without a verified identity: 422 IDENTITY_REQUIRED', async () => {
    const prize = await current(scenarios.noIdentity.drawId, 1);
    const res = await claim(prize.consumer_id, prize.id, { bankName: '中国农业银行', bankAccount: '6228480012345678' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('IDENTITY_REQUIRED');
  });

  test("a verified name that is not the invoice's buyer: 422 CLAIMANT_NAME_MISMATCH", async () => {
    const prize = await current(scenarios.mismatch.drawId, 1);
    const res = await claim(prize.consumer_id, prize.id, { bankName: '中国农业银行', bankAccount: '6228480012345678' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('CLAIMANT_NAME_MISMATCH');
    expect((await current(scenarios.mismatch.drawId, 1)).status).toBe('awaiting_claim');
  });

  test('a registry record without a buyer name: the verified identity suffices', async () => {
    const prize = await current(scenarios.noBuyer.drawId, 1);
    bankAccounts.push('6228480012345678');
    const res = await claim(prize.consumer_id, prize.id, { bankName: '中国农业银行', bankAccount: '6228480012345678' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('claimed');
  });

  test('concurrent claims: identical ones all succeed with one result; different accounts, exactly one wins', async () => {
    const same = await current(scenarios.noBuyer.drawId, 2);
    bankAccounts.push('6212260200012345678');
    const results = await Promise.all(
      Array.from({ length: 6 }, () => claim(same.consumer_id, same.id, { bankName: '工商银行', bankAccount: '6212260200012345678' })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(200));
    expect(new Set(results.map((r) => r.body.claimedAt)).size).toBe(1);

    // The forfeit draw's ¥100 winner: six devices, six accounts.
    const race = await current(scenarios.forfeit.drawId, 2);
    const accounts = Array.from({ length: 6 }, (_, i) => `62122602000123456${i}0`);
    bankAccounts.push(...accounts);
    const raced = await Promise.all(accounts.map((bankAccount) => claim(race.consumer_id, race.id, { bankName: '工商银行', bankAccount })));
    expect(raced.filter((r) => r.status === 200)).toHaveLength(1);
    expect(raced.filter((r) => r.status === 409 && r.body.code === 'PRIZE_ALREADY_CLAIMED')).toHaveLength(5);
  });

  test('a prize whose invoice was voided since the freeze: 409 PRIZE_REVOKED even before the daily job', async () => {
    const prize = await current(scenarios.revoke.drawId, 1);
    const [inv] = await db.query(`SELECT invoice_code, invoice_number FROM invoices WHERE id = ?`, [prize.invoice_id]);
    // What the registry feed does on a void: flags the record, then the revoke job revokes the registration.
    await db.query(`UPDATE registry_invoices SET flags = 'voided' WHERE invoice_code = ? AND invoice_number = ?`, [inv.invoice_code, inv.invoice_number]);
    const res = await claim(prize.consumer_id, prize.id, { bankName: '中国农业银行', bankAccount: '6228480012345678' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('PRIZE_REVOKED');
    await db.query(`UPDATE invoices SET status = 'revoked', status_reason = 'INVOICE_VOIDED', revoked_at = ? WHERE id = ?`, [clock.now(), prize.invoice_id]);
  });
});

describe('payouts.csv (operator)', () => {
  let operator: { id: number; token: string };
  let auditor: string;

  beforeAll(async () => {
    const admin = await api.http.staffToken(TEST_ADMIN.username, TEST_ADMIN.password);
    const created = await api.http.post('/api/v1/admin/staff', { username: 'finance.op', password: 'operator-password-1', roles: ['operator'] }, admin);
    expect(created.status).toBe(201);
    await api.http.post('/api/v1/admin/staff', { username: 'auditor.one', password: 'auditor-password-1', roles: ['auditor'] }, admin);
    operator = { id: created.body.id, token: await api.http.staffToken('finance.op', 'operator-password-1') };
    auditor = await api.http.staffToken('auditor.one', 'auditor-password-1');
  });

  test('the claimed prizes with full bank account, yuan amounts, BOM, CSV-injection safe; the download is audit-logged', async () => {
    const { drawId } = scenarios.main;
    const res = await api.http.request('GET', `/api/v1/admin/draws/${drawId}/payouts.csv`, { token: operator.token });
    csvBodies.push(res.text);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="payouts-${drawId}.csv"`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const raw = Buffer.from(await (await fetch(`${api.baseUrl}/api/v1/admin/draws/${drawId}/payouts.csv`, { headers: { authorization: `Bearer ${operator.token}` } })).arrayBuffer());
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);

    const lines = res.text.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines.at(-1)).toBe('');
    expect(lines[0]).toBe(
      '期次,奖项等级,奖项,序号,顺延次数,奖品编号,领奖人姓名,身份证号（脱敏）,开户银行,银行账号,奖金（元）,代扣个人所得税（元）,实发金额（元）,领奖时间（北京时间）',
    );
    expect(lines).toHaveLength(4);
    const first = await current(drawId, 1);
    const second = await current(drawId, 2);
    const w1 = consumers.get(first.consumer_id)!;
    const w2 = consumers.get(second.consumer_id)!;
    const masked = (id: string) => `${id.slice(0, 4)}${'*'.repeat(id.length - 8)}${id.slice(-4)}`;
    const shanghai = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
    expect(lines[1]).toBe(
      [drawId, 1, '一等奖', 1, 0, first.id, w1.realName, masked(w1.idNumber!), '中国工商银行郑州分行', '\t6222021234567890123', '10000.00', '2000.00', '8000.00', shanghai(first.claimed_at)].join(','),
    );
    expect(lines[2]).toBe(
      [drawId, 2, '二等奖', 1, 0, second.id, w2.realName, masked(w2.idNumber!), `"'=HYPERLINK(""http://x"",""建设银行"")"`, '\t621700123456789012', '100.00', '0.00', '100.00', shanghai(second.claimed_at)].join(','),
    );

    const audit = await auditOf(drawId, 'payouts-downloaded');
    expect(audit).toHaveLength(2);
    expect(audit[0]).toEqual({
      actor: `staff:${operator.id}:finance.op`,
      action: 'payouts-downloaded',
      details: { role: 'operator', rows: 2, grossCents: 1_010_000, taxCents: 200_000, netCents: 810_000 },
    });
  });

  test('operators only: 401 without a token, 403 for a consumer, an auditor or an admin without the operator role', async () => {
    const path = `/api/v1/admin/draws/${scenarios.main.drawId}/payouts.csv`;
    const before = (await auditOf(scenarios.main.drawId, 'payouts-downloaded')).length;
    expect((await api.http.get(path)).status).toBe(401);
    const consumer = await api.http.get(path, token(scenarios.main.entrants[0].id));
    expect(consumer.status).toBe(403);
    expect(consumer.body.code).toBe('STAFF_ONLY');
    const byAuditor = await api.http.get(path, auditor);
    expect(byAuditor.status).toBe(403);
    expect(byAuditor.body.code).toBe('ROLE_REQUIRED');
    expect((await api.http.get(path, await api.http.staffToken(TEST_ADMIN.username, TEST_ADMIN.password))).status).toBe(403);
    for (const r of [consumer, byAuditor]) expect(r.text).not.toContain('6222021234567890123');
    expect(await auditOf(scenarios.main.drawId, 'payouts-downloaded')).toHaveLength(before);
  });

  test('404 DRAW_NOT_FOUND for an unknown draw, 409 DRAW_NOT_PUBLISHED before publication', async () => {
    const unknown = await api.http.get('/api/v1/admin/draws/nope-2022-01/payouts.csv', operator.token);
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('DRAW_NOT_FOUND');
    const early = await api.http.get(`/api/v1/admin/draws/${CAMPAIGN_ID}-2022-12/payouts.csv`, operator.token);
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('DRAW_NOT_PUBLISHED');
  });
});

describe('revocation and forfeiture', () => {
  const run = async (): Promise<ForfeitureRunResult> => forfeiture.runDue();

  test('a revoked prize passes to the next alternate, skipping one whose invoice was red-flushed; logged without personal data', async () => {
    const { drawId } = scenarios.revoke;
    clock.set(new Date(new Date(T0).getTime() + 1 * DAY));
    const winner = await current(drawId, 1);
    const alt1 = await alternate(drawId, 1);
    const alt2 = await alternate(drawId, 2);
    const [inv] = await db.query(`SELECT invoice_code, invoice_number FROM invoices WHERE id = ?`, [alt1.invoiceId]);
    await db.query(`UPDATE registry_invoices SET flags = 'red' WHERE invoice_code = ? AND invoice_number = ?`, [inv.invoice_code, inv.invoice_number]);

    const result = await run();
    expect(result).toEqual({ revoked: 1, forfeited: 0, passed: 1, unfilled: 0, smsQueued: 1 });

    const slot = (await prizesOf(drawId)).filter((p) => p.tier === 1);
    expect(slot).toHaveLength(2);
    expect(slot[0]).toMatchObject({ id: winner.id, status: 'revoked', end_reason: 'INVOICE_VOIDED', attempt: 0 });
    expect(slot[1]).toMatchObject({ status: 'awaiting_claim', attempt: 1, alternate_rank: 2, consumer_id: alt2.consumerId, gross_cents: 1_000_000, tax_cents: 200_000 });
    expect(new Date(slot[1].claim_deadline).toISOString()).toBe(new Date(clock.now().getTime() + WINDOW_DAYS * DAY).toISOString());

    const [log] = await auditOf(drawId, 'prize-revoked');
    expect(log.actor).toBe('scheduler');
    expect(log.details).toEqual({
      prizeId: winner.id,
      tier: 1,
      slot: 1,
      attempt: 0,
      reason: 'INVOICE_VOIDED',
      passedTo: { prizeId: slot[1].id, alternateRank: 2, attempt: 1, claimDeadline: new Date(slot[1].claim_deadline).toISOString() },
      skippedAlternates: [{ alternateRank: 1, reason: 'INVOICE_RED_FLUSHED' }],
    });

    const [mine] = await myPrizes(alt2.consumerId);
    expect(mine).toMatchObject({ id: slot[1].id, asAlternate: true, status: 'awaiting_claim', claimable: true, tierName: '一等奖' });
    const notices = (await call('GET', '/api/v1/me/notifications', alt2.consumerId)).body.items;
    expect(notices.map((n: any) => n.kind)).toEqual(['prize-passed']);
    const old = (await call('GET', '/api/v1/me/notifications', winner.consumer_id)).body.items;
    expect(old.map((n: any) => n.kind)).toEqual(['prize-revoked', 'prize-won']);
    const [oldView] = await myPrizes(winner.consumer_id);
    expect(oldView).toMatchObject({ status: 'revoked', endReason: 'INVOICE_VOIDED', claimable: false });
    const refused = await claim(winner.consumer_id, winner.id, { bankName: '中国农业银行', bankAccount: '6228480012345678' });
    expect(refused.body.code).toBe('PRIZE_REVOKED');

    await waitFor('the alternate SMS', () => sms.sent.some((s) => s.phone === consumers.get(alt2.consumerId)!.phone));
    const message = sms.sent.find((s) => s.phone === consumers.get(alt2.consumerId)!.phone)!.message;
    expect(message).toContain('候补');

    // The same run again: nothing changes.
    const before = await snapshot();
    expect(await run()).toEqual({ forfeited: 0, revoked: 0, passed: 0, unfilled: 0, smsQueued: 0 });
    expect(await snapshot()).toEqual(before);
  });

  test('at the deadline the claim is closed (409 PRIZE_CLAIM_CLOSED) even before the daily job', async () => {
    const prize = await current(scenarios.noIdentity.drawId, 1);
    clock.set(new Date(new Date(prize.claim_deadline).getTime()));
    const res = await claim(prize.consumer_id, prize.id, { bankName: '中国农业银行', bankAccount: '6228480012345678' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('PRIZE_CLAIM_CLOSED');
    const [view] = await myPrizes(prize.consumer_id);
    expect(view).toMatchObject({ status: 'awaiting_claim', claimable: false });
  });

  test('forfeiture twice in a row: winner -> alternate 1 -> alternate 2, each with its own window; a failed SMS is retried once', async () => {
    const { drawId } = scenarios.forfeit;
    const winner = await current(drawId, 1);
    expect((await current(drawId, 2)).status).toBe('claimed');
    const alt1 = await alternate(drawId, 1);
    const alt2 = await alternate(drawId, 2);

    clock.set(new Date(new Date(winner.claim_deadline).getTime() + 1000));
    const first = await run();
    // Every unclaimed prize of every draw with this deadline: the forfeit draw's winner, both of the
    // no-identity and the name-mismatch draws, and the revoke draw's ¥100 prize.
    expect(first).toEqual({ forfeited: 6, revoked: 0, passed: 6, unfilled: 0, smsQueued: 6 });
    let slot = (await prizesOf(drawId)).filter((p) => p.tier === 1);
    expect(slot.map((p) => [p.attempt, p.status, p.alternate_rank, p.consumer_id])).toEqual([
      [0, 'forfeited', null, winner.consumer_id],
      [1, 'awaiting_claim', 1, alt1.consumerId],
    ]);
    expect(slot[0].end_reason).toBe('CLAIM_WINDOW_EXPIRED');
    const alt1Deadline = new Date(slot[1].claim_deadline);
    expect(alt1Deadline.toISOString()).toBe(new Date(clock.now().getTime() + WINDOW_DAYS * DAY).toISOString());
    // The claimed ¥100 prize is never touched.
    expect((await current(drawId, 2)).status).toBe('claimed');
    expect((await claim(winner.consumer_id, winner.id, { bankName: '中国农业银行', bankAccount: '6228480012345678' })).body.code).toBe('PRIZE_FORFEITED');
    expect((await myPrizes(alt1.consumerId))[0]).toMatchObject({ asAlternate: true, status: 'awaiting_claim', claimable: true });
    const forfeitedNotice = (await call('GET', '/api/v1/me/notifications', winner.consumer_id)).body.items[0];
    expect(forfeitedNotice.kind).toBe('prize-forfeited');

    // Idempotent: a second run at the same time changes nothing.
    await settleSms();
    const before = await snapshot();
    expect(await run()).toEqual({ forfeited: 0, revoked: 0, passed: 0, unfilled: 0, smsQueued: 0 });
    expect(await snapshot()).toEqual(before);

    clock.set(new Date(alt1Deadline.getTime() + 1000));
    sms.failures = 1;
    await run();
    slot = (await prizesOf(drawId)).filter((p) => p.tier === 1);
    expect(slot.map((p) => [p.attempt, p.status, p.alternate_rank, p.consumer_id])).toEqual([
      [0, 'forfeited', null, winner.consumer_id],
      [1, 'forfeited', 1, alt1.consumerId],
      [2, 'awaiting_claim', 2, alt2.consumerId],
    ]);
    const logs = await auditOf(drawId, 'prize-forfeited');
    expect(logs.map((l) => [l.details.attempt, l.details.reason, l.details.passedTo?.alternateRank])).toEqual([
      [0, 'CLAIM_WINDOW_EXPIRED', 1],
      [1, 'CLAIM_WINDOW_EXPIRED', 2],
    ]);

    // One SMS per alternate, the one whose first send failed included (the job retried it).
    await settleSms();
    expect(sms.failures).toBe(0);
    for (const a of [alt1, alt2]) {
      const sent = sms.sent.filter((s) => s.phone === consumers.get(a.consumerId)!.phone);
      expect(sent).toHaveLength(1);
      expect(sent[0].message).toContain('候补获得2022年5月期抽奖一等奖（¥10000.00）');
    }
    const passedHolders = await db.query(`SELECT DISTINCT consumer_id FROM prizes WHERE attempt > 0`);
    for (const { consumer_id } of passedHolders)
      expect(sms.sent.filter((s) => s.phone === consumers.get(Number(consumer_id))!.phone)).toHaveLength(1);

    // Alternate 2 claims within the new window.
    bankAccounts.push('6225880123456789');
    const res = await claim(alt2.consumerId, slot[2].id, { bankName: '招商银行', bankAccount: '6225880123456789' });
    expect(res.status).toBe(200);
  });

  test('with no usable alternate left the slot stays forfeited, unfilled', async () => {
    // The revoke draw: rank 1 was red-flushed, rank 2 took tier 1, rank 3 tier 2; both have now run out.
    const { drawId } = scenarios.revoke;
    const slots = await prizesOf(drawId);
    expect(slots.map((p) => [p.tier, p.attempt, p.status, p.alternate_rank])).toEqual([
      [1, 0, 'revoked', null],
      [1, 1, 'forfeited', 2],
      [2, 0, 'forfeited', null],
      [2, 1, 'forfeited', 3],
    ]);
    const logs = await auditOf(drawId, 'prize-forfeited');
    const last = logs.find((l) => l.details.tier === 1)!;
    expect(last.details).toMatchObject({ attempt: 1, passedTo: null, skippedAlternates: [{ alternateRank: 1, reason: 'INVOICE_RED_FLUSHED' }] });
  });

  test('the minute tick on the maintenance queue (job scheduler maintenance-tick) runs it on the service clock, idempotently', async () => {
    const queues = api.app.get(QueueService);
    expect((await queues.queue(QueueName.maintenance).getJobSchedulers()).map((s) => s.key)).toContain(MAINTENANCE_TICK_SCHEDULER_ID);

    // Alternate 3 of the no-identity and the mismatch draws hold tier 1 now; their windows end here.
    const holders = [await current(scenarios.noIdentity.drawId, 1), await current(scenarios.mismatch.drawId, 1)];
    for (const h of holders) expect(h).toMatchObject({ attempt: 2, alternate_rank: 3, status: 'awaiting_claim' });
    clock.set(new Date(new Date(holders[0].claim_deadline).getTime() + 1000));

    const events = new QueueEvents(QueueName.maintenance, { connection: { url: api.config.REDIS_URL }, prefix: api.config.REDIS_PREFIX });
    await events.waitUntilReady();
    try {
      const firstJob = await queues.add(QueueName.maintenance, MaintenanceJob.tick, {});
      expect((await firstJob.waitUntilFinished(events, 20_000)).prizes).toEqual({ forfeited: 2, revoked: 0, passed: 0, unfilled: 2, smsQueued: 0 });
      const before = await snapshot();
      const secondJob = await queues.add(QueueName.maintenance, MaintenanceJob.tick, {});
      expect((await secondJob.waitUntilFinished(events, 20_000)).prizes).toEqual({ forfeited: 0, revoked: 0, passed: 0, unfilled: 0, smsQueued: 0 });
      expect(await snapshot()).toEqual(before);
    } finally {
      await events.close();
    }
    for (const h of holders) expect((await prizesOf(h.draw_id)).filter((p) => p.tier === 1).at(-1)).toMatchObject({ attempt: 2, status: 'forfeited' });
    // Claimed prizes were never touched by any run.
    for (const s of [scenarios.main, scenarios.noBuyer])
      expect((await prizesOf(s.drawId)).map((p) => p.status)).toEqual(['claimed', 'claimed']);
  });
});

describe('masking', () => {
  test('no response of the prize and notification endpoints contains a full phone, ID number or bank account; payouts.csv only the bank account', async () => {
    // One more read of every seeded consumer's prizes and notices, so every state is scanned.
    for (const c of consumers.values()) {
      await myPrizes(c.id);
      await call('GET', '/api/v1/me/notifications', c.id);
    }
    expect(jsonBodies.length).toBeGreaterThan(50);
    const everything = jsonBodies.join('\n');
    for (const c of consumers.values()) {
      expect(everything).not.toContain(c.phone);
      if (c.idNumber) expect(everything).not.toContain(c.idNumber);
    }
    for (const account of bankAccounts) expect(everything).not.toContain(account);
    const csv = csvBodies.join('\n');
    for (const c of consumers.values()) {
      expect(csv).not.toContain(c.phone);
      if (c.idNumber) expect(csv).not.toContain(c.idNumber);
    }
    expect(csv).toContain('6222021234567890123');
  });
});

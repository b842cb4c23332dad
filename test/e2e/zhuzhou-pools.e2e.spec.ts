/**
 * The 2026 kind of campaign (config/campaigns/zhuzhou-2026.json) end to end, next to Henan 2022: the real API
 * on a socket and the real worker on one ManualClock. A twice-monthly period (2026-11a) with two periodic
 * pools by amount band (¥1,000–5,000 and ¥5,000+): registrations across the bands and below them (the
 * instant-only band ¥100–1,000 enters no periodic draw), both pool draws frozen by the tick, requested by an
 * operator, approved by an auditor, drawn and published by the worker, each one's winners from its band only,
 * each one's entries file and audit bundle verified by the verifier module and the CLI. The intake rules of
 * the 2026 file: only 数电 (type 32) invoices of at least ¥100, issued to the consumer's exact name, 40 per
 * consumer over the campaign (held under concurrency).
 */
import { jest } from '@jest/globals';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Readable } from 'node:stream';
import type { DataSource } from 'typeorm';
import { TokenService } from '../../src/auth/token.service.js';
import { ManualClock } from '../../src/core/clock/clock.js';
import { invoiceRef, verifyAuditBundle } from '../../src/draws/algorithm/index.js';
import { DrawTickService } from '../../src/draws/draw-tick.service.js';
import { runVerifyCli, waitForDrawStatus } from '../faults/draw-fixtures.js';
import { createConsumer, insertRegistryRecord } from '../support/fixtures.js';
import { destroyTestEnvironment, startTestApi, startTestWorker, TEST_ADMIN, type TestApi } from '../support/test-env.js';

jest.setTimeout(180_000);

const clock = new ManualClock('2026-11-05T10:00:00+08:00');
let api: TestApi;
let worker: Awaited<ReturnType<typeof startTestWorker>>;
let ds: DataSource;
const tokens: Record<'admin' | 'operator' | 'auditor', string> = {} as never;
const staff: Record<'operator' | 'auditor', { id: number; username: string; roles: string[] }> = {} as never;

const LOW = 'zhuzhou-2026-2026-11a-band-1000';
const HIGH = 'zhuzhou-2026-2026-11a-band-5000';

let seq = 0;
/** A 数电 invoice number issued in Hunan (digits 3–4: region 43), unique per call. */
const digitalNumber = () => `2643${String(process.pid % 1000).padStart(3, '0')}${String(++seq).padStart(13, '0')}`;

interface Registered {
  invoiceNumber: string;
  ref: string;
  amountCents: number;
}

/** A type-32 record issued to `buyerName` (no tax, so the paid amount is the amount) and its registration by `token`. */
async function register(token: string, amountCents: number, buyerName: string | null, options: { record?: boolean; issueDate?: string } = {}) {
  const invoiceNumber = digitalNumber();
  const issueDate = options.issueDate ?? '2026-11-03';
  if (options.record !== false)
    await insertRegistryRecord(api.app, { invoiceType: '32', invoiceCode: '', invoiceNumber, issueDate, amountCents, taxCents: 0, checkCode: null, buyerName });
  const res = await api.http.post('/api/v1/invoices', { invoiceType: '32', invoiceNumber, issueDate, amount: (amountCents / 100).toFixed(2) }, token);
  return { res, invoice: { invoiceNumber, ref: invoiceRef('', invoiceNumber), amountCents } satisfies Registered };
}

async function setClock(instant: string): Promise<void> {
  clock.set(instant);
  // Staff tokens live 8 h on the service clock.
  const issue = api.app.get(TokenService);
  for (const key of ['operator', 'auditor'] as const) tokens[key] = issue.issueStaffToken(staff[key].id, staff[key].username, staff[key].roles as never);
}

async function publicText(path: string): Promise<string> {
  const res = await fetch(`${api.baseUrl}${path}`);
  expect(res.status).toBe(200);
  return res.text();
}

const band: Record<'low' | 'high' | 'instant', Registered[]> = { low: [], high: [], instant: [] };
let pending: { consumerId: number; id: number };

beforeAll(async () => {
  api = await startTestApi({ clock });
  worker = await startTestWorker({ config: api.config, clock });
  ds = api.app.get<DataSource>(getDataSourceToken());
  tokens.admin = await api.http.staffToken(TEST_ADMIN.username, TEST_ADMIN.password);
  for (const [key, username, roles] of [
    ['operator', 'op.zz', ['operator']],
    ['auditor', 'au.zz', ['auditor']],
  ] as const) {
    const res = await api.http.post('/api/v1/admin/staff', { username, password: `${username}-password-123`, roles }, tokens.admin);
    expect(res.status).toBe(201);
    staff[key] = { id: res.body.id, username, roles: [...roles] };
  }
  await setClock('2026-11-05T10:00:00+08:00');
});

afterAll(async () => {
  await worker?.close();
  await api?.close();
  if (api) await destroyTestEnvironment(api.config);
});

test('both campaigns are loaded: Henan keeps its monthly draw ids; Zhuzhou has one draw per half month and periodic pool', async () => {
  const list = await api.http.get('/api/v1/admin/draws', tokens.operator);
  expect(list.status).toBe(200);
  const ids = (list.body as Array<{ id: string }>).map((d) => d.id);
  expect(ids.filter((id) => id.startsWith('henan-2022-'))).toEqual(['07', '08', '09', '10', '11', '12'].map((m) => `henan-2022-2022-${m}`));
  expect(ids.filter((id) => id.startsWith('zhuzhou-2026-'))).toEqual(
    ['11a', '11b', '12a', '12b'].flatMap((p) => [`zhuzhou-2026-2026-${p}-band-1000`, `zhuzhou-2026-2026-${p}-band-5000`]),
  );
  const low = (list.body as Array<Record<string, unknown>>).find((d) => d.id === LOW);
  expect(low).toMatchObject({ periodKey: '2026-11a', poolId: 'band-1000', poolName: '1000元至5000元发票抽奖', bandMinCents: 100_000, bandMaxCents: 500_000 });
  expect((list.body as Array<Record<string, unknown>>).find((d) => d.id === 'henan-2022-2022-08')).toMatchObject({ poolId: 'main', bandMinCents: 0, bandMaxCents: null });

  const pub = await api.http.get('/api/v1/public/campaigns/zhuzhou-2026/draws');
  expect(pub.body.items.slice(0, 2)).toEqual([
    expect.objectContaining({ id: LOW, period: '2026-11a', pool: { id: 'band-1000', name: '1000元至5000元发票抽奖', minCents: 100_000, maxCents: 500_000 }, tiers: [expect.objectContaining({ count: 20, prizeCents: 50_000 }), expect.objectContaining({ count: 200 })] }),
    expect.objectContaining({ id: HIGH, period: '2026-11a', pool: { id: 'band-5000', name: '5000元以上发票抽奖', minCents: 500_000, maxCents: null } }),
  ]);
  const campaigns = await api.http.get('/api/v1/public/campaigns');
  expect(campaigns.body.items.map((c: { id: string }) => c.id)).toEqual(['henan-2022', 'zhuzhou-2026']);
  expect(campaigns.body.items[1].pools.map((p: { id: string; mode: string }) => `${p.id}:${p.mode}`)).toEqual(['instant-100:instant', 'band-1000:periodic', 'band-5000:periodic']);
  // The public page lists the pools' draws by name.
  const page = await publicText('/?campaign=zhuzhou-2026');
  expect(page).toContain('2026年11月上半月 · 1000元至5000元发票抽奖');
  expect(page).toContain('每半月开奖，共 4 期');
  // The rules show each periodic pool's prizes and band.
  expect(page).toContain('每期奖项：1000元至5000元发票抽奖（实付 ¥1,000.00 至 ¥5,000.00（不含）的发票）');
  expect(page).toContain('每期奖项：5000元以上发票抽奖（实付 ¥5,000.00 及以上的发票）');
  const henan = await publicText('/?campaign=henan-2022');
  expect(henan).toContain('按月开奖，共 6 期');
  expect(henan).toContain('<caption>每期奖项</caption>');
});

test('registrations across the bands; the refusals of the 2026 rules', async () => {
  const amounts: Array<[keyof typeof band, number]> = [
    ['low', 100_000], // the lower bound belongs to the band
    ['low', 150_000],
    ['low', 250_000],
    ['low', 499_999],
    ['high', 500_000],
    ['high', 800_000],
    ['high', 1_200_000],
    ['instant', 30_000],
    ['instant', 99_999],
  ];
  const names = ['张三', '李娜', '王芳', '刘洋', '陈静', '杨帆', '赵磊', '黄敏', '周杰'];
  for (const [i, [which, cents]] of amounts.entries()) {
    const consumer = await createConsumer(api.app, { realName: names[i] });
    const { res, invoice } = await register(consumer.token, cents, names[i]);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'verified', tickets: Math.min(Math.floor(cents / 10_000), 100) });
    band[which].push(invoice);
  }
  // Registered, waiting for the tax bureau's record when the period freezes.
  const late = await createConsumer(api.app, { realName: '吴昊' });
  const waiting = await register(late.token, 200_000, '吴昊', { record: false });
  expect(waiting.res.body).toMatchObject({ status: 'pending', reason: 'AWAITING_REGISTRY_RECORD' });
  pending = { consumerId: late.id, id: waiting.res.body.id };

  const someone = await createConsumer(api.app, { realName: '孙丽' });
  // requireBuyerName: a record without a buyer name is refused exactly like one naming another buyer.
  const unnamed = await register(someone.token, 200_000, null);
  const other = await register(someone.token, 200_000, '孙立');
  for (const refused of [unnamed.res, other.res]) {
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'INVOICE_EXCLUDED', flag: 'buyerNameMismatch' });
  }
  expect(unnamed.res.body.message).toBe(other.res.body.message);
  // Only 数电 invoices (type 32), at least ¥100.
  const small = await register(someone.token, 9_999, '孙丽');
  expect(small.res.body.code).toBe('AMOUNT_TOO_SMALL');
  const paper = await api.http.post('/api/v1/invoices', { invoiceType: '10', invoiceCode: '043012200111', invoiceNumber: '12345678', issueDate: '2026-11-03', amount: '200.00', checkCode: '567890' }, someone.token);
  expect(paper.body.code).toBe('INELIGIBLE_TYPE');
  // Nothing of the refused ones was stored.
  expect(Number((await ds.query(`SELECT COUNT(*) AS n FROM invoices WHERE consumer_id = ?`, [someone.id]))[0].n)).toBe(0);
});

test('the campaign limit (40) holds under concurrent registrations, over any month', async () => {
  const consumer = await createConsumer(api.app, { realName: '郑爽' });
  // 38 registrations held earlier in the campaign (other months), each in its campaign slot.
  const rows = Array.from({ length: 38 }, (_, i) => {
    const number = digitalNumber();
    return [consumer.id, 'zhuzhou-2026', '2026-11a', '32', '', number, invoiceRef('', number), '2026-11-01', 20_000, 'typed', 'verified', 20_000, new Date('2026-10-20T02:00:00Z'), '2026-10-20', '2026-10', i + 1];
  });
  await ds.query(
    `INSERT INTO invoices (consumer_id, campaign_id, period_key, invoice_type, invoice_code, invoice_number, ref, issue_date, amount_cents, source, status,
                           paid_cents, registered_at, registered_on, registered_month, campaign_slot) VALUES ${rows.map(() => '(?)').join(',')}`,
    rows,
  );
  const attempts = await Promise.all(Array.from({ length: 3 }, () => register(consumer.token, 50_000, '郑爽')));
  const statuses = attempts.map((a) => a.res.status).sort();
  expect(statuses).toEqual([201, 201, 422]);
  expect(attempts.find((a) => a.res.status === 422)!.res.body.code).toBe('CAMPAIGN_LIMIT_REACHED');
  const [{ n, slots }] = await ds.query(`SELECT COUNT(*) AS n, COUNT(DISTINCT campaign_slot) AS slots FROM invoices WHERE consumer_id = ? AND campaign_id = 'zhuzhou-2026'`, [
    consumer.id,
  ]);
  expect([Number(n), Number(slots)]).toEqual([40, 40]);
  // The next day (daily limit 3, monthly 20 not reached): still the campaign limit.
  await setClock('2026-11-06T10:00:00+08:00');
  const next = await register(consumer.token, 50_000, '郑爽');
  expect(next.res.status).toBe(422);
  expect(next.res.body.code).toBe('CAMPAIGN_LIMIT_REACHED');
  // These ¥200–500 invoices are of the instant band only: they enter no periodic draw (checked at the freeze).
});

test('the staff dashboard shows the running campaign by default, with its half-month periods', async () => {
  const dash = await api.http.get('/api/v1/admin/dashboard', tokens.operator);
  expect(dash.status).toBe(200);
  expect(dash.body.campaign).toEqual({ id: 'zhuzhou-2026', name: '株洲市2026年数电发票有奖促消费活动' });
  expect(dash.body.campaigns.map((c: { id: string }) => c.id)).toEqual(['henan-2022', 'zhuzhou-2026']);
  expect(dash.body.periods).toEqual(['2026-11a', '2026-11b', '2026-12a', '2026-12b']);
  expect(dash.body.period).toMatchObject({ key: '2026-11a', current: true, freezeAt: '2026-11-17T16:00:00.000Z' });
  const truth = await ds.query(`SELECT status, COUNT(*) AS n FROM invoices WHERE campaign_id = 'zhuzhou-2026' AND period_key = '2026-11a' GROUP BY status`);
  const expected = { verified: 0, pending: 0, rejected: 0, revoked: 0, ...Object.fromEntries(truth.map((r: { status: string; n: string }) => [r.status, Number(r.n)])) };
  expect(dash.body.registrations.totals).toEqual(expected);
  expect(expected.verified).toBeGreaterThan(40);
  const henan = await api.http.get('/api/v1/admin/dashboard?campaignId=henan-2022&period=2022-08', tokens.operator);
  expect(henan.body).toMatchObject({ campaign: { id: 'henan-2022' }, period: { key: '2022-08', current: false } });
  expect((await api.http.get('/api/v1/admin/dashboard?campaignId=zhuzhou-2026&period=2026-11c', tokens.operator)).body.code).toBe('PERIOD_NOT_FOUND');
});

test('the period freezes: each pool draw commits the entries of its band only; the pending one is rejected once', async () => {
  await setClock('2026-11-17T23:59:00+08:00');
  const late = await register((await createConsumer(api.app, { realName: '冯刚' })).token, 300_000, '冯刚');
  expect(late.res.status).toBe(201);
  band.low.push(late.invoice);

  await setClock('2026-11-18T00:00:00+08:00');
  const tick = worker.app.get(DrawTickService);
  const due = await tick.tick();
  expect(due.freeze).toEqual(expect.arrayContaining([LOW, HIGH]));
  const low = await waitForDrawStatus(ds, LOW, 'frozen');
  const high = await waitForDrawStatus(ds, HIGH, 'frozen');
  expect(Number(low.entry_count)).toBe(band.low.length);
  expect(Number(high.entry_count)).toBe(band.high.length);
  // The period is closed for every pool.
  const closed = await register((await createConsumer(api.app, { realName: '冯刚' })).token, 600_000, '冯刚');
  expect(closed.res.body.code).toBe('PERIOD_CLOSED');

  const [invoice] = await ds.query(`SELECT status, status_reason FROM invoices WHERE id = ?`, [pending.id]);
  expect(invoice).toEqual({ status: 'rejected', status_reason: 'NOT_VERIFIED_BEFORE_FREEZE' });
  const notices = await ds.query(`SELECT kind FROM notifications WHERE consumer_id = ?`, [pending.consumerId]);
  expect(notices).toEqual([{ kind: 'invoice-missed-draw' }]);
  const excluded = await ds.query(
    `SELECT draw_id, JSON_VALUE(details, '$.pendingExcluded') AS n FROM draw_audit_log WHERE action = 'frozen' AND draw_id IN (?, ?) ORDER BY draw_id`,
    [LOW, HIGH],
  );
  expect(excluded.map((r: { n: string }) => Number(r.n)).sort()).toEqual([0, 1]);
});

test('an operator requests and an auditor approves each pool draw; the worker draws and publishes them', async () => {
  await setClock('2026-11-18T09:00:00+08:00');
  for (const drawId of [LOW, HIGH]) {
    const req = await api.http.post(`/api/v1/admin/draws/${drawId}/draw-requests`, { beacon: `2026-11-18 ${drawId}` }, tokens.operator);
    expect(req.status).toBe(201);
    const self = await api.http.post(`/api/v1/admin/draws/${drawId}/draw-requests/${req.body.id}/approve`, undefined, tokens.operator);
    expect(self.status).toBe(403);
    const ok = await api.http.post(`/api/v1/admin/draws/${drawId}/draw-requests/${req.body.id}/approve`, undefined, tokens.auditor);
    expect(ok.status).toBe(200);
  }
  for (const drawId of [LOW, HIGH]) {
    const row = await waitForDrawStatus(ds, drawId, 'published');
    expect(row.drawn_at.getTime()).toBeLessThan(row.draw_at.getTime());
  }
});

test.each([
  ['band-1000', LOW, 'low'],
  ['band-5000', HIGH, 'high'],
] as const)('%s: entries file and audit bundle verify; the winners are of its band only', async (_pool, drawId, which) => {
  const entries = await publicText(`/api/v1/public/draws/${drawId}/entries`);
  const bundle = await publicText(`/api/v1/public/draws/${drawId}/audit`);
  const refs = entries.trim().split('\n').slice(1).map((line) => line.split(',')[0]);
  expect(refs.sort()).toEqual(band[which].map((i) => i.ref).sort());
  expect(JSON.parse(bundle).drawId).toBe(drawId);
  expect(await verifyAuditBundle(JSON.parse(bundle), Readable.from([Buffer.from(entries)]))).toEqual({ ok: true });
  expect((await runVerifyCli(bundle, entries)).stdout.trim()).toBe('MATCH');

  const winners = await api.http.get(`/api/v1/public/draws/${drawId}/winners?pageSize=100`);
  expect(winners.status).toBe(200);
  expect(winners.body.pool).toEqual({ id: _pool, name: _pool === 'band-1000' ? '1000元至5000元发票抽奖' : '5000元以上发票抽奖' });
  const searched = await api.http.get(`/api/v1/public/draws/${drawId}/winners?q=${band[which][0].ref.slice(0, 8)}`);
  expect(searched.body).toMatchObject({ pool: winners.body.pool, total: 1 });
  const winnerRefs = (winners.body.items as Array<{ ref: string }>).map((w) => w.ref);
  // Every entry of the band is a different person and the pools have more prizes than entries: all win, and nobody else.
  expect(winnerRefs.sort()).toEqual(band[which].map((i) => i.ref).sort());
  const detail = await api.http.get(`/api/v1/public/draws/${drawId}`);
  expect(detail.body).toMatchObject({ status: 'published', pool: { id: _pool }, commitment: { drawId, entryCount: band[which].length } });
  // The fairness chart is per draw, so per pool: only this band's tickets.
  const bands = await api.http.get(`/api/v1/public/draws/${drawId}/bands`);
  expect(bands.body.tickets).toBe(band[which].reduce((s, i) => s + Math.min(Math.floor(i.amountCents / 10_000), 100), 0));
});

test('the public check names the draw of the invoice\'s band; an invoice below every periodic band is in none', async () => {
  const check = (invoiceNumber: string) => api.http.get(`/api/v1/public/check?invoiceCode=&invoiceNumber=${invoiceNumber}`);
  const high = await check(band.high[0].invoiceNumber);
  expect(high.body).toMatchObject({ drawId: HIGH, period: '2026-11a', outcome: 'WON' });
  const low = await check(band.low[0].invoiceNumber);
  expect(low.body).toMatchObject({ drawId: LOW, outcome: 'WON' });
  const instant = await check(band.instant[0].invoiceNumber);
  // Instant outcomes (ILI-1) are reported by the instant draws; no periodic draw holds this invoice.
  expect(instant.body).toMatchObject({ drawId: null, outcome: 'NOT_IN_DRAW', registrationStatus: 'verified' });
  const inAnyEntries = await ds.query(`SELECT COUNT(*) AS n FROM draw_entries WHERE ref IN (?)`, [band.instant.map((i) => i.ref)]);
  expect(Number(inAnyEntries[0].n)).toBe(0);
});

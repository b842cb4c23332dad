import { getDataSourceToken } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { DataSource } from 'typeorm';
import { CampaignCatalog } from '../../src/campaigns/campaign-catalog.js';
import { ManualClock } from '../../src/core/clock/clock.js';
import { PiiProtector } from '../../src/core/crypto/pii.js';
import { maskBankAccount } from '../../src/core/masking.js';
import { hashSecret, invoiceRef, verifyAuditBundle, type AuditBundle } from '../../src/draws/algorithm/index.js';
import { DrawLifecycleService } from '../../src/draws/draw-lifecycle.service.js';
import type { Redis } from 'ioredis';
import { REDIS } from '../../src/core/redis/redis.module.js';
import { HENAN_CITIES } from '../../src/public/cities.js';
import { HEAD_STALENESS_MS } from '../../src/public/public-cache.js';
import { createConsumer, insertRegistryRecord } from '../support/fixtures.js';
import { destroyTestEnvironment, startTestApi, type HttpResult, type TestApi } from '../support/test-env.js';

/**
 * The public API end to end: one draw of a small test campaign (the Henan rules with 1 + 2 + 3 prizes
 * and 3 alternates, and a campaign name full of XML/HTML metacharacters) taken through scheduled ->
 * frozen -> drawn -> published, and what the public sees at each step.
 */
const DRAW = 'henan-2022-2022-08';
const PUBLIC_BASE = 'https://fapiao.example.test';
const CAMPAIGN_NAME = '河南省2022年有奖发票促消费活动 <测试&"转义">';
const BEACON = 'ssq-2022101:<b>&amp;</b>';
const clock = new ManualClock('2022-08-20T10:00:00+08:00');
const campaignsDir = mkdtempSync(join(tmpdir(), 'il-public-campaigns-'));
let api: TestApi;
let db: DataSource;
let lifecycle: DrawLifecycleService;

/** Every public response body, for the masking scan at the end. */
const seen: string[] = [];
async function pub(path: string, headers: Record<string, string> = {}): Promise<HttpResult> {
  const res = await api.http.request('GET', path, { headers });
  seen.push(`${path}\n${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${res.text}`);
  return res;
}
/** Heads (status versions) may lag by up to HEAD_STALENESS_MS: wait that long after changing data behind the API's back. */
const settle = () => new Promise((r) => setTimeout(r, HEAD_STALENESS_MS + 100));

interface Seeded {
  consumer: Awaited<ReturnType<typeof createConsumer>>;
  invoiceCode: string;
  invoiceNumber: string;
  ref: string;
  paidCents: number;
  status: 'verified' | 'pending';
}
const seeded: Seeded[] = [];
let numberSeq = 0;

async function register(consumer: Seeded['consumer'], regionCode: string | null, paidCents: number, withRecord = true): Promise<Seeded> {
  numberSeq += 1;
  const digital = regionCode === null;
  const invoiceCode = digital ? '' : `0${regionCode}2200111`;
  const invoiceNumber = digital ? `22412000000000${String(100000 + (process.pid % 100) * 1000 + numberSeq).slice(-6)}` : String(30_000_000 + (process.pid % 1000) * 1000 + numberSeq);
  const invoiceType = digital ? '32' : '10';
  if (withRecord)
    await insertRegistryRecord(api.app, { invoiceType, invoiceCode, invoiceNumber, issueDate: '2022-08-08', amountCents: paidCents, taxCents: 0, checkCode: digital ? null : undefined });
  const body: Record<string, unknown> = { invoiceType, invoiceCode, invoiceNumber, issueDate: '2022-08-08', amount: (paidCents / 100).toFixed(2) };
  if (!digital) body.checkCode = '567890';
  const res = await api.http.post('/api/v1/invoices', body, consumer.token);
  if (res.status !== 201) throw new Error(`registration failed: ${res.status} ${res.text}`);
  const s: Seeded = { consumer, invoiceCode, invoiceNumber, ref: invoiceRef(invoiceCode, invoiceNumber), paidCents, status: res.body.status };
  seeded.push(s);
  return s;
}
const checkPath = (s: Pick<Seeded, 'invoiceCode' | 'invoiceNumber'>) => `/api/v1/public/check?invoiceCode=${s.invoiceCode}&invoiceNumber=${s.invoiceNumber}`;
/** node:http GET, for headers fetch() will not send (Host). */
function rawGet(path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${api.baseUrl}${path}`, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

beforeAll(async () => {
  const henan = JSON.parse(readFileSync('config/campaigns/henan-2022.json', 'utf8'));
  const campaign = {
    ...henan,
    name: CAMPAIGN_NAME,
    tiers: [
      { tier: 1, name: '一等奖', count: 1, prizeCents: 1_000_000 },
      { tier: 2, name: '二等奖', count: 2, prizeCents: 100_000 },
      { tier: 3, name: '三等奖', count: 3, prizeCents: 10_000 },
    ],
    alternateCount: 3,
  };
  writeFileSync(join(campaignsDir, 'henan-2022.json'), JSON.stringify(campaign));
  api = await startTestApi({ clock, env: { CAMPAIGNS_DIR: campaignsDir, PUBLIC_RATE_LIMIT_PER_MINUTE: '100000', PUBLIC_BASE_URL: PUBLIC_BASE } });
  db = api.app.get<DataSource>(getDataSourceToken());
  lifecycle = api.app.get(DrawLifecycleService);
  await lifecycle.ensureCampaign(api.app.get(CampaignCatalog).get('henan-2022')!);

  // Eight people with verified invoices across the amount bands and cities (one of them with two), one
  // fully digital invoice, and one registration the registry never confirms (rejected at the freeze).
  // Three of them are surnamed 欧阳: six prizes, win limit 1, so at most two people miss out and one 欧阳
  // always wins, whatever the draw's secret.
  const names = ['张三', '欧阳娜娜', '司马光', '李四', '王五', '赵六', '欧阳修', '欧阳询'];
  const people = [];
  for (const realName of names) people.push(await createConsumer(api.app, { realName }));
  await register(people[0], '4101', 2_500);
  await register(people[0], '4101', 4_500);
  await register(people[1], '4103', 8_000);
  await register(people[2], null, 15_000);
  await register(people[3], '4113', 30_000);
  await register(people[4], '4102', 80_000);
  await register(people[5], '4117', 250_000);
  await register(people[6], '4101', 1_200_000);
  await register(people[7], '4190', 6_000);
  await register(await createConsumer(api.app, { realName: '周九' }), '4105', 9_900, false);
});

afterAll(async () => {
  await api?.close();
  if (api) await destroyTestEnvironment(api.config);
  rmSync(campaignsDir, { recursive: true, force: true });
});

describe('before the freeze', () => {
  test('the campaign and its draws are listed; every period is scheduled', async () => {
    const campaigns = await pub('/api/v1/public/campaigns');
    expect(campaigns.status).toBe(200);
    expect(campaigns.body.items).toEqual([
      expect.objectContaining({ id: 'henan-2022', name: CAMPAIGN_NAME, startDate: '2022-07-15', endDate: '2022-12-31', periodCount: 6, alternateCount: 3 }),
    ]);
    expect(campaigns.body.items[0].tiers).toHaveLength(3);

    const draws = await pub('/api/v1/public/campaigns/henan-2022/draws');
    expect(draws.status).toBe(200);
    expect(draws.body.items.map((d: { period: string }) => d.period)).toEqual(['2022-07', '2022-08', '2022-09', '2022-10', '2022-11', '2022-12']);
    const august = draws.body.items[1];
    expect(august).toMatchObject({ id: DRAW, status: 'scheduled', entryCount: null, totalTickets: null, freezeAt: '2022-09-05T16:00:00.000Z', drawAt: '2022-09-07T02:00:00.000Z' });
    expect((await pub('/api/v1/public/campaigns/nope/draws')).body.code).toBe('CAMPAIGN_NOT_FOUND');
  });

  test('a scheduled draw shows neither a commitment nor any secret; its files and winners are refused', async () => {
    const draw = await pub(`/api/v1/public/draws/${DRAW}`);
    expect(draw.status).toBe(200);
    expect(draw.body).toMatchObject({ id: DRAW, status: 'scheduled', campaignName: CAMPAIGN_NAME, commitment: null, reveal: null, summary: null });
    expect(draw.text).not.toMatch(/secret|seed/i);
    expect((await pub(`/api/v1/public/draws/${DRAW}/entries`)).body).toMatchObject({ statusCode: 409, code: 'DRAW_NOT_FROZEN' });
    expect((await pub(`/api/v1/public/draws/${DRAW}/audit`)).body).toMatchObject({ statusCode: 409, code: 'DRAW_NOT_PUBLISHED' });
    expect((await pub(`/api/v1/public/draws/${DRAW}/winners`)).body).toMatchObject({ statusCode: 409, code: 'DRAW_NOT_PUBLISHED' });
    expect((await pub(`/api/v1/public/draws/${DRAW}/bands`)).body).toMatchObject({ statusCode: 409, code: 'DRAW_NOT_FROZEN' });
    for (const path of ['/api/v1/public/draws/henan-2022-2031-01', '/api/v1/public/draws/henan-2022-2031-01/entries', '/api/v1/public/draws/NOT%20A%20DRAW/winners'])
      expect((await pub(path)).body).toMatchObject({ statusCode: 404, code: 'DRAW_NOT_FOUND' });
  });

  test('check: not registered, registered but pending, and verified waiting for the draw', async () => {
    const unknown = await pub(checkPath({ invoiceCode: '041012200111', invoiceNumber: '99999999' }));
    expect(unknown.status).toBe(200);
    expect(unknown.body).toMatchObject({ outcome: 'NOT_REGISTERED', registrationStatus: null, drawId: null });

    const pending = seeded.find((s) => s.status === 'pending')!;
    expect((await pub(checkPath(pending))).body).toMatchObject({ outcome: 'NOT_IN_DRAW', registrationStatus: 'pending', drawId: DRAW, drawStatus: 'scheduled' });

    const verified = seeded[6];
    const res = await pub(checkPath(verified));
    expect(res.body).toMatchObject({ outcome: 'AWAITING_DRAW', registrationStatus: 'verified', drawId: DRAW, tickets: 2_500, ref: verified.ref });
  });

  test('check validates the invoice fields', async () => {
    for (const q of ['invoiceCode=041012200111&invoiceNumber=123', 'invoiceNumber=12345678', 'invoiceCode=041012200111&invoiceNumber=22412000000000123456', 'invoiceCode=12ab&invoiceNumber=12345678', ''])
      expect((await pub(`/api/v1/public/check?${q}`)).body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
  });
});

describe('frozen: the commitment and the entries file are public, the secret is not', () => {
  let commitment: { entriesDigest: string; secretHash: string; entryCount: number; totalTickets: number };

  beforeAll(async () => {
    clock.set('2022-09-06T00:00:01+08:00');
    await lifecycle.freezeDraw(DRAW);
    await settle();
  });

  test('the draw shows its commitment and counts, and nothing of the secret', async () => {
    const draw = await pub(`/api/v1/public/draws/${DRAW}`);
    expect(draw.body.status).toBe('frozen');
    expect(draw.body.reveal).toBeNull();
    expect(draw.body.summary).toBeNull();
    commitment = draw.body.commitment;
    expect(commitment).toMatchObject({ algorithm: 'ILD-1', drawId: DRAW, entryCount: 9, entriesDigest: expect.stringMatching(/^[0-9a-f]{64}$/), secretHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const [row] = await db.query(`SELECT secret_encrypted FROM draws WHERE id = ?`, [DRAW]);
    expect(draw.text).not.toContain(row.secret_encrypted);
    expect(draw.text).not.toMatch(/"secret"|"seed"/);
    const list = await pub('/api/v1/public/campaigns/henan-2022/draws');
    expect(list.body.items[1]).toMatchObject({ status: 'frozen', entryCount: 9, totalTickets: commitment.totalTickets });
  });

  test('the entries file is streamed as text/csv, hashes to the committed digest, and revalidates by ETag', async () => {
    const res = await pub(`/api/v1/public/draws/${DRAW}/entries`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${DRAW}-entries.csv"`);
    expect(res.headers.get('x-entries-digest')).toBe(commitment.entriesDigest);
    expect(sha256(res.text)).toBe(commitment.entriesDigest);
    const lines = res.text.split('\n');
    expect(lines[0]).toBe('ref,holder,tickets');
    expect(lines).toHaveLength(9 + 2);
    expect(lines.slice(1, -1).map((l) => l.split(',')[0])).toEqual(seeded.filter((s) => s.status === 'verified').map((s) => s.ref).sort());
    const again = await pub(`/api/v1/public/draws/${DRAW}/entries`, { 'if-none-match': res.headers.get('etag')! });
    expect(again.status).toBe(304);
  });

  test('winners and the audit bundle are still refused; the bands show tickets only', async () => {
    expect((await pub(`/api/v1/public/draws/${DRAW}/winners`)).body.code).toBe('DRAW_NOT_PUBLISHED');
    expect((await pub(`/api/v1/public/draws/${DRAW}/audit`)).body.code).toBe('DRAW_NOT_PUBLISHED');
    const bands = await pub(`/api/v1/public/draws/${DRAW}/bands`);
    expect(bands.status).toBe(200);
    expect(bands.body).toMatchObject({ entries: 9, tickets: commitment.totalTickets, winners: null, prizeCents: null });
    expect(bands.body.bands.map((b: { entries: number }) => b.entries)).toEqual([2, 2, 1, 1, 1, 1, 1]);
    expect(bands.body.bands.every((b: { winnerShare: unknown }) => b.winnerShare === null)).toBe(true);
  });

  test('check: in the draw with its tickets; the never-verified registration missed it', async () => {
    expect((await pub(checkPath(seeded[3]))).body).toMatchObject({ outcome: 'AWAITING_DRAW', drawStatus: 'frozen', tickets: 150 });
    const pending = seeded.find((s) => s.status === 'pending')!;
    expect((await pub(checkPath(pending))).body).toMatchObject({ outcome: 'NOT_IN_DRAW', registrationStatus: 'rejected' });
  });
});

describe('drawn: per-tier counts are public; nothing that reveals who won is, until publication', () => {
  let firstWinnerRef: string;

  beforeAll(async () => {
    await db.query(`UPDATE draws SET beacon = ? WHERE id = ?`, [BEACON, DRAW]);
    clock.set('2022-09-07T10:00:00+08:00');
    await lifecycle.runDraw(DRAW);
    await settle();
    [{ ref: firstWinnerRef }] = await db.query(`SELECT ref FROM draw_picks WHERE draw_id = ? AND kind = 'winner' ORDER BY pick_index LIMIT 1`, [DRAW]);
  });

  test('the draw shows its per-tier results, but not the secret, beacon or seed (with the entries file they give the winners)', async () => {
    const draw = await pub(`/api/v1/public/draws/${DRAW}`);
    expect(draw.body.status).toBe('drawn');
    expect(draw.body.reveal).toBeNull();
    expect(draw.body.commitment).toMatchObject({ entryCount: 9 });
    expect(draw.body.summary).toEqual({
      tiers: [
        { tier: 1, name: '一等奖', prizeCents: 1_000_000, count: 1, winners: 1 },
        { tier: 2, name: '二等奖', prizeCents: 100_000, count: 2, winners: 2 },
        { tier: 3, name: '三等奖', prizeCents: 10_000, count: 3, winners: 3 },
      ],
      winners: 6,
      alternates: 2,
      totalPrizeCents: 1_230_000,
    });
    const [row] = await db.query(`SELECT secret, seed FROM draws WHERE id = ?`, [DRAW]);
    expect(row.secret).toMatch(/^[0-9a-f]{64}$/);
    for (const path of [`/api/v1/public/draws/${DRAW}`, '/api/v1/public/campaigns/henan-2022/draws', `/api/v1/public/draws/${DRAW}/bands`]) {
      const text = (await pub(path)).text;
      expect({ path, secret: text.includes(row.secret), seed: text.includes(row.seed), winner: text.includes(firstWinnerRef), beacon: text.includes('ssq-2022101') }).toEqual({
        path,
        secret: false,
        seed: false,
        winner: false,
        beacon: false,
      });
    }
  });

  test('the audit bundle (it lists the winners) is held until publication: 409 DRAW_NOT_PUBLISHED', async () => {
    const res = await pub(`/api/v1/public/draws/${DRAW}/audit`);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ statusCode: 409, code: 'DRAW_NOT_PUBLISHED' });
    expect(res.text).not.toContain(firstWinnerRef);
  });

  test('winners (also searched) are not public before publication; check says the result is pending', async () => {
    expect((await pub(`/api/v1/public/draws/${DRAW}/winners`)).body).toMatchObject({ statusCode: 409, code: 'DRAW_NOT_PUBLISHED' });
    expect((await pub(`/api/v1/public/draws/${DRAW}/winners?q=${firstWinnerRef.slice(0, 8)}`)).body).toMatchObject({ statusCode: 409, code: 'DRAW_NOT_PUBLISHED' });
    const winner = seeded.find((s) => s.ref === firstWinnerRef)!;
    expect((await pub(checkPath(winner))).body).toMatchObject({ outcome: 'AWAITING_PUBLICATION', drawStatus: 'drawn', prize: null });
  });

  test('the bands show tickets only: winners per band (they would point at winners in small bands) wait for publication', async () => {
    const bands = await pub(`/api/v1/public/draws/${DRAW}/bands`);
    expect(bands.status).toBe(200);
    expect(bands.body).toMatchObject({ status: 'drawn', entries: 9, winners: null, prizeCents: null });
    expect(bands.body.bands.every((b: { winners: unknown; winnerShare: unknown; prizeShare: unknown }) => b.winners === null && b.winnerShare === null && b.prizeShare === null)).toBe(true);
  });
});

describe('published: the masked winner list, check results and the feed', () => {
  let bundle: AuditBundle;
  const bySeed = (ref: string) => seeded.find((s) => s.ref === ref)!;

  beforeAll(async () => {
    clock.set('2022-09-08T10:00:00+08:00');
    await lifecycle.publishDraw(DRAW);
    await settle();
    bundle = (await pub(`/api/v1/public/draws/${DRAW}/audit`)).body;
  });

  test('the draw now reveals secret, beacon and seed, matching its commitment', async () => {
    const draw = await pub(`/api/v1/public/draws/${DRAW}`);
    expect(draw.body.status).toBe('published');
    expect(draw.body.reveal).toEqual({ secret: expect.stringMatching(/^[0-9a-f]{64}$/), beacon: BEACON, seed: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(hashSecret(draw.body.reveal.secret)).toBe(draw.body.commitment.secretHash);
    expect(draw.body.reveal).toMatchObject({ secret: bundle.secret, seed: bundle.seed });
    expect(draw.body.summary).toMatchObject({ winners: 6, alternates: 2, totalPrizeCents: 1_230_000 });
  });

  test('the audit bundle is public and verifies against the streamed entries file (verifyAuditBundle)', async () => {
    const res = await pub(`/api/v1/public/draws/${DRAW}/audit`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.body).toEqual(bundle);
    expect(bundle).toMatchObject({ algorithm: 'ILD-1', drawId: DRAW, campaignId: 'henan-2022', beacon: BEACON });
    const entries = await fetch(`${api.baseUrl}/api/v1/public/draws/${DRAW}/entries`);
    const result = await verifyAuditBundle(bundle, Readable.fromWeb(entries.body as unknown as WebReadableStream<Uint8Array>));
    expect(result).toEqual({ ok: true });
    const tampered = { ...bundle, winners: bundle.winners.map((w, i) => (i === 0 ? { ...w, tickets: w.tickets + 1 } : w)) };
    const entries2 = await fetch(`${api.baseUrl}/api/v1/public/draws/${DRAW}/entries`);
    expect((await verifyAuditBundle(tampered, Readable.fromWeb(entries2.body as unknown as WebReadableStream<Uint8Array>))).ok).toBe(false);
  });

  test('the bands compare ticket share with winner share', async () => {
    const bands = await pub(`/api/v1/public/draws/${DRAW}/bands`);
    expect(bands.body.winners).toBe(6);
    expect(bands.body.prizeCents).toBe(1_230_000);
    const sum = (k: string) => bands.body.bands.reduce((s: number, b: Record<string, number>) => s + b[k], 0);
    expect(sum('winners')).toBe(6);
    expect(sum('ticketShare')).toBeCloseTo(1, 4);
    expect(sum('winnerShare')).toBeCloseTo(1, 4);
    expect(sum('prizeShare')).toBeCloseTo(1, 4);
  });

  test('the winner list: masked names and invoice numbers, refs, tickets, cities, claim status; cached after the first request', async () => {
    const first = await pub(`/api/v1/public/draws/${DRAW}/winners`);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('MISS');
    const second = await pub(`/api/v1/public/draws/${DRAW}/winners`);
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(second.text).toBe(first.text);

    expect(first.body).toMatchObject({ drawId: DRAW, tier: null, page: 1, pageSize: 20, total: 6 });
    expect(first.body.items.map((w: { tier: number; slot: number }) => `${w.tier}.${w.slot}`)).toEqual(['1.1', '2.1', '2.2', '3.1', '3.2', '3.3']);
    const cities: Record<string, string> = { '': '河南省', '4101': '郑州市', '4103': '洛阳市', '4113': '南阳市', '4102': '开封市', '4117': '驻马店市', '4190': '济源市' };
    for (const [i, w] of first.body.items.entries()) {
      const drawn = bundle.winners[i];
      const s = bySeed(drawn.ref);
      expect(w).toMatchObject({ ref: drawn.ref, tickets: drawn.tickets, claimStatus: 'unclaimed', alternateRank: null, passedOnBecause: null });
      expect(w.name).toBe({ 张三: '张*', 欧阳娜娜: '欧阳**', 司马光: '司马*', 李四: '李*', 王五: '王*', 赵六: '赵*', 欧阳修: '欧阳*', 欧阳询: '欧阳*' }[s.consumer.realName!]);
      expect(w.invoiceNumber).toBe(`****${s.invoiceNumber.slice(-4)}`);
      expect(w.city).toBe(cities[s.invoiceCode.slice(1, 5)]);
      expect(Object.keys(w).sort()).toEqual(
        ['alternateRank', 'city', 'claimDeadline', 'claimStatus', 'invoiceNumber', 'name', 'passedOnBecause', 'prizeCents', 'ref', 'slot', 'tickets', 'tier', 'tierName'].sort(),
      );
    }
  });

  test('tier filter and paging', async () => {
    const tier3 = await pub(`/api/v1/public/draws/${DRAW}/winners?tier=3`);
    expect(tier3.body.total).toBe(3);
    expect(tier3.body.items.every((w: { tier: number; tierName: string; prizeCents: number }) => w.tier === 3 && w.tierName === '三等奖' && w.prizeCents === 10_000)).toBe(true);
    const page2 = await pub(`/api/v1/public/draws/${DRAW}/winners?page=2&pageSize=4`);
    expect(page2.body).toMatchObject({ page: 2, pageSize: 4, total: 6 });
    expect(page2.body.items.map((w: { ref: string }) => w.ref)).toEqual(bundle.winners.slice(4).map((w) => w.ref));
    expect((await pub(`/api/v1/public/draws/${DRAW}/winners?page=9`)).body.items).toEqual([]);
    expect((await pub(`/api/v1/public/draws/${DRAW}/winners?pageSize=500`)).body.code).toBe('VALIDATION_FAILED');
  });

  describe('search (q=): only what the list shows, matched against the masked rows', () => {
    interface Row {
      tier: number;
      slot: number;
      name: string;
      invoiceNumber: string;
      ref: string;
      city: string | null;
    }
    let all: Row[];
    /** A search; its response (not its path, which holds probes such as phone numbers) joins the masking scan. */
    const search = async (q: string, extra = '') => {
      const res = await api.http.get(`/api/v1/public/draws/${DRAW}/winners?q=${encodeURIComponent(q)}${extra}`);
      seen.push(`${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${res.text}`);
      return res;
    };
    const slots = (rows: Row[]) => rows.map((w) => `${w.tier}.${w.slot}`);
    const surnameOf = (w: Row) => w.name.replace(/\*+$/, '');
    /** The oracle: the unfiltered list, filtered here the way the documentation says. */
    const expected = (pred: (w: Row) => boolean) => slots(all.filter(pred));
    const DOCUMENTED_KEYS = ['alternateRank', 'city', 'claimDeadline', 'claimStatus', 'invoiceNumber', 'name', 'passedOnBecause', 'prizeCents', 'ref', 'slot', 'tickets', 'tier', 'tierName'].sort();
    /** A query of each kind that matches nothing in this list. */
    const absentLast4 = () => [...Array(10_000).keys()].map((n) => String(n).padStart(4, '0')).find((d) => !all.some((w) => w.invoiceNumber.endsWith(d)))!;
    const absentRef = () => ['ffffff', 'eeeeee', 'dddddd', '000000'].find((p) => !all.some((w) => w.ref.startsWith(p)))!;
    const absentCity = () => [...Object.values(HENAN_CITIES), '河南省'].find((c) => !all.some((w) => w.city === c))!;

    beforeAll(async () => {
      all = (await pub(`/api/v1/public/draws/${DRAW}/winners?pageSize=100`)).body.items;
      expect(all).toHaveLength(6);
    });

    test('the last 4 digits of the invoice number (also as ****1234 or in full-width digits) find that winner', async () => {
      for (const w of all) {
        const last4 = w.invoiceNumber.slice(-4);
        const res = await search(last4);
        expect(res.status).toBe(200);
        expect(slots(res.body.items)).toEqual(expected((x) => x.invoiceNumber.endsWith(last4)));
        expect(res.body.items).toContainEqual(w);
        expect(res.body).toMatchObject({ drawId: DRAW, tier: null, page: 1, pageSize: 20, total: res.body.items.length });
        for (const item of res.body.items) expect(Object.keys(item).sort()).toEqual(DOCUMENTED_KEYS);
        const fullWidth = last4.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
        for (const variant of [`****${last4}`, ` ${fullWidth} `]) expect((await search(variant)).text).toBe(res.text);
      }
    });

    test('a ref prefix of 6 to 64 hex characters (any case, or copied with the page\'s "…") finds that winner', async () => {
      const w = all[0];
      for (const q of [w.ref.slice(0, 6), w.ref.slice(0, 8).toUpperCase(), `${w.ref.slice(0, 16)}…`, w.ref]) {
        const res = await search(q);
        expect({ q, status: res.status }).toEqual({ q, status: 200 });
        expect(slots(res.body.items)).toEqual(expected((x) => x.ref.startsWith(q.replace('…', '').toLowerCase())));
        expect(res.body.items[0]).toEqual(w);
      }
    });

    test('an issuing city (with or without 市) and a surname match the shown city and masked surname', async () => {
      for (const city of new Set(all.map((w) => w.city).filter((c): c is string => c !== null))) {
        const res = await search(city);
        expect(slots(res.body.items)).toEqual(expected((x) => x.city === city));
        if (city.endsWith('市')) expect((await search(city.slice(0, -1))).body.items.map((x: Row) => x.city)).toEqual(res.body.items.map((x: Row) => x.city));
      }
      for (const surname of new Set(all.map(surnameOf))) {
        if (surname === '') continue;
        const res = await search(surname);
        expect(slots(res.body.items)).toEqual(expected((x) => surnameOf(x) === surname));
        for (const item of res.body.items) expect(item.name).toMatch(new RegExp(`^${surname}\\*+$`));
      }
      // A compound surname finds its masked names (欧阳** and 欧阳*), never one of another 欧 (none here).
      const ouyang = all.filter((w) => w.name.startsWith('欧阳'));
      expect(ouyang.length).toBeGreaterThan(0);
      expect(slots((await search('欧阳')).body.items)).toEqual(slots(ouyang));
    });

    test('no matches: 200 with total 0; a full name, a phone or a whole invoice number never matches or is refused', async () => {
      for (const q of [absentLast4(), absentRef(), absentCity(), '龙']) {
        const res = await search(q);
        expect({ q, status: res.status, total: res.body.total, items: res.body.items }).toEqual({ q, status: 200, total: 0, items: [] });
      }
      // Two-character full names of seeded people (winners or not) match nothing: a search compares the
      // masked surname only, so it cannot tell whether a given person won.
      const people = [...new Map(seeded.map((s) => [s.consumer.id, s.consumer])).values()];
      for (const person of people.filter((c) => Array.from(c.realName!).length === 2)) expect((await search(person.realName!)).body.total).toBe(0);
      // Longer names are refused outright; a phone number is read as a ref prefix and matches nothing.
      for (const person of people.filter((c) => Array.from(c.realName!).length > 2)) expect((await search(person.realName!)).body.code).toBe('SEARCH_QUERY_INVALID');
      for (const person of people) expect((await search(person.phone)).body.total).toBe(0);
      const winner = seeded.find((s) => s.ref === all[0].ref)!;
      expect((await search(winner.invoiceNumber)).body.total).toBe(0);
    });

    test('combines with the tier filter and with paging', async () => {
      const candidates = [...new Set([...all.map((w) => w.city ?? ''), ...all.map(surnameOf), ...all.map((w) => w.invoiceNumber.slice(-4))])].filter(Boolean);
      const matchesOf = (q: string) => all.filter((w) => w.city === q || surnameOf(w) === q || (/^\d{4}$/.test(q) && w.invoiceNumber.endsWith(q)));
      const q = candidates.sort((a, b) => matchesOf(b).length - matchesOf(a).length)[0];
      const matches = slots(matchesOf(q));
      // One result per page, page by page, and one page past the end.
      for (let page = 1; page <= matches.length + 1; page++) {
        const res = await search(q, `&page=${page}&pageSize=1`);
        expect(res.body).toMatchObject({ page, pageSize: 1, total: matches.length });
        expect(slots(res.body.items)).toEqual(matches.slice(page - 1, page));
      }
      const tier = matchesOf(q)[0].tier;
      const inTier = await search(q, `&tier=${tier}`);
      expect(inTier.body).toMatchObject({ tier, total: matchesOf(q).filter((w) => w.tier === tier).length });
      expect(slots(inTier.body.items)).toEqual(slots(matchesOf(q).filter((w) => w.tier === tier)));
      for (const t of [1, 2, 3]) {
        const res = await search(q, `&tier=${t}&page=1&pageSize=2`);
        expect(slots(res.body.items)).toEqual(slots(matchesOf(q).filter((w) => w.tier === t)).slice(0, 2));
      }
      expect((await search(q, '&tier=99')).body).toMatchObject({ tier: 99, total: 0, items: [] });
      // A search of everything of one tier equals the tier filter alone.
      const tier3 = await pub(`/api/v1/public/draws/${DRAW}/winners?tier=3`);
      const byCity = await Promise.all([...new Set(tier3.body.items.map((w: Row) => w.city))].map((c) => search(String(c), '&tier=3')));
      expect(byCity.reduce((n, r) => n + r.body.total, 0)).toBe(tier3.body.total);
    });

    test('bad input: 400 SEARCH_QUERY_INVALID', async () => {
      const bad = ['1', '123', '12345', 'abc', 'abcde', 'xyz123', '12 34', '张三丰', '河南省郑州市', '<script>', '1234%', '*', '41010519900307123X', 'a'.repeat(65), 'f'.repeat(65), '😀', '郑州市 张'];
      for (const q of bad) {
        const res = await search(q);
        expect({ q, status: res.status, body: res.body }).toEqual({ q, status: 400, body: { statusCode: 400, code: 'SEARCH_QUERY_INVALID', message: expect.any(String), fields: ['q'] } });
      }
      const twice = await pub(`/api/v1/public/draws/${DRAW}/winners?q=1234&q=5678`);
      expect(twice.body).toMatchObject({ statusCode: 400, code: 'SEARCH_QUERY_INVALID' });
      // Blank is no search at all.
      expect((await search('  ')).body.total).toBe(6);
      expect((await search('1234', '&pageSize=500')).body.code).toBe('VALIDATION_FAILED');
    });

    test('cached: a repeat is a HIT; equivalent spellings and all queries without a match share entries, so junk cannot fill Redis', async () => {
      const redis = api.app.get<Redis>(REDIS);
      const searchKeys = async () => (await redis.keys(`${api.config.REDIS_PREFIX}:pub:v1:winners-q:*`)).length;
      const last4 = all[1].invoiceNumber.slice(-4);
      const first = await search(last4, '&pageSize=7');
      expect(first.headers.get('x-cache')).toBe('MISS');
      const again = await search(last4, '&pageSize=7');
      expect(again.headers.get('x-cache')).toBe('HIT');
      expect(again.text).toBe(first.text);
      expect((await search(`****${last4}`, '&pageSize=7')).headers.get('x-cache')).toBe('HIT');

      expect((await search(absentLast4(), '&pageSize=9')).headers.get('x-cache')).toBe('MISS');
      const before = await searchKeys();
      for (let i = 0; i < 40; i++) {
        const junk = createHash('sha256').update(`junk${i}`).digest('hex').slice(0, 6 + (i % 20));
        if (all.some((w) => w.ref.startsWith(junk))) continue;
        const res = await search(junk, '&pageSize=9');
        expect({ junk, total: res.body.total, cache: res.headers.get('x-cache') }).toEqual({ junk, total: 0, cache: 'HIT' });
      }
      // Pages past the end are answered without being stored.
      for (const page of [2, 50, 999_999]) expect((await search(last4, `&page=${page}&pageSize=7`)).body.items).toEqual([]);
      expect(await searchKeys()).toBe(before);
    });
  });

  test('check: a winning invoice, an alternate and an invoice that did not win', async () => {
    const winner = bySeed(bundle.winners[0].ref);
    const won = await pub(checkPath(winner));
    expect(won.body).toMatchObject({
      outcome: 'WON',
      drawId: DRAW,
      tickets: bundle.winners[0].tickets,
      prize: { tier: 1, tierName: '一等奖', slot: 1, prizeCents: 1_000_000, claimStatus: 'unclaimed' },
    });
    const alternate = bySeed(bundle.alternates[0].ref);
    expect((await pub(checkPath(alternate))).body).toMatchObject({ outcome: 'ALTERNATE', alternateRank: 1, prize: null });
    const picked = new Set([...bundle.winners, ...bundle.alternates].map((p) => p.ref));
    const loser = seeded.find((s) => s.status === 'verified' && !picked.has(s.ref))!;
    expect((await pub(checkPath(loser))).body).toMatchObject({ outcome: 'NOT_WON', tickets: Math.floor(loser.paidCents / 100), prize: null });
    // The answer never says who registered the invoice.
    expect(won.text).not.toContain(winner.consumer.realName!);
    expect(Object.keys(won.body).sort()).toEqual(['alternateRank', 'drawId', 'drawStatus', 'message', 'outcome', 'period', 'prize', 'ref', 'registrationStatus', 'tickets']);
  });

  test('the Atom feed has one escaped entry per published draw', async () => {
    const res = await pub('/api/v1/public/feed.atom');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    const xml = res.text;
    expect(xml.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"')).toBe(true);
    expect(xml.match(/<entry>/g)).toHaveLength(1);
    expect(xml).toContain('<title type="text">河南省2022年有奖发票促消费活动 &lt;测试&amp;&quot;转义&quot;&gt; 2022年8月期开奖结果</title>');
    expect(xml).not.toContain('<测试');
    expect(xml).toContain(`href="${PUBLIC_BASE}/api/v1/public/draws/${DRAW}/audit"`);
    expect(xml).toContain(`href="${PUBLIC_BASE}/draws/${DRAW}"`);
    expect(xml).toMatch(/<id>urn:uuid:[0-9a-f-]{36}<\/id>/);
    expect(xml).toContain('一等奖 1 名（每名 ¥10,000.00）；二等奖 2 名（每名 ¥1,000.00）；三等奖 3 名（每名 ¥100.00）。参与发票 9 张');
    expect(xml).toContain('<updated>2022-09-08T02:00:00.000Z</updated>');
    // Every '&' in the document starts an entity; no raw '<' outside tags.
    expect(xml.replace(/&(amp|lt|gt|quot|apos);/g, '')).not.toContain('&');
    // Links come from PUBLIC_BASE_URL only: a spoofed Host or X-Forwarded-Host changes nothing (no cache poisoning).
    for (const headers of [{ host: 'evil"><x' }, { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' }] as Array<Record<string, string>>) {
      const spoofed = await rawGet('/api/v1/public/feed.atom', headers);
      expect(spoofed.status).toBe(200);
      expect(spoofed.body).not.toContain('evil');
      expect(spoofed.body).toContain(`href="${PUBLIC_BASE}/api/v1/public/feed.atom"`);
    }
  });

  test('a claim and a forfeit passed to alternate 1 show in the list after a new version (cache stays correct)', async () => {
    const pii = api.app.get(PiiProtector);
    const account = '6222021234567890123';
    await db.query(
      `UPDATE prizes SET status = 'claimed', claimed_at = ?, bank_name = ?, bank_account_encrypted = ?, bank_account_masked = ? WHERE draw_id = ? AND tier = 3 AND slot = 1`,
      [new Date('2022-09-10T02:00:00Z'), '中国工商银行郑州花园路支行', pii.encrypt(account), maskBankAccount(account), DRAW],
    );
    await db.query(`UPDATE prizes SET status = 'forfeited', ended_at = ?, end_reason = 'CLAIM_WINDOW_EXPIRED' WHERE draw_id = ? AND tier = 3 AND slot = 2`, [
      new Date('2022-11-08T02:00:00Z'),
      DRAW,
    ]);
    const [alt] = await db.query(
      `SELECT p.pick_index, p.alternate_rank, p.ref, e.invoice_id, e.consumer_id FROM draw_picks p JOIN draw_entries e ON e.draw_id = p.draw_id AND e.position = p.position
        WHERE p.draw_id = ? AND p.kind = 'alternate' AND p.alternate_rank = 1`,
      [DRAW],
    );
    await db.query(
      `INSERT INTO prizes (draw_id, tier, tier_name, slot, attempt, pick_index, alternate_rank, consumer_id, invoice_id, ref, gross_cents, tax_cents, net_cents, status, claim_deadline, created_at)
       VALUES (?, 3, '三等奖', 2, 1, ?, 1, ?, ?, ?, 10000, 0, 10000, 'awaiting_claim', ?, ?)`,
      [DRAW, alt.pick_index, alt.consumer_id, alt.invoice_id, alt.ref, new Date('2023-01-07T02:00:00Z'), new Date('2022-11-08T02:00:00Z')],
    );
    await settle();

    const res = await pub(`/api/v1/public/draws/${DRAW}/winners?tier=3`);
    expect(res.headers.get('x-cache')).toBe('MISS');
    const [slot1, slot2, slot3] = res.body.items;
    expect(slot1).toMatchObject({ slot: 1, claimStatus: 'claimed', alternateRank: null });
    const alternate = bySeed(alt.ref);
    expect(slot2).toMatchObject({
      slot: 2,
      claimStatus: 'unclaimed',
      alternateRank: 1,
      passedOnBecause: 'forfeited',
      ref: alt.ref,
      tickets: bundle.alternates[0].tickets,
      invoiceNumber: `****${alternate.invoiceNumber.slice(-4)}`,
    });
    expect(slot3).toMatchObject({ slot: 3, claimStatus: 'unclaimed', alternateRank: null });
    expect((await pub(`/api/v1/public/draws/${DRAW}/winners?tier=3`)).headers.get('x-cache')).toBe('HIT');

    const check = await pub(checkPath(alternate));
    expect(check.body).toMatchObject({ outcome: 'WON', alternateRank: 1, prize: { tier: 3, slot: 2, claimStatus: 'unclaimed' } });
    const claimedRef = bundle.winners.find((w) => w.tier === 3 && w.slot === 1)!.ref;
    expect((await pub(checkPath(bySeed(claimedRef)))).body.prize).toMatchObject({ claimStatus: 'claimed' });
  });
});

describe('without Redis', () => {
  test('public reads are served from the database (uncached) and still rate-limited in memory', async () => {
    const offline = await startTestApi({
      clock,
      config: { ...api.config, REDIS_URL: 'redis://127.0.0.1:1/0', PUBLIC_RATE_LIMIT_PER_MINUTE: 5 },
    });
    try {
      const paths = [`/api/v1/public/draws/${DRAW}/winners`, `/api/v1/public/draws/${DRAW}`, checkPath(seeded[0]), `/api/v1/public/draws/${DRAW}/bands`, '/api/v1/public/feed.atom'];
      for (const path of paths) {
        const res = await offline.http.get(path);
        expect({ path, status: res.status }).toEqual({ path, status: 200 });
      }
      const refused = await offline.http.get(`/api/v1/public/draws/${DRAW}`);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    } finally {
      await offline.close();
      // The app's Redis clients keep a reconnect timer (up to 2 s) for a moment after closing.
      await new Promise((r) => setTimeout(r, 3_000));
    }
  });
});

/** GET over a raw socket asking for brotli or gzip: the encoding sent and the body as sent. */
function compressedGet(path: string): Promise<{ encoding?: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    httpRequest(`${api.baseUrl}${path}`, { headers: { 'accept-encoding': 'gzip, br' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

describe('the web page and limits', () => {
  test('/ serves the page, its script and style as separate files under a CSP without inline scripts', async () => {
    const page = await api.http.get('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('<html lang="zh-CN">');
    expect(page.text).toContain('<script type="module" src="app.js"></script>');
    // The chunks app.js imports statically (esbuild's shared helpers) download alongside it, not after it.
    const preload = JSON.parse(readFileSync('dist/web/public/preload.json', 'utf8')) as string[];
    for (const chunk of preload) expect(page.text).toContain(`<link rel="modulepreload" href="${chunk}">`);
    expect(page.text).not.toMatch(/<script>(?!<)/);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    const js = await api.http.get('/app.js');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    // The esbuild bundle of src/public/web-src/public-page.js (ECharts, whose HTML tooltips the page does not use,
    // is in a chunk loaded when a chart is shown): the page's own code and the shared DOM helpers never build HTML from text.
    expect(js.text).toBe(readFileSync('dist/web/public/app.js', 'utf8'));
    for (const source of ['src/public/web-src/fairness-chart.js']) expect(readFileSync(source, 'utf8')).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    for (const source of ['src/public/web-src/public-page.js', 'src/web-shared/dom.js']) expect(readFileSync(source, 'utf8')).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    expect((await api.http.get('/app.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await api.http.request('GET', '/app.js', { headers: { 'if-none-match': js.headers.get('etag')! } })).status).toBe(304);
    // The brotli form the build wrote next to the bundle is what is sent (not compressed again at start-up).
    const br = await compressedGet('/app.js');
    expect(br.encoding).toBe('br');
    expect(br.body.equals(readFileSync('dist/web/public/app.js.br'))).toBe(true);
  });

  test("the chart's code and ECharts are a content-hashed chunk app.js imports when needed, served immutable, compressed and by ETag", async () => {
    const app = readFileSync('dist/web/public/app.js', 'utf8');
    const chart = /import\("\.\/(chunks\/fairness-chart-[A-Z0-9]{8}\.js)"\)/.exec(app)?.[1];
    expect(chart).toBeDefined();
    // ECharts (its instance marker) is in the chunk, not in the script every visitor loads.
    expect(app).not.toContain('_echarts_instance_');
    const preload = JSON.parse(readFileSync('dist/web/public/preload.json', 'utf8')) as string[];
    for (const chunk of [chart!, ...preload]) {
      const res = await api.http.get(`/${chunk}`);
      expect([res.status, res.headers.get('content-type'), res.headers.get('cache-control')]).toEqual([200, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable']);
      expect(res.text).toBe(readFileSync(`dist/web/public/${chunk}`, 'utf8'));
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect((await api.http.request('GET', `/${chunk}`, { headers: { 'if-none-match': res.headers.get('etag')! } })).status).toBe(304);
    }
    expect((await api.http.get(`/${chart}`)).text).toContain('_echarts_instance_');
    const br = await compressedGet(`/${chart}`);
    expect(br.encoding).toBe('br');
    expect(br.body.equals(readFileSync(`dist/web/public/${chart}.br`))).toBe(true);
    // Its source map is no hashed chunk: revalidated like app.js. A name the build did not write is a 404.
    expect((await api.http.get(`/${chart}.map`)).headers.get('cache-control')).toBe('no-cache');
    for (const missing of ['/chunks/fairness-chart-AAAAAAAA.js', '/chunks/..%2Fapp.js', '/chunks/app.js']) {
      const res = await api.http.get(missing);
      expect([res.status, res.body.code]).toEqual([404, 'NOT_FOUND']);
    }
    // verify.js and verify-worker.js are served alone at the root: their builds must not have chunks.
    expect(existsSync('dist/web/verify/chunks')).toBe(false);
    expect(readFileSync('dist/web/verify/preload.json', 'utf8').trim()).toBe('[]');
    expect(existsSync('dist/web/verify-worker/chunks')).toBe(false);
  });

  test('over the per-address limit: 429 RATE_LIMITED with Retry-After; the page itself is not limited', async () => {
    const limited = await startTestApi({
      clock,
      config: { ...api.config, REDIS_PREFIX: `${api.config.REDIS_PREFIX}:limited`, PUBLIC_RATE_LIMIT_PER_MINUTE: 3 },
    });
    try {
      for (let i = 0; i < 3; i++) expect((await limited.http.get('/api/v1/public/campaigns')).status).toBe(200);
      const refused = await limited.http.get(`/api/v1/public/draws/${DRAW}/winners`);
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect((await limited.http.get('/api/v1/public/check?invoiceCode=041012200111&invoiceNumber=12345678')).status).toBe(429);
      expect((await limited.http.get(`/api/v1/public/draws/${DRAW}/winners?q=1234`)).status).toBe(429);
      expect((await limited.http.get('/')).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('masking', () => {
  test('no public response contains a phone number, identity number, bank data or a full name of a seeded consumer', async () => {
    // One more look at everything a visitor can fetch after publication.
    for (const path of [
      '/api/v1/public/campaigns',
      '/api/v1/public/campaigns/henan-2022/draws',
      `/api/v1/public/draws/${DRAW}`,
      `/api/v1/public/draws/${DRAW}/winners?pageSize=100`,
      `/api/v1/public/draws/${DRAW}/audit`,
      `/api/v1/public/draws/${DRAW}/entries`,
      `/api/v1/public/draws/${DRAW}/bands`,
      '/api/v1/public/feed.atom',
      ...seeded.map(checkPath),
    ])
      expect((await pub(path)).status).toBe(200);
    expect(seen.length).toBeGreaterThan(50);
    const everything = seen.join('\n');
    const consumers = [...new Map(seeded.map((s) => [s.consumer.id, s.consumer])).values()];
    const [masked] = await db.query(`SELECT GROUP_CONCAT(phone_masked SEPARATOR '|') AS phones, GROUP_CONCAT(id_number_masked SEPARATOR '|') AS ids FROM consumers`);
    const forbidden = [
      ...consumers.flatMap((c) => [c.phone, c.idNumber!, c.idNumber!.slice(0, 14), c.realName!]),
      ...String(masked.phones).split('|'),
      ...String(masked.ids).split('|'),
      '6222021234567890123',
      maskBankAccount('6222021234567890123'),
      '中国工商银行',
    ];
    for (const value of forbidden) expect({ value, found: everything.includes(value) }).toEqual({ value, found: false });
  });
});

import { getDataSourceToken } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
import { HEAD_STALENESS_MS } from '../../src/public/public-cache.js';
import { createConsumer, insertRegistryRecord } from '../support/fixtures.js';
import { destroyTestEnvironment, startTestApi, type HttpResult, type TestApi } from '../support/test-env.js';

/**
 * The public API end to end: one draw of a small test campaign (the Henan rules with 1 + 2 + 3 prizes
 * and 3 alternates, and a campaign name full of XML/HTML metacharacters) taken through scheduled ->
 * frozen -> drawn -> published, and what the public sees at each step.
 */
const DRAW = 'henan-2022-2022-08';
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
  api = await startTestApi({ clock, env: { CAMPAIGNS_DIR: campaignsDir, PUBLIC_RATE_LIMIT_PER_MINUTE: '100000' } });
  db = api.app.get<DataSource>(getDataSourceToken());
  lifecycle = api.app.get(DrawLifecycleService);
  await lifecycle.ensureCampaign(api.app.get(CampaignCatalog).get('henan-2022')!);

  // Eight people with verified invoices across the amount bands and cities (one of them with two), one
  // fully digital invoice, and one registration the registry never confirms (rejected at the freeze).
  const names = ['张三', '欧阳娜娜', '司马光', '李四', '王五', '赵六', '钱七', '孙八'];
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
    expect((await pub(`/api/v1/public/draws/${DRAW}/audit`)).body).toMatchObject({ statusCode: 409, code: 'DRAW_NOT_DRAWN' });
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
    expect((await pub(`/api/v1/public/draws/${DRAW}/audit`)).body.code).toBe('DRAW_NOT_DRAWN');
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

describe('drawn: the seed material and the audit bundle are public, the winners not yet', () => {
  let bundle: AuditBundle;

  beforeAll(async () => {
    await db.query(`UPDATE draws SET beacon = ? WHERE id = ?`, [BEACON, DRAW]);
    clock.set('2022-09-07T10:00:00+08:00');
    await lifecycle.runDraw(DRAW);
    await settle();
  });

  test('the draw reveals secret, beacon and seed, matching its commitment, with per-tier results', async () => {
    const draw = await pub(`/api/v1/public/draws/${DRAW}`);
    expect(draw.body.status).toBe('drawn');
    expect(draw.body.reveal).toEqual({ secret: expect.stringMatching(/^[0-9a-f]{64}$/), beacon: BEACON, seed: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(hashSecret(draw.body.reveal.secret)).toBe(draw.body.commitment.secretHash);
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
  });

  test('the audit bundle verifies against the streamed entries file (verifyAuditBundle)', async () => {
    const res = await pub(`/api/v1/public/draws/${DRAW}/audit`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    bundle = res.body;
    expect(bundle).toMatchObject({ algorithm: 'ILD-1', drawId: DRAW, campaignId: 'henan-2022', beacon: BEACON });
    const entries = await fetch(`${api.baseUrl}/api/v1/public/draws/${DRAW}/entries`);
    const result = await verifyAuditBundle(bundle, Readable.fromWeb(entries.body as unknown as WebReadableStream<Uint8Array>));
    expect(result).toEqual({ ok: true });
    const tampered = { ...bundle, winners: bundle.winners.map((w, i) => (i === 0 ? { ...w, tickets: w.tickets + 1 } : w)) };
    const entries2 = await fetch(`${api.baseUrl}/api/v1/public/draws/${DRAW}/entries`);
    expect((await verifyAuditBundle(tampered, Readable.fromWeb(entries2.body as unknown as WebReadableStream<Uint8Array>))).ok).toBe(false);
  });

  test('winners are not public before publication; check says the result is pending', async () => {
    expect((await pub(`/api/v1/public/draws/${DRAW}/winners`)).body).toMatchObject({ statusCode: 409, code: 'DRAW_NOT_PUBLISHED' });
    const winnerRef = bundle.winners[0].ref;
    const winner = seeded.find((s) => s.ref === winnerRef)!;
    expect((await pub(checkPath(winner))).body).toMatchObject({ outcome: 'AWAITING_PUBLICATION', drawStatus: 'drawn', prize: null });
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
      expect(w.name).toBe({ 张三: '张*', 欧阳娜娜: '欧阳**', 司马光: '司马*', 李四: '李*', 王五: '王*', 赵六: '赵*', 钱七: '钱*', 孙八: '孙*' }[s.consumer.realName!]);
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
    expect(xml).toContain(`href="${api.baseUrl}/api/v1/public/draws/${DRAW}/audit"`);
    expect(xml).toContain(`href="${api.baseUrl}/#draw-${DRAW}"`);
    expect(xml).toMatch(/<id>urn:uuid:[0-9a-f-]{36}<\/id>/);
    expect(xml).toContain('一等奖 1 名（每名 ¥10,000.00）；二等奖 2 名（每名 ¥1,000.00）；三等奖 3 名（每名 ¥100.00）。参与发票 9 张');
    expect(xml).toContain('<updated>2022-09-08T02:00:00.000Z</updated>');
    // Every '&' in the document starts an entity; no raw '<' outside tags.
    expect(xml.replace(/&(amp|lt|gt|quot|apos);/g, '')).not.toContain('&');
    // A spoofed Host header cannot break the markup.
    const spoofed = await rawGet('/api/v1/public/feed.atom', { host: 'evil"><x' });
    expect(spoofed.status).toBe(200);
    expect(spoofed.body).not.toContain('evil');
    expect(spoofed.body).toContain('href="http://localhost/api/v1/public/feed.atom"');
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

describe('the web page and limits', () => {
  test('/ serves the page, its script and style as separate files under a CSP without inline scripts', async () => {
    const page = await api.http.get('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('<html lang="zh-CN">');
    expect(page.text).toContain('<script src="app.js" defer></script>');
    expect(page.text).not.toMatch(/<script>(?!<)/);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    const js = await api.http.get('/app.js');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.text).not.toContain('innerHTML');
    expect((await api.http.get('/app.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await api.http.request('GET', '/app.js', { headers: { 'if-none-match': js.headers.get('etag')! } })).status).toBe(304);
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

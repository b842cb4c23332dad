import { Readable } from 'node:stream';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CampaignCatalog } from '../../src/campaigns/campaign-catalog.js';
import { ManualClock } from '../../src/core/clock/clock.js';
import { PiiProtector } from '../../src/core/crypto/pii.js';
import { deriveSeed, verifyAuditBundle, type AuditBundle } from '../../src/draws/algorithm/index.js';
import { DrawLifecycleService } from '../../src/draws/draw-lifecycle.service.js';
import { insertConsumers, insertInvoices } from '../faults/draw-fixtures.js';
import { createConsumer, henanInvoice, insertRegistryRecord } from '../support/fixtures.js';
import { destroyTestEnvironment, startTestApi, TEST_ADMIN, type TestApi } from '../support/test-env.js';

const clock = new ManualClock('2022-08-10T10:00:00+08:00');
let api: TestApi;
let lifecycle: DrawLifecycleService;
let db: DataSource;
const drawId = 'henan-2022-2022-08';

beforeAll(async () => {
  api = await startTestApi({ clock });
  lifecycle = api.app.get(DrawLifecycleService);
  db = api.app.get<DataSource>(getDataSourceToken());
  const campaign = api.app.get(CampaignCatalog).get('henan-2022')!;
  await lifecycle.ensureCampaign(campaign);
  await lifecycle.ensureCampaign(campaign); // idempotent

  // 12 consumers with verified August invoices of different amounts (through the API), one consumer with a pending one.
  for (let i = 0; i < 12; i++) {
    const consumer = await createConsumer(api.app);
    for (let j = 0; j < 2; j++) {
      const ids = henanInvoice();
      const amountCents = 2000 + i * 1500 + j * 700;
      await insertRegistryRecord(api.app, { ...ids, issueDate: '2022-08-08', amountCents, taxCents: 0 });
      const res = await api.http.post('/api/v1/invoices', { invoiceType: '10', ...ids, issueDate: '2022-08-08', amount: (amountCents / 100).toFixed(2), checkCode: '567890' }, consumer.token);
      expect(res.body.status).toBe('verified');
    }
  }
  // 50 more holders with one verified invoice each (written directly): 62 holders, so with win limit 1
  // the five first and fifty second prizes leave seven third prizes won, untaxed (¥100 is under ¥800).
  const more = await insertConsumers(db, api.app.get(PiiProtector), 50);
  await insertInvoices(db, { periodKey: '2022-08', issueDate: '2022-08-08', consumerIds: more, count: 50 });
  const late = await createConsumer(api.app);
  const pending = await api.http.post('/api/v1/invoices', { invoiceType: '10', ...henanInvoice(), issueDate: '2022-08-09', amount: '50.00', checkCode: '567890' }, late.token);
  expect(pending.body.status).toBe('pending');
});
afterAll(async () => {
  await api.close();
  await destroyTestEnvironment(api.config);
});

const collect = async (iterable: AsyncIterable<string>) => {
  let text = '';
  for await (const chunk of iterable) text += chunk;
  return text;
};

test('one draw per period is scheduled, idempotently', async () => {
  const [{ n }] = await db.query(`SELECT COUNT(*) AS n FROM draws WHERE campaign_id = 'henan-2022'`);
  expect(Number(n)).toBe(6);
});

test('freeze commits the entries once; pending registrations leave the draw and are told', async () => {
  clock.set('2022-09-06T00:00:00+08:00');
  const progress: number[] = [];
  const frozen = await lifecycle.freezeDraw(drawId, { onProgress: (p) => void progress.push(p.processed) });
  expect(frozen.status).toBe('frozen');
  expect(frozen.entryCount).toBe(74);
  expect(frozen.secretHash).toMatch(/^[0-9a-f]{64}$/);
  expect(frozen.secret).toBeNull();
  expect(progress.at(-1)).toBe(74);

  // Again: refused by its guard (the draw is no longer scheduled), nothing changes.
  const again = await lifecycle.freezeDraw(drawId);
  expect(again.refused).toMatchObject({ step: 'freeze', code: 'WRONG_STATUS', status: 'frozen' });
  expect(again.secretHash).toBe(frozen.secretHash);
  expect(again.entriesDigest).toBe(frozen.entriesDigest);

  const [{ rejected }] = await db.query(`SELECT COUNT(*) AS rejected FROM invoices WHERE status = 'rejected' AND status_reason = 'NOT_VERIFIED_BEFORE_FREEZE'`);
  expect(Number(rejected)).toBe(1);
  const [{ notices }] = await db.query(`SELECT COUNT(*) AS notices FROM notifications WHERE kind = 'invoice-missed-draw'`);
  expect(Number(notices)).toBe(1);
});

test('the draw is reproducible and verifies against the committed entries file', async () => {
  // Before its draw time, with no approved request, the draw is refused.
  const early = await lifecycle.runDraw(drawId);
  expect(early.refused).toMatchObject({ step: 'draw', code: 'DRAW_TIME_NOT_REACHED' });
  expect(early.status).toBe('frozen');
  clock.set('2022-09-07T10:00:00+08:00');
  const drawn = await lifecycle.runDraw(drawId);
  expect(drawn.status).toBe('drawn');
  const picks = await db.query(`SELECT kind, tier, slot, alternate_rank, ref FROM draw_picks WHERE draw_id = ? ORDER BY pick_index`, [drawId]);
  // 62 holders, win limit 1: 62 picks in all (5 + 50 + 7 prizes, no one left for an alternate), the rest of the prizes unfilled.
  expect(picks).toHaveLength(62);
  expect(picks.filter((p: { kind: string }) => p.kind === 'alternate')).toHaveLength(0);
  expect(new Set(picks.map((p: { ref: string }) => p.ref)).size).toBe(62);

  const [{ bundle }] = await db.query(`SELECT audit_bundle AS bundle FROM draws WHERE id = ?`, [drawId]);
  const audit = JSON.parse(bundle) as AuditBundle;
  expect(audit.winners.map((w) => w.ref)).toEqual(picks.map((p: { ref: string }) => p.ref));
  const csv = await collect(lifecycle.entriesCsv(drawId));
  expect(csv.split('\n')[0]).toBe('ref,holder,tickets');
  expect(await verifyAuditBundle(audit, Readable.from([Buffer.from(csv)]))).toEqual({ ok: true });
  const tampered = csv.replace(/,(\d+)\n/, (_, t) => `,${Number(t) + 1}\n`);
  expect(await verifyAuditBundle(audit, Readable.from([Buffer.from(tampered)]))).toMatchObject({ ok: false });
  expect((await lifecycle.runDraw(drawId)).seed).toBe(drawn.seed);
});

test('publishing creates one prize per winner with tax withheld over ¥800, once', async () => {
  const published = await lifecycle.publishDraw(drawId);
  expect(published.status).toBe('published');
  await lifecycle.publishDraw(drawId);
  const prizes = await db.query(`SELECT tier, gross_cents, tax_cents, net_cents, status FROM prizes WHERE draw_id = ? ORDER BY tier, slot`, [drawId]);
  expect(prizes).toHaveLength(62);
  const byTier = (tier: number) => prizes.filter((p: { tier: number }) => p.tier === tier);
  expect([byTier(1).length, byTier(2).length, byTier(3).length]).toEqual([5, 50, 7]);
  // Over ¥800, 20% withheld; ¥800 or less, none.
  for (const p of byTier(1)) expect(p).toMatchObject({ gross_cents: 1_000_000, tax_cents: 200_000, net_cents: 800_000, status: 'awaiting_claim' });
  for (const p of byTier(2)) expect(p).toMatchObject({ gross_cents: 100_000, tax_cents: 20_000, net_cents: 80_000, status: 'awaiting_claim' });
  for (const p of byTier(3)) expect(p).toMatchObject({ gross_cents: 10_000, tax_cents: 0, net_cents: 10_000, status: 'awaiting_claim' });
  const [{ n }] = await db.query(`SELECT COUNT(*) AS n FROM notifications WHERE kind = 'prize-won'`);
  expect(Number(n)).toBe(62);
  const [{ ended }] = await db.query(`SELECT ended_at AS ended FROM campaigns WHERE id = 'henan-2022'`);
  expect(ended).toBeNull();
});

test('a draw request approved while the draw runs: the draw is committed with the approved beacon', async () => {
  const september = 'henan-2022-2022-09';
  const consumers = await insertConsumers(db, api.app.get(PiiProtector), 20);
  await insertInvoices(db, { periodKey: '2022-09', issueDate: '2022-09-12', consumerIds: consumers, count: 60 });
  clock.set('2022-10-06T00:00:00+08:00');
  const frozen = await lifecycle.freezeDraw(september);
  expect(frozen.status).toBe('frozen');
  expect(frozen.beacon).toBeNull();
  clock.set('2022-10-07T10:00:00+08:00'); // the scheduled draw time

  const admin = await api.http.staffToken(TEST_ADMIN.username, TEST_ADMIN.password);
  const staff = async (username: string, roles: string[]) => {
    const password = `${username}-password-123`;
    expect((await api.http.post('/api/v1/admin/staff', { username, password, roles }, admin)).status).toBe(201);
    return api.http.staffToken(username, password);
  };
  const operator = await staff('op.race', ['operator']);
  const auditor = await staff('au.race', ['auditor']);
  const beacon = 'CWL 3D 2022266: 5 2 8';
  const requested = await api.http.post(`/api/v1/admin/draws/${september}/draw-requests`, { beacon }, operator);
  expect(requested.status).toBe(201);

  // The draw (here started by the scheduled time, say) has read the draw without a beacon and computed its
  // result when the auditor approves the request: the approval stores the beacon while the draw is frozen.
  const approvals: number[] = [];
  const drawn = await lifecycle.runDraw(september, {
    onProgress: async (p) => {
      if (p.phase !== 'draw' || approvals.length > 0) return;
      const res = await api.http.post(`/api/v1/admin/draws/${september}/draw-requests/${requested.body.id}/approve`, undefined, auditor);
      approvals.push(res.status);
    },
  });
  expect(approvals).toEqual([200]);
  expect(drawn.status).toBe('drawn');
  expect(drawn.beacon).toBe(beacon);
  expect(drawn.seed).toBe(deriveSeed({ drawId: september, entriesDigest: drawn.entriesDigest!, secret: drawn.secret!, beacon }));
  const [{ bundle }] = await db.query(`SELECT audit_bundle AS bundle FROM draws WHERE id = ?`, [september]);
  const audit = JSON.parse(bundle) as AuditBundle;
  expect(audit.beacon).toBe(beacon);
  expect(audit.seed).toBe(drawn.seed);
  const csv = await collect(lifecycle.entriesCsv(september));
  expect(await verifyAuditBundle(audit, Readable.from([Buffer.from(csv)]))).toEqual({ ok: true });
  const picks = await db.query(`SELECT ref FROM draw_picks WHERE draw_id = ? ORDER BY pick_index`, [september]);
  expect(picks.map((p: { ref: string }) => p.ref)).toEqual([...audit.winners, ...audit.alternates].map((w) => w.ref));
  const [drawnLog] = await db.query(`SELECT details FROM draw_audit_log WHERE draw_id = ? AND action = 'drawn'`, [september]);
  expect(JSON.parse(drawnLog.details)).toMatchObject({ beacon, seed: drawn.seed });

  // Once drawn, an approval can no longer change anything.
  const late = await api.http.post(`/api/v1/admin/draws/${september}/draw-requests`, { beacon: 'too late' }, operator);
  expect(late.status).toBe(409);
});

/**
 * Verifiable instant draws (ILI-1) wired into the service (issue 18, item 3): the 2026 kind of campaign (a copy
 * of config/campaigns/zhuzhou-2026.json shaped for the test: small daily budgets so they run out, a 2-day payment
 * delay, calendar-month periods) through a simulated week on the service clock, with the real API, the real
 * worker (BullMQ) and the real MariaDB/Redis.
 *
 * The API runs WITHOUT the instant-draw key (its configuration refuses one); only the worker has it.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { QueueName } from '../../src/core/queue/queue-names.js';
import { TokenService } from '../../src/auth/token.service.js';
import { ManualClock } from '../../src/core/clock/clock.js';
import { ConfigError, type AppConfig } from '../../src/core/config/config.schema.js';
import { hashInstantSecret, invoiceRef, verifyInstantDay, verifyReturnsFromPublishedDays, readInstantLog } from '../../src/draws/algorithm/index.js';
import { InstantSecrets, deriveInstantDaySecret } from '../../src/instant/instant-secrets.js';
import { DatedWorkTick } from '../../src/maintenance/dated-work.tick.js';
import { createConsumer, insertRegistryRecord } from '../support/fixtures.js';
import { destroyTestEnvironment, isolatedConfig, startTestApi, startTestWorker, TEST_ADMIN, type TestApi } from '../support/test-env.js';
import { eventually } from '../support/waiting.js';

const run = promisify(execFile);
const KEY = 'a1'.repeat(32);
const CAMPAIGN = 'zhuzhou-2026';
const dayId = (date: string) => `${CAMPAIGN}-instant-${date}`;

const campaignsDir = mkdtempSync(join(tmpdir(), 'il-instant-'));
const zhuzhou = JSON.parse(readFileSync(new URL('../../config/campaigns/zhuzhou-2026.json', import.meta.url), 'utf8'));
const instantPool = {
  ...zhuzhou.pools[0],
  tiers: [
    { tier: 1, name: '100元红包', prizeCents: 10000, odds: 100000, dailyBudget: 1 },
    { tier: 2, name: '60元红包', prizeCents: 6000, odds: 200000, dailyBudget: 2 },
    { tier: 3, name: '30元红包', prizeCents: 3000, odds: 400000, dailyBudget: 3 },
  ],
  paymentDelayDays: 2,
};
writeFileSync(
  join(campaignsDir, 'zhuzhou-2026.json'),
  JSON.stringify({
    ...zhuzhou,
    // Calendar months: the half-month period keys need the wider period_key of the periodic side's branch.
    periodRule: 'calendar-month',
    pools: [instantPool, ...zhuzhou.pools.slice(1)],
    intake: { ...zhuzhou.intake, dailyLimit: 100, monthlyLimit: 1000, campaignLimit: undefined },
  }),
);

const clock = new ManualClock('2026-10-31T12:00:00+08:00');
let apiConfig: AppConfig;
let workerConfig: AppConfig;
let api: TestApi;
let worker: Awaited<ReturnType<typeof startTestWorker>> | null = null;
let db: DataSource;

beforeAll(async () => {
  apiConfig = isolatedConfig({ CAMPAIGNS_DIR: campaignsDir, INSTANT_OUTCOME_WAIT_MS: '10000' });
  workerConfig = { ...apiConfig, INSTANT_SECRET_KEY: KEY };
  api = await startTestApi({ config: apiConfig, clock });
  worker = await startTestWorker({ config: workerConfig, clock });
  db = api.app.get(DataSource);
});

afterAll(async () => {
  await worker?.close();
  await api.close();
  await destroyTestEnvironment(apiConfig);
  rmSync(campaignsDir, { recursive: true, force: true });
});

const tick = () => worker!.app.get(DatedWorkTick).tick();
const at = async (instant: string) => {
  clock.set(instant);
  return tick();
};

let invoiceCounter = 0;
/** A registry record of a fully digital Hunan invoice issued on `date` to `buyerName`, and its typed registration body. */
async function invoiceFor(date: string, buyerName: string, amountCents = 15000, flags: Array<'voided' | 'red'> = []) {
  invoiceCounter += 1;
  const invoiceNumber = `26432000000${String(invoiceCounter).padStart(9, '0')}`;
  await insertRegistryRecord(api.app, { invoiceType: '32', invoiceCode: '', invoiceNumber, issueDate: date, amountCents, checkCode: null, buyerName, flags });
  return { invoiceNumber, body: { invoiceType: '32', invoiceNumber, issueDate: date, amount: (amountCents / 100).toFixed(2) } };
}

const get = (path: string) => api.http.get(path);
const receipts: Array<{ day: string; invoiceNumber: string; instant: any; consumer: number }> = [];

test('the API process refuses the instant-draw key; its configuration and container have none', async () => {
  expect(apiConfig.INSTANT_SECRET_KEY).toBeUndefined();
  await expect(startTestApi({ config: { ...apiConfig, INSTANT_SECRET_KEY: KEY }, clock })).rejects.toThrow(ConfigError);
  expect(() => api.app.get(InstantSecrets, { strict: false })).toThrow();
  expect(worker!.app.get(InstantSecrets, { strict: false }).available).toBe(true);
});

describe('a simulated week of instant draws', () => {
  const consumers: Array<Awaited<ReturnType<typeof createConsumer>>> = [];
  const days = ['2026-11-01', '2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05', '2026-11-06', '2026-11-07'];
  const commitments = new Map<string, any>();
  let voidedWin: { invoiceNumber: string; dayId: string; position: number; tier: number } | null = null;

  test('the first day is committed the day before it opens; nothing about its secret is out', async () => {
    for (let i = 0; i < 5; i++) consumers.push(await createConsumer(api.app, { realName: `测试${i}` }));
    // The worker's start-up tick (or this one) committed it: the clock reads the day before.
    const result = await tick();
    expect(result.instantDays.committed).toEqual([]);
    const day = await get(`/api/v1/public/instant-days/${dayId('2026-11-01')}`);
    expect(day.status).toBe(200);
    expect(day.body).toMatchObject({ status: 'committed', entryCount: 0, logUrl: null, bundleUrl: null });
    expect(Date.parse(day.body.committedAt)).toBeLessThan(Date.parse(day.body.opensAt));
    const commitment = await get(day.body.commitmentUrl);
    expect(commitment.status).toBe(200);
    expect(commitment.body).toMatchObject({ algorithm: 'ILI-1', dayId: dayId('2026-11-01'), secretHash: day.body.secretHash, returns: [] });
    expect(commitment.body.bands).toEqual([
      { band: 'instant-100', tiers: instantPool.tiers.map((t: any) => ({ tier: t.tier, name: t.name, prizeCents: t.prizeCents, odds: t.odds, budget: t.dailyBudget })) },
    ]);
    commitments.set(dayId('2026-11-01'), commitment.body);
    expect((await get(`/api/v1/public/instant-days/${dayId('2026-11-01')}/log`)).body).toMatchObject({ statusCode: 409, code: 'INSTANT_DAY_NOT_PUBLISHED' });
    expect((await get(`/api/v1/public/campaigns/${CAMPAIGN}/instant-days`)).body.items.map((d: any) => d.dayId)).toEqual([dayId('2026-11-01')]);
    // The secret is nowhere in the database before publication.
    const secret = deriveInstantDaySecret(KEY, dayId('2026-11-01'));
    const [row] = await db.query(`SELECT secret, commitment, budgets_left FROM instant_days WHERE id = ?`, [dayId('2026-11-01')]);
    expect(row.secret).toBeNull();
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(hashInstantSecret(secret)).toBe(day.body.secretHash);
  });

  test('each day: committed before it opens, outcomes at registration, published after it closes', async () => {
    for (const [d, date] of days.entries()) {
      await at(`${date}T09:00:00+08:00`);
      // Tomorrow is committed already (by the tick after the last midnight, or the first one), before it opens.
      if (d + 1 < days.length) {
        const next = await get(`/api/v1/public/instant-days/${dayId(days[d + 1])}`);
        expect(next.body).toMatchObject({ status: 'committed', entryCount: 0 });
        expect(Date.parse(next.body.committedAt)).toBeLessThan(Date.parse(next.body.opensAt));
        const commitment = await get(next.body.commitmentUrl);
        expect(commitment.body.secretHash).toBe(next.body.secretHash);
        commitments.set(dayId(days[d + 1]), commitment.body);
      }
      // 20 registrations, one after another (positions 1..20), by five consumers.
      for (let i = 0; i < 20; i++) {
        clock.advance(1000);
        const consumer = consumers[i % consumers.length];
        const inv = await invoiceFor(date, consumer.realName!);
        const res = await api.http.post('/api/v1/invoices', inv.body, consumer.token);
        expect(res.status).toBe(201);
        expect(res.body).toMatchObject({ status: 'verified', instant: { status: 'drawn', dayId: dayId(date), position: i + 1, band: 'instant-100' } });
        receipts.push({ day: date, invoiceNumber: inv.invoiceNumber, instant: res.body.instant, consumer: consumer.id });
        if (res.body.instant.outcome > 0) {
          expect(res.body.instant).toMatchObject({ tierName: expect.any(String), prizeCents: expect.any(Number), payableAt: expect.any(String) });
          // The first win of the first day: its invoice is voided afterwards, so its second check fails.
          if (!voidedWin) {
            voidedWin = { invoiceNumber: inv.invoiceNumber, dayId: dayId(date), position: i + 1, tier: res.body.instant.outcome };
            await db.query(`UPDATE registry_invoices SET flags = 'voided' WHERE invoice_code = '' AND invoice_number = ?`, [inv.invoiceNumber]);
          }
        }
      }
      // A repeat of the last registration answers the same log line (never a second position).
      const last = receipts[receipts.length - 1];
      const consumer = consumers[19 % consumers.length];
      const again = await api.http.post('/api/v1/invoices', { invoiceType: '32', invoiceNumber: last.invoiceNumber, issueDate: date, amount: '150.00' }, consumer.token);
      expect(again.status).toBe(200);
      expect(again.body.instant).toEqual(last.instant);

      const evening = await at(`${date}T23:30:00+08:00`);
      expect(evening.instantDays.steps).toEqual([]);
      // Midnight passes: the day closes and is published, tomorrow opens.
      clock.set(new Date(new Date(`${date}T00:01:00+08:00`).getTime() + 86_400_000));
      const done = await tick();
      expect(done.instantDays.steps).toEqual(expect.arrayContaining([{ dayId: dayId(date), step: 'close' }, { dayId: dayId(date), step: 'publish' }]));
    }
  });

  test('every published day re-computes from its log and revealed secret; the hash matches the commitment made before it opened', async () => {
    for (const date of days) {
      const id = dayId(date);
      const info = await get(`/api/v1/public/instant-days/${id}`);
      expect(info.body).toMatchObject({ status: 'published', entryCount: 20 });
      const log = await get(info.body.logUrl);
      const bundle = await get(info.body.bundleUrl);
      expect(log.status).toBe(200);
      expect(bundle.status).toBe(200);
      const committedBefore = commitments.get(id);
      expect(bundle.body.secretHash).toBe(committedBefore.secretHash);
      expect(hashInstantSecret(bundle.body.secret)).toBe(committedBefore.secretHash);
      expect(verifyInstantDay(committedBefore, bundle.body, log.text)).toMatchObject({ ok: true });
      // Every consumer's receipt is a line of the published log.
      const { entries } = readInstantLog(log.text, committedBefore.bands);
      for (const r of receipts.filter((x) => x.day === date)) {
        const ref = invoiceRef('', r.invoiceNumber);
        expect(entries[r.instant.position - 1]).toEqual({ position: r.instant.position, ref, band: 'instant-100', outcome: r.instant.outcome });
      }
    }
  });

  test('the public page lists the instant days with their commitment, and log and bundle once published', async () => {
    const page = await api.http.get(`/?campaign=${CAMPAIGN}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('即开即奖');
    expect(page.text).toContain(`api/v1/public/instant-days/${dayId('2026-11-03')}/log`);
    expect(page.text).toContain(`api/v1/public/instant-days/${dayId('2026-11-08')}/commitment`);
    expect(page.text).not.toContain(`api/v1/public/instant-days/${dayId('2026-11-08')}/log`);
    expect(page.text).toContain(commitments.get(dayId('2026-11-03')).secretHash);
  });

  test('budgets run out and a spent tier falls through to the next one', async () => {
    const rows: Array<{ drawn_tier: number; outcome: number; day_id: string }> = await db.query(`SELECT day_id, drawn_tier, outcome FROM instant_entries`);
    // Fall-through: drawn a tier whose budget was spent, won a smaller one (never a larger one).
    const fellThrough = rows.filter((r) => r.drawn_tier > 0 && r.outcome !== r.drawn_tier);
    expect(fellThrough.length).toBeGreaterThan(0);
    expect(rows.some((r) => r.drawn_tier > 0 && r.outcome > r.drawn_tier)).toBe(true);
    for (const r of rows) if (r.outcome !== 0) expect(r.outcome).toBeGreaterThanOrEqual(r.drawn_tier);
    // Some day spent its whole budget of some tier, and no day ever spent more than it had.
    let exhausted = 0;
    for (const date of days) {
      const bundle = (await get(`/api/v1/public/instant-days/${dayId(date)}/bundle`)).body;
      for (const t of bundle.tally) {
        expect(t.won).toBeLessThanOrEqual(t.budget + t.returned);
        if (t.left === 0) exhausted += 1;
      }
    }
    expect(exhausted).toBeGreaterThan(0);
  });

  test('a prize whose invoice was voided fails its second check; its budget returns to a later day, checked against the earlier log', async () => {
    expect(voidedWin).not.toBeNull();
    const [prize] = await db.query(`SELECT status, end_reason, ended_at FROM prizes WHERE kind = 'instant' AND draw_id = ? AND slot = ?`, [voidedWin!.dayId, voidedWin!.position]);
    expect(prize).toMatchObject({ status: 'revoked', end_reason: 'INVOICE_VOIDED' });
    const [returned] = await db.query(`SELECT to_day_id FROM instant_budget_returns WHERE from_day_id = ? AND position = ?`, [voidedWin!.dayId, voidedWin!.position]);
    expect(returned.to_day_id > voidedWin!.dayId).toBe(true);
    const later = commitments.get(returned.to_day_id);
    expect(later.returns).toEqual([
      { dayId: voidedWin!.dayId, position: voidedWin!.position, ref: invoiceRef('', voidedWin!.invoiceNumber), band: 'instant-100', tier: voidedWin!.tier },
    ]);
    // The receiving day's tally counts it; the return is a win of the earlier day's published log.
    const bundle = (await get(`/api/v1/public/instant-days/${returned.to_day_id}/bundle`)).body;
    expect(bundle.tally.find((t: any) => t.tier === voidedWin!.tier).returned).toBe(1);
    const earlier = { bundle: (await get(`/api/v1/public/instant-days/${voidedWin!.dayId}/bundle`)).body, logText: (await get(`/api/v1/public/instant-days/${voidedWin!.dayId}/log`)).text };
    expect(verifyReturnsFromPublishedDays(later.returns, [earlier])).toBeNull();
    // The revoked prize's owner got a notice.
    expect((await db.query(`SELECT COUNT(*) AS n FROM notifications WHERE kind = 'prize-revoked'`))[0].n).toBeGreaterThan(0);
  });

  test('the CLI verifier matches a published day from its URLs and catches a tampered log', async () => {
    const id = dayId('2026-11-03');
    const base = `${api.baseUrl}/api/v1/public/instant-days/${id}`;
    const cli = join(process.cwd(), 'dist/src/draws/verify.cli.js');
    const ok = await run(process.execPath, [cli, '--instant-day', `${base}/bundle`, '--log', `${base}/log`, '--commitment', `${base}/commitment`]);
    expect(ok.stdout.trim()).toBe('MATCH');
    const log = (await get(`${base.slice(api.baseUrl.length)}/log`)).text;
    const lines = log.split('\n');
    // Flip the outcome of line 5 (position 4): no prize <-> tier 3.
    const f = lines[4].split(',');
    f[3] = f[3] === '0' ? '3' : '0';
    lines[4] = f.join(',');
    const dir = mkdtempSync(join(tmpdir(), 'il-instant-tamper-'));
    try {
      writeFileSync(join(dir, 'log.csv'), lines.join('\n'));
      const bad = await run(process.execPath, [cli, '--instant-day', `${base}/bundle`, '--log', join(dir, 'log.csv'), '--commitment', `${base}/commitment`]).then(
        () => null,
        (error: { code: number; stdout: string }) => error,
      );
      expect(bad).toMatchObject({ code: 1 });
      expect(bad!.stdout).toMatch(/^MISMATCH: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a prize that passed its second check is claimed like any prize; one before its check is not yet payable', async () => {
    const prizes: Array<{ id: number; consumer_id: number; status: string }> = await db.query(
      `SELECT p.id, p.consumer_id, p.status FROM prizes p WHERE p.kind = 'instant' ORDER BY p.id`,
    );
    const payable = prizes.find((p) => p.status === 'awaiting_claim');
    const waiting = prizes.find((p) => p.status === 'awaiting_check');
    expect(payable && waiting).toBeTruthy();
    // Fresh tokens: the week has outlived the first ones (service clock).
    const tokenOf = (consumerId: number) => api.app.get(TokenService).issueConsumerToken(Number(consumerId));
    const list = await api.http.get('/api/v1/me/prizes', tokenOf(payable!.consumer_id));
    expect(list.body.items.find((p: any) => p.id === Number(payable!.id))).toMatchObject({ kind: 'instant', status: 'awaiting_claim', claimable: true, payableAt: expect.any(String) });
    const claim = { bankName: '中国工商银行株洲分行', bankAccount: '6222021234567890123' };
    const early = await api.http.post(`/api/v1/me/prizes/${waiting!.id}/claim`, claim, tokenOf(waiting!.consumer_id));
    expect(early.body).toMatchObject({ statusCode: 409, code: 'PRIZE_NOT_YET_PAYABLE' });
    const claimed = await api.http.post(`/api/v1/me/prizes/${payable!.id}/claim`, claim, tokenOf(payable!.consumer_id));
    expect(claimed.status).toBe(200);
    expect(claimed.body).toMatchObject({ kind: 'instant', status: 'claimed', taxCents: 0 });
    // Finance's payout list of that day has it, with the full account, like a draw's.
    const admin = await api.http.staffToken(TEST_ADMIN.username, TEST_ADMIN.password);
    expect((await api.http.post('/api/v1/admin/staff', { username: 'instant.finance', password: 'operator-password-1', roles: ['operator'] }, admin)).status).toBe(201);
    const operator = await api.http.staffToken('instant.finance', 'operator-password-1');
    const csv = await api.http.request('GET', `/api/v1/admin/draws/${claimed.body.drawId}/payouts.csv`, { token: operator });
    expect(csv.status).toBe(200);
    expect(csv.text).toContain(claim.bankAccount);
    expect(csv.text).toContain(claimed.body.drawId);
  });
});

describe('the worker answers at once, many at a time, or later', () => {
  const date = '2026-11-08';

  test('many registrations at once get distinct consecutive positions', async () => {
    await at(`${date}T09:00:00+08:00`);
    const people = await Promise.all(Array.from({ length: 10 }, (_, i) => createConsumer(api.app, { realName: `并发${i}` })));
    const bodies = [];
    for (let i = 0; i < 40; i++) bodies.push({ token: people[i % 10].token, inv: await invoiceFor(date, people[i % 10].realName!) });
    const answers = await Promise.all(bodies.map((b) => api.http.post('/api/v1/invoices', b.inv.body, b.token)));
    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(201));
    const positions = answers.map((a) => a.body.instant.position).sort((a, b) => a - b);
    expect(positions).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(new Set(answers.map((a) => a.body.instant.dayId))).toEqual(new Set([dayId(date)]));
  });

  test('without the worker the registration still succeeds and says pending; the outcome arrives when the worker is back', async () => {
    await worker!.close();
    worker = null;
    const consumer = await createConsumer(api.app, { realName: '晚到' });
    const inv = await invoiceFor(date, '晚到');
    const slowApi = await startTestApi({ config: { ...apiConfig, INSTANT_OUTCOME_WAIT_MS: 300 }, clock });
    try {
      const res = await slowApi.http.post('/api/v1/invoices', inv.body, consumer.token);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ status: 'verified', instant: { status: 'pending' } });
      expect((await slowApi.http.get(`/api/v1/invoices/${res.body.id}`, consumer.token)).body.instant).toEqual({ status: 'pending' });
      worker = await startTestWorker({ config: workerConfig, clock });
      await eventually('the outcome drawn after the worker came back', 30_000, async () => {
        const view = await slowApi.http.get(`/api/v1/invoices/${res.body.id}`, consumer.token);
        return view.body.instant?.status === 'drawn' && view.body.instant.position === 41;
      });
    } finally {
      await slowApi.close();
    }
  });

  test('a request lost on the way (its job gone from Redis) is queued again by the tick a minute later', async () => {
    await worker!.close();
    worker = null;
    const consumer = await createConsumer(api.app, { realName: '丢失' });
    const inv = await invoiceFor(date, '丢失');
    const slowApi = await startTestApi({ config: { ...apiConfig, INSTANT_OUTCOME_WAIT_MS: 300 }, clock });
    const queue = new Queue(QueueName.instant, { connection: { url: apiConfig.REDIS_URL }, prefix: apiConfig.REDIS_PREFIX });
    try {
      const res = await slowApi.http.post('/api/v1/invoices', inv.body, consumer.token);
      expect(res.body.instant).toEqual({ status: 'pending' });
      // Lost: the waiting job is removed before any worker took it.
      for (const job of await queue.getJobs(['waiting', 'prioritized'])) await job.remove();
      expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 0 });
      // Nothing is left to draw it but the tick's sweep (at start-up or the next minute; a minute on).
      clock.advance(2 * 60_000);
      worker = await startTestWorker({ config: workerConfig, clock });
      await tick();
      await eventually('the lost registration drawn after the sweep', 30_000, async () => (await slowApi.http.get(`/api/v1/invoices/${res.body.id}`, consumer.token)).body.instant?.status === 'drawn');
      // A second tick finds nothing more to queue.
      expect((await tick()).instantDays.requeued).toBe(0);
    } finally {
      await queue.close();
      await slowApi.close();
    }
  });

  test('a real API process refuses the key at start-up; run with verbose logs, its output never holds a day secret', async () => {
    const spawnApi = (extra: Record<string, string>) => {
      const child = spawn(process.execPath, ['dist/src/main.api.js'], {
        env: {
          PATH: process.env.PATH ?? '',
          NODE_ENV: 'test',
          DATABASE_URL: apiConfig.DATABASE_URL,
          REDIS_URL: apiConfig.REDIS_URL,
          REDIS_PREFIX: apiConfig.REDIS_PREFIX,
          CAMPAIGNS_DIR: campaignsDir,
          ARTIFACTS_DIR: apiConfig.ARTIFACTS_DIR,
          HOST: '127.0.0.1',
          ...extra,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      return { child, exited, output: () => output };
    };
    const refused = spawnApi({ PORT: '0', INSTANT_SECRET_KEY: KEY });
    expect(await refused.exited).toBe(1);
    expect(refused.output()).toContain('INSTANT_SECRET_KEY must not be set for the API process');

    const port = String(20000 + Math.floor(Math.random() * 20000));
    const real = spawnApi({ PORT: port, LOG_LEVEL: 'verbose', CLOCK_START: clock.now().toISOString(), CLOCK_RATE: '1', INSTANT_OUTCOME_WAIT_MS: '10000' });
    try {
      await eventually('the API process listening', 20_000, async () => (await fetch(`http://127.0.0.1:${port}/health/ready`)).ok);
      const consumer = await createConsumer(api.app, { realName: '进程' });
      const answers: any[] = [];
      for (let i = 0; i < 5; i++) {
        const inv = await invoiceFor('2026-11-08', '进程');
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/invoices`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${consumer.token}` },
          body: JSON.stringify(inv.body),
        });
        expect(res.status).toBe(201);
        answers.push(await res.json());
      }
      expect(answers.map((a) => a.instant.status)).toEqual(Array(5).fill('drawn'));
      expect(real.output()).not.toBe('');
      const secret = deriveInstantDaySecret(KEY, dayId('2026-11-08'));
      expect(real.output()).not.toContain(secret);
      expect(JSON.stringify(answers)).not.toContain(secret);
    } finally {
      real.child.kill('SIGTERM');
      await real.exited;
    }
  });

  test('no answer anywhere carried a day secret', () => {
    const all = JSON.stringify(receipts);
    for (const date of ['2026-11-01', '2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05', '2026-11-06', '2026-11-07', '2026-11-08'])
      expect(all).not.toContain(deriveInstantDaySecret(KEY, dayId(date)));
  });
});

/**
 * Campaign periods and draw jobs end to end: the real API on a socket and the real worker (BullMQ on Redis),
 * one MariaDB database, one ManualClock for both. The tests run in order through the 2022 campaign: each
 * moves the clock forward to the next period's freeze and draw.
 */
import { eventually } from '../support/waiting.js';
import { jest } from '@jest/globals';
import type { Job } from 'bullmq';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { TokenService } from '../../src/auth/token.service.js';
import { ManualClock } from '../../src/core/clock/clock.js';
import { PiiProtector } from '../../src/core/crypto/pii.js';
import { QueueName } from '../../src/core/queue/queue-names.js';
import { QueueService } from '../../src/core/queue/queue.service.js';
import { verifyAuditBundle } from '../../src/draws/algorithm/index.js';
import { DRAW_TICK_SCHEDULER_ID, DrawJobs, drawJobId } from '../../src/draws/draw-jobs.js';
import { DrawLifecycleService } from '../../src/draws/draw-lifecycle.service.js';
import { DrawScheduleRepository } from '../../src/draws/draw-schedule.repository.js';
import { DrawTickService } from '../../src/draws/draw-tick.service.js';
import { DrawProcessor } from '../../src/draws/draw.processor.js';
import { createConsumer, henanInvoice, insertRegistryRecord } from '../support/fixtures.js';
import { destroyTestEnvironment, startTestApi, startTestWorker, TEST_ADMIN, type TestApi } from '../support/test-env.js';
import {
  auditActions,
  collect,
  drawRow,
  insertConsumers,
  insertInvoices,
  picksOf,
  waitForDrawStatus,
  runVerifyCli,
} from '../faults/draw-fixtures.js';

jest.setTimeout(120_000);

const clock = new ManualClock('2022-08-01T10:00:00+08:00');
let api: TestApi;
let worker: Awaited<ReturnType<typeof startTestWorker>>;
let ds: DataSource;
let tick: DrawTickService;
let consumers: number[];
const tokens: Record<'admin' | 'operator' | 'operator2' | 'auditor' | 'both', string> = {} as never;
const staffIds: Record<string, number> = {};

const JULY = 'henan-2022-2022-07';
const AUGUST = 'henan-2022-2022-08';
const SEPTEMBER = 'henan-2022-2022-09';
const OCTOBER = 'henan-2022-2022-10';
const NOVEMBER = 'henan-2022-2022-11';
const DECEMBER = 'henan-2022-2022-12';

const get = (path: string, token = tokens.operator) => api.http.get(path, token);
const post = (path: string, body: unknown, token: string) => api.http.post(path, body, token);

async function newStaff(username: string, roles: string[]): Promise<string> {
  const password = `${username}-password-123`;
  const res = await api.http.post('/api/v1/admin/staff', { username, password, roles }, tokens.admin);
  expect(res.status).toBe(201);
  staffIds[username] = res.body.id;
  return api.http.staffToken(username, password);
}

/** Staff tokens live 8 h on the service clock: log in again after moving it. */
async function relogin(): Promise<void> {
  const issue = api.app.get(TokenService);
  for (const [key, username, roles] of [
    ['operator', 'op.li', ['operator']],
    ['operator2', 'op.zhou', ['operator']],
    ['auditor', 'au.wang', ['auditor']],
    ['both', 'both.zhao', ['operator', 'auditor']],
  ] as const)
    tokens[key] = issue.issueStaffToken(staffIds[username], username, [...roles]);
}

async function setClock(instant: string): Promise<void> {
  clock.set(instant);
  await relogin();
}

/** An in-process call of the processor's handler, as the worker's dispatch would make it (for the duplicate-job tests). */
async function runHandler(name: 'freeze' | 'draw' | 'publish', drawId: string): Promise<unknown> {
  return worker.app.get(DrawProcessor).handlers[name](fakeJob(name, drawId) as never);
}

function fakeJob(name: string, drawId: string): Job {
  return {
    id: `manual-${name}-${drawId}`,
    name,
    data: { drawId, trigger: 'manual' },
    attemptsMade: 0,
    opts: { attempts: 1 },
    updateProgress: async () => undefined,
  } as unknown as Job;
}

/**
 * Adds a job straight to the draws queue, as a Bull Board "add" call did (with a trigger of its own choosing
 * in the data, which the worker must ignore), and waits for the worker to finish it.
 */
async function addStraightToQueue(name: string, drawId: string): Promise<Job> {
  const queue = api.app.get(QueueService).queue(QueueName.draws);
  const added = await queue.add(name, { drawId, trigger: 'tick' }, { attempts: 5 });
  const until = Date.now() + 20_000;
  for (;;) {
    const state = await queue.getJobState(added.id!);
    // Read the job after its state says it finished, so its attempts and return value are the final ones.
    if (state === 'completed' || state === 'failed') return (await queue.getJob(added.id!))!;
    if (Date.now() > until) throw new Error(`job ${name} ${added.id} still ${state}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Everything a refused step could have written: the draw's row, its entries, picks, prizes and audit log. */
async function drawFootprint(drawId: string) {
  const count = async (table: string) => Number((await ds.query(`SELECT COUNT(*) AS n FROM ${table} WHERE draw_id = ?`, [drawId]))[0].n);
  const row = await drawRow(ds, drawId);
  return { row, entries: await count('draw_entries'), picks: await count('draw_picks'), prizes: await count('prizes'), audit: await auditActions(ds, drawId) };
}

async function bundleAndEntries(drawId: string): Promise<{ bundle: string; entries: string }> {
  const [{ audit_bundle: bundle }] = await ds.query(`SELECT audit_bundle FROM draws WHERE id = ?`, [drawId]);
  const entries = await collect(api.app.get(DrawLifecycleService).entriesCsv(drawId));
  return { bundle, entries };
}

beforeAll(async () => {
  api = await startTestApi({ clock });
  worker = await startTestWorker({ config: api.config, clock });
  ds = api.app.get<DataSource>(getDataSourceToken());
  tick = worker.app.get(DrawTickService);
  tokens.admin = await api.http.staffToken(TEST_ADMIN.username, TEST_ADMIN.password);
  await newStaff('op.li', ['operator']);
  await newStaff('op.zhou', ['operator']);
  await newStaff('au.wang', ['auditor']);
  await newStaff('both.zhao', ['operator', 'auditor']);
  await relogin();
  consumers = await insertConsumers(ds, api.app.get(PiiProtector), 40);
});

afterAll(async () => {
  await worker?.close();
  await api?.close();
  if (api) await destroyTestEnvironment(api.config);
});

describe('campaign loading', () => {
  test('the worker loads the campaign at start-up: one scheduled draw per period, and the tick scheduler', async () => {
    // The service runs Zhuzhou 2026 next to it (test/e2e/zhuzhou-pools.e2e.spec.ts); this file follows Henan's draws.
    const list = await get('/api/v1/admin/draws?campaignId=henan-2022');
    expect(list.status).toBe(200);
    expect(list.body.map((d: { id: string }) => d.id)).toEqual([JULY, AUGUST, SEPTEMBER, OCTOBER, NOVEMBER, DECEMBER]);
    expect(list.body[0]).toMatchObject({
      status: 'scheduled',
      periodStart: '2022-07-15',
      periodEnd: '2022-07-31',
      freezeAt: '2022-08-05T16:00:00.000Z',
      drawAt: '2022-08-07T02:00:00.000Z',
      entryCount: null,
    });
    expect(list.body[5]).toMatchObject({ periodEnd: '2022-12-31', freezeAt: '2023-01-05T16:00:00.000Z', drawAt: '2023-01-07T02:00:00.000Z' });
    expect((await get('/api/v1/admin/draws?campaignId=henan-2022&status=scheduled')).body).toHaveLength(6);
    expect((await get('/api/v1/admin/draws?status=published')).body).toEqual([]);
    expect((await get('/api/v1/admin/draws?status=bogus')).body.code).toBe('VALIDATION_FAILED');
    const schedulers = await api.app.get(QueueService).queue(QueueName.draws).getJobSchedulers();
    expect(schedulers.map((s) => s.key)).toContain(DRAW_TICK_SCHEDULER_ID);
    // Loading again changes nothing.
    await tick.tick();
    expect(Number((await ds.query(`SELECT COUNT(*) AS n FROM draws WHERE campaign_id = 'henan-2022'`))[0].n)).toBe(6);
  });

  test('staff only: 401 without a token, 403 for a consumer token or a staff account without a draw role', async () => {
    expect((await api.http.get('/api/v1/admin/draws')).status).toBe(401);
    const consumer = await createConsumer(api.app);
    expect((await api.http.get('/api/v1/admin/draws', consumer.token)).body.code).toBe('STAFF_ONLY');
    expect((await api.http.get('/api/v1/admin/draws', tokens.admin)).body.code).toBe('ROLE_REQUIRED');
    expect((await get(`/api/v1/admin/draws/${JULY}`, tokens.auditor)).status).toBe(200);
    expect((await get('/api/v1/admin/draws/henan-2022-1999-01')).body.code).toBe('DRAW_NOT_FOUND');
    expect((await get('/api/v1/admin/draws/not%20a%20draw')).body.code).toBe('DRAW_NOT_FOUND');
  });
});

describe('the queue cannot move a draw before its time (as a Bull Board "add" once could)', () => {
  test('freeze and draw jobs added 4 months early: the draw stays scheduled; only the refusals are written', async () => {
    const before = await drawFootprint(DECEMBER);
    expect(before.row.status).toBe('scheduled');
    const freeze = await addStraightToQueue('freeze', DECEMBER);
    const draw = await addStraightToQueue('draw', DECEMBER);
    // Completed, not failed: a refused job is never retried.
    for (const job of [freeze, draw]) {
      expect(await job.getState()).toBe('completed');
      expect(job.attemptsMade).toBe(1);
    }
    expect(freeze.returnvalue).toMatchObject({ drawId: DECEMBER, status: 'scheduled', refused: { code: 'FREEZE_TIME_NOT_REACHED' } });
    expect(draw.returnvalue).toMatchObject({ status: 'scheduled', refused: { code: 'WRONG_STATUS' } });

    const after = await drawFootprint(DECEMBER);
    expect(after).toEqual({ ...before, audit: [...before.audit, 'freeze-refused', 'draw-refused'] });
    const log = (await get(`/api/v1/admin/draws/${DECEMBER}/audit-log`, tokens.auditor)).body as Array<{ actor: string; action: string; details: any }>;
    expect(log.slice(-2)).toEqual([
      expect.objectContaining({
        actor: 'worker',
        action: 'freeze-refused',
        details: {
          code: 'FREEZE_TIME_NOT_REACHED',
          reason: expect.stringContaining('2023-01-05T16:00:00.000Z'),
          status: 'scheduled',
          jobId: freeze.id,
        },
      }),
      expect.objectContaining({ actor: 'worker', action: 'draw-refused', details: expect.objectContaining({ code: 'WRONG_STATUS', jobId: draw.id }) }),
    ]);
    // The one decision agrees: nothing is due, and the tick queues nothing.
    expect((await get(`/api/v1/admin/draws/${DECEMBER}`)).body.next).toMatchObject({ step: null, code: 'FREEZE_TIME_NOT_REACHED' });
    expect(await tick.tick()).toMatchObject({ freeze: [], draw: [], publish: [] });
  });
});

describe('July: on time through the tick and the worker', () => {
  const registered: { verified: number[]; pending: number; pendingConsumer: number } = { verified: [], pending: 0, pendingConsumer: 0 };

  test('registrations through the API: three verified, one still pending', async () => {
    for (let i = 0; i < 3; i++) {
      const consumer = await createConsumer(api.app);
      const ids = henanInvoice();
      await insertRegistryRecord(api.app, { ...ids, issueDate: '2022-07-20', amountCents: 10000 * (i + 1), taxCents: 0 });
      const res = await api.http.post(
        '/api/v1/invoices',
        { invoiceType: '10', ...ids, issueDate: '2022-07-20', amount: `${100 * (i + 1)}.00`, checkCode: '567890' },
        consumer.token,
      );
      expect(res.body).toMatchObject({ status: 'verified' });
      registered.verified.push(res.body.id);
    }
    const late = await createConsumer(api.app);
    const res = await api.http.post('/api/v1/invoices', { invoiceType: '10', ...henanInvoice(), issueDate: '2022-07-21', amount: '88.00', checkCode: '567890' }, late.token);
    expect(res.body).toMatchObject({ status: 'pending' });
    registered.pending = res.body.id;
    registered.pendingConsumer = late.id;
  });

  test('a minute before the freeze the tick queues nothing; at the freeze it freezes, and the draw waits for drawAt', async () => {
    await setClock('2022-08-05T23:59:00+08:00');
    expect(await tick.tick()).toMatchObject({ freeze: [], draw: [], publish: [] });
    expect((await drawRow(ds, JULY)).status).toBe('scheduled');

    await setClock('2022-08-06T00:00:00+08:00');
    expect((await tick.tick()).freeze).toEqual([JULY]);
    // A second tick while the job is queued or done adds nothing.
    expect((await tick.tick()).freeze).toEqual([]);
    const row = await waitForDrawStatus(ds, JULY, 'frozen');
    expect(Number(row.entry_count)).toBe(3);
    // The job completes just after the freeze commits (it still asks what is due next).
    const freezeJob = await worker.app.get(DrawJobs).job('freeze', JULY);
    await eventually('the freeze job completes', 20_000, async () => (await freezeJob?.getState()) === 'completed');

    // Registration's read of the period's draw (the one source of its freeze time): July is closed, August open.
    const schedule = api.app.get(DrawScheduleRepository);
    expect(await schedule.periodDraw('henan-2022', '2022-07')).toEqual({ status: 'frozen', freezeAt: new Date('2022-08-05T16:00:00.000Z') });
    expect(await schedule.isPeriodOpen('henan-2022', '2022-07', clock.now())).toBe(false);
    expect(await schedule.isPeriodOpen('henan-2022', '2022-08', clock.now())).toBe(true);
    expect(await schedule.isPeriodOpen('henan-2022', '2022-08', new Date('2022-09-05T16:00:00.000Z'))).toBe(false);
    expect(await schedule.isPeriodOpen('henan-2022', '2030-01', clock.now())).toBe(false);

    // The status commits before BullMQ records the job as finished (and the entries artifact is written in
    // the background meanwhile): wait for the job's record too.
    await eventually('the freeze job is recorded as finished', 30_000, async () => (await get(`/api/v1/admin/draws/${JULY}`)).body.jobs?.[0]?.finishedAt != null);
    const detail = await get(`/api/v1/admin/draws/${JULY}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({
      status: 'frozen',
      commitment: { algorithm: 'ILD-1', drawId: JULY, entryCount: 3, totalTickets: 100 + 200 + 300, entriesDigest: expect.stringMatching(/^[0-9a-f]{64}$/) },
      seed: null,
      failure: null,
      frozenAt: '2022-08-05T16:00:00.000Z',
    });
    expect(detail.body.next).toMatchObject({ step: null, code: 'DRAW_TIME_NOT_REACHED', waitUntil: '2022-08-07T02:00:00.000Z' });
    expect(detail.body.jobs).toEqual([
      expect.objectContaining({
        phase: 'freeze',
        jobId: drawJobId('freeze', JULY),
        state: 'completed',
        attemptsMade: 1,
        progress: { phase: 'freeze', processed: 3, total: 3 },
        startedAt: expect.any(String),
        finishedAt: expect.any(String),
      }),
    ]);

    // Not before drawAt.
    await setClock('2022-08-07T09:59:00+08:00');
    expect((await tick.tick()).draw).toEqual([]);
  });

  test('pending registrations are left out of the draw and their owners told', async () => {
    const [invoice] = await ds.query(`SELECT status, status_reason FROM invoices WHERE id = ?`, [registered.pending]);
    expect(invoice.status).not.toBe('verified');
    expect(invoice.status).not.toBe('pending');
    const notices = await ds.query(`SELECT kind FROM notifications WHERE consumer_id = ?`, [registered.pendingConsumer]);
    expect(notices).toHaveLength(1);
    const frozen = (await ds.query(`SELECT details FROM draw_audit_log WHERE draw_id = ? AND action = 'frozen'`, [JULY]))[0];
    expect(JSON.parse(frozen.details)).toMatchObject({ entryCount: 3, pendingExcluded: 1 });
  });

  test('at drawAt the tick queues the draw; publication follows by itself', async () => {
    await setClock('2022-08-07T10:00:00+08:00');
    expect((await tick.tick()).draw).toEqual([JULY]);
    const row = await waitForDrawStatus(ds, JULY, 'published');
    expect(row.drawn_at.toISOString()).toBe('2022-08-07T02:00:00.000Z');
    const picks = await picksOf(ds, JULY);
    // Three entries of three holders, win limit 1: the first three tier-1 slots; the rest stay unfilled.
    expect(picks.map((p) => [p.kind, p.tier, p.slot])).toEqual([
      ['winner', 1, 1],
      ['winner', 1, 2],
      ['winner', 1, 3],
    ]);
    expect(Number((await ds.query(`SELECT COUNT(*) AS n FROM prizes WHERE draw_id = ?`, [JULY]))[0].n)).toBe(3);

    const detail = (await get(`/api/v1/admin/draws/${JULY}`)).body;
    expect(detail).toMatchObject({ status: 'published', results: { winners: 3, alternates: 0 }, beacon: null, seed: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(detail.jobs.map((j: { phase: string; state: string }) => [j.phase, j.state])).toEqual([
      ['freeze', 'completed'],
      ['draw', 'completed'],
      ['publish', 'completed'],
    ]);
    const log = await get(`/api/v1/admin/draws/${JULY}/audit-log`, tokens.auditor);
    expect(log.status).toBe(200);
    expect(log.body.map((e: { action: string }) => e.action)).toEqual([
      'freeze-job-started',
      'frozen',
      'draw-job-started',
      'drawn',
      'publish-job-started',
      'published',
    ]);
    // The clock made every step due: the scheduler is the actor, and the trigger comes from the schedule.
    expect(log.body.every((e: { actor: string }) => e.actor === 'scheduler')).toBe(true);
    expect(log.body[0]).toMatchObject({ at: '2022-08-05T16:00:00.000Z', details: { attempt: 1, trigger: 'schedule' } });
    expect(log.body.find((e: { action: string }) => e.action === 'published').details).toMatchObject({ trigger: 'drawn' });
  });

  test('the audit bundle and the entries file pass the verifier (in process and `npm run verify`)', async () => {
    const { bundle, entries } = await bundleAndEntries(JULY);
    expect(entries.split('\n')).toHaveLength(3 + 2);
    expect(await verifyAuditBundle(JSON.parse(bundle), Readable.from([Buffer.from(entries)]))).toEqual({ ok: true });
    const run = await runVerifyCli(bundle, entries);
    expect(run.stdout.trim()).toBe('MATCH');
    expect(run.status).toBe(0);
    // A tampered bundle does not.
    const tampered = JSON.parse(bundle);
    tampered.winners[0].ref = tampered.winners[1].ref;
    const mismatch = await runVerifyCli(JSON.stringify(tampered), entries);
    expect(mismatch.status).toBe(1);
    expect(mismatch.stdout).toMatch(/^MISMATCH: winners\[0\]\.ref/);
  });
});

describe('August: the two-person rule', () => {
  // A Chinese lottery result, the natural public beacon here: any NFC text, stored and published exactly.
  const beacon = '2022-09-06 福彩3D 第2022236期 开奖号码 1 2 3';
  let first: number;
  let second: number;

  test('frozen on time, not yet drawn', async () => {
    await insertInvoices(ds, { periodKey: '2022-08', issueDate: '2022-08-15', consumerIds: consumers, count: 200 });
    await setClock('2022-09-06T00:00:00+08:00');
    expect((await tick.tick()).freeze).toEqual([AUGUST]);
    await waitForDrawStatus(ds, AUGUST, 'frozen');
  });

  test('a draw job added before drawAt with no approved request is refused; nothing but the refusal is written', async () => {
    const before = await drawFootprint(AUGUST);
    const job = await addStraightToQueue('draw', AUGUST);
    expect(await job.getState()).toBe('completed');
    expect(job.returnvalue).toMatchObject({ status: 'frozen', refused: { code: 'DRAW_TIME_NOT_REACHED' } });
    expect(await drawFootprint(AUGUST)).toEqual({ ...before, audit: [...before.audit, 'draw-refused'] });
  });

  test('a request approved by its own requester (written straight to the database) never counts', async () => {
    const [inserted] = await ds.query(
      `INSERT INTO draw_requests (draw_id, requested_by, requested_at, beacon, status, decided_by, decided_at)
       VALUES (?, ?, ?, NULL, 'approved', ?, ?) RETURNING id`,
      [AUGUST, staffIds['both.zhao'], clock.now(), staffIds['both.zhao'], clock.now()],
    );
    try {
      const before = await drawFootprint(AUGUST);
      expect(await tick.tick()).toMatchObject({ draw: [] });
      const job = await addStraightToQueue('draw', AUGUST);
      expect(job.returnvalue).toMatchObject({ status: 'frozen', refused: { code: 'REQUEST_APPROVED_BY_REQUESTER' } });
      expect(await drawFootprint(AUGUST)).toEqual({ ...before, audit: [...before.audit, 'draw-refused'] });
      const [refusal] = (await ds.query(`SELECT actor, details FROM draw_audit_log WHERE draw_id = ? AND action = 'draw-refused' ORDER BY id DESC LIMIT 1`, [AUGUST])) as Array<{
        actor: string;
        details: string;
      }>;
      expect(refusal.actor).toBe('worker');
      expect(JSON.parse(refusal.details).reason).toContain(`draw request ${inserted.id} was approved by its own requester`);
    } finally {
      // Out of the way of the requests below (one approved request per draw).
      await ds.query(`DELETE FROM draw_requests WHERE id = ?`, [inserted.id]);
    }
  });

  test('requests: operators only, frozen draws only, a valid beacon', async () => {
    await setClock('2022-09-06T09:00:00+08:00');
    const path = `/api/v1/admin/draws/${AUGUST}/draw-requests`;
    expect((await post(path, {}, tokens.auditor)).body.code).toBe('ROLE_REQUIRED');
    expect((await post(path, { beacon: '福'.repeat(257) }, tokens.operator)).body.code).toBe('VALIDATION_FAILED');
    const decomposed = await post(path, { beacon: 'cafe\u0301' }, tokens.operator);
    expect(decomposed.body).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('NFC') });
    expect((await post(path, { beacon: 'line\nbreak' }, tokens.operator)).body.code).toBe('VALIDATION_FAILED');
    expect((await post(path, { beacon: '' }, tokens.operator)).body.code).toBe('VALIDATION_FAILED');
    expect((await post(path, { beacon: 42 }, tokens.operator)).body.code).toBe('VALIDATION_FAILED');
    const scheduled = await post(`/api/v1/admin/draws/${SEPTEMBER}/draw-requests`, {}, tokens.operator);
    expect(scheduled.status).toBe(409);
    expect(scheduled.body).toMatchObject({ code: 'DRAW_NOT_FROZEN', status: 'scheduled' });
    expect((await post(`/api/v1/admin/draws/henan-2022-2030-01/draw-requests`, {}, tokens.operator)).body.code).toBe('DRAW_NOT_FOUND');

    const res = await post(path, { beacon: 'first-try' }, tokens.operator);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.any(Number),
      drawId: AUGUST,
      status: 'pending',
      beacon: 'first-try',
      requestedBy: { id: staffIds['op.li'], username: 'op.li' },
      decidedBy: null,
    });
    first = res.body.id;
  });

  test('an operator cannot approve; a newer request supersedes the pending one; nobody approves their own', async () => {
    const approve = (rid: number, token: string) => post(`/api/v1/admin/draws/${AUGUST}/draw-requests/${rid}/approve`, undefined, token);
    const own = await approve(first, tokens.operator);
    expect(own.status).toBe(403);
    expect(own.body.code).toBe('ROLE_REQUIRED');
    const other = await approve(first, tokens.operator2);
    expect(other.body.code).toBe('ROLE_REQUIRED');

    const res = await post(`/api/v1/admin/draws/${AUGUST}/draw-requests`, { beacon }, tokens.both);
    expect(res.status).toBe(201);
    second = res.body.id;
    const self = await approve(second, tokens.both);
    expect(self.status).toBe(403);
    expect(self.body.code).toBe('SELF_APPROVAL_FORBIDDEN');

    const superseded = await approve(first, tokens.auditor);
    expect(superseded.status).toBe(409);
    expect(superseded.body).toMatchObject({ code: 'DRAW_REQUEST_ALREADY_DECIDED', status: 'superseded' });
    expect((await approve(999_999, tokens.auditor)).body.code).toBe('DRAW_REQUEST_NOT_FOUND');
    expect((await post(`/api/v1/admin/draws/${AUGUST}/draw-requests/abc/approve`, undefined, tokens.auditor)).body.code).toBe('VALIDATION_FAILED');
    // Nothing ran yet.
    expect((await drawRow(ds, AUGUST)).status).toBe('frozen');
    expect((await drawRow(ds, AUGUST)).beacon).toBeNull();
  });

  test('an auditor approves: the beacon is stored, the draw runs before drawAt and is published; a second approval is 409', async () => {
    const res = await post(`/api/v1/admin/draws/${AUGUST}/draw-requests/${second}/approve`, undefined, tokens.auditor);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: second, status: 'approved', beacon, decidedBy: { id: staffIds['au.wang'], username: 'au.wang' } });

    const again = await post(`/api/v1/admin/draws/${AUGUST}/draw-requests/${second}/approve`, undefined, tokens.auditor);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('DRAW_REQUEST_ALREADY_DECIDED');

    const row = await waitForDrawStatus(ds, AUGUST, 'published');
    expect(row.beacon).toBe(beacon);
    expect(row.drawn_at.getTime()).toBeLessThan(row.draw_at.getTime());
    const { bundle, entries } = await bundleAndEntries(AUGUST);
    expect(JSON.parse(bundle).beacon).toBe(beacon);
    expect(await verifyAuditBundle(JSON.parse(bundle), Readable.from([Buffer.from(entries)]))).toEqual({ ok: true });
    expect((await runVerifyCli(bundle, entries)).stdout.trim()).toBe('MATCH');
    // Published exactly: the public draw shows the same characters.
    expect((await api.http.get(`/api/v1/public/draws/${AUGUST}`)).body.reveal.beacon).toBe(beacon);

    const late = await post(`/api/v1/admin/draws/${AUGUST}/draw-requests`, {}, tokens.operator);
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('DRAW_NOT_FROZEN');
    const afterDraw = await post(`/api/v1/admin/draws/${AUGUST}/draw-requests/${second}/approve`, undefined, tokens.auditor);
    expect(afterDraw.status).toBe(409);
  });

  test('every action is in the audit log with who did it', async () => {
    const log = (await get(`/api/v1/admin/draws/${AUGUST}/audit-log`)).body as Array<{ actor: string; action: string; details: any }>;
    const staffEntries = log.filter((e) => e.actor.startsWith('staff:')).map((e) => [e.actor, e.action]);
    // The draw ran before its time on the approval: it is done in the approver's name, with the request as trigger.
    expect(staffEntries).toEqual([
      [`staff:${staffIds['op.li']}:op.li`, 'draw-requested'],
      [`staff:${staffIds['both.zhao']}:both.zhao`, 'draw-request-superseded'],
      [`staff:${staffIds['both.zhao']}:both.zhao`, 'draw-requested'],
      [`staff:${staffIds['au.wang']}:au.wang`, 'draw-request-approved'],
      [`staff:${staffIds['au.wang']}:au.wang`, 'beacon-set'],
      [`staff:${staffIds['au.wang']}:au.wang`, 'draw-job-started'],
      [`staff:${staffIds['au.wang']}:au.wang`, 'drawn'],
    ]);
    expect(log.find((e) => e.action === 'draw-requested')?.details).toMatchObject({ role: 'operator' });
    expect(log.find((e) => e.action === 'draw-request-approved')?.details).toMatchObject({ role: 'auditor', requestedBy: staffIds['both.zhao'] });
    expect(log.find((e) => e.action === 'beacon-set')?.details).toEqual({ role: 'auditor', requestId: second, beacon });
    const draw = log.find((e) => e.action === 'draw-job-started');
    expect(draw?.details).toMatchObject({ trigger: 'approved-request', requestId: second });
    expect(log.find((e) => e.action === 'drawn')?.details).toMatchObject({ role: 'auditor', trigger: 'approved-request', requestId: second });
    expect(log.find((e) => e.action === 'published')?.actor).toBe('scheduler');
    const requests = (await get(`/api/v1/admin/draws/${AUGUST}/draw-requests`, tokens.auditor)).body;
    expect(requests.map((r: { status: string }) => r.status)).toEqual(['superseded', 'approved']);
  });

  test('reject: by an auditor, or withdrawn by the requester, with a reason; not by another operator', async () => {
    await insertInvoices(ds, { periodKey: '2022-09', issueDate: '2022-09-10', consumerIds: consumers, count: 50 });
    await setClock('2022-10-06T00:00:00+08:00');
    expect((await tick.tick()).freeze).toEqual([SEPTEMBER]);
    await waitForDrawStatus(ds, SEPTEMBER, 'frozen');
    await relogin();
    const path = `/api/v1/admin/draws/${SEPTEMBER}/draw-requests`;
    const a = (await post(path, {}, tokens.operator)).body.id;
    expect((await post(`${path}/${a}/reject`, { reason: '不是我的申请' }, tokens.operator2)).body.code).toBe('ROLE_REQUIRED');
    // The requester cannot approve their own request, whatever else they may do with it.
    expect((await post(`${path}/${a}/approve`, undefined, tokens.operator)).body.code).toBe('ROLE_REQUIRED');
    const withdrawn = await post(`${path}/${a}/reject`, { reason: '  信标填错了  ' }, tokens.operator);
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ status: 'rejected', rejectionReason: '信标填错了' });

    // The reason is required: missing, not a string, blank once trimmed, or over 500 characters is 400, and nothing changes.
    const b = (await post(path, {}, tokens.operator2)).body.id;
    for (const body of [undefined, {}, { reason: 42 }, { reason: '' }, { reason: ' \n\t ' }, { reason: '驳'.repeat(501) }]) {
      const refused = await post(`${path}/${b}/reject`, body, tokens.auditor);
      expect([refused.status, refused.body.code, refused.body.fields]).toEqual([400, 'VALIDATION_FAILED', ['reason']]);
    }
    expect((await get(path, tokens.auditor)).body.find((r: { id: number }) => r.id === b)).toMatchObject({ status: 'pending', rejectionReason: null, decidedBy: null });
    expect((await auditActions(ds, SEPTEMBER)).filter((x) => x === 'draw-request-rejected')).toHaveLength(1);

    // 500 characters (code points, Chinese and an astral character included) is the most; markup is just text.
    const prefix = '<b>信标</b> 不是当天福彩结果 🎫 ';
    const reason = prefix + '审'.repeat(500 - [...prefix].length);
    expect([...reason].length).toBe(500);
    const rejected = await post(`${path}/${b}/reject`, { reason }, tokens.auditor);
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ id: b, status: 'rejected', rejectionReason: reason, decidedBy: { id: staffIds['au.wang'], username: 'au.wang' } });
    expect((await post(`${path}/${b}/approve`, undefined, tokens.auditor)).body.code).toBe('DRAW_REQUEST_ALREADY_DECIDED');
    const again = await post(`${path}/${b}/reject`, { reason: '再驳回一次' }, tokens.auditor);
    expect([again.status, again.body.code]).toEqual([409, 'DRAW_REQUEST_ALREADY_DECIDED']);
    expect((await drawRow(ds, SEPTEMBER)).status).toBe('frozen');

    // Stored on the request, listed for the operator (and in the draw's detail), and in the audit entry with the real actor.
    const [row] = await ds.query(`SELECT rejection_reason FROM draw_requests WHERE id = ?`, [b]);
    expect(row.rejection_reason).toBe(reason);
    const listed = (await get(path, tokens.operator2)).body as Array<{ id: number; status: string; rejectionReason: string | null }>;
    expect(listed.map((r) => [r.id, r.status, r.rejectionReason])).toEqual([
      [a, 'rejected', '信标填错了'],
      [b, 'rejected', reason],
    ]);
    expect((await get(`/api/v1/admin/draws/${SEPTEMBER}`, tokens.operator2)).body.requests.map((r: { rejectionReason: string }) => r.rejectionReason)).toEqual([
      '信标填错了',
      reason,
    ]);
    const log = (await get(`/api/v1/admin/draws/${SEPTEMBER}/audit-log`)).body as Array<{ actor: string; action: string; details: any }>;
    expect(log.filter((e) => e.action === 'draw-request-rejected').map((e) => [e.actor, e.details])).toEqual([
      [`staff:${staffIds['op.li']}:op.li`, { role: 'requester', requestId: a, requestedBy: staffIds['op.li'], reason: '信标填错了' }],
      [`staff:${staffIds['au.wang']}:au.wang`, { role: 'auditor', requestId: b, requestedBy: staffIds['op.zhou'], reason }],
    ]);
  });
});

describe('September: a duplicated job is a no-op', () => {
  test('the same freeze twice (queue and direct): one snapshot, one secret', async () => {
    const row = await drawRow(ds, SEPTEMBER);
    const entries = Number((await ds.query(`SELECT COUNT(*) AS n FROM draw_entries WHERE draw_id = ?`, [SEPTEMBER]))[0].n);
    expect(entries).toBe(50);
    const queues = api.app.get(QueueService);
    const job = await queues.add(QueueName.draws, 'freeze', { drawId: SEPTEMBER }, { jobId: drawJobId('freeze', SEPTEMBER) });
    expect(job.id).toBe(drawJobId('freeze', SEPTEMBER));
    await runHandler('freeze', SEPTEMBER);
    await runHandler('freeze', SEPTEMBER);
    await api.app.get(DrawLifecycleService).freezeDraw(SEPTEMBER);
    const after = await drawRow(ds, SEPTEMBER);
    expect(after).toMatchObject({ status: 'frozen', secret_hash: row.secret_hash, entries_digest: row.entries_digest, secret_encrypted: row.secret_encrypted });
    expect(Number((await ds.query(`SELECT COUNT(*) AS n FROM draw_entries WHERE draw_id = ?`, [SEPTEMBER]))[0].n)).toBe(50);
    expect((await auditActions(ds, SEPTEMBER)).filter((a) => a === 'frozen')).toHaveLength(1);
    // Each repeat was refused by the freeze's guard and says so.
    expect((await auditActions(ds, SEPTEMBER)).filter((a) => a === 'freeze-refused').length).toBeGreaterThanOrEqual(3);
  });

  test('the draw queued twice at once and run again directly: one set of winners, one publication', async () => {
    await setClock('2022-10-07T10:00:00+08:00');
    const jobs = worker.app.get(DrawJobs);
    await Promise.all([jobs.enqueue('draw', SEPTEMBER), jobs.enqueue('draw', SEPTEMBER), tick.tick()]);
    await waitForDrawStatus(ds, SEPTEMBER, 'published');
    const picks = await picksOf(ds, SEPTEMBER);
    const seed = (await drawRow(ds, SEPTEMBER)).seed;
    expect(picks.length).toBeGreaterThan(0);

    for (const name of ['draw', 'publish', 'draw', 'freeze'] as const) await runHandler(name, SEPTEMBER);
    expect(await picksOf(ds, SEPTEMBER)).toEqual(picks);
    expect((await drawRow(ds, SEPTEMBER)).seed).toBe(seed);
    const actions = await auditActions(ds, SEPTEMBER);
    expect(actions.filter((a) => a === 'drawn')).toHaveLength(1);
    expect(actions.filter((a) => a === 'published')).toHaveLength(1);
    const prizes = Number((await ds.query(`SELECT COUNT(*) AS n FROM prizes WHERE draw_id = ?`, [SEPTEMBER]))[0].n);
    expect(prizes).toBe(picks.filter((p) => p.kind === 'winner').length);
  });
});

describe('October: a permanent failure, retried by an operator', () => {
  test('stored entries that disagree with the commitment fail the draw at once with a readable reason', async () => {
    await insertInvoices(ds, { periodKey: '2022-10', issueDate: '2022-10-12', consumerIds: consumers, count: 30 });
    await setClock('2022-11-06T00:00:00+08:00');
    expect((await tick.tick()).freeze).toEqual([OCTOBER]);
    await waitForDrawStatus(ds, OCTOBER, 'frozen');
    await ds.query(`UPDATE draw_entries SET tickets = tickets + 1 WHERE draw_id = ? AND position = 0`, [OCTOBER]);

    await setClock('2022-11-07T10:00:00+08:00');
    expect((await tick.tick()).draw).toEqual([OCTOBER]);
    const row = await waitForDrawStatus(ds, OCTOBER, 'failed');
    expect(row.failed_phase).toBe('draw');
    expect(row.failure_reason).toMatch(/DrawIntegrityError: .*do not match the commitment/);
    const detail = (await get(`/api/v1/admin/draws/${OCTOBER}`)).body;
    expect(detail).toMatchObject({ status: 'failed', failure: { phase: 'draw', reason: row.failure_reason } });
    const job = detail.jobs.find((j: { phase: string }) => j.phase === 'draw');
    // UnrecoverableError: no further attempts.
    expect(job).toMatchObject({ state: 'failed', attemptsMade: 1 });
    // The tick leaves a failed draw alone.
    expect(await tick.tick()).toMatchObject({ draw: [] });
  });

  test('retry: operators only, failed draws only; the failed step runs again', async () => {
    const path = `/api/v1/admin/draws/${OCTOBER}/retry`;
    expect((await post(path, undefined, tokens.auditor)).body.code).toBe('ROLE_REQUIRED');
    await ds.query(`UPDATE draw_entries SET tickets = tickets - 1 WHERE draw_id = ? AND position = 0`, [OCTOBER]);
    const res = await post(path, undefined, tokens.operator);
    expect(res.status).toBe(202);
    expect(['frozen', 'drawn', 'published']).toContain(res.body.status);
    await waitForDrawStatus(ds, OCTOBER, 'published');
    const { bundle, entries } = await bundleAndEntries(OCTOBER);
    expect(await verifyAuditBundle(JSON.parse(bundle), Readable.from([Buffer.from(entries)]))).toEqual({ ok: true });
    expect(await auditActions(ds, OCTOBER)).toEqual(
      expect.arrayContaining(['draw-job-started', 'failed', 'retry-requested', 'drawn', 'published']),
    );
    const again = await post(path, undefined, tokens.operator);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'DRAW_NOT_FAILED', status: 'published' });
  });
});

describe('November: a transient error is retried with backoff', () => {
  test('another worker holding the draw: the attempt fails, is logged, and the next attempt freezes', async () => {
    await insertInvoices(ds, { periodKey: '2022-11', issueDate: '2022-11-11', consumerIds: consumers, count: 30 });
    // The lifecycle's per-draw MySQL named lock, taken here as if another worker were freezing this draw.
    const [{ db }] = await ds.query('SELECT DATABASE() AS db');
    const lockName = `il-draw-${createHash('sha256').update(`${db}:${NOVEMBER}`).digest('hex').slice(0, 40)}`;
    const holder = ds.createQueryRunner();
    await holder.connect();
    try {
      expect(Number((await holder.query('SELECT GET_LOCK(?, 0) AS got', [lockName]))[0].got)).toBe(1);
      await setClock('2022-12-06T00:00:00+08:00');
      expect((await tick.tick()).freeze).toEqual([NOVEMBER]);
      const until = Date.now() + 20_000;
      while (!(await auditActions(ds, NOVEMBER)).includes('freeze-job-attempt-failed')) {
        if (Date.now() > until) throw new Error('no failed attempt logged');
        await new Promise((r) => setTimeout(r, 100));
      }
      const job = await api.app.get(QueueService).queue(QueueName.draws).getJob(drawJobId('freeze', NOVEMBER));
      expect(await job?.getState()).toBe('delayed'); // waiting out the backoff
      expect((await drawRow(ds, NOVEMBER)).status).toBe('scheduled');
    } finally {
      await holder.query('SELECT RELEASE_LOCK(?)', [lockName]);
      await holder.release();
    }
    await waitForDrawStatus(ds, NOVEMBER, 'frozen', 30_000);
    const log = (await get(`/api/v1/admin/draws/${NOVEMBER}/audit-log`)).body as Array<{ action: string; details: any }>;
    const failed = log.find((e) => e.action === 'freeze-job-attempt-failed');
    expect(failed?.details).toMatchObject({ attempt: 1, attempts: 5, reason: expect.stringMatching(/^DrawBusyError: /) });
    // A step is "started" once it holds the draw's lock and passed its guard: the busy first attempt never did.
    expect(log.filter((e) => e.action === 'freeze-job-started').map((e) => e.details.attempt)).toEqual([2]);
    expect((await drawRow(ds, NOVEMBER)).failure_reason).toBeNull();
  });
});

describe('the end of the campaign', () => {
  test('the last periods draw and publish; then the campaign has ended and accepts nothing more', async () => {
    await setClock('2022-12-07T10:00:00+08:00');
    expect(await tick.tick()).toMatchObject({ freeze: [], draw: [NOVEMBER], publish: [] });
    await waitForDrawStatus(ds, NOVEMBER, 'published');
    const [campaignBefore] = await ds.query(`SELECT ended_at FROM campaigns WHERE id = 'henan-2022'`);
    expect(campaignBefore.ended_at).toBeNull();

    // A tick long after both the freeze and the draw time: the freeze, then the draw and publication follow at once.
    await insertInvoices(ds, { periodKey: '2022-12', issueDate: '2022-12-12', consumerIds: consumers, count: 30 });
    await setClock('2023-01-07T10:00:00+08:00');
    expect(await tick.tick()).toMatchObject({ freeze: [DECEMBER], draw: [], publish: [] });
    await waitForDrawStatus(ds, DECEMBER, 'published');
    const december = (await get(`/api/v1/admin/draws/${DECEMBER}`)).body;
    expect(december.jobs.map((j: { phase: string }) => j.phase)).toEqual(['freeze', 'draw', 'publish']);

    const [campaign] = await ds.query(`SELECT ended_at FROM campaigns WHERE id = 'henan-2022'`);
    expect(campaign.ended_at).toEqual(new Date('2023-01-07T02:00:00.000Z'));
    const list = (await get('/api/v1/admin/draws?campaignId=henan-2022')).body as Array<{ status: string }>;
    expect(list.map((d) => d.status)).toEqual(Array(6).fill('published'));
    await setClock('2023-01-10T10:00:00+08:00');
    expect(await tick.tick()).toMatchObject({ freeze: [], draw: [], publish: [] });

    const consumer = await createConsumer(api.app);
    const register = (issueDate: string) =>
      api.http.post('/api/v1/invoices', { invoiceType: '10', ...henanInvoice(), issueDate, amount: '120.00', checkCode: '567890' }, consumer.token);
    const late = await register('2022-12-28');
    expect(late.status).toBe(422);
    expect(late.body.code).toBe('PERIOD_CLOSED');
    const january = await register('2023-01-03');
    expect(january.status).toBe(422);
    expect(january.body.code).toBe('OUTSIDE_CAMPAIGN');
  });
});

describe('Bull Board at /admin/queues', () => {
  test('staff only: 401 without a token, 403 for consumers and auditors, the board for operators', async () => {
    const none = await api.http.get('/admin/queues');
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ statusCode: 401, code: 'AUTH_REQUIRED' });
    expect((await api.http.get('/admin/queues/api/queues')).status).toBe(401);
    expect((await api.http.get('/admin/queues', 'not-a-token')).body.code).toBe('TOKEN_INVALID');
    const consumer = await createConsumer(api.app);
    expect((await api.http.get('/admin/queues', consumer.token)).status).toBe(403);
    expect((await api.http.get('/admin/queues', tokens.auditor)).body.code).toBe('ROLE_REQUIRED');

    const page = await api.http.get('/admin/queues', tokens.operator);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const queues = await api.http.get('/admin/queues/api/queues', tokens.operator);
    expect(queues.status).toBe(200);
    expect(queues.body.queues.map((q: { name: string }) => q.name)).toEqual(expect.arrayContaining(['draws', 'registry']));
  });

  test('the browser: the login form sets an HttpOnly cookie the board accepts', async () => {
    const form = await api.http.get('/admin/queues/login');
    expect(form.status).toBe(200);
    expect(form.text).toContain('<form method="post"');
    const wrong = await api.http.request('POST', '/admin/queues/login', {
      raw: 'username=op.li&password=wrong-password-123',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(wrong.status).toBe(401);
    const login = await fetch(`${api.baseUrl}/admin/queues/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=op.li&password=op.li-password-123',
    });
    expect(login.status).toBe(303);
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^il_board_token=[^;]+; Path=\/admin\/queues; HttpOnly; SameSite=Strict; Max-Age=\d+/);
    const withCookie = await api.http.request('GET', '/admin/queues/api/queues', { headers: { cookie: cookie.split(';')[0] } });
    expect(withCookie.status).toBe(200);
    const asset = (/src="(static\/js\/main[^"]+\.js)"/.exec((await api.http.request('GET', '/admin/queues/', { headers: { cookie: cookie.split(';')[0] } })).text) ?? [])[1];
    expect(asset).toBeDefined();
    expect((await api.http.request('GET', `/admin/queues/${asset}`, { headers: { cookie: cookie.split(';')[0] } })).status).toBe(200);
    expect((await api.http.get(`/admin/queues/${asset}`)).status).toBe(401);
  });

  test('read-only for every role: each mutating route of the board API is refused and changes nothing', async () => {
    // Every route Bull Board serves, from the copy the Fastify adapter registers: the non-GET ones change jobs or queues.
    const require = createRequire(createRequire(import.meta.url).resolve('@bull-board/fastify'));
    const { appRoutes } = require('@bull-board/api/dist/routes.js') as { appRoutes: { api: Array<{ method: string; route: string | string[] }> } };
    const mutating = appRoutes.api
      .filter((r) => r.method !== 'get')
      .flatMap((r) => (Array.isArray(r.route) ? r.route : [r.route]).map((route) => ({ method: r.method.toUpperCase(), route })));
    expect(mutating.map((r) => r.route)).toEqual(
      expect.arrayContaining([
        '/api/queues/:queueName/add',
        '/api/queues/:queueName/:jobId/retry',
        '/api/queues/:queueName/:jobId/promote',
        '/api/queues/:queueName/clean/:queueStatus',
        '/api/queues/:queueName/:jobId/clean',
        '/api/queues/:queueName/pause',
        '/api/queues/pause',
        '/api/queues/:queueName/empty',
        '/api/queues/:queueName/:jobId/update-data',
      ]),
    );
    const queue = api.app.get(QueueService).queue(QueueName.draws);
    const kept = await queue.getJobs(['completed'], 0, 0);
    const jobId = kept[0]?.id ?? drawJobId('freeze', JULY);
    const countsBefore = await queue.getJobCounts();
    const consumer = await createConsumer(api.app);
    const admin = await api.http.staffToken(TEST_ADMIN.username, TEST_ADMIN.password);
    const callers: Array<[string, string | undefined, number, string]> = [
      ['nobody', undefined, 401, 'AUTH_REQUIRED'],
      ['consumer', consumer.token, 403, 'STAFF_ONLY'],
      ['auditor', tokens.auditor, 403, 'ROLE_REQUIRED'],
      ['operator', tokens.operator, 403, 'QUEUE_BOARD_READ_ONLY'],
      ['operator+auditor', tokens.both, 403, 'QUEUE_BOARD_READ_ONLY'],
      ['admin', admin, 403, 'QUEUE_BOARD_READ_ONLY'],
    ];
    const body = { name: 'freeze', data: { drawId: DECEMBER }, data_: {}, delay: 0, priority: 1, concurrency: 1, max: 1, duration: 1, confirmQueueName: 'draws' };
    let refused = 0;
    for (const { method, route } of mutating) {
      const path =
        '/admin/queues' +
        route.replace(':queueName', 'draws').replace(':jobId', String(jobId)).replace(':queueStatus', 'completed').replace(':schedulerId', DRAW_TICK_SCHEDULER_ID);
      for (const [who, token, status, code] of callers) {
        const res = await api.http.request(method, path, { body, headers: token ? { authorization: `Bearer ${token}` } : {} });
        expect({ who, method, path, status: res.status, code: res.body?.code }).toEqual({ who, method, path, status, code });
        refused++;
      }
    }
    expect(refused).toBe(mutating.length * callers.length);
    expect(await queue.isPaused()).toBe(false);
    expect(await queue.getJobCounts()).toEqual(countsBefore);
    expect((await queue.getJobSchedulers()).map((s) => s.key)).toContain(DRAW_TICK_SCHEDULER_ID);
    // Reading stays open to operators and admins, and the queues say they are read-only.
    const read = await api.http.get('/admin/queues/api/queues', admin);
    expect(read.status).toBe(200);
    expect(read.body.queues.every((q: { readOnlyMode: boolean }) => q.readOnlyMode === true)).toBe(true);
  });
});

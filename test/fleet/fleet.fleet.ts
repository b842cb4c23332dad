/**
 * The fleet test (`npm run test:fleet`, run by .ci/run): two API processes and two workers, the compiled
 * entry points as production runs them, on a three-master Redis Cluster started here with Debian's
 * redis-server, sharing one MariaDB database and one fast simulated clock (CLOCK_ANCHOR=shared, recorded by the
 * test before any process starts, so the test knows the service's time exactly).
 *
 *  - consumers sign in and register through both APIs at once: the daily limit and the OTP rate limit hold
 *    across them (each counted once, in the database and in Redis);
 *  - August freezes (100,000 entries seeded, plus the registrations above); the worker holding the freeze is
 *    killed with SIGKILL in the middle of it and the other worker takes the stalled job over;
 *  - an operator requests the draw through one API, an auditor approves it through the other;
 *  - then: one snapshot, one secret, one result, published once; the audit bundle verifies against the
 *    entries file served by the other API; /metrics of both APIs sum to the registrations made.
 *
 * Not done here: failing over a cluster master (a three-master cluster without replicas cannot fail over;
 * with replicas the test machine's two cores make the timing unreliable). README "Scaling" says what it would
 * take.
 */
import { jest } from '@jest/globals';
import { Queue } from 'bullmq';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { sharedAnchorKey, sharedClockAnchor } from '../../src/core/clock/clock-anchor.js';
import { PiiProtector } from '../../src/core/crypto/pii.js';
import { dataSourceOptions } from '../../src/core/database/data-source-options.js';
import { migrateDatabase } from '../../src/core/database/migrate.js';
import { QueueName } from '../../src/core/queue/queue-names.js';
import { createRedisClient, queuePrefix, type RedisClient } from '../../src/core/redis/redis.js';
import { verifyAuditBundle } from '../../src/draws/algorithm/index.js';
import { DrawJob, drawJobId } from '../../src/draws/draw-jobs.js';
import { drawRow, insertConsumers, insertInvoices, waitForDrawStatus } from '../faults/draw-fixtures.js';
import { eventually } from '../support/waiting.js';
import { destroyTestEnvironment, isolatedConfig, TEST_ADMIN, TEST_OTP, TEST_REGISTRY_KEY } from '../support/test-env.js';
import { freePort, startRedisCluster, type LocalRedisCluster } from './redis-cluster.js';

jest.setTimeout(300_000);

const API = 'dist/src/main.api.js';
const WORKER = 'dist/src/main.worker.js';
const AUGUST = 'henan-2022-2022-08';
const SEEDED_ENTRIES = 100_000;
const METRICS_TOKEN = 'fleet-metrics-token-0123456789abcdef';
/**
 * The service's clock: from 2022-09-05 23:55 (Asia/Shanghai) at 3x, so August freezes (09-06 00:00) 100 s after
 * the anchor: time for four processes to start on a busy two-core machine (up to a minute seen) while the
 * entries are seeded, and for the registrations.
 */
const CLOCK_START = '2022-09-05T23:55:00+08:00';
const CLOCK_RATE = 3;
const FREEZE_AT = Date.parse('2022-09-06T00:00:00+08:00');

interface Proc {
  name: string;
  child: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
}

let cluster: LocalRedisCluster;
let ds: DataSource;
let redis: RedisClient;
let draws: Queue;
let anchor: number;
const procs: Proc[] = [];
const config = isolatedConfig();
let env: Record<string, string>;

function start(name: string, script: string, extra: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, [script], { env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const proc: Proc = {
    name,
    child,
    output: () => output,
    async waitFor(pattern, ms = 60_000) {
      const until = Date.now() + ms;
      for (;;) {
        const match = pattern.exec(output);
        if (match) return match;
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before ${pattern}:\n${output}`);
        if (Date.now() > until) throw new Error(`${name}: timed out waiting for ${pattern}:\n${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
  procs.push(proc);
  return proc;
}

/** The service's time now (the anchor was recorded by this test). */
const serviceNow = () => Date.parse(CLOCK_START) + (Date.now() - anchor) * CLOCK_RATE;

async function http(base: string, method: string, path: string, body?: unknown, token?: string) {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text, text };
}

/** The sum over both APIs' /metrics of one series. */
async function scrapeSum(apis: string[], series: string): Promise<number> {
  let sum = 0;
  for (const base of apis) {
    const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    const line = (await res.text()).split('\n').find((l) => l.startsWith(`${series} `));
    sum += line ? Number(line.slice(series.length + 1)) : 0;
  }
  return sum;
}

beforeAll(async () => {
  if (!existsSync(API) || !existsSync(WORKER)) throw new Error('Run `npm run build` first (npm run test:fleet does it)');
  cluster = await startRedisCluster();
  const target = { ...config, REDIS_CLUSTER_NODES: cluster.nodes };
  await migrateDatabase(config.DATABASE_URL);
  ds = new DataSource(dataSourceOptions(config.DATABASE_URL));
  await ds.initialize();
  redis = createRedisClient(target, { maxRetriesPerRequest: null });
  redis.on('error', () => undefined); // the cluster is stopped at the end
  draws = new Queue(QueueName.draws, { connection: redis, prefix: queuePrefix(target) });
  draws.on('error', () => undefined);
  env = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    DATABASE_URL: config.DATABASE_URL,
    REDIS_URL: config.REDIS_URL,
    REDIS_CLUSTER_NODES: cluster.nodes,
    REDIS_PREFIX: config.REDIS_PREFIX,
    PII_KEY: config.PII_KEY,
    ADMIN_USERNAME: TEST_ADMIN.username,
    ADMIN_PASSWORD: TEST_ADMIN.password,
    REGISTRY_API_KEY: TEST_REGISTRY_KEY,
    AUTH_DEV_OTP: TEST_OTP,
    CLOCK_START,
    CLOCK_RATE: String(CLOCK_RATE),
    CLOCK_ANCHOR: 'shared',
    METRICS_TOKEN,
    WORKER_METRICS_HOST: '127.0.0.1',
    WORKER_METRICS_PORT: '0',
    LOG_LEVEL: 'log',
  };
  // The test is the first "process" of the deployment: it records the anchor every process will read.
  anchor = await sharedClockAnchor(target, sharedAnchorKey(config.REDIS_PREFIX, new Date(CLOCK_START), CLOCK_RATE));
}, 180_000);

afterAll(async () => {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await draws?.close();
  redis?.disconnect();
  await ds?.destroy();
  await destroyTestEnvironment(config);
  await cluster?.stop();
});

test('two APIs and two workers on a Redis Cluster: limits held once, a worker killed mid-freeze, one draw result', async () => {
  // ---- the fleet --------------------------------------------------------------------------------------
  const ports = [await freePort(), await freePort()];
  const apis = ports.map((port) => `http://127.0.0.1:${port}`);
  const [api1, api2] = apis;
  const workers = [start('worker-1', WORKER), start('worker-2', WORKER)];
  const apiProcs = ports.map((port, i) => start(`api-${i + 1}`, API, { PORT: String(port) }));
  // August's entries are seeded while the processes start (the freeze takes all there are at freeze time).
  const seeding = (async () => {
    const consumers = await insertConsumers(ds, new PiiProtector(config.PII_KEY), 2_000); // more holders than prizes + alternates
    await insertInvoices(ds, { periodKey: '2022-08', issueDate: '2022-08-15', consumerIds: consumers, count: SEEDED_ENTRIES, batchRows: 4000 });
  })();
  await Promise.all([seeding, ...workers.map((w) => w.waitFor(/Worker started/, 90_000)), ...apiProcs.map((a) => a.waitFor(/API listening/, 90_000))]);
  const secondsLeft = (FREEZE_AT - serviceNow()) / CLOCK_RATE / 1000;
  if (secondsLeft < 15) throw new Error(`The fleet took too long to start: ${secondsLeft.toFixed(0)} s left before the freeze, 15 needed for the registrations`);

  // ---- sign-in and registration through both APIs at once ----------------------------------------------
  // The OTP limit of one code per phone per minute is one count in Redis, whichever API is asked.
  const phones = ['13800000001', '13800000002', '13800000003'];
  const otps = await Promise.all(phones.flatMap((phone) => apis.map((base) => http(base, 'POST', '/api/v1/auth/otp', { phone }))));
  for (let i = 0; i < phones.length; i++) expect([otps[2 * i].status, otps[2 * i + 1].status].sort()).toEqual([202, 429]);
  const tokens: string[] = [];
  for (const [i, phone] of phones.entries()) {
    const login = await http(apis[i % 2], 'POST', '/api/v1/auth/login', { phone, code: TEST_OTP });
    expect(login.status).toBe(200);
    tokens.push(login.body.accessToken);
  }
  await ds.query(`UPDATE consumers SET real_name = '李四', identity_verified_at = NOW(3) WHERE identity_verified_at IS NULL`);

  // Each registration has its tax bureau record, so it is verified at once and enters the August draw.
  let invoiceNo = 0;
  const newInvoice = async () => {
    invoiceNo += 1;
    const invoice = { invoiceType: '10', invoiceCode: '041012200999', invoiceNumber: String(50_000_000 + invoiceNo), issueDate: '2022-08-20', amount: '113.00', checkCode: '567890' };
    await ds.query(
      `INSERT INTO registry_invoices (invoice_type, invoice_code, invoice_number, issue_date, amount_cents, tax_cents, total_cents, check_code,
         seller_tax_id, seller_name, buyer_type, buyer_name, flags, imported_at, updated_at)
       VALUES ('10', ?, ?, ?, 10000, 1300, 11300, '12345678901234567890', '91410100MA40000000', '郑州测试商贸有限公司', 'individual', NULL, '', NOW(3), NOW(3))`,
      [invoice.invoiceCode, invoice.invoiceNumber, invoice.issueDate],
    );
    return invoice;
  };
  // Consumer 1: eight at once, alternating between the APIs, against the daily limit of five.
  // Consumers 2 and 3: three each, also alternating.
  const attempts: Array<{ token: string; api: string; body: Awaited<ReturnType<typeof newInvoice>> }> = [];
  for (let i = 0; i < 8; i++) attempts.push({ token: tokens[0], api: apis[i % 2], body: await newInvoice() });
  for (let i = 0; i < 6; i++) attempts.push({ token: tokens[1 + (i % 2)], api: apis[(i >> 1) % 2], body: await newInvoice() });
  const results = await Promise.all(attempts.map((a) => http(a.api, 'POST', '/api/v1/invoices', a.body, a.token)));
  const first = results.slice(0, 8);
  expect(first.filter((r) => r.status === 201)).toHaveLength(5);
  expect(first.filter((r) => r.status === 422).map((r) => r.body.code)).toEqual(['DAILY_LIMIT_REACHED', 'DAILY_LIMIT_REACHED', 'DAILY_LIMIT_REACHED']);
  expect(results.slice(8).map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 201]);
  for (const r of results.filter((x) => x.status === 201)) expect(r.body.status).toBe('verified');
  const registered = results.filter((r) => r.status === 201).length;
  // Counted once across the fleet: the API processes' metrics sum to what was made.
  expect(await scrapeSum(apis, 'il_registrations_total{outcome="verified",reason=""}')).toBe(registered);
  expect(await scrapeSum(apis, 'il_registrations_total{outcome="refused",reason="DAILY_LIMIT_REACHED"}')).toBe(3);
  expect(await scrapeSum(apis, 'il_rate_limit_refusals_total{limit="otpPerPhoneMinute"}')).toBe(phones.length);

  // ---- the freeze, and a worker killed in the middle of it -----------------------------------------------
  const untilFreezeMs = Math.max(0, (FREEZE_AT + 2_000 - serviceNow()) / CLOCK_RATE);
  await eventually('the service clock past the freeze time', untilFreezeMs + 30_000, async () => serviceNow() > FREEZE_AT + 2_000);
  // The scheduler ticks once a minute (real time): a tick queued here stands for its next run.
  await draws.add(DrawJob.tick, {}, { jobId: 'fleet-tick-1' });
  await eventually('the August freeze under way', 60_000, async () => {
    const row = await drawRow(ds, AUGUST);
    const progress = row.progress ? (typeof row.progress === 'string' ? JSON.parse(row.progress) : row.progress) : null;
    return progress?.phase === 'freeze' && progress.processed < progress.total;
  });
  const freezeJob = await draws.getJob(drawJobId('freeze', AUGUST));
  const holderPid = Number(freezeJob?.processedBy?.split(':').at(-1));
  const holder = workers.find((w) => w.child.pid === holderPid);
  expect(holder).toBeDefined();
  holder!.child.kill('SIGKILL');
  const survivor = workers.find((w) => w !== holder)!;
  // A second tick while the freeze is stalled queues nothing new (same job id): the freeze runs once more only.
  await draws.add(DrawJob.tick, {}, { jobId: 'fleet-tick-2' });
  await waitForDrawStatus(ds, AUGUST, 'frozen', 120_000);
  expect((await draws.getJob(drawJobId('freeze', AUGUST)))?.processedBy).toBe(`${(await import('node:os')).hostname()}:${survivor.child.pid}`);

  // ---- the two-person draw: requested through one API, approved through the other -------------------------
  const staffToken = async (base: string, username: string, password: string) => (await http(base, 'POST', '/api/v1/admin/auth/login', { username, password })).body.accessToken as string;
  const admin = await staffToken(api1, TEST_ADMIN.username, TEST_ADMIN.password);
  const password = 'fleet-staff-password-0001';
  for (const [username, role] of [['fleet-operator', 'operator'], ['fleet-auditor', 'auditor']])
    expect((await http(api1, 'POST', '/api/v1/admin/staff', { username, password, roles: [role] }, admin)).status).toBe(201);
  const request = await http(api1, 'POST', `/api/v1/admin/draws/${AUGUST}/draw-requests`, { beacon: 'fleet-beacon' }, await staffToken(api1, 'fleet-operator', password));
  expect(request.status).toBe(201);
  const approval = await http(api2, 'POST', `/api/v1/admin/draws/${AUGUST}/draw-requests/${request.body.id}/approve`, undefined, await staffToken(api2, 'fleet-auditor', password));
  expect(approval.status).toBe(200);
  await waitForDrawStatus(ds, AUGUST, 'published', 180_000);

  // ---- one snapshot, one secret, one result ------------------------------------------------------------
  const row = await drawRow(ds, AUGUST);
  expect(Number(row.entry_count)).toBe(SEEDED_ENTRIES + registered);
  expect(Number((await ds.query(`SELECT COUNT(*) AS n FROM draw_entries WHERE draw_id = ?`, [AUGUST]))[0].n)).toBe(SEEDED_ENTRIES + registered);
  const actions = ((await ds.query(`SELECT action FROM draw_audit_log WHERE draw_id = ? ORDER BY id`, [AUGUST])) as Array<{ action: string }>).map((a) => a.action);
  for (const once of ['frozen', 'drawn', 'published']) expect(actions.filter((a) => a === once)).toHaveLength(1);
  const picks = Number((await ds.query(`SELECT COUNT(*) AS n FROM draw_picks WHERE draw_id = ?`, [AUGUST]))[0].n);
  expect(picks).toBe(5 + 50 + 1000 + 100);

  // The published result, read through one API, verifies against the entries file served by the other.
  const bundle = await http(api1, 'GET', `/api/v1/public/draws/${AUGUST}/audit`);
  expect(bundle.status).toBe(200);
  const entries = await fetch(`${api2}/api/v1/public/draws/${AUGUST}/entries`);
  expect(entries.status).toBe(200);
  expect(await verifyAuditBundle(bundle.body, Readable.from([Buffer.from(await entries.arrayBuffer())]))).toEqual({ ok: true });
  // Both APIs show the publication (each drops its public cache on the worker's broadcast).
  for (const base of apis) expect((await http(base, 'GET', `/api/v1/public/draws/${AUGUST}`)).body.status).toBe('published');

  // The surviving worker's metrics: it ran the draw phases (July's too, at start-up: once-ness is the audit
  // log's to show, above) and reports August's entries.
  const [, port] = await survivor.waitFor(/Worker metrics listening on http:\/\/[\d.]+:(\d+)\/metrics/);
  const workerMetrics = await (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  for (const phase of ['freeze', 'draw', 'publish'])
    expect(workerMetrics).toMatch(new RegExp(`^il_job_duration_seconds_count\\{queue="draws",name="${phase}",result="completed"\\} [1-9]`, 'm'));
  expect(workerMetrics).toMatch(new RegExp(`^il_draw_entries\\{draw="${AUGUST}"\\} ${SEEDED_ENTRIES + registered}$`, 'm'));

  for (const p of [survivor, ...apiProcs]) p.child.kill('SIGTERM');
  const exits: string[] = [];
  for (const p of [survivor, ...apiProcs]) {
    const code = await new Promise((r) => (p.child.exitCode !== null ? r(p.child.exitCode) : p.child.once('exit', (c) => r(c))));
    exits.push(code === 0 ? `${p.name}: 0` : `${p.name}: ${code}\n${p.output().split('\n').slice(-25).join('\n')}`);
  }
  expect(exits).toEqual([survivor, ...apiProcs].map((p) => `${p.name}: 0`));
});

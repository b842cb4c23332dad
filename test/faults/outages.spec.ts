/**
 * Fault tests: the database and Redis become unreachable while the API and the worker run.
 *
 * The shared MariaDB and Redis of the machine are never stopped: every process under test reaches them
 * through a TcpProxy that the test cuts (all current connections destroyed, new ones reset, held silent
 * or refused; or every open connection frozen silent, a partition) and restores. Everything done "through the real port" (migrations, the final checks, adding
 * jobs, listening to queue events) bypasses the proxies, so it observes what really reached the services.
 *
 * Every request and wait has an explicit timeout, so a regression (a hang) fails instead of stalling.
 */
import { Queue, QueueEvents, type Job } from 'bullmq';
import { createHash } from 'node:crypto';
import mysql from 'mysql2/promise';
import type { INestApplicationContext, LoggerService } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CampaignCatalog } from '../../src/campaigns/campaign-catalog.js';
import { ManualClock, Clock } from '../../src/core/clock/clock.js';
import type { AppConfig } from '../../src/core/config/config.schema.js';
import { migrateDatabase } from '../../src/core/database/migrate.js';
import { QueueName } from '../../src/core/queue/queue-names.js';
import { RegistryJob } from '../../src/invoices/invoice-verification.processor.js';
import { InvoiceVerificationService } from '../../src/invoices/invoice-verification.service.js';
import { createConsumer, insertRegistryRecord } from '../support/fixtures.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { destroyTestEnvironment, isolatedConfig, startTestApi, startTestWorker, TEST_REGISTRY_KEY, type TestApi } from '../support/test-env.js';
import { eventually, within } from '../support/waiting.js';

const TODAY = '2022-08-10';
const clock = new ManualClock(`${TODAY}T10:00:00+08:00`);

/** The real configuration: its own database and Redis prefix, reached directly. */
const config: AppConfig = isolatedConfig();
let dbProxy: TcpProxy;
let redisProxy: TcpProxy;
/** The same database and Redis prefix, reached through the proxies. */
let proxied: AppConfig;
let db: mysql.Connection;

beforeAll(async () => {
  await migrateDatabase(config.DATABASE_URL);
  dbProxy = await TcpProxy.start(config.DATABASE_URL);
  redisProxy = await TcpProxy.start(config.REDIS_URL);
  proxied = { ...config, DATABASE_URL: dbProxy.url(config.DATABASE_URL), REDIS_URL: redisProxy.url(config.REDIS_URL) };
  db = await mysql.createConnection({ uri: config.DATABASE_URL, dateStrings: true, supportBigNumbers: true, bigNumberStrings: false });
});

afterAll(async () => {
  await db?.end();
  await dbProxy?.close();
  await redisProxy?.close();
  await destroyTestEnvironment(config);
});

// ---------------------------------------------------------------------------------------------------------
// helpers

interface Outcome {
  /** HTTP status, or 0 when no response came (connection error or our own timeout). */
  status: number;
  body: any;
  ms: number;
  error?: string;
}

/** One HTTP call that always settles: a response, or status 0 after a connection error or `timeoutMs`. */
async function call(baseUrl: string, method: string, path: string, options: { body?: unknown; token?: string; timeoutMs?: number } = {}): Promise<Outcome> {
  const started = Date.now();
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  try {
    const response = await fetch(baseUrl + path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    const text = await response.text();
    const body = (response.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : text;
    return { status: response.status, body, ms: Date.now() - started };
  } catch (error) {
    return { status: 0, body: null, ms: Date.now() - started, error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A typed registration body for a fresh invoice number (no registry record, so it registers as pending). */
let invoiceCounter = 0;
function registration(): { invoiceType: string; invoiceCode: string; invoiceNumber: string; issueDate: string; amount: string; checkCode: string } {
  invoiceCounter += 1;
  return { invoiceType: '10', invoiceCode: '041012200111', invoiceNumber: String(30_000_000 + invoiceCounter), issueDate: '2022-08-08', amount: '113.00', checkCode: '567890' };
}

/** A fresh mainland mobile number for the one-time-code endpoint (its limits are per phone). */
let phoneCounter = 0;
function freshPhone(): string {
  phoneCounter += 1;
  return `137${String(process.pid % 10000).padStart(4, '0')}${String(phoneCounter).padStart(4, '0')}`;
}

const unavailable = { statusCode: 503, code: 'SERVICE_UNAVAILABLE', message: expect.any(String) };

/**
 * Every 503 is logged at error level by the exception filter, and the worker warns on each lost connection:
 * hundreds of lines here. Keep only errors that are not SERVICE_UNAVAILABLE (FAULT_TEST_LOGS=1 keeps all).
 */
const quietLogger: LoggerService = {
  log: () => undefined,
  warn: () => undefined,
  error: (message: unknown, ...rest: unknown[]) => {
    if (!String(message).startsWith('SERVICE_UNAVAILABLE')) console.error(message, ...rest);
  },
};
function quiet(app: INestApplicationContext): void {
  if (!process.env.FAULT_TEST_LOGS) app.useLogger(quietLogger);
}

/** The API on the proxied configuration. */
async function startProxiedApi(): Promise<TestApi> {
  const api = await startTestApi({ config: proxied, clock });
  quiet(api.app);
  return api;
}
/** Restores both proxies before closing, so shutdown never waits on a cut. */
async function closeApi(api: TestApi | undefined): Promise<void> {
  if (dbProxy.isCut) await dbProxy.restore();
  if (redisProxy.isCut) await redisProxy.restore();
  await api?.close();
}

/** The API of the running test, closed after it whatever the outcome. */
let api: TestApi | undefined;
afterEach(async () => {
  await closeApi(api);
  api = undefined;
});

// ---------------------------------------------------------------------------------------------------------

describe('the database unreachable for a while', () => {
  test('registration answers 503 fast (never 500, never a hang), readiness goes red then green, registrations resume', async () => {
    api = await startProxiedApi();
    const consumers = [await createConsumer(api.app), await createConsumer(api.app)];
    const before = await call(api.baseUrl, 'POST', '/api/v1/invoices', { body: registration(), token: consumers[0].token });
    expect(before.status).toBe(201);

    for (const mode of ['reset', 'refuse', 'blackhole'] as const) {
      await dbProxy.cut(mode);
      // Several at once, so more than one pool connection is being (re)opened while the database is away.
      const attempts = await Promise.all(
        Array.from({ length: 4 }, (_, i) => call(api!.baseUrl, 'POST', '/api/v1/invoices', { body: registration(), token: consumers[i % 2].token })),
      );
      for (const res of attempts) {
        expect({ mode, status: res.status, body: res.body }).toEqual({ mode, status: 503, body: unavailable });
        // mysql2's connectTimeout (5 s) bounds the silent case; refused or reset connections fail at once.
        expect(res.ms).toBeLessThan(mode === 'blackhole' ? 7_000 : 2_000);
      }
      const ready = await call(api.baseUrl, 'GET', '/health/ready', { timeoutMs: 3_000 });
      expect({ mode, status: ready.status, body: ready.body }).toEqual({
        mode,
        status: 503,
        body: { status: 'unavailable', checks: { database: 'down', redis: 'up' } },
      });
      expect(ready.ms).toBeLessThan(2_000);
      expect((await call(api.baseUrl, 'GET', '/health/live', { timeoutMs: 2_000 })).status).toBe(200);

      await dbProxy.restore();
      await eventually(`readiness green after a ${mode} cut`, 5_000, async () => (await call(api!.baseUrl, 'GET', '/health/ready', { timeoutMs: 3_000 })).status === 200);
      const after = await call(api.baseUrl, 'POST', '/api/v1/invoices', { body: registration(), token: consumers[1].token });
      expect({ mode, status: after.status }).toEqual({ mode, status: 201 });
    }
  }, 25_000);

  test('a silent outage under load (more requests than pool connections): every request answers 503 in bounded time, the pool recovers whole', async () => {
    api = await startProxiedApi();
    const poolSize = 20; // dataSourceOptions().poolSize
    const consumers = await Promise.all(Array.from({ length: 12 }, () => createConsumer(api!.app)));
    await dbProxy.cut('blackhole');
    // Three times the pool: without a bound on the wait for a pooled connection, the queued requests would
    // wait behind one connectTimeout (5 s) after another: 5, 10, 15 s ... growing with the load.
    const attempts = await Promise.all(
      Array.from({ length: 3 * poolSize }, (_, i) => call(api!.baseUrl, 'POST', '/api/v1/invoices', { body: registration(), token: consumers[i % 12].token, timeoutMs: 20_000 })),
    );
    for (const res of attempts) expect({ status: res.status, body: res.body }).toEqual({ status: 503, body: unavailable });
    expect(Math.max(...attempts.map((a) => a.ms))).toBeLessThan(7_000);
    await dbProxy.restore();
    // No pool slot was lost to the failed attempts: more requests than the pool has connections all succeed.
    const after = await Promise.all(
      Array.from({ length: 2 * poolSize }, (_, i) => call(api!.baseUrl, 'POST', '/api/v1/invoices', { body: registration(), token: consumers[i % 12].token, timeoutMs: 10_000 })),
    );
    expect(after.map((a) => a.status)).toEqual(after.map(() => 201));
  }, 20_000);

  test('a stream of registrations through repeated outages: every 201 is stored whole, nothing refused is stored, the daily limit holds', async () => {
    api = await startProxiedApi();
    const catalog = api.app.get(CampaignCatalog);
    const dailyLimit = catalog.campaigns[0].intake.dailyLimit;
    const TOTAL = 200;
    const CONCURRENCY = 8;
    // Consecutive requests (which run at about the same time) share a consumer: limit checks race each other.
    const consumers = await Promise.all(Array.from({ length: TOTAL / CONCURRENCY }, () => createConsumer(api!.app)));

    interface Sent {
      consumerId: number;
      body: ReturnType<typeof registration>;
      outcome?: Outcome;
    }
    const sent: Sent[] = Array.from({ length: TOTAL }, (_, i) => ({ consumerId: consumers[Math.floor(i / CONCURRENCY)].id, body: registration() }));
    const tokens = new Map(consumers.map((c) => [c.id, c.token]));

    let next = 0;
    let done = false;
    const client = async () => {
      while (next < TOTAL) {
        const request = sent[next++];
        request.outcome = await call(api!.baseUrl, 'POST', '/api/v1/invoices', { body: request.body, token: tokens.get(request.consumerId), timeoutMs: 10_000 });
        // Like a client honouring Retry-After (much shorter here): fewer requests are spent on an outage.
        await sleep(request.outcome.status === 503 ? 120 : 30);
      }
    };
    // Outages while the stream runs: short cuts, alternating a reset and a silent partition, and at least three.
    const cuts: string[] = [];
    const chaos = async () => {
      await sleep(150);
      for (let n = 0; !done || n < 3; n++) {
        const mode = n % 2 === 0 ? 'reset' : 'blackhole';
        await dbProxy.cut(mode);
        cuts.push(mode);
        await sleep(150 + (n % 3) * 100);
        await dbProxy.restore();
        if (done && n >= 2) break;
        await sleep(450);
      }
    };
    const chaosDone = chaos();
    await Promise.all(Array.from({ length: CONCURRENCY }, client));
    done = true;
    await chaosDone;

    const outcomes = sent.map((s) => s.outcome!);
    const byStatus = new Map<number, number>();
    for (const o of outcomes) byStatus.set(o.status, (byStatus.get(o.status) ?? 0) + 1);
    const summary = Object.fromEntries([...byStatus].map(([s, n]) => [s === 0 ? 'no response' : String(s), n]));

    // Only these answers: accepted, refused by the daily limit, or unavailable. Never a 500, never a hang.
    for (const s of sent) {
      const o = s.outcome!;
      if (o.status === 201) expect(o.body).toEqual({ id: expect.any(Number), status: 'pending', tickets: 0, reason: 'AWAITING_REGISTRY_RECORD' });
      else if (o.status === 422) expect(o.body.code).toBe('DAILY_LIMIT_REACHED');
      else expect({ status: o.status, body: o.body, error: o.error }).toEqual({ status: 503, body: unavailable, error: undefined });
    }
    // The outages really hit the stream, and it really got through between them.
    expect(byStatus.get(503) ?? 0).toBeGreaterThan(0);
    expect(byStatus.get(201) ?? 0).toBeGreaterThan(20);

    // What reached the database, read through the real port.
    const [rows] = await db.query<mysql.RowDataPacket[]>(
      `SELECT id, consumer_id, campaign_id, period_key, invoice_type, invoice_code, invoice_number, ref, issue_date, amount_cents,
              check_code, source, status, status_reason, registered_at, registered_on, registered_month
         FROM invoices WHERE invoice_number >= '30000000'`,
    );
    const rowByNumber = new Map(rows.map((r) => [r.invoice_number as string, r]));
    const sentByNumber = new Map(sent.map((s) => [s.body.invoiceNumber, s]));

    // 1. Every acknowledged registration is there, under the id it was acknowledged with, whole.
    const acknowledged = sent.filter((s) => s.outcome!.status === 201);
    for (const s of acknowledged) {
      const row = rowByNumber.get(s.body.invoiceNumber);
      expect({ invoiceNumber: s.body.invoiceNumber, stored: row !== undefined }).toEqual({ invoiceNumber: s.body.invoiceNumber, stored: true });
      expect(Number(row!.id)).toBe(s.outcome!.body.id);
    }

    // 2. Every stored row belongs to a request that was acknowledged, or to one whose answer was a 503 (its
    //    COMMIT may have reached the server before the connection died; the client was told to try again and
    //    a retry would get 409 INVOICE_ALREADY_REGISTERED, not a duplicate). Never to a request refused with 422.
    let committedThough503 = 0;
    for (const row of rows) {
      const s = sentByNumber.get(row.invoice_number);
      if (!s) continue; // registered by the outage-free calls before and after the stream
      expect([201, 503]).toContain(s.outcome!.status);
      if (s.outcome!.status === 503) committedThough503 += 1;
      // 3. No row is half-written: all of its data is there and consistent with the request.
      expect({
        consumerId: Number(row.consumer_id),
        campaignId: row.campaign_id,
        periodKey: row.period_key,
        invoiceType: row.invoice_type,
        invoiceCode: row.invoice_code,
        ref: row.ref,
        issueDate: row.issue_date,
        amountCents: Number(row.amount_cents),
        checkCode: row.check_code,
        source: row.source,
        status: row.status,
        statusReason: row.status_reason,
        registeredOn: row.registered_on,
        registeredMonth: row.registered_month,
        registeredAt: new Date(`${String(row.registered_at).replace(' ', 'T')}Z`).toISOString(),
      }).toEqual({
        consumerId: s.consumerId,
        campaignId: catalog.campaigns[0].id,
        periodKey: '2022-08',
        invoiceType: '10',
        invoiceCode: s.body.invoiceCode,
        ref: createHash('sha256').update(`${s.body.invoiceCode}-${s.body.invoiceNumber}`).digest('hex'),
        issueDate: '2022-08-08',
        amountCents: 11_300,
        checkCode: '567890',
        source: 'typed',
        status: 'pending',
        statusReason: 'AWAITING_REGISTRY_RECORD',
        registeredOn: TODAY,
        registeredMonth: '2022-08',
        registeredAt: clock.now().toISOString(),
      });
    }

    // 4. The daily limit was never exceeded, counting everything stored (acknowledged or not).
    const [perConsumer] = await db.query<mysql.RowDataPacket[]>(
      'SELECT consumer_id, registered_on, COUNT(*) AS n FROM invoices GROUP BY consumer_id, registered_on HAVING COUNT(*) > ?',
      [dailyLimit],
    );
    expect(perConsumer).toEqual([]);
    // And no consumer was refused for its limit while it still had room (a refusal counts only stored rows).
    for (const c of consumers) {
      const mine = sent.filter((s) => s.consumerId === c.id);
      const stored = mine.filter((s) => rowByNumber.has(s.body.invoiceNumber)).length;
      const refused = mine.filter((s) => s.outcome!.status === 422).length;
      if (refused > 0) expect(stored).toBe(dailyLimit);
    }

    // The API recovers after the last cut: readiness green and a registration accepted.
    await eventually('readiness green after the stream', 5_000, async () => (await call(api!.baseUrl, 'GET', '/health/ready', { timeoutMs: 3_000 })).status === 200);
    const spare = await createConsumer(api.app);
    expect((await call(api.baseUrl, 'POST', '/api/v1/invoices', { body: registration(), token: spare.token })).status).toBe(201);

    // A client retrying a registration that was answered 503 (stored or not) gets it: 200 with the stored
    // registration when its COMMIT had landed, 201 when it had not; never 409 for its own invoice.
    const tokenOf = new Map(consumers.map((c) => [c.id, c.token]));
    for (const s of sent.filter((x) => x.outcome!.status === 503)) {
      const retry = await call(api.baseUrl, 'POST', '/api/v1/invoices', { body: s.body, token: tokenOf.get(s.consumerId), timeoutMs: 10_000 });
      const row = rowByNumber.get(s.body.invoiceNumber);
      if (row) expect([retry.status, retry.body.id]).toEqual([200, Number(row.id)]);
      else expect([201, 422]).toContain(retry.status); // 422 only when the consumer's daily limit is used up meanwhile
    }

    const streamRows = rows.filter((r) => sentByNumber.has(r.invoice_number)).length;
    console.info(`outage stream: ${JSON.stringify(summary)}; cuts ${cuts.join(',')}; rows stored ${streamRows}, of which ${committedThough503} were answered 503`);
  }, 25_000);
});

describe('a silent partition of open database connections', () => {
  // TcpProxy.cut('freeze'): the pooled connections stay open but go silent (no FIN, no RST). mysql2 would wait
  // on them until TCP gives up (many minutes); the API bounds every query (DATABASE_QUERY_TIMEOUT_MS, 2 s
  // here) and destroys a connection that did not answer, so the pool never hands it out again.
  test('answers 503 within a few seconds, drops the dead connections, and recovers whole', async () => {
    api = await startTestApi({ config: { ...proxied, DATABASE_QUERY_TIMEOUT_MS: 2_000 }, clock });
    quiet(api.app);
    // A fresh consumer for each registration, so the daily limit never decides an answer.
    // (One after the other: the pool should only hold the connections the requests below open.)
    const consumers: Array<{ id: number; token: string }> = [];
    for (let i = 0; i < 16; i++) consumers.push(await createConsumer(api.app));
    let next = 0;
    const request = (read: boolean, timeoutMs: number) => {
      const consumer = consumers[next++ % consumers.length];
      return read
        ? call(api!.baseUrl, 'GET', '/api/v1/invoices', { token: consumer.token, timeoutMs })
        : call(api!.baseUrl, 'POST', '/api/v1/invoices', { body: registration(), token: consumer.token, timeoutMs });
    };
    // Several requests at once, so the pool holds several open connections when the network goes silent.
    const warm = await Promise.all(Array.from({ length: 6 }, (_, i) => request(i % 2 === 0, 10_000)));
    expect(warm.map((r) => r.status)).toEqual(warm.map((_, i) => (i % 2 === 0 ? 200 : 201)));
    const openBefore = dbProxy.openConnections;
    expect(openBefore).toBeGreaterThan(1);

    await dbProxy.cut('freeze');
    // As many requests at once as there are open connections (up to 4): each gets one of them, silent now,
    // and answers when the query bound destroys it.
    const burst = await Promise.all(Array.from({ length: Math.min(openBefore, 4) }, (_, i) => request(i % 2 === 0, 20_000)));
    for (const res of burst) {
      expect({ status: res.status, body: res.body }).toEqual({ status: 503, body: unavailable });
      expect(res.ms).toBeGreaterThanOrEqual(1_900);
      expect(res.ms).toBeLessThan(4_000);
    }
    // Then one at a time: the next idle silent connection, or a new one once none are left (held silent too:
    // bounded by connectTimeout and the pool acquire bound, 5 s).
    for (let i = 0; i < 2; i++) {
      const res = await request(i % 2 === 0, 20_000);
      expect({ status: res.status, body: res.body }).toEqual({ status: 503, body: unavailable });
      expect(res.ms).toBeLessThan(7_000);
    }
    const ready = await call(api.baseUrl, 'GET', '/health/ready', { timeoutMs: 3_000 });
    expect({ status: ready.status, body: ready.body }).toEqual({ status: 503, body: { status: 'unavailable', checks: { database: 'down', redis: 'up' } } });

    await dbProxy.restore();
    await eventually('readiness green after the silent partition', 10_000, async () => (await call(api!.baseUrl, 'GET', '/health/ready', { timeoutMs: 3_000 })).status === 200);
    // More requests at once than there were connections before: none is handed a dead connection.
    const after = await Promise.all(Array.from({ length: 2 * openBefore }, (_, i) => request(i % 2 === 0, 10_000)));
    expect(after.map((a) => a.status)).toEqual(after.map((_, i) => (i % 2 === 0 ? 200 : 201)));
    // Nothing the 503s answered was half-written: every stored row of these consumers is whole.
    const [rows] = await db.query<mysql.RowDataPacket[]>(
      `SELECT status, status_reason, amount_cents FROM invoices WHERE consumer_id IN (${consumers.map(() => '?').join(',')})`,
      consumers.map((c) => c.id),
    );
    expect(rows.length).toBeGreaterThanOrEqual(3 + openBefore);
    for (const row of rows) expect({ status: row.status, reason: row.status_reason, amount: Number(row.amount_cents) }).toEqual({ status: 'pending', reason: 'AWAITING_REGISTRY_RECORD', amount: 11_300 });
  }, 60_000);
});

describe('Redis unreachable while the API and the worker run', () => {
  test('one-time codes and rate-limited routes answer 503 fast, database-only routes keep working, all recovers', async () => {
    api = await startProxiedApi();
    const consumer = await createConsumer(api.app);
    expect((await call(api.baseUrl, 'POST', '/api/v1/auth/otp', { body: { phone: freshPhone() } })).status).toBe(202);

    for (const mode of ['reset', 'refuse', 'blackhole', 'freeze'] as const) {
      await redisProxy.cut(mode);
      const otp = await call(api.baseUrl, 'POST', '/api/v1/auth/otp', { body: { phone: freshPhone() }, timeoutMs: 5_000 });
      expect({ mode, status: otp.status, body: otp.body }).toEqual({ mode, status: 503, body: unavailable });
      expect(otp.ms).toBeLessThan(3_000);
      const login = await call(api.baseUrl, 'POST', '/api/v1/auth/login', { body: { phone: freshPhone(), code: '000000' }, timeoutMs: 5_000 });
      expect({ mode, status: login.status, body: login.body }).toEqual({ mode, status: 503, body: unavailable });
      expect(login.ms).toBeLessThan(3_000);

      const ready = await call(api.baseUrl, 'GET', '/health/ready', { timeoutMs: 3_000 });
      expect({ mode, status: ready.status, body: ready.body }).toEqual({
        mode,
        status: 503,
        body: { status: 'unavailable', checks: { database: 'up', redis: 'down' } },
      });

      // Routes that need only the database keep working.
      const list = await call(api.baseUrl, 'GET', '/api/v1/invoices', { token: consumer.token, timeoutMs: 3_000 });
      expect({ mode, status: list.status }).toEqual({ mode, status: 200 });
      const registered = await call(api.baseUrl, 'POST', '/api/v1/invoices', { body: registration(), token: consumer.token, timeoutMs: 3_000 });
      expect({ mode, status: registered.status }).toEqual({ mode, status: 201 });

      await redisProxy.restore();
      await eventually(`readiness green after a Redis ${mode} cut`, 5_000, async () => (await call(api!.baseUrl, 'GET', '/health/ready', { timeoutMs: 3_000 })).status === 200);
      const again = await call(api.baseUrl, 'POST', '/api/v1/auth/otp', { body: { phone: freshPhone() }, timeoutMs: 3_000 });
      expect({ mode, status: again.status }).toEqual({ mode, status: 202 });
    }
  }, 25_000);

  test('an endpoint that queues a job answers 503 within a few seconds when Redis goes silent (open connection or none yet), and recovers', async () => {
    api = await startProxiedApi();
    const registry = new Queue(QueueName.registry, { connection: { url: config.REDIS_URL }, prefix: config.REDIS_PREFIX });
    try {
      // Registry records to void: each void of an existing record queues a revocation job (idempotent, so the
      // same record can be voided again and again).
      const record = { invoiceCode: '041012200111', invoiceNumber: String(40_000_000 + (process.pid % 1_000_000)), issueDate: '2022-08-08', amountCents: 10_000 };
      await insertRegistryRecord(api.app, record);
      const voidIt = (baseUrl: string, timeoutMs = 15_000) =>
        call(baseUrl, 'POST', '/api/v1/registry/invoices/void', {
          body: { invoices: [{ invoiceCode: record.invoiceCode, invoiceNumber: record.invoiceNumber, kind: 'voided' }] },
          token: TEST_REGISTRY_KEY,
          timeoutMs,
        });
      const revocations = async () => (await registry.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized'])).filter((j) => j.name === RegistryJob.revokeInvoices).length;
      // Before: 200, and the producer's connection is open.
      expect((await voidIt(api.baseUrl)).status).toBe(200);
      const queuedBefore = await revocations();
      expect(queuedBefore).toBeGreaterThanOrEqual(1);

      // freeze: the producer's open connection goes silent; blackhole: it is cut and new ones are held silent.
      for (const mode of ['freeze', 'blackhole'] as const) {
        await redisProxy.cut(mode);
        for (let i = 0; i < 2; i++) {
          const res = await voidIt(api.baseUrl);
          expect({ mode, status: res.status, body: res.body }).toEqual({ mode, status: 503, body: unavailable });
          expect(res.ms).toBeLessThan(5_000);
        }
        await redisProxy.restore();
        await eventually(`voids queue again after a Redis ${mode} cut`, 10_000, async () => (await voidIt(api!.baseUrl, 5_000)).status === 200);
      }
      expect(await revocations()).toBeGreaterThan(queuedBefore);

      // A process whose queue never had a connection: Redis silent from its start.
      await redisProxy.cut('blackhole');
      const fresh = await startProxiedApi();
      try {
        const res = await voidIt(fresh.baseUrl);
        expect({ status: res.status, body: res.body }).toEqual({ status: 503, body: unavailable });
        expect(res.ms).toBeLessThan(5_000);
        await redisProxy.restore();
        await eventually('the fresh API queues once Redis answers', 10_000, async () => (await voidIt(fresh.baseUrl, 5_000)).status === 200);
      } finally {
        await closeApi(fresh);
      }
    } finally {
      await registry.close();
    }
  }, 60_000);

  test('the worker rides out Redis outages: a job queued while it is cut off and a job running when it is cut off both complete, once', async () => {
    // The worker reaches Redis through its own proxy (the database directly); jobs are added and watched
    // through the real port, as another API replica would.
    const workerRedis = await TcpProxy.start(config.REDIS_URL);
    const workerConfig: AppConfig = { ...config, REDIS_URL: workerRedis.url(config.REDIS_URL) };
    let gate: Promise<void> | null = null;
    let entered: (() => void) | null = null;
    const runs: Array<{ verified: number; rejected: number; stillPending: number }> = [];

    class ObservedVerification extends InvoiceVerificationService {
      override async recheckPending(onProgress?: (processed: number) => Promise<void> | void) {
        entered?.();
        if (gate) await gate;
        const result = await super.recheckPending(onProgress);
        runs.push(result);
        return result;
      }
    }

    api = await startTestApi({ config, clock });
    quiet(api.app);
    const worker = await startTestWorker({
      config: workerConfig,
      clock,
      override: (builder) =>
        builder.overrideProvider(InvoiceVerificationService).useFactory({
          factory: (dataSource: DataSource, catalog: CampaignCatalog, c: Clock) => new ObservedVerification(dataSource, catalog, c),
          inject: [getDataSourceToken(), CampaignCatalog, Clock],
        }),
    });
    quiet(worker.app);
    const connection = { url: config.REDIS_URL };
    const queue = new Queue(QueueName.registry, { connection, prefix: config.REDIS_PREFIX });
    const events = new QueueEvents(QueueName.registry, { connection, prefix: config.REDIS_PREFIX });
    const seen = new Map<string, string[]>();
    for (const event of ['active', 'completed', 'failed', 'stalled'] as const)
      events.on(event, ({ jobId }: { jobId: string }) => seen.set(jobId, [...(seen.get(jobId) ?? []), event]));
    try {
      await events.waitUntilReady();
      // Let the day's recheck, which the worker's dated-work tick queues at start-up, run first, so the counts
      // below are ours alone (waiting for an empty queue alone could pass before the tick has queued it).
      await eventually('the start-up recheck to finish', 15_000, async () => {
        const counts = await queue.getJobCounts('active', 'waiting', 'prioritized');
        return runs.length > 0 && counts.active + counts.waiting + counts.prioritized === 0;
      });
      const consumer = await createConsumer(api.app);
      const registerPending = async (n: number) => {
        for (let i = 0; i < n; i++) {
          const body = registration();
          expect((await call(api!.baseUrl, 'POST', '/api/v1/invoices', { body, token: consumer.token })).status).toBe(201);
          await insertRegistryRecord(api!.app, { invoiceCode: body.invoiceCode, invoiceNumber: body.invoiceNumber, issueDate: body.issueDate, amountCents: 10_000, taxCents: 1_300 });
        }
      };
      const runsBefore = runs.length;

      // A. Queued while the worker is cut off from Redis: it waits, then runs after the restore.
      await registerPending(2);
      await workerRedis.cut('blackhole');
      const queued: Job = await queue.add(RegistryJob.recheckPending, {}, { attempts: 5, backoff: { type: 'exponential', delay: 500 } });
      await sleep(1_500);
      expect(await queued.getState()).toBe('waiting');
      const acceptedBeforeRestore = workerRedis.accepted;
      await workerRedis.restore();
      expect(await queued.waitUntilFinished(events, 25_000)).toEqual({ verified: 2, rejected: 0, stillPending: expect.any(Number), autoEntry: expect.any(Object) });

      // B. Running when the worker is cut off: the job's database work finishes, its progress and completion
      //    wait for Redis (the worker's connection queues commands while reconnecting), then it completes.
      await registerPending(3);
      let release!: () => void;
      gate = new Promise<void>((resolve) => (release = resolve));
      const started = new Promise<void>((resolve) => (entered = resolve));
      const running: Job = await queue.add(RegistryJob.recheckPending, {}, { attempts: 5, backoff: { type: 'exponential', delay: 500 } });
      await within('job B to start', 15_000, started);
      await workerRedis.cut('reset');
      release();
      // The database work is done while Redis is still cut off.
      await eventually('job B to verify its invoices', 5_000, async () => {
        const [rows] = await db.query<mysql.RowDataPacket[]>("SELECT COUNT(*) AS n FROM invoices WHERE status = 'verified' AND consumer_id = ?", [consumer.id]);
        return Number(rows[0].n) === 5;
      });
      await sleep(500);
      // Still active: its completion could not reach Redis.
      expect(await running.getState()).toBe('active');
      await workerRedis.restore();
      expect(await running.waitUntilFinished(events, 25_000)).toEqual({ verified: 3, rejected: 0, stillPending: expect.any(Number), autoEntry: expect.any(Object) });

      // The worker really reconnected through its proxy (it did not find another way to Redis).
      expect(workerRedis.accepted).toBeGreaterThan(acceptedBeforeRestore);

      // Each job ran exactly once, and nothing was verified twice.
      await eventually('the completed events to arrive', 3_000, async () => (seen.get(running.id!) ?? []).includes('completed'));
      expect(seen.get(queued.id!)).toEqual(['active', 'completed']);
      expect(seen.get(running.id!)).toEqual(['active', 'completed']);
      expect(runs.slice(runsBefore)).toEqual([
        { verified: 2, rejected: 0, stillPending: expect.any(Number) },
        { verified: 3, rejected: 0, stillPending: expect.any(Number) },
      ]);
      const [statuses] = await db.query<mysql.RowDataPacket[]>('SELECT status, COUNT(*) AS n FROM invoices WHERE consumer_id = ? GROUP BY status', [consumer.id]);
      expect(statuses.map((r) => ({ status: r.status, n: Number(r.n) }))).toEqual([{ status: 'verified', n: 5 }]);
    } finally {
      gate = null;
      if (workerRedis.isCut) await workerRedis.restore();
      await events.close();
      await queue.close();
      await worker.close();
      await workerRedis.close();
    }
  }, 45_000);
});

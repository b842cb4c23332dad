/**
 * Invoice registration throughput: the real API against a bare `node:http` + mysql2 server doing one
 * INSERT per request into a table of the same shape (the practical ceiling on this machine), in one run.
 *
 *   npm run build && npm run bench:registration
 *   node dist/bench/registration.bench.js [--duration 30] [--rounds 3] [--warmup 5] [--connections 32]
 *        [--consumers 20000] [--registry-share 0.5] [--invoices 150000] [--only both|api|bare] [--profile]
 *        [--without-count-triggers]   (drops the dashboard's registration_counts triggers: their cost, A/B)
 *
 * 1. A scratch database `il_bench_reg_*` (created and migrated here, dropped at the end) and Redis prefix
 *    `ilbench:reg:*`. `bare_invoices` is created from `SHOW CREATE TABLE invoices` (same columns, indexes and
 *    foreign key; only the names of table and constraint differ).
 * 2. N consumers with a verified identity, written directly (multi-row INSERT, phone hashed/masked/encrypted
 *    with the run's PII_KEY), and one access token each, signed by the app's TokenService with the run's
 *    JWT_SECRET on the same simulated clock as the API.
 * 3. Distinct Henan invoices, deterministic: 65 % electronic ordinary (type 10; half as QR with the 20-digit
 *    check code, half typed with its last 6 digits), 20 % paper ordinary (04, typed), 15 % fully digital (32,
 *    half QR, half typed), issued 2022-08-01..10, 20-2,000 yuan. A share of them (--registry-share) has a
 *    tax bureau record (inserted directly; claimed amount alternately pre-tax and total), so registrations
 *    come out `verified`; the others `pending`.
 * 4. Request i registers invoice i for consumer i mod N: a consumer's 5-a-day limit is only reached after 5N
 *    requests, and concurrent requests are of different consumers (as in real traffic). Expected refusals
 *    are 422 DAILY_LIMIT_REACHED (beyond 5N requests) and 409 INVOICE_ALREADY_REGISTERED (a request re-sent
 *    after a reconnect); every other non-2xx counts as an error.
 * 5. The bare server (dist/bench/bare-insert-server.js) and the API (`node dist/src/main.api.js`, NODE_ENV=
 *    production, LOG_LEVEL=warn, CLOCK_START=2022-08-10T10:00+08:00) each as a child process, both running:
 *    autocannon from this process warms each up for --warmup seconds (not counted), then loads them in turns,
 *    --rounds times (alternating which goes first), --duration / --rounds seconds per turn: a machine whose
 *    speed drifts during the run (other tenants of the host) then slows both alike. Latency percentiles are
 *    over every measured request; CPU seconds of the server process, of the MariaDB server and of this
 *    process are read from /proc.
 * 6. Checks on the API's table afterwards: rows = 201 answers, no consumer above 5 a day.
 * With --compare instant: the bare server, the API on Henan's campaign (no instant draws) and the API on an
 * instant campaign (a Zhuzhou-shaped file over the same Henan invoices: one instant pool over every amount with
 * the Zhuzhou odds and budgets too large to run out, plus the periodic pool) with a worker process holding
 * INSTANT_SECRET_KEY, so that every registration of that API waits for its ILI-1 outcome from the worker
 * (`draw-entry` job, one log line under the day row's lock, a prize for a win). The two APIs share one request
 * source (each invoice registered once); the instant target's CPU is its API's plus its worker's.
 * With --profile the API runs with --cpu-prof and the self time by function and by package is printed
 * (profiling slows it down: use that run for where the time goes, not for the throughput).
 */
import 'reflect-metadata';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { JwtService } from '@nestjs/jwt';
import autocannon from 'autocannon';
import mysql from 'mysql2/promise';
import { TokenService } from '../src/auth/token.service.js';
import { ServiceClock } from '../src/core/clock/clock.js';
import { loadConfig, type AppConfig } from '../src/core/config/config.schema.js';
import { PiiProtector } from '../src/core/crypto/pii.js';
import { dropDatabase } from '../src/core/database/ensure-database.js';
import { migrateDatabase } from '../src/core/database/migrate.js';
import { maskIdNumber, maskPhone } from '../src/core/masking.js';
import { makeResidentId } from '../src/consumers/domain/resident-id.js';
import { formatInvoiceQr } from '../src/invoices/domain/qr.js';
import { deleteKeysWithPrefix } from '../src/core/redis/redis.js';
import { prng } from './support/prng.js';
import { freePort, productionSettings, ROOT, scratchNames, startApiProcess, startServerProcess } from './support/processes.js';
import { formatCents } from '../src/core/money.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '5' },
    connections: { type: 'string', default: '32' },
    consumers: { type: 'string', default: '20000' },
    invoices: { type: 'string', default: '150000' },
    'registry-share': { type: 'string', default: '0.5' },
    rounds: { type: 'string', default: '3' },
    only: { type: 'string', default: 'both' },
    compare: { type: 'string', default: 'bare-api' },
    profile: { type: 'boolean', default: false },
    'without-count-triggers': { type: 'boolean', default: false },
  },
});
const DURATION = Number(values.duration);
const WARMUP = Number(values.warmup);
const CONNECTIONS = Number(values.connections);
const CONSUMERS = Number(values.consumers);
const INVOICES = Number(values.invoices);
const REGISTRY_SHARE = Number(values['registry-share']);
const ROUNDS = Number(values.rounds);
const ONLY = values.only as 'both' | 'api' | 'bare';
/**
 * What runs side by side: `bare-api` (default: the bare server and one API process), `metrics` (one API
 * process with metrics off, one with METRICS_TOKEN set and /metrics scraped every 5 s), `fleet` (the bare
 * server, one API process, and two API processes sharing the load, half the connections each).
 */
const COMPARE = values.compare as 'bare-api' | 'metrics' | 'fleet' | 'instant';
/** Seconds of one measured slice: --duration per server, split into --rounds turns. */
const SLICE_S = DURATION / ROUNDS;
if (
  ![DURATION, CONNECTIONS, CONSUMERS, INVOICES, ROUNDS].every((n) => Number.isSafeInteger(n) && n > 0) ||
  !(Number.isSafeInteger(WARMUP) && WARMUP >= 0) ||
  !(REGISTRY_SHARE >= 0 && REGISTRY_SHARE <= 1) ||
  !['both', 'api', 'bare'].includes(ONLY) ||
  !['bare-api', 'metrics', 'fleet', 'instant'].includes(COMPARE)
) {
  console.error('usage: [--duration S] [--rounds R] [--warmup S] [--connections C] [--consumers N] [--invoices N] [--registry-share 0..1] [--only both|api|bare] [--compare bare-api|metrics|fleet|instant] [--profile]');
  process.exit(2);
}

const CLOCK_START = '2022-08-10T10:00:00+08:00';
const scratch = scratchNames('reg');
const env: Record<string, string> = {
  ...productionSettings(scratch.runId),
  ...scratch.env,
  CLOCK_START,
  CLOCK_RATE: '1',
};
const config: AppConfig = loadConfig(env);

// ---------------------------------------------------------------------------------------------------
// Data

const digits = (rnd: () => number, n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 10)).join('');
const CITIES = ['4101', '4102', '4103', '4104', '4105', '4106', '4107', '4108', '4109', '4110', '4111', '4112', '4113', '4114', '4115', '4116', '4117'];

interface GeneratedInvoice {
  body: string;
  record: unknown[] | null;
}

/** Invoice i: a request body and, when it has one, its registry row (registry_invoices column order below). */
function invoiceFor(i: number): GeneratedInvoice {
  const rnd = prng(Math.imul(i + 1, 0x9e3779b1));
  const k = rnd();
  const invoiceType = k < 0.65 ? '10' : k < 0.85 ? '04' : '32';
  let invoiceCode = '';
  let invoiceNumber: string;
  if (invoiceType === '32') invoiceNumber = `22411${String(i).padStart(15, '0')}`;
  else {
    invoiceCode = `0${CITIES[i % CITIES.length]}22${invoiceType === '10' ? '01111' : '00104'}`;
    invoiceNumber = String(Math.floor(i / CITIES.length)).padStart(8, '0');
  }
  const issueDate = `2022-08-${String(1 + (i % 10)).padStart(2, '0')}`;
  const amountCents = 2000 + Math.floor(rnd() * 198_000);
  const taxCents = Math.round(amountCents * 0.13);
  const checkCode = invoiceType === '32' ? null : digits(rnd, 20);
  const hasRecord = rnd() < REGISTRY_SHARE;
  // With a record, the claim carries alternately the pre-tax amount and the total (both match).
  const claimedCents = hasRecord && i % 2 === 1 ? amountCents + taxCents : amountCents;
  const asQr = invoiceType !== '04' && rnd() < 0.5;
  let body: string;
  if (asQr) {
    body = JSON.stringify({ qr: formatInvoiceQr({ invoiceType, invoiceCode, invoiceNumber, issueDate, amountCents: claimedCents, checkCode }, { trailingComma: true }) });
  } else {
    body = JSON.stringify({
      invoiceType,
      invoiceCode,
      invoiceNumber,
      issueDate,
      amount: formatCents(claimedCents),
      ...(invoiceType === '10' ? { checkCode: checkCode!.slice(-6) } : {}),
    });
  }
  const now = new Date();
  const record = hasRecord
    ? [invoiceType, invoiceCode, invoiceNumber, issueDate, amountCents, taxCents, amountCents + taxCents, checkCode, '91410100MA40000000', '郑州市金水区惠民超市', 'individual', null, '', now, now]
    : null;
  return { body, record };
}

async function insertRows(db: mysql.Connection, head: string, rows: unknown[][], perStatement = 1000): Promise<void> {
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    await db.query(`${head} VALUES ${chunk.map((r) => `(${r.map(() => '?').join(',')})`).join(',')}`, chunk.flat());
  }
}

async function seed(db: mysql.Connection): Promise<{ tokens: string[]; bodies: string[]; records: number }> {
  const pii = new PiiProtector(config.PII_KEY);
  const created = new Date('2022-07-01T00:00:00Z');
  const consumers: unknown[][] = [];
  for (let n = 0; n < CONSUMERS; n++) {
    const phone = `13${String(100_000_000 + n).slice(-9)}`;
    const idNumber = makeResidentId('410105', '19900307', String(n % 1000).padStart(3, '0'));
    consumers.push([
      pii.lookupHash('phone', phone),
      maskPhone(phone),
      pii.encrypt(phone),
      '张三',
      // One identity per account (UQ_consumers_identity): the synthetic numbers repeat every 1,000, so the hash is salted with n.
      pii.lookupHash('identity', `${idNumber}:${n}`),
      maskIdNumber(idNumber),
      created,
      created,
    ]);
  }
  await insertRows(
    db,
    'INSERT INTO consumers (phone_hash, phone_masked, phone_encrypted, real_name, id_number_hash, id_number_masked, identity_verified_at, created_at)',
    consumers,
  );
  const ids = ((await db.query('SELECT id FROM consumers ORDER BY id'))[0] as Array<{ id: number }>).map((r) => Number(r.id));
  const tokenService = new TokenService(
    new JwtService({ secret: config.JWT_SECRET, signOptions: { algorithm: 'HS256' } }),
    new ServiceClock(new Date(CLOCK_START), 1),
    config,
  );
  const tokens = ids.map((id) => tokenService.issueConsumerToken(id));

  const bodies: string[] = [];
  const records: unknown[][] = [];
  for (let i = 0; i < INVOICES; i++) {
    const inv = invoiceFor(i);
    bodies.push(inv.body);
    if (inv.record) records.push(inv.record);
  }
  await insertRows(
    db,
    'INSERT INTO registry_invoices (invoice_type, invoice_code, invoice_number, issue_date, amount_cents, tax_cents, total_cents, check_code, seller_tax_id, seller_name, buyer_type, buyer_name, flags, imported_at, updated_at)',
    records,
  );
  return { tokens, bodies, records: records.length };
}

/** `bare_invoices`: the DDL of `invoices` with the table and foreign key renamed (constraint names are per database). */
async function createBareTable(db: mysql.Connection): Promise<string> {
  const [rows] = await db.query('SHOW CREATE TABLE invoices');
  const ddl = (rows as Array<Record<string, string>>)[0]['Create Table'];
  const bare = ddl.replace(/^CREATE TABLE `invoices`/, 'CREATE TABLE `bare_invoices`').replace(/CONSTRAINT `([^`]+)`/g, 'CONSTRAINT `bare_$1`');
  if (bare === ddl) throw new Error('unexpected SHOW CREATE TABLE output');
  await db.query(bare);
  return bare;
}

// ---------------------------------------------------------------------------------------------------
// Processes

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

const TICK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat; null if unreadable. */
function cpuSeconds(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICK;
  } catch {
    return null;
  }
}
function databasePid(): number | undefined {
  for (const name of ['mariadbd', 'mysqld']) {
    try {
      const pid = Number(execFileSync('pidof', [name]).toString().trim().split(/\s+/)[0]);
      if (pid) return pid;
    } catch {
      // not this name
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Load

/** One server under test and what was measured of it, summed over the rounds. */
interface Target {
  name: string;
  /** The server(s) under load: with several, the connections are split evenly between them. */
  bases: string[];
  pids: Array<number | undefined>;
  source: ReturnType<typeof requestSource>;
  /** Response times (ms) of every measured request, for percentiles over all rounds. */
  latencies: number[];
  requests: number;
  seconds: number;
  perRound: number[];
  statusCounts: Record<string, number>;
  errors: number;
  timeouts: number;
  cpu: { server: number | null; database: number | null; bench: number };
  statements: number;
}

interface Background {
  databaseCpuPerSecond: number | null;
  statementsPerSecond: number;
}

/** Time after each measured slice for requests the server still holds (autocannon drops the ones in flight). */
const SETTLE_S = 2;
const BASELINE_S = 3;
const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : b - a);
const add = (a: number | null, b: number | null) => (a === null || b === null ? null : a + b);
/** Statements the database server has received from all clients (SHOW GLOBAL STATUS 'Questions'). */
async function questions(db: mysql.Connection): Promise<number> {
  const [rows] = (await db.query("SHOW GLOBAL STATUS LIKE 'Questions'")) as unknown as [Array<{ Value: string }>];
  return Number(rows[0].Value);
}

/** Request i registers invoice i for consumer i mod N; counters continue from the warm-up into the measured rounds. */
function requestSource(tokens: string[], bodies: string[]) {
  let next = 0;
  const codes = new Map<string, number>();
  const count = (key: string) => codes.set(key, (codes.get(key) ?? 0) + 1);
  const request = {
    method: 'POST' as const,
    path: '/api/v1/invoices',
    setupRequest: (req: autocannon.Request) => {
      const i = next++;
      return {
        ...req,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[i % tokens.length]}` },
        body: i < bodies.length ? bodies[i] : invoiceFor(i).body,
      };
    },
    onResponse: (status: number, body: string) => {
      if (status === 201) {
        const registration = body.includes('"verified"') ? '201 verified' : '201 pending';
        const instant = /"instant":\{"status":"([a-z-]+)"/.exec(body);
        count(instant ? `${registration}, instant ${instant[1]}` : registration);
      }
      else {
        let code = '?';
        try {
          code = (JSON.parse(body) as { code?: string }).code ?? '?';
        } catch {
          // not JSON
        }
        count(`${status} ${code}`);
      }
    },
  };
  return { request, codes, issued: () => next };
}

function newTarget(name: string, base: string | string[], pid: number | undefined | Array<number | undefined>, source: ReturnType<typeof requestSource>): Target {
  return { name, bases: [base].flat(), pids: [pid].flat(), source, latencies: [], requests: 0, seconds: 0, perRound: [], statusCounts: {}, errors: 0, timeouts: 0, cpu: { server: 0, database: 0, bench: 0 }, statements: 0 };
}

const loadOptions = (target: Target, base: string, seconds: number) => ({
  url: base,
  connections: Math.max(1, Math.round(CONNECTIONS / target.bases.length)),
  pipelining: 1,
  requests: [target.source.request],
  duration: seconds,
});

/** The summed CPU seconds of the target's server processes (null when one cannot be read). */
function serverCpu(target: Target): number | null {
  let sum = 0;
  for (const pid of target.pids) {
    const s = cpuSeconds(pid);
    if (s === null) return null;
    sum += s;
  }
  return sum;
}

async function warmUp(target: Target): Promise<void> {
  if (WARMUP === 0) return;
  console.log(`  ${target.name}: warm-up ${WARMUP} s`);
  await Promise.all(target.bases.map((base) => autocannon(loadOptions(target, base, WARMUP))));
  target.source.codes.clear();
}

/**
 * The database server is shared with whatever else runs on the machine: its CPU use and statement count over
 * BASELINE_S idle seconds before the rounds are subtracted, pro rata, from the figures of each slice.
 */
async function measureBackground(db: mysql.Connection): Promise<Background> {
  const dbPid = databasePid();
  await new Promise((ok) => setTimeout(ok, 1000));
  const idle = { database: cpuSeconds(dbPid), questions: await questions(db) };
  await new Promise((ok) => setTimeout(ok, BASELINE_S * 1000));
  const database = diff(idle.database, cpuSeconds(dbPid));
  return { databaseCpuPerSecond: database === null ? null : database / BASELINE_S, statementsPerSecond: ((await questions(db)) - idle.questions) / BASELINE_S };
}

/** One measured slice of SLICE_S seconds against one target, added to its totals. */
async function measureSlice(db: mysql.Connection, target: Target, background: Background): Promise<number> {
  const dbPid = databasePid();
  const before = { server: serverCpu(target), database: cpuSeconds(dbPid), bench: process.cpuUsage(), questions: await questions(db) };
  const runs = await Promise.all(
    target.bases.map(
      (base) =>
        new Promise<autocannon.Result>((ok, fail) => {
          const run = autocannon(loadOptions(target, base, SLICE_S), (error, result) => (error ? fail(error) : ok(result)));
          run.on('response', (_client, _status, _bytes, responseTime) => target.latencies.push(responseTime));
        }),
    ),
  );
  // Several servers: their requests add up over the same wall-clock slice.
  const r = {
    duration: Math.max(...runs.map((x) => x.duration)),
    requests: { total: runs.reduce((n, x) => n + x.requests.total, 0) },
    statusCodeStats: runs.reduce<Record<string, { count: number }>>((all, x) => {
      for (const [status, v] of Object.entries(x.statusCodeStats ?? {})) all[status] = { count: (all[status]?.count ?? 0) + (v.count ?? 0) };
      return all;
    }, {}),
    errors: runs.reduce((n, x) => n + x.errors, 0),
    timeouts: runs.reduce((n, x) => n + x.timeouts, 0),
  };
  await new Promise((ok) => setTimeout(ok, SETTLE_S * 1000));
  const benchCpu = process.cpuUsage(before.bench);
  const after = { server: serverCpu(target), database: cpuSeconds(dbPid), questions: await questions(db) };
  const seconds = r.duration + SETTLE_S;
  const dbCpu = diff(before.database, after.database);
  const database = dbCpu === null || background.databaseCpuPerSecond === null ? null : Math.max(0, dbCpu - background.databaseCpuPerSecond * seconds);
  target.requests += r.requests.total;
  target.seconds += r.duration;
  target.perRound.push(r.requests.total / r.duration);
  for (const [status, v] of Object.entries(r.statusCodeStats ?? {})) target.statusCounts[status] = (target.statusCounts[status] ?? 0) + (v.count ?? 0);
  target.errors += r.errors;
  target.timeouts += r.timeouts;
  target.cpu.server = add(target.cpu.server, diff(before.server, after.server));
  target.cpu.database = add(target.cpu.database, database);
  target.cpu.bench += (benchCpu.user + benchCpu.system) / 1e6;
  target.statements += Math.max(0, after.questions - before.questions - background.statementsPerSecond * seconds - 2);
  return r.requests.total / r.duration;
}

/** The q-quantile of ascending values (nearest rank). */
function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

// ---------------------------------------------------------------------------------------------------
// CPU profile summary

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function bucketOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native / V8 builtins)';
  if (url.startsWith('node:')) return 'node: core';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const app = /\/dist\/(src\/.*)$/.exec(url);
  return app ? `app: ${app[1].replace(/^src\//, '')}` : url;
}

function summarizeProfile(path: string): void {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, k) => {
    const dt = Math.max(0, profile.timeDeltas[k] ?? 0);
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const byBucket = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, t] of self) {
    const n = byId.get(id)!;
    const { functionName, url, lineNumber } = n.callFrame;
    const bucket = bucketOf(url, functionName);
    byBucket.set(bucket, (byBucket.get(bucket) ?? 0) + t);
    const fn = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + t);
    // Inclusive time per app function (each sample counted once per function on its stack).
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      if (!/\/dist\/src\//.test(f.url) && !/typeorm|mysql2|@nestjs|fastify|class-validator|class-transformer|jsonwebtoken/.test(f.url)) continue;
      const key = `${bucketOf(f.url, f.functionName)} ${f.functionName || '(anonymous)'}`;
      if (!seen.has(key)) {
        seen.add(key);
        inclusive.set(key, (inclusive.get(key) ?? 0) + t);
      }
    }
  }
  const pct = (t: number) => `${((100 * t) / total).toFixed(1)} %`;
  const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
  console.log(`\nCPU profile of the API (${(total / 1e6).toFixed(1)} s sampled): self time by package / area`);
  for (const [k, t] of top(byBucket, 25)) console.log(`  ${pct(t).padStart(7)}  ${k}`);
  console.log('\nself time, top functions');
  for (const [k, t] of top(byFunction, 30)) console.log(`  ${pct(t).padStart(7)}  ${k}`);
  console.log('\ninclusive time (app, Nest, Fastify, TypeORM, mysql2, validation, JWT frames)');
  for (const [k, t] of top(inclusive, 40)) console.log(`  ${pct(t).padStart(7)}  ${k}`);
}

// ---------------------------------------------------------------------------------------------------

function report(t: Target, background: Background): void {
  const sorted = t.latencies; // sorted once the rounds are over
  const ms = (q: number) => Math.round(quantile(sorted, q));
  const unexpected = unexpectedOf(t);
  const codes = [...t.source.codes].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n.toLocaleString('en-US')}`).join(', ');
  const perRound = t.perRound.map((r) => Math.round(r).toLocaleString('en-US')).join(' / ');
  console.log(
    `  ${t.name}: ${Math.round(t.requests / t.seconds).toLocaleString('en-US')} req/s (${t.requests.toLocaleString('en-US')} requests in ${t.seconds.toFixed(0)} s; by round ${perRound}), latency p50 ${ms(0.5)} ms, p90 ${ms(0.9)} ms, p99 ${ms(0.99)} ms, max ${Math.round(sorted[sorted.length - 1] ?? NaN)} ms`,
  );
  console.log(`    statuses ${JSON.stringify(t.statusCounts)}; by reason: ${codes}; socket errors ${t.errors}, timeouts ${t.timeouts}; unexpected ${unexpected}`);
  const per = (s: number | null) => (s === null ? 'n/a' : `${s.toFixed(1)} s (${((s * 1000) / Math.max(1, t.requests)).toFixed(2)} ms/request)`);
  console.log(`    CPU: server process ${per(t.cpu.server)}, MariaDB ${per(t.cpu.database)} (background subtracted: ${background.databaseCpuPerSecond?.toFixed(2) ?? 'n/a'} CPU s/s), autocannon (this process) ${per(t.cpu.bench)}`);
  console.log(`    statements to the database per request: ${(t.statements / Math.max(1, t.requests)).toFixed(2)} (background ${Math.round(background.statementsPerSecond)}/s subtracted)`);
}

/** Answers other than 201 and the expected refusals (409 INVOICE_ALREADY_REGISTERED, 422 DAILY_LIMIT_REACHED). */
function unexpectedOf(t: Target): number {
  return [...t.source.codes].filter(([k]) => !/^(201|409 INVOICE_ALREADY_REGISTERED|422 DAILY_LIMIT_REACHED)/.test(k)).reduce((s, [, n]) => s + n, 0);
}

async function main(): Promise<void> {
  console.log(
    `registration benchmark: ${CONSUMERS.toLocaleString('en-US')} consumers, ${INVOICES.toLocaleString('en-US')} prepared invoices (${Math.round(REGISTRY_SHARE * 100)} % with a registry record); autocannon ${CONNECTIONS} connections, ${WARMUP} s warm-up, then ${ROUNDS} round(s) of ${SLICE_S} s per server (${DURATION} s each in all); ${cpus().length} CPUs (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
  );
  await migrateDatabase(config.DATABASE_URL);
  // The draws scheduled, as the worker does at start-up: registration reads the period's draw and its
  // INSERT checks it (PERIOD_CLOSED follows the draw's state).
  execFileSync(process.execPath, [join(ROOT, 'dist/src/campaigns/campaign-loader.cli.js')], { env: { ...process.env, ...env, LOG_LEVEL: 'warn' }, stdio: 'ignore' });
  const instantDir = COMPARE === 'instant' ? writeInstantCampaigns() : null;
  if (instantDir) execFileSync(process.execPath, [join(ROOT, 'dist/src/campaigns/campaign-loader.cli.js')], { env: { ...process.env, ...env, CAMPAIGNS_DIR: instantDir, LOG_LEVEL: 'warn' }, stdio: 'ignore' });
  const db = await mysql.createConnection({ uri: config.DATABASE_URL, charset: 'utf8mb4_unicode_ci', timezone: 'Z' });
  if (values['without-count-triggers']) {
    // For the A/B of what the dashboard's registration_counts triggers cost registration (BENCHMARKS.md).
    for (const t of ['TR_invoices_count_insert', 'TR_invoices_count_update', 'TR_invoices_count_delete']) await db.query(`DROP TRIGGER ${t}`);
    console.log('registration_counts triggers dropped for this run');
  }
  const children: ChildProcess[] = [];
  const profileDir = values.profile ? mkdtempSync(join(tmpdir(), 'il-reg-prof-')) : null;
  try {
    const version = ((await db.query('SELECT VERSION() AS v'))[0] as Array<{ v: string }>)[0].v;
    const settings = (await db.query(
      "SHOW VARIABLES WHERE Variable_name IN ('innodb_buffer_pool_size','innodb_flush_log_at_trx_commit','sync_binlog','log_bin','max_connections')",
    ))[0] as Array<{ Variable_name: string; Value: string }>;
    console.log(`database: ${version}; ${settings.map((s) => `${s.Variable_name}=${s.Value}`).join(', ')}`);
    const t = Date.now();
    await createBareTable(db);
    const { tokens, bodies, records } = await seed(db);
    console.log(`seeded ${CONSUMERS.toLocaleString('en-US')} consumers + tokens and ${records.toLocaleString('en-US')} registry records in ${((Date.now() - t) / 1000).toFixed(1)} s`);

    // Both servers run side by side (the idle one costs nothing) and take turns, so a change in the
    // machine's speed during the run (other tenants of the host) affects both alike.
    let bare: Target | null = null;
    let api: Target | null = null;
    let apiProcess: ChildProcess | null = null;
    const startBare = async () => {
      const { child, base } = await startServerProcess('dist/bench/bare-insert-server.js', { BARE_DATABASE_URL: config.DATABASE_URL }, { readyPath: '/health/live' });
      children.push(child);
      return newTarget('bare node:http + mysql2', base, child.pid, requestSource(tokens, bodies));
    };
    const startApi = async (extraEnv: Record<string, string> = {}, nodeArgs: string[] = []) => {
      const { child, base } = await startApiProcess({ ...env, ...extraEnv }, { nodeArgs, stdio: ['ignore', 'inherit', 'inherit'] });
      children.push(child);
      return { base, child };
    };
    const targets: Target[] = [];
    let scraper: NodeJS.Timeout | null = null;
    if (COMPARE === 'metrics') {
      // One request source for both: API targets share the database, so each invoice is registered once.
      const source = requestSource(tokens, bodies);
      const off = await startApi();
      const metricsToken = randomBytes(24).toString('base64url');
      const on = await startApi({ METRICS_TOKEN: metricsToken });
      targets.push(newTarget('API, metrics off', off.base, off.child.pid, source), newTarget('API, metrics on', on.base, on.child.pid, source));
      // Prometheus scrapes every 15 s or so; every 5 s here, so the scrape's own cost shows.
      scraper = setInterval(() => void fetch(`${on.base}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } }).then((r) => r.text()), 5000);
    } else if (COMPARE === 'instant') {
      const source = requestSource(tokens, bodies);
      bare = await startBare();
      const plain = await startApi();
      const instantEnv = { CAMPAIGNS_DIR: instantDir!, INSTANT_OUTCOME_WAIT_MS: '5000' };
      // INSTANT_PROFILE_DIR=<dir>: CPU profiles of the instant target's API and worker (where their time goes).
      const profile = process.env.INSTANT_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.INSTANT_PROFILE_DIR}`] : [];
      const instantApi = await startApi(instantEnv, profile);
      const worker = spawn(process.execPath, [...profile, join(ROOT, 'dist/src/main.worker.js')], {
        cwd: ROOT,
        env: { ...process.env, ...env, ...instantEnv, INSTANT_SECRET_KEY: randomBytes(32).toString('hex'), WORKER_METRICS_PORT: String(await freePort()), WORKER_METRICS_HOST: '127.0.0.1' },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      children.push(worker);
      targets.push(
        bare,
        newTarget('API, no instant draws', plain.base, plain.child.pid, source),
        newTarget('API + worker, instant draws', instantApi.base, [instantApi.child.pid, worker.pid], source),
      );
    } else if (COMPARE === 'fleet') {
      const source = requestSource(tokens, bodies);
      bare = await startBare();
      const one = await startApi();
      const [a, b] = [await startApi(), await startApi()];
      targets.push(bare, newTarget('API x1', one.base, one.child.pid, source), newTarget('API x2', [a.base, b.base], [a.child.pid, b.child.pid], source));
    } else {
      if (ONLY !== 'api') bare = await startBare();
      if (ONLY !== 'bare') {
        const started = await startApi({}, profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []);
        apiProcess = started.child;
        api = newTarget('API (Nest + Fastify + TypeORM)', started.base, started.child.pid, requestSource(tokens, bodies));
      }
      targets.push(...[bare, api].filter((x): x is Target => x !== null));
    }
    for (const target of targets) await warmUp(target);
    const background = await measureBackground(db);
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate who goes first, so neither always runs right after the other's load.
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      const line: string[] = [];
      for (const target of order) line.push(`${target.name} ${Math.round(await measureSlice(db, target, background)).toLocaleString('en-US')} req/s`);
      console.log(`  round ${round + 1}/${ROUNDS} (load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}): ${line.join(', ')}`);
    }
    if (scraper) clearInterval(scraper);

    for (const target of targets) target.latencies.sort((a, b) => a - b);
    console.log('\nresults');
    for (const target of targets) report(target, background);
    if (COMPARE !== 'bare-api') {
      const [base, ...others] = targets;
      for (const t of others) {
        const ratio = t.requests / t.seconds / (base.requests / base.seconds);
        const rounds = t.perRound.map((r, i) => (r / base.perRound[i]).toFixed(2)).join(' / ');
        console.log(`ratio ${t.name} / ${base.name}: ${ratio.toFixed(2)} over all rounds (by round ${rounds})`);
      }
      if (targets.length === 3) {
        const [, one, two] = targets;
        const rounds = two.perRound.map((r, i) => (r / one.perRound[i]).toFixed(2)).join(' / ');
        console.log(`ratio ${two.name} / ${one.name}: ${(two.requests / two.seconds / (one.requests / one.seconds)).toFixed(2)} (by round ${rounds})`);
      }
    }
    if (bare && api) {
      const ratio = api.requests / api.seconds / (bare.requests / bare.seconds);
      const rounds = api.perRound.map((r, i) => (r / bare.perRound[i]).toFixed(2)).join(' / ');
      console.log(`\nratio API / bare: ${ratio.toFixed(2)} over all rounds (by round ${rounds}); target >= 0.5: ${ratio >= 0.5 ? 'met' : 'NOT met'}`);
    }
    if (api) {
      const p99 = quantile(api.latencies, 0.99);
      const errors = unexpectedOf(api) + api.errors;
      console.log(`API p99 ${Math.round(p99)} ms (target < 100 ms: ${p99 < 100 ? 'met' : 'NOT met'}); errors other than 409/422: ${errors} (target 0: ${errors === 0 ? 'met' : 'NOT met'})`);
      // Checks on what the API wrote (warm-up included).
      const [counts] = (await db.query(
        "SELECT COUNT(*) AS total, SUM(status = 'verified') AS verified, SUM(status = 'pending') AS pending FROM invoices",
      )) as unknown as [Array<{ total: number; verified: string; pending: string }>];
      const [limit] = (await db.query(
        'SELECT COALESCE(MAX(n), 0) AS maxPerDay FROM (SELECT consumer_id, registered_on, COUNT(*) AS n FROM invoices GROUP BY consumer_id, registered_on) t',
      )) as unknown as [Array<{ maxPerDay: number }>];
      const row = counts[0];
      console.log(
        `API table: ${Number(row.total).toLocaleString('en-US')} rows (${Number(row.verified).toLocaleString('en-US')} verified, ${Number(row.pending).toLocaleString('en-US')} pending) after ${api.source.issued().toLocaleString('en-US')} requests issued (warm-up included); most registrations of one consumer on one day: ${limit[0].maxPerDay}`,
      );
    }
    if (COMPARE === 'instant') {
      // Every outcome a log line, positions 1..n of one day without gaps, each registration drawn once.
      const [[row]] = (await db.query(
        'SELECT COUNT(*) AS entries, COUNT(DISTINCT day_id) AS days, MAX(position) AS maxPosition, COUNT(DISTINCT invoice_id) AS invoices, SUM(outcome > 0) AS wins FROM instant_entries',
      )) as unknown as [[{ entries: number; days: number; maxPosition: number; invoices: number; wins: string }]];
      const [[prizes]] = (await db.query("SELECT COUNT(*) AS n FROM prizes WHERE kind = 'instant'")) as unknown as [[{ n: number }]];
      console.log(
        `instant log: ${Number(row.entries).toLocaleString('en-US')} entries in ${row.days} day(s), last position ${row.maxPosition}, ${Number(row.invoices).toLocaleString('en-US')} registrations, ${Number(row.wins).toLocaleString('en-US')} wins = ${Number(prizes.n).toLocaleString('en-US')} instant prizes`,
      );
    }
    if (bare) {
      const [[row]] = (await db.query('SELECT COUNT(*) AS total FROM bare_invoices')) as unknown as [[{ total: number }]];
      console.log(`bare table: ${Number(row.total).toLocaleString('en-US')} rows after ${bare.source.issued().toLocaleString('en-US')} requests issued (warm-up included)`);
    }
    if (profileDir && apiProcess) {
      await stop(apiProcess); // the profile is written when the process exits
      const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
      if (file) summarizeProfile(join(profileDir, file));
      else console.log('no CPU profile was written');
    }
  } finally {
    for (const c of children) await stop(c);
    await db.end();
    await dropDatabase(config.DATABASE_URL);
    await deleteKeysWithPrefix(env.REDIS_URL, env.REDIS_PREFIX);
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
    if (instantDir) rmSync(instantDir, { recursive: true, force: true });
  }
}

/**
 * --compare instant: a campaign directory holding an instant campaign over the same Henan invoices (listed
 * first, so registrations go to it) and Henan's file (so the worker knows every scheduled draw).
 */
function writeInstantCampaigns(): string {
  const dir = mkdtempSync(join(tmpdir(), 'il-reg-instant-'));
  const henan = JSON.parse(readFileSync(join(ROOT, 'config/campaigns/henan-2022.json'), 'utf8'));
  const zhuzhou = JSON.parse(readFileSync(join(ROOT, 'config/campaigns/zhuzhou-2026.json'), 'utf8'));
  const instantPool = zhuzhou.pools.find((p: { mode: string }) => p.mode === 'instant');
  const { tiers, ...rest } = henan;
  writeFileSync(
    join(dir, 'a-instant-bench.json'),
    JSON.stringify({
      ...rest,
      id: 'instant-bench',
      name: '即开即奖基准',
      pools: [
        // Zhuzhou's odds (20 % win) with budgets no run of this benchmark exhausts: every win writes a prize.
        { ...instantPool, band: { minCents: henan.intake.minAmountCents, maxCents: null }, tiers: instantPool.tiers.map((t: object) => ({ ...t, dailyBudget: 1_000_000 })) },
        { id: 'main', name: 'periodic', mode: 'periodic', band: { minCents: henan.intake.minAmountCents, maxCents: null }, tiers },
      ],
    }),
  );
  writeFileSync(join(dir, 'henan-2022.json'), JSON.stringify(henan));
  return dir;
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error);
    process.exit(1);
  },
);

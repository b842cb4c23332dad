/**
 * The staff dashboard with a big period: N registrations (default 1,000,000) in August 2022, then the real
 * API answering GET /api/v1/admin/dashboard?period=2022-08 over HTTP, sequentially, with its latency
 * percentiles; next to it, for scale, the naive query the pre-aggregated counts replace (a GROUP BY over
 * the period's invoices).
 *
 *   npm run build && npm run bench:dashboard
 *   node dist/bench/dashboard.bench.js [--rows 1000000] [--requests 200]
 *
 * 1. A scratch database `il_bench_dash_*` (migrated here, dropped at the end) and Redis prefix.
 * 2. The rows are written by INSERT … SELECT over MariaDB's sequence engine in chunks of 100,000, so the
 *    registration_counts triggers run for every row, as for registrations one by one: 17 Henan cities,
 *    registered over August 1-31 and September 1-5, 70 % verified, 20 % pending, 7 % rejected, 3 % revoked.
 *    The time of the load is printed (it includes the triggers).
 * 3. The API (`node dist/src/main.api.js`, NODE_ENV=production) as a child process; an operator token from
 *    the bootstrap admin; --requests dashboard requests one after another (after 10 not counted).
 * 4. Checks: the dashboard's totals equal COUNT(*) by status over the table.
 * 5. What the triggers cost registration: single-row autocommit INSERTs (registration's one statement) from
 *    16 connections at once, all of one day and city (the hottest counter rows), into `invoices` (with the
 *    triggers) and into a copy without them (`CREATE TABLE … LIKE`, so also without the foreign key: the
 *    copy is if anything cheaper), in alternating rounds (--insert-rounds, 2,000 rows each) so a change in the
 *    machine's speed affects both alike.
 */
import 'reflect-metadata';
import type { ChildProcess } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import { dropDatabase } from '../src/core/database/ensure-database.js';
import { migrateDatabase } from '../src/core/database/migrate.js';
import { deleteKeysWithPrefix } from '../src/core/redis/redis.js';
import { productionSettings, scratchNames, startApiProcess } from './support/processes.js';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '1000000' }, requests: { type: 'string', default: '200' }, 'insert-rounds': { type: 'string', default: '4' } },
});
const ROWS = Number(values.rows);
const REQUESTS = Number(values.requests);
if (!(Number.isSafeInteger(ROWS) && ROWS > 0 && Number.isSafeInteger(REQUESTS) && REQUESTS > 0)) {
  console.error('usage: [--rows N] [--requests N]');
  process.exit(2);
}
const ADMIN_PASSWORD = 'bench-admin-password-1';
const scratch = scratchNames('dash');
const env: Record<string, string> = {
  ...productionSettings(scratch.runId),
  ...scratch.env,
  ADMIN_PASSWORD,
  CLOCK_START: '2022-09-03T10:00:00+08:00',
  CLOCK_RATE: '1',
};
const CHUNK = 100_000;
const REGIONS = ['4101', '4102', '4103', '4104', '4105', '4106', '4107', '4108', '4109', '4110', '4111', '4112', '4113', '4114', '4115', '4116', '4117'];

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const ms = (n: number) => `${n.toFixed(1)} ms`;

async function load(db: mysql.Connection): Promise<void> {
  await db.query(
    `INSERT INTO consumers (phone_hash, phone_masked, phone_encrypted, real_name, created_at) VALUES (REPEAT('a', 64), '138****0000', 'x', '张三', NOW(3))`,
  );
  const region = `ELT(1 + s.seq % ${REGIONS.length}, ${REGIONS.map((r) => `'${r}'`).join(', ')})`;
  // Registration day: 36 days from August 1 (the month and the 5 grace days), spread evenly.
  const registeredOn = `DATE_ADD('2022-08-01', INTERVAL (s.seq DIV 7) % 36 DAY)`;
  const status = `ELT(1 + (s.seq * 7919) % 100 DIV 10, 'verified','verified','verified','verified','verified','verified','verified','pending','pending', IF((s.seq * 7919) % 10 < 7, 'rejected', 'revoked'))`;
  for (let from = 1; from <= ROWS; from += CHUNK) {
    const to = Math.min(ROWS, from + CHUNK - 1);
    await db.query(`
      INSERT INTO invoices (consumer_id, campaign_id, period_key, invoice_type, invoice_code, invoice_number, ref, issue_date, amount_cents,
                            check_code, source, status, status_reason, paid_cents, matched_amount, registered_at, registered_on,
                            registered_month, day_slot, month_slot, verified_at, revoked_at)
      SELECT 1, 'henan-2022', '2022-08', '10', CONCAT('0', r.region, '2200111'), LPAD(r.seq, 8, '0'), SHA2(CONCAT('0', r.region, '2200111-', LPAD(r.seq, 8, '0')), 256),
             LEAST(r.registered_on, '2022-08-31'), 2000 + r.seq % 50000, NULL, 'typed', r.status, NULL, NULL, NULL,
             TIMESTAMP(r.registered_on, '02:00:00'), r.registered_on, DATE_FORMAT(r.registered_on, '%Y-%m'), NULL, NULL, NULL, NULL
        FROM (SELECT s.seq, ${region} AS region, ${registeredOn} AS registered_on, ${status} AS status FROM seq_${from}_to_${to} s) r`);
  }
}

async function insertRound(pool: mysql.Pool, table: string, first: number, rows: number): Promise<number> {
  const started = performance.now();
  let next = first;
  const end = first + rows;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      const conn = await pool.getConnection();
      try {
        while (next < end) {
          const n = next++;
          const number = String(n).padStart(8, '0');
          await conn.execute(
            `INSERT INTO ${table} (consumer_id, campaign_id, period_key, invoice_type, invoice_code, invoice_number, ref, issue_date, amount_cents, check_code,
                                   source, status, status_reason, paid_cents, matched_amount, registered_at, registered_on, registered_month, day_slot,
                                   month_slot, verified_at, revoked_at)
             VALUES (1, 'henan-2022', '2022-09', '10', '041012200222', ?, SHA2(?, 256), '2022-09-01', 5000, NULL, 'typed', 'verified', NULL, 5000, 'total',
                     NOW(3), '2022-09-02', '2022-09', NULL, NULL, NOW(3), NULL)`,
            [number, number],
          );
        }
      } finally {
        conn.release();
      }
    }),
  );
  return (performance.now() - started) / rows;
}

async function triggerCost(): Promise<void> {
  const pool = mysql.createPool({ uri: env.DATABASE_URL, connectionLimit: 16, charset: 'utf8mb4_unicode_ci', timezone: 'Z' });
  try {
    await pool.query(`CREATE TABLE invoices_without_counts LIKE invoices`);
    const rounds = Number(values['insert-rounds']);
    const per = { with: [] as number[], without: [] as number[] };
    let base = 90_000_000;
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? (['with', 'without'] as const) : (['without', 'with'] as const);
      for (const which of order) {
        per[which].push(await insertRound(pool, which === 'with' ? 'invoices' : 'invoices_without_counts', base, 2000));
        base += 2000;
      }
    }
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    console.log(
      `registration INSERT, 16 connections, one day and city: with the count triggers ${mean(per.with).toFixed(3)} ms/row of wall time (${Math.round(1000 / mean(per.with))} rows/s), ` +
        `without ${mean(per.without).toFixed(3)} ms/row (${Math.round(1000 / mean(per.without))} rows/s); ratio with/without throughput ${(mean(per.without) / mean(per.with)).toFixed(2)} ` +
        `(rounds: with ${per.with.map((x) => x.toFixed(3)).join(' / ')}, without ${per.without.map((x) => x.toFixed(3)).join(' / ')})`,
    );
  } finally {
    await pool.end();
  }
}

async function main(): Promise<void> {
  console.log(`dashboard benchmark: ${ROWS.toLocaleString('en-US')} registrations in one period, ${REQUESTS} requests; ${cpus().length} CPUs (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`);
  await migrateDatabase(env.DATABASE_URL);
  const db = await mysql.createConnection({ uri: env.DATABASE_URL, charset: 'utf8mb4_unicode_ci', timezone: 'Z', dateStrings: ['DATE'] });
  let api: ChildProcess | null = null;
  try {
    const version = ((await db.query('SELECT VERSION() AS v'))[0] as Array<{ v: string }>)[0].v;
    console.log(`database: ${version}`);
    let t = Date.now();
    await load(db);
    console.log(`loaded ${ROWS.toLocaleString('en-US')} invoices (triggers included) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    const [countRows] = (await db.query(`SELECT COUNT(*) AS n FROM registration_counts`)) as unknown as [Array<{ n: number }>];
    console.log(`registration_counts rows: ${Number(countRows[0].n).toLocaleString('en-US')}`);

    // The naive query, for scale (3 runs, the best).
    const naive: number[] = [];
    for (let i = 0; i < 3; i++) {
      t = performance.now();
      await db.query(
        `SELECT registered_on, SUBSTRING(invoice_code, 2, 4) AS region, status, COUNT(*) FROM invoices WHERE campaign_id = 'henan-2022' AND period_key = '2022-08' GROUP BY 1, 2, 3`,
      );
      naive.push(performance.now() - t);
    }
    console.log(`naive GROUP BY over the period's invoices: best of 3 ${ms(Math.min(...naive))}`);

    const started = await startApiProcess(env);
    api = started.child;
    const base = started.base;
    const post = (path: string, body: unknown, token?: string) =>
      fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<any>);
    const admin = (await post('/api/v1/admin/auth/login', { username: 'admin', password: ADMIN_PASSWORD })).accessToken;
    await post('/api/v1/admin/staff', { username: 'bench.operator', password: 'bench-operator-password', roles: ['operator'] }, admin);
    const token = (await post('/api/v1/admin/auth/login', { username: 'bench.operator', password: 'bench-operator-password' })).accessToken;

    const get = async (): Promise<{ took: number; body: any }> => {
      const started = performance.now();
      const res = await fetch(`${base}/api/v1/admin/dashboard?period=2022-08`, { headers: { authorization: `Bearer ${token}` } });
      const body = await res.json();
      if (res.status !== 200) throw new Error(`dashboard: ${res.status} ${JSON.stringify(body)}`);
      return { took: performance.now() - started, body };
    };
    for (let i = 0; i < 10; i++) await get();
    const times: number[] = [];
    let last: any = null;
    for (let i = 0; i < REQUESTS; i++) {
      const { took, body } = await get();
      times.push(took);
      last = body;
    }
    times.sort((a, b) => a - b);
    console.log(`GET /api/v1/admin/dashboard?period=2022-08 over HTTP: p50 ${ms(quantile(times, 0.5))}, p95 ${ms(quantile(times, 0.95))}, p99 ${ms(quantile(times, 0.99))}, max ${ms(times[times.length - 1])}`);

    const [truth] = (await db.query(`SELECT status, COUNT(*) AS n FROM invoices GROUP BY status`)) as unknown as [Array<{ status: string; n: number }>];
    const expected = Object.fromEntries(['verified', 'pending', 'rejected', 'revoked'].map((s) => [s, Number(truth.find((r) => r.status === s)?.n ?? 0)]));
    const ok = JSON.stringify(last.registrations.totals) === JSON.stringify(expected);
    console.log(`check: dashboard totals ${JSON.stringify(last.registrations.totals)} ${ok ? '=' : '≠'} COUNT(*) by status ${JSON.stringify(expected)}; ${last.registrations.byDay.length} days, ${last.registrations.byCity.length} cities`);
    if (!ok) process.exitCode = 1;
    await triggerCost();
  } finally {
    if (api && api.exitCode === null) {
      const exited = new Promise((r) => api!.once('exit', r));
      api.kill('SIGTERM');
      await exited;
    }
    await db.end();
    await dropDatabase(env.DATABASE_URL);
    await deleteKeysWithPrefix(env.REDIS_URL, env.REDIS_PREFIX);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

/**
 * Freeze + draw benchmark: one period of the Henan 2022 campaign with N verified registrations.
 *
 *   npm run build && npm run bench:freeze-draw -- --entries 1000000
 *   node dist/bench/freeze-draw.bench.js --entries 10000000 [--holders N] [--keep-db] [--reuse-db mysql://…/db]
 *
 * 1. Creates a scratch database `il_bench_fd_*` on the MariaDB of TEST_DATABASE_SERVER (default
 *    mysql://root@127.0.0.1:3306) and applies the migrations; Redis keys go under `ilbench:*` and are removed.
 * 2. Generates N/3 consumers (or --holders) and N verified registrations of the period 2022-08 server-side
 *    (INSERT … SELECT from MariaDB's SEQUENCE engine, in primary-key order, on 2 connections), with the tables'
 *    secondary indexes and foreign keys dropped during the load and built again after it; the tables are then
 *    checked to be exactly what the migrations made (SHOW CREATE TABLE). Invoice codes and numbers are
 *    sequential, so the refs (SHA-256 of '<code>-<number>') are in random order relative to the row ids, as
 *    real registrations are; owners uniform, paid amounts log-uniform between 20 and 150,000 yuan.
 * 3. Runs the draw steps in a fresh child process, the way the worker runs them (the lifecycle service of
 *    DrawsCoreModule in a Nest application context, default Node flags): ensureCampaign, then times
 *    freezeDraw, runDraw and publishDraw, sampling RSS every 100 ms; reports VmHWM (peak RSS) of that process.
 * 4. Verifies the result: streams the entries file out of the database and runs verifyAuditBundle on it.
 * The scratch database is dropped at the end unless --keep-db. --reuse-db runs the steps again on a kept
 * database (the draw is put back to `scheduled` first).
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import mysql from 'mysql2/promise';
import type { DataSource } from 'typeorm';
import { CampaignLoader } from '../src/campaigns/campaign-loader.js';
import { CampaignsModule } from '../src/campaigns/campaigns.module.js';
import { loadConfig, type AppConfig } from '../src/core/config/config.schema.js';
import { CoreModule } from '../src/core/core.module.js';
import { dropDatabase } from '../src/core/database/ensure-database.js';
import { migrateDatabase } from '../src/core/database/migrate.js';
import { deleteKeysWithPrefix } from '../src/core/redis/redis.js';
import { verifyAuditBundle } from '../src/draws/algorithm/index.js';
import { DrawLifecycleService } from '../src/draws/draw-lifecycle.service.js';
import { DrawsCoreModule } from '../src/draws/draws-core.module.js';

const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: '1000000' },
    holders: { type: 'string' },
    'keep-db': { type: 'boolean', default: false },
    'reuse-db': { type: 'string' },
    child: { type: 'string' },
    'skip-verify': { type: 'boolean', default: false },
  },
});

const DRAW_ID = 'henan-2022-2022-08';
const MiB = 1 << 20;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mib = (bytes: number) => `${Math.round(bytes / MiB)} MiB`;

function vmHwmBytes(pid: number | 'self' = 'self'): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

function benchConfig(databaseUrl: string, prefix: string): AppConfig {
  return loadConfig({ ...process.env, NODE_ENV: 'test', DATABASE_URL: databaseUrl, REDIS_PREFIX: prefix, LOG_LEVEL: 'warn' });
}

@Module({})
class BenchDrawModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: BenchDrawModule, imports: [CoreModule.forRoot(config), CampaignsModule, DrawsCoreModule], providers: [CampaignLoader] };
  }
}

// ---------------------------------------------------------------------------------------------------
// Child: the draw steps, as the worker runs them.

interface ChildReport {
  freezeMs: number;
  drawMs: number;
  publishMs: number;
  entryCount: number;
  totalTickets: number;
  winners: number;
  alternates: number;
  rssBeforeBytes: number;
  peakRssFreezeBytes: number;
  peakRssDrawBytes: number;
  vmHwmBytes: number;
}

async function child(databaseUrl: string, prefix: string): Promise<void> {
  const config = benchConfig(databaseUrl, prefix);
  const app = await NestFactory.createApplicationContext(BenchDrawModule.forRoot(config), { logger: ['error', 'warn'] });
  const lifecycle = app.get(DrawLifecycleService);
  await app.get(CampaignLoader).loadAll();
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 100);
  const rssBeforeBytes = process.memoryUsage.rss();
  const progress = (label: string) => {
    let next = 0;
    const t0 = performance.now();
    return (p: { phase: string; processed: number; total: number }) => {
      if (p.total > 0 && p.processed / p.total >= next) {
        const at = secs(performance.now() - t0);
        process.stderr.write(`  ${label} ${p.phase}: ${p.processed}/${p.total} at ${at} (RSS ${Math.round(process.memoryUsage.rss() / MiB)} MiB)\n`);
        next = Math.floor((p.processed / p.total) * 10 + 1) / 10;
      }
    };
  };

  let t = performance.now();
  const frozen = await lifecycle.freezeDraw(DRAW_ID, { onProgress: progress('freeze') });
  const freezeMs = performance.now() - t;
  const peakRssFreezeBytes = peak;
  if (frozen.status !== 'frozen') throw new Error(`freeze ended ${frozen.status}: ${frozen.failureReason}`);
  peak = process.memoryUsage.rss();
  t = performance.now();
  const drawn = await lifecycle.runDraw(DRAW_ID, { onProgress: progress('draw') });
  const drawMs = performance.now() - t;
  const peakRssDrawBytes = peak;
  if (drawn.status !== 'drawn') throw new Error(`draw ended ${drawn.status}: ${drawn.failureReason}`);
  t = performance.now();
  await lifecycle.publishDraw(DRAW_ID);
  const publishMs = performance.now() - t;
  clearInterval(sampler);
  const picks: Array<{ kind: string; n: string }> = await app
    .get<DataSource>(getDataSourceToken())
    .query(`SELECT kind, COUNT(*) AS n FROM draw_picks WHERE draw_id = ? GROUP BY kind`, [DRAW_ID]);
  const count = (kind: string) => Number(picks.find((p) => p.kind === kind)?.n ?? 0);
  const report: ChildReport = {
    freezeMs,
    drawMs,
    publishMs,
    entryCount: drawn.entryCount ?? 0,
    totalTickets: drawn.totalTickets ?? 0,
    winners: count('winner'),
    alternates: count('alternate'),
    rssBeforeBytes,
    peakRssFreezeBytes,
    peakRssDrawBytes,
    vmHwmBytes: vmHwmBytes(),
  };
  await app.close();
  process.stdout.write(`REPORT ${JSON.stringify(report)}\n`);
}

// ---------------------------------------------------------------------------------------------------
// Parent: data, the child run, verification.


/** Rows per INSERT … SELECT statement of the bulk load. */
const LOAD_CHUNK = 500_000;
/** A uniform double in [0, 1) from 52 bits of a SHA-256 (hex chars `from`..`from+12` of `hashSql`). */
const unitSql = (hashSql: string, from: number) => `CONV(SUBSTRING(${hashSql}, ${from}, 13), 16, 10) / 4503599627370496`;

interface SecondaryKeys {
  /** SHOW CREATE TABLE as the migrations made it (AUTO_INCREMENT counter left out). */
  shape: string;
  /** `UNIQUE KEY …` / `KEY …` lines and `CONSTRAINT …` lines, in order. */
  keys: string[];
  constraints: string[];
}

async function showCreate(pool: mysql.Pool, table: string): Promise<string> {
  const [rows] = await pool.query<mysql.RowDataPacket[]>(`SHOW CREATE TABLE ${table}`);
  return String(rows[0]['Create Table']).replace(/ AUTO_INCREMENT=\d+/, '');
}

/** Drops every secondary index and foreign key of `table` (to load it in primary-key order), returning them. */
async function dropSecondaryKeys(pool: mysql.Pool, table: string): Promise<SecondaryKeys> {
  const shape = await showCreate(pool, table);
  const lines = shape.split('\n').map((l) => l.trim().replace(/,$/, ''));
  const keys = lines.filter((l) => /^(UNIQUE |FULLTEXT |SPATIAL )?KEY `/.test(l));
  const constraints = lines.filter((l) => /^CONSTRAINT `/.test(l));
  const name = (line: string) => /`([^`]+)`/.exec(line)![1];
  if (constraints.length) await pool.query(`ALTER TABLE ${table} ${constraints.map((c) => `DROP FOREIGN KEY \`${name(c)}\``).join(', ')}`);
  if (keys.length) await pool.query(`ALTER TABLE ${table} ${keys.map((k) => `DROP INDEX \`${name(k)}\``).join(', ')}`);
  return { shape, keys, constraints };
}

/**
 * Builds the dropped indexes again (one ALTER: InnoDB sorts the rows once per index instead of inserting
 * into them at random) and the foreign keys (not re-checked: the rows are consistent by construction); then
 * checks the table is exactly as the migrations made it, so the freeze runs on the production table shape.
 */
async function restoreSecondaryKeys(pool: mysql.Pool, table: string, saved: SecondaryKeys): Promise<void> {
  const connection = await pool.getConnection();
  try {
    await connection.query('SET foreign_key_checks = 0');
    if (saved.keys.length) await connection.query(`ALTER TABLE ${table} ${saved.keys.map((k) => `ADD ${k}`).join(', ')}`);
    if (saved.constraints.length) await connection.query(`ALTER TABLE ${table} ${saved.constraints.map((c) => `ADD ${c}`).join(', ')}`);
  } finally {
    connection.release();
  }
  const now = await showCreate(pool, table);
  if (now !== saved.shape) throw new Error(`bench: ${table} after the bulk load differs from the migrations' table:\n${now}\n---\n${saved.shape}`);
}

/**
 * The data set, generated server-side (MariaDB's SEQUENCE engine, `seq_<from>_to_<to>`) in primary-key order
 * into tables whose secondary indexes are built after the load: N/3 consumers and N verified registrations of
 * 2022-08. Invoice codes and numbers are sequential, so the refs (SHA-256 of '<code>-<number>', as the intake
 * computes them) are in random order relative to the ids, as real registrations are; owners are uniform over
 * the consumers and paid amounts log-uniform between 20 and 150,000 yuan, both from SHA-256 of the row number
 * (deterministic: the same N gives the same data).
 */
async function insertData(databaseUrl: string, entries: number, holders: number): Promise<{ consumersMs: number; invoicesMs: number; indexesMs: number }> {
  const pool = mysql.createPool({ uri: databaseUrl, connectionLimit: 2, multipleStatements: false, timezone: 'Z' });
  pool.on('connection', (c) => {
    // Bench data only: the rows are consistent by construction.
    void c.query('SET foreign_key_checks = 0, unique_checks = 0');
  });
  try {
    const [[{ n: sequence }]] = await pool.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM information_schema.ENGINES WHERE ENGINE = 'SEQUENCE' AND SUPPORT IN ('YES', 'DEFAULT')`);
    if (Number(sequence) !== 1) throw new Error('bench: the data set is generated with the SEQUENCE engine of MariaDB (not available on this server)');
    const invoiceKeys = await dropSecondaryKeys(pool, 'invoices');
    const consumerKeys = await dropSecondaryKeys(pool, 'consumers');
    const chunks = (total: number) => {
      const list: Array<[number, number]> = [];
      for (let from = 1; from <= total; from += LOAD_CHUNK) list.push([from, Math.min(total, from + LOAD_CHUNK - 1)]);
      return list;
    };

    let t = performance.now();
    await runParallel(
      chunks(holders).map(([from, to]) => () =>
        pool.query(
          `INSERT INTO consumers (id, phone_hash, phone_masked, phone_encrypted, real_name, identity_verified_at, created_at)
           SELECT seq, SHA2(CONCAT('bench-phone-', seq), 256), '139****0000', 'bench-not-encrypted', '张三', '2022-07-01', '2022-07-01'
             FROM seq_${from}_to_${to}`,
        ),
      ),
      2,
      (done) => progressLine('consumers', done * LOAD_CHUNK, holders),
    );
    const consumersMs = performance.now() - t;

    t = performance.now();
    // k = row number - 1; code = 04101220 + 4 digits, number = 8 digits (k split at 10^8), as before.
    const code = `CONCAT('04101220', RIGHT(FLOOR((seq - 1) / 100000000) + 1000, 4))`;
    const number = `LPAD((seq - 1) % 100000000, 8, '0')`;
    const random = `SHA2(CONCAT('bench-row-', seq), 256)`;
    await runParallel(
      chunks(entries).map(([from, to]) => () =>
        pool.query(
          `INSERT INTO invoices (id, consumer_id, campaign_id, period_key, invoice_type, invoice_code, invoice_number, ref, issue_date, amount_cents,
             source, status, paid_cents, matched_amount, registered_at, registered_on, registered_month, verified_at)
           SELECT seq, owner, 'henan-2022', '2022-08', '10', code, number, SHA2(CONCAT(code, '-', number), 256), '2022-08-15', paid,
             'typed', 'verified', paid, 'total', '2022-08-20 02:00:00', '2022-08-20', '2022-08', '2022-08-20 02:00:00'
           FROM (SELECT seq, ${code} AS code, ${number} AS number,
                        1 + FLOOR(${unitSql('r', 1)} * ${holders}) AS owner,
                        ROUND(2000 * EXP(${unitSql('r', 14)} * LN(15000000 / 2000))) AS paid
                   FROM (SELECT seq, ${random} AS r FROM seq_${from}_to_${to}) s) g`,
        ),
      ),
      2,
      (done) => progressLine('invoices', done * LOAD_CHUNK, entries),
    );
    const invoicesMs = performance.now() - t;

    t = performance.now();
    process.stderr.write('  building the secondary indexes\n');
    await restoreSecondaryKeys(pool, 'consumers', consumerKeys);
    await restoreSecondaryKeys(pool, 'invoices', invoiceKeys);
    await pool.query('ANALYZE TABLE consumers, invoices');
    return { consumersMs, invoicesMs, indexesMs: performance.now() - t };
  } finally {
    await pool.end();
  }
}

let lastLine = 0;
function progressLine(what: string, done: number, total: number): void {
  const now = Date.now();
  if (now - lastLine < 5000 && done < total) return;
  lastLine = now;
  process.stderr.write(`  ${what}: ${Math.min(done, total).toLocaleString('en-US')}/${total.toLocaleString('en-US')}\n`);
}

/** Runs the tasks on `parallel` lanes; a task that hits a deadlock is run again. */
async function runParallel(tasks: Array<() => Promise<unknown>>, parallel: number, onDone: (done: number) => void): Promise<void> {
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < tasks.length) {
        const task = tasks[next++];
        for (let attempt = 1; ; attempt++) {
          try {
            await task();
            break;
          } catch (error) {
            const code = (error as { code?: string }).code;
            if ((code !== 'ER_LOCK_DEADLOCK' && code !== 'ER_LOCK_WAIT_TIMEOUT') || attempt >= 10) {
              throw new Error(`insert failed: ${code ?? ''} ${(error as Error).message.slice(0, 200)}`);
            }
          }
        }
        onDone(++done);
      }
    }),
  );
}

/**
 * --reuse-db: puts the period's draw back to `scheduled` (as before its freeze) so the steps run again on the
 * same data. The draw tables are emptied with TRUNCATE (the scratch database holds this one draw), not DELETE:
 * purging a million deleted rows would run in the background of the next freeze and slow it down.
 */
async function resetDraw(databaseUrl: string): Promise<void> {
  const connection = await mysql.createConnection({ uri: databaseUrl });
  try {
    for (const table of ['prizes', 'draw_picks', 'draw_entries', 'draw_audit_log', 'draw_requests', 'notifications']) await connection.query(`TRUNCATE TABLE ${table}`);
    await connection.query(
      `UPDATE draws SET status = 'scheduled', failed_phase = NULL, failure_reason = NULL, entry_count = NULL, total_tickets = NULL,
         entries_digest = NULL, secret_hash = NULL, secret_encrypted = NULL, secret = NULL, beacon = NULL, seed = NULL, audit_bundle = NULL,
         progress = NULL, frozen_at = NULL, drawn_at = NULL, published_at = NULL WHERE id = ?`,
      [DRAW_ID],
    );
    await connection.query(`UPDATE campaigns SET ended_at = NULL`);
  } finally {
    await connection.end();
  }
}

function runChild(databaseUrl: string, prefix: string): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', databaseUrl], {
      env: { ...process.env, BENCH_REDIS_PREFIX: prefix },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('REPORT '));
      if (code !== 0 || !line) reject(new Error(`child exited ${code}:\n${out}`));
      else resolve(JSON.parse(line.slice(7)) as ChildReport);
    });
  });
}

async function parent(): Promise<void> {
  const entries = Number(values.entries);
  const holders = values.holders ? Number(values.holders) : Math.max(1, Math.round(entries / 3));
  if (!Number.isSafeInteger(entries) || entries < 1 || !Number.isSafeInteger(holders) || holders < 1) {
    console.error('usage: --entries N [--holders N] [--keep-db] [--reuse-db mysql://…/db] [--skip-verify]');
    process.exit(2);
  }
  const id = `${process.pid}_${randomBytes(3).toString('hex')}`;
  const server = process.env.TEST_DATABASE_SERVER ?? 'mysql://root@127.0.0.1:3306';
  const databaseUrl = values['reuse-db'] ?? `${server}/il_bench_fd_${id}`;
  const prefix = `ilbench:${id}`;
  const config = benchConfig(databaseUrl, prefix);
  console.error(`freeze+draw bench: ${entries.toLocaleString('en-US')} entries, ${holders.toLocaleString('en-US')} holders, database ${databaseUrl}`);
  console.error(`machine: ${cpus().length} CPUs (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}`);

  let inserted = { consumersMs: 0, invoicesMs: 0, indexesMs: 0 };
  if (!values['reuse-db']) {
    await migrateDatabase(databaseUrl);
    inserted = await insertData(databaseUrl, entries, holders);
    console.error(`data: consumers ${secs(inserted.consumersMs)}, invoices ${secs(inserted.invoicesMs)}, secondary indexes ${secs(inserted.indexesMs)}`);
  } else {
    await resetDraw(databaseUrl);
  }
  try {
    const report = await runChild(databaseUrl, prefix);
    let verify = '(skipped)';
    if (!values['skip-verify']) {
      const app = await NestFactory.createApplicationContext(BenchDrawModule.forRoot(config), { logger: ['error', 'warn'] });
      try {
        const lifecycle = app.get(DrawLifecycleService);
        const ds = app.get<DataSource>(getDataSourceToken());
        const [{ audit_bundle: bundle }] = await ds.query(`SELECT audit_bundle FROM draws WHERE id = ?`, [DRAW_ID]);
        const t = performance.now();
        const bytes = Readable.from(
          (async function* () {
            for await (const chunk of lifecycle.entriesCsv(DRAW_ID)) yield Buffer.from(chunk, 'latin1');
          })(),
        );
        const result = await verifyAuditBundle(JSON.parse(bundle), bytes);
        verify = `${result.ok ? 'MATCH' : `MISMATCH: ${result.difference}`} (entries streamed from the database and verified in ${secs(performance.now() - t)})`;
      } finally {
        await app.close();
      }
    }
    const lines = [
      `entries                  ${report.entryCount.toLocaleString('en-US')} (${report.totalTickets.toLocaleString('en-US')} tickets)`,
      `picks                    ${report.winners} winners, ${report.alternates} alternates`,
      `data (setup)             consumers ${secs(inserted.consumersMs)}, invoices ${secs(inserted.invoicesMs)}, secondary indexes ${secs(inserted.indexesMs)}`,
      `freezeDraw               ${secs(report.freezeMs)} (peak RSS ${mib(report.peakRssFreezeBytes)})`,
      `runDraw                  ${secs(report.drawMs)} (peak RSS ${mib(report.peakRssDrawBytes)})`,
      `freeze + draw            ${secs(report.freezeMs + report.drawMs)}`,
      `publishDraw              ${secs(report.publishMs)}`,
      `worker process           RSS ${mib(report.rssBeforeBytes)} before, VmHWM (peak) ${mib(report.vmHwmBytes)}`,
      `verify                   ${verify}`,
    ];
    console.log(lines.join('\n'));
  } finally {
    if (!values['keep-db'] && !values['reuse-db']) await dropDatabase(databaseUrl);
    await deleteKeysWithPrefix(config.REDIS_URL, prefix);
  }
}

if (values.child) await child(values.child, process.env.BENCH_REDIS_PREFIX ?? 'ilbench');
else await parent();

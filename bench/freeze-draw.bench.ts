/**
 * Freeze + draw benchmark: one period of the Henan 2022 campaign with N verified registrations.
 *
 *   npm run build && npm run bench:freeze-draw                       # = --entries 1000000
 *   node dist/bench/freeze-draw.bench.js --entries 10000000 [--holders N] [--keep-db] [--reuse-db mysql://…/db]
 *
 * 1. Creates a scratch database `il_bench_fd_*` on the MariaDB of TEST_DATABASE_SERVER (default
 *    mysql://root@127.0.0.1:3306) and applies the migrations; Redis keys go under `ilbench:*` and are removed.
 * 2. Bulk-inserts N/3 consumers (or --holders) and N verified registrations of the period 2022-08 with
 *    multi-row INSERTs on 3 connections: invoice codes and numbers sequential, so the refs
 *    (SHA-256 of '<code>-<number>', computed here) are in random order relative to the row ids, as real
 *    registrations are; paid amounts log-uniform between 20 and 150,000 yuan.
 * 3. Runs the draw steps in a fresh child process, the way the worker runs them (the lifecycle service of
 *    DrawsCoreModule in a Nest application context, default Node flags): ensureCampaign, then times
 *    freezeDraw, runDraw and publishDraw, sampling RSS every 100 ms; reports VmHWM (peak RSS) of that process.
 * 4. Verifies the result: streams the entries file out of the database and runs verifyAuditBundle on it.
 * The scratch database is dropped at the end unless --keep-db.
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import type { DataSource } from 'typeorm';
import { CampaignLoader } from '../src/campaigns/campaign-loader.js';
import { CampaignsModule } from '../src/campaigns/campaigns.module.js';
import { loadConfig, type AppConfig } from '../src/core/config/config.schema.js';
import { CoreModule } from '../src/core/core.module.js';
import { dropDatabase } from '../src/core/database/ensure-database.js';
import { migrateDatabase } from '../src/core/database/migrate.js';
import { verifyAuditBundle } from '../src/draws/algorithm/index.js';
import { DrawLifecycleService } from '../src/draws/draw-lifecycle.service.js';
import { DrawsCoreModule } from '../src/draws/draws-core.module.js';
import { prng } from './support/prng.js';

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
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

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
  const frozen = await lifecycle.freezeDraw(DRAW_ID, progress('freeze'));
  const freezeMs = performance.now() - t;
  const peakRssFreezeBytes = peak;
  if (frozen.status !== 'frozen') throw new Error(`freeze ended ${frozen.status}: ${frozen.failureReason}`);
  peak = process.memoryUsage.rss();
  t = performance.now();
  const drawn = await lifecycle.runDraw(DRAW_ID, progress('draw'));
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


async function insertData(databaseUrl: string, entries: number, holders: number): Promise<{ consumersMs: number; invoicesMs: number }> {
  const pool = mysql.createPool({ uri: databaseUrl, connectionLimit: 3, multipleStatements: false, timezone: 'Z' });
  pool.on('connection', (c) => {
    // Bench data only: skip the FK lookups per row (the rows are consistent by construction).
    void c.query('SET foreign_key_checks = 0, unique_checks = 0');
  });
  try {
    const created = new Date('2022-07-01T00:00:00Z');
    let t = performance.now();
    const CONSUMER_ROWS = 5000;
    const consumerBatches: Array<() => Promise<unknown>> = [];
    for (let start = 0; start < holders; start += CONSUMER_ROWS) {
      const n = Math.min(CONSUMER_ROWS, holders - start);
      consumerBatches.push(() => {
        const rows: unknown[][] = [];
        for (let i = 0; i < n; i++) {
          const id = start + i + 1;
          rows.push([id, sha256(`bench-phone-${id}`), '139****0000', 'bench-not-encrypted', '张三', created, created]);
        }
        return pool.query(
          'INSERT INTO consumers (id, phone_hash, phone_masked, phone_encrypted, real_name, identity_verified_at, created_at) VALUES ?',
          [rows],
        );
      });
    }
    await runParallel(consumerBatches, 3, (done) => progressLine('consumers', done * CONSUMER_ROWS, holders));
    const consumersMs = performance.now() - t;

    t = performance.now();
    const INVOICE_ROWS = 4000;
    const random = prng(20220815);
    const invoiceBatches: Array<() => Promise<unknown>> = [];
    const registeredAt = new Date('2022-08-20T02:00:00Z');
    for (let start = 0; start < entries; start += INVOICE_ROWS) {
      const n = Math.min(INVOICE_ROWS, entries - start);
      // Draw the random numbers now (in order), so the data set is the same whatever the parallelism.
      const paid = Array.from({ length: n }, () => Math.round(2000 * Math.exp(random() * Math.log(150_000_00 / 2000))));
      const owners = Array.from({ length: n }, () => 1 + Math.floor(random() * holders));
      invoiceBatches.push(() => {
        const rows: unknown[][] = [];
        for (let i = 0; i < n; i++) {
          const k = start + i;
          const code = `04101220${String(Math.floor(k / 100_000_000) + 1000).slice(-4)}`;
          const number = String(k % 100_000_000).padStart(8, '0');
          rows.push([
            owners[i], 'henan-2022', '2022-08', '10', code, number, sha256(`${code}-${number}`), '2022-08-15', paid[i], 'typed',
            'verified', paid[i], 'total', registeredAt, '2022-08-20', '2022-08', registeredAt,
          ]);
        }
        return pool.query(
          `INSERT INTO invoices (consumer_id, campaign_id, period_key, invoice_type, invoice_code, invoice_number, ref, issue_date, amount_cents,
             source, status, paid_cents, matched_amount, registered_at, registered_on, registered_month, verified_at) VALUES ?`,
          [rows],
        );
      });
    }
    await runParallel(invoiceBatches, 3, (done) => progressLine('invoices', done * INVOICE_ROWS, entries));
    return { consumersMs, invoicesMs: performance.now() - t };
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

/** Runs the tasks on `parallel` lanes; a task that hits a deadlock (concurrent inserts into the same indexes) is run again. */
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

  let inserted = { consumersMs: 0, invoicesMs: 0 };
  if (!values['reuse-db']) {
    await migrateDatabase(databaseUrl);
    inserted = await insertData(databaseUrl, entries, holders);
    console.error(`data: consumers ${secs(inserted.consumersMs)}, invoices ${secs(inserted.invoicesMs)}`);
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
      `data insert (setup)      consumers ${secs(inserted.consumersMs)}, invoices ${secs(inserted.invoicesMs)}`,
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
    const redis = new Redis(config.REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    redis.disconnect();
  }
}

if (values.child) await child(values.child, process.env.BENCH_REDIS_PREFIX ?? 'ilbench');
else await parent();

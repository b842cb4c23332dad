/**
 * Registry feed import benchmark.
 *
 *   npm run build && npm run bench:registry            # = --rows 1000000
 *   node dist/bench/registry-import.bench.js --rows N [--batch-rows B] [--skip-reimport] [--skip-cli] [--keep-file]
 *
 * 1. Generates a realistic NDJSON export of N issued Henan invoices in os.tmpdir() (deterministic PRNG):
 *    electronic (10), paper (04) and fully digital (32) ordinary invoices of the 17 prefecture-level
 *    cities, amounts log-normal (median ~60 yuan), tax at 1-13 %, ~3 % of records flagged.
 * 2. Parse only: the file through the importer's line splitter and parseRegistryLine, no database.
 * 3. HTTP: starts the API in this process (ApiModule on a real socket, scratch database, own Redis prefix)
 *    and streams the file to POST /api/v1/registry/invoices with node:http; then (unless --skip-reimport)
 *    streams it again, when every line is an unchanged record.
 * 4. CLI: runs dist/src/registry/import.cli.js on the file as a child process against a second scratch
 *    database (startup included in the time).
 * 5. With --auto-entry: 30 % of the individual buyers' lines carry a buyerIdNumber from a pool of 20,000 people,
 *    5,000 of whom are opted-in verified consumers in the HTTP database; the service clock starts at
 *    2022-10-01 (so part of the feed is still inside the registration window), and after the HTTP import a
 *    worker (WorkerModule, in this process) runs the re-check job the import queued, which enters their
 *    invoices automatically: the time from the end of the import until the queue is idle is reported.
 * RSS is sampled every 100 ms (this process for HTTP, /proc/<pid>/status of the child for the CLI) and
 * reported at 10 %, 50 % and 100 % of the bytes sent/read, with the peak. The scratch databases and Redis
 * keys are removed at the end.
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, createReadStream, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { request } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { ApiModule } from '../src/app/api.module.js';
import { configureApiApp, createFastifyAdapter } from '../src/app/api-app.js';
import { loadConfig, type AppConfig } from '../src/core/config/config.schema.js';
import { dropDatabase } from '../src/core/database/ensure-database.js';
import { migrateDatabase } from '../src/core/database/migrate.js';
import { parseRegistryLine } from '../src/registry/domain/registry-record.js';
import { makeResidentId } from '../src/consumers/domain/resident-id.js';
import { PiiProtector } from '../src/core/crypto/pii.js';
import { maskIdNumber, maskPhone } from '../src/core/masking.js';
import { WorkerModule } from '../src/app/worker.module.js';
import { QueueService } from '../src/core/queue/queue.service.js';
import { QueueName } from '../src/core/queue/queue-names.js';
import { NdjsonLineSplitter } from '../src/registry/ndjson-lines.js';
import { MAX_LINE_BYTES } from '../src/registry/registry-importer.js';
import { prng } from './support/prng.js';
import { deleteKeysWithPrefix } from '../src/core/redis/redis.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    'batch-rows': { type: 'string' },
    'skip-reimport': { type: 'boolean', default: false },
    'skip-cli': { type: 'boolean', default: false },
    'keep-file': { type: 'boolean', default: false },
    'auto-entry': { type: 'boolean', default: false },
  },
});
const AUTO_ENTRY = values['auto-entry'];
const ID_POOL = 20_000;
const OPTED_IN = 5_000;
/** The pool of buyers' ID numbers (deterministic, valid check characters), the first OPTED_IN of them opted in. */
const idPool: string[] = AUTO_ENTRY
  ? Array.from({ length: ID_POOL }, (_, i) => {
      const birth = new Date(Date.UTC(1960, 0, 1) + (i % 15_000) * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
      return makeResidentId('410105', birth, String(100 + Math.floor(i / 15_000)));
    })
  : [];
const ROWS = Number(values.rows);
const BATCH_ROWS = values['batch-rows'] === undefined ? undefined : Number(values['batch-rows']);
if (!Number.isSafeInteger(ROWS) || ROWS < 1) {
  console.error('usage: --rows N (>=1) [--batch-rows B] [--skip-reimport] [--skip-cli] [--keep-file]');
  process.exit(2);
}

const MiB = 1 << 20;
const mib = (b: number): string => `${(b / MiB).toFixed(0)} MiB`;
const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const rate = (rows: number, ms: number): string => `${Math.round(rows / (ms / 1000)).toLocaleString('en-US')} rows/s`;

// ---------------------------------------------------------------------------------------------------
// 1. Data

const rnd = prng(20220701);
const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)];
function weighted<T>(entries: ReadonlyArray<readonly [T, number]>): () => T {
  const total = entries.reduce((s, [, w]) => s + w, 0);
  return () => {
    let r = rnd() * total;
    for (const [v, w] of entries) if ((r -= w) < 0) return v;
    return entries[entries.length - 1][0];
  };
}
function digits(n: number): string {
  let s = '';
  while (s.length < n) s += Math.floor(rnd() * 1e9).toString().padStart(9, '0');
  return s.slice(0, n);
}
function gaussian(): number {
  return Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}

const CITIES: ReadonlyArray<readonly [string, string, number]> = [
  ['4101', '郑州市', 30], ['4102', '开封市', 4], ['4103', '洛阳市', 10], ['4104', '平顶山市', 4], ['4105', '安阳市', 5],
  ['4106', '鹤壁市', 2], ['4107', '新乡市', 6], ['4108', '焦作市', 4], ['4109', '濮阳市', 3], ['4110', '许昌市', 4],
  ['4111', '漯河市', 3], ['4112', '三门峡市', 2], ['4113', '南阳市', 8], ['4114', '商丘市', 6], ['4115', '信阳市', 5],
  ['4116', '周口市', 6], ['4117', '驻马店市', 5],
];
const pickCity = weighted(CITIES.map((c) => [c, c[2]] as const));
const DISTRICTS = ['中原区', '金水区', '二七区', '管城回族区', '惠济区', '高新区', '经开区', '城关镇', '新区', '老城区'];
const WORDS = ['好运来', '万家福', '惠民', '百姓', '鑫源', '华联', '金鼎', '大众', '便民', '同仁', '福满多', '老街', '豫香', '中原'];
const KINDS = ['超市', '便利店', '餐饮店', '大药房', '加油站', '家电商场', '服装店', '烩面馆', '酒店', '书店'];
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '马', '朱', '胡', '郭', '何', '高', '林', '罗'];
const GIVEN = ['伟', '芳', '娜', '秀英', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀兰', '霞'];
const ALNUM = '0123456789ABCDEFGHJKLMNPQRTUWXY';

interface Seller {
  taxId: string;
  name: string;
  region: string;
}
const SELLERS: Seller[] = Array.from({ length: 20_000 }, () => {
  const [region, city] = pickCity();
  let id = '91' + region + '00';
  for (let i = 0; i < 10; i++) id += ALNUM[Math.floor(rnd() * ALNUM.length)];
  return { taxId: id, name: `${city}${pick(DISTRICTS)}${pick(WORDS)}${pick(KINDS)}`, region };
});
const pickType = weighted([['10', 65], ['04', 20], ['32', 15]] as const);
const pickRate = weighted([[0.01, 30], [0.03, 25], [0.06, 15], [0.09, 5], [0.13, 25]] as const);
const FLAG_DRAW: ReadonlyArray<readonly [string, number]> = [
  ['voided', 0.012], ['red', 0.008], ['proxy', 0.005], ['sellerAbnormal', 0.003], ['purchase', 0.001], ['fixed', 0.001],
];
/** Per (region, invoice kind): the current code and the next number in it. */
const codeState = new Map<string, { code: string; next: number }>();
let digitalSeq = 0;
const START_DAY = Date.UTC(2022, 6, 1);

function invoiceLine(): string {
  const seller = pick(SELLERS);
  const invoiceType = pickType();
  let invoiceCode = '';
  let invoiceNumber: string;
  if (invoiceType === '32') {
    invoiceNumber = `22412${String(++digitalSeq).padStart(15, '0')}`;
  } else {
    const key = seller.region + invoiceType;
    let state = codeState.get(key);
    if (!state || state.next > 99_999_999) {
      const batch = String(codeState.size + Math.floor(rnd() * 100)).padStart(3, '0').slice(-3);
      state = { code: `0${seller.region}22${batch}${invoiceType === '10' ? '11' : '04'}`, next: 1 + Math.floor(rnd() * 1000) };
      // Restarting a (region, kind) after 10^8 numbers would need a new batch; never reached at bench sizes.
      codeState.set(key, state);
    }
    invoiceCode = state.code;
    invoiceNumber = String(state.next++).padStart(8, '0');
  }
  // Log-normal amount, median ~60 yuan, long tail; 1 yuan .. 50,000 yuan.
  const amountCents = Math.min(5_000_000, Math.max(100, Math.round(6000 * Math.exp(1.1 * gaussian()))));
  const taxCents = Math.round(amountCents * pickRate());
  const issueDate = new Date(START_DAY + Math.floor(rnd() * 184) * 86_400_000).toISOString().slice(0, 10);
  const organization = rnd() < 0.03;
  const buyerName = organization ? `河南${pick(WORDS)}商贸有限公司` : rnd() < 0.3 ? pick(SURNAMES) + pick(GIVEN) : null;
  const flags: string[] = [];
  for (const [flag, p] of FLAG_DRAW) if (rnd() < p) flags.push(flag);
  const buyerIdNumber = AUTO_ENTRY && !organization && rnd() < 0.3 ? idPool[Math.floor(rnd() * ID_POOL)] : undefined;
  return JSON.stringify({
    invoiceType,
    invoiceCode,
    invoiceNumber,
    issueDate,
    amountCents,
    taxCents,
    totalCents: amountCents + taxCents,
    checkCode: invoiceType === '32' ? null : digits(20),
    sellerTaxId: seller.taxId,
    sellerName: seller.name,
    buyerType: organization ? 'organization' : 'individual',
    buyerName,
    ...(buyerIdNumber ? { buyerIdNumber } : {}),
    flags,
  });
}

function generateFile(path: string): { bytes: number; ms: number; flagged: number } {
  const t0 = performance.now();
  const fd = openSync(path, 'w');
  let flagged = 0;
  try {
    let lines: string[] = [];
    for (let i = 0; i < ROWS; i++) {
      const l = invoiceLine();
      if (!l.endsWith('"flags":[]}')) flagged++;
      lines.push(l);
      if (lines.length === 10_000) {
        writeSync(fd, lines.join('\n') + '\n');
        lines = [];
      }
    }
    if (lines.length) writeSync(fd, lines.join('\n') + '\n');
  } finally {
    closeSync(fd);
  }
  return { bytes: statSync(path).size, ms: performance.now() - t0, flagged };
}

// ---------------------------------------------------------------------------------------------------
// RSS sampling

interface Sample {
  fraction: number;
  rss: number;
}
class RssSampler {
  readonly samples: Sample[] = [];
  private timer: NodeJS.Timeout;
  constructor(read: () => number | null, fraction: () => number) {
    this.timer = setInterval(() => {
      const rss = read();
      if (rss !== null) this.samples.push({ fraction: fraction(), rss });
    }, 100);
  }
  stop(): { at10: number; at50: number; at100: number; peak: number; n: number } {
    clearInterval(this.timer);
    const at = (f: number) => (this.samples.find((s) => s.fraction >= f) ?? this.samples[this.samples.length - 1])?.rss ?? 0;
    return { at10: at(0.1), at50: at(0.5), at100: at(1), peak: Math.max(0, ...this.samples.map((s) => s.rss)), n: this.samples.length };
  }
}
function childRss(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------
// 2-4. The runs

function scratchConfig(tag: string, key: string): AppConfig {
  const id = `${tag}_${process.pid}_${randomBytes(3).toString('hex')}`;
  const server = process.env.BENCH_DATABASE_SERVER ?? 'mysql://root@127.0.0.1:3306';
  return loadConfig({
    NODE_ENV: 'development',
    DATABASE_URL: `${server}/il_bench_${id}`,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0',
    REDIS_PREFIX: `ilbench:${id}`,
    REGISTRY_API_KEY: key,
    LOG_LEVEL: 'error',
    ...(AUTO_ENTRY ? { CLOCK_START: '2022-10-01T10:00:00+08:00' } : {}),
  });
}

/** OPTED_IN verified consumers who opted in to automatic entry, holding the first ids of the pool. */
async function insertOptedInConsumers(config: AppConfig, db: DataSource): Promise<void> {
  const pii = new PiiProtector(config.PII_KEY);
  for (let start = 0; start < OPTED_IN; start += 1000) {
    const rows: unknown[] = [];
    for (let i = start; i < Math.min(OPTED_IN, start + 1000); i++) {
      const phone = `139${String(i).padStart(8, '0')}`;
      rows.push(pii.lookupHash('phone', phone), maskPhone(phone), pii.encrypt(phone), '张三', pii.lookupHash('identity', idPool[i]), maskIdNumber(idPool[i]), new Date('2022-07-01T00:00:00Z'), 'http', 1, new Date('2022-07-01T00:00:00Z'));
    }
    await db.query(
      `INSERT INTO consumers (phone_hash, phone_masked, phone_encrypted, real_name, id_number_hash, id_number_masked, identity_verified_at, identity_method, auto_entry, created_at)
       VALUES ${new Array(rows.length / 10).fill('(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(',')}`,
      rows,
    );
  }
}

async function cleanUp(config: AppConfig): Promise<void> {
  await dropDatabase(config.DATABASE_URL);
  await deleteKeysWithPrefix(config.REDIS_URL, config.REDIS_PREFIX);
}

async function countRows(app: NestFastifyApplication): Promise<number> {
  const [{ n }] = await app.get(DataSource).query('SELECT COUNT(*) AS n FROM registry_invoices');
  return Number(n);
}

function parseOnly(path: string): Promise<{ ms: number; valid: number; rejected: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let valid = 0;
    let rejected = 0;
    const splitter = new NdjsonLineSplitter(MAX_LINE_BYTES, {
      line: (text) => (parseRegistryLine(text).ok ? valid++ : rejected++),
      tooLong: () => rejected++,
    });
    createReadStream(path, { highWaterMark: MiB })
      .on('data', (c) => splitter.push(c as Buffer))
      .on('end', () => {
        splitter.end();
        resolve({ ms: performance.now() - t0, valid, rejected });
      })
      .on('error', reject);
  });
}

async function postFile(baseUrl: string, key: string, path: string, size: number, sampler: (fraction: () => number) => RssSampler) {
  const file = createReadStream(path, { highWaterMark: MiB });
  const rss = sampler(() => file.bytesRead / size);
  const t0 = performance.now();
  const body = await new Promise<string>((resolve, reject) => {
    const req = request(
      `${baseUrl}/api/v1/registry/invoices`,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/x-ndjson', 'content-length': size, authorization: `Bearer ${key}` } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`HTTP ${res.statusCode}: ${text}`))));
      },
    );
    req.on('error', reject);
    file.pipe(req);
  });
  const ms = performance.now() - t0;
  return { ms, summary: JSON.parse(body) as { lines: number; accepted: number; updated: number; unchanged: number; rejectedCount: number }, rss: rss.stop() };
}

async function runCli(config: AppConfig, path: string) {
  const args = ['dist/src/registry/import.cli.js', path];
  if (BATCH_ROWS) args.push('--batch-rows', String(BATCH_ROWS));
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: config.DATABASE_URL, REDIS_URL: config.REDIS_URL, REDIS_PREFIX: config.REDIS_PREFIX, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let fraction = 0;
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d;
    for (const m of d.toString().matchAll(/(\d+)% \|/g)) fraction = Number(m[1]) / 100;
  });
  const rss = new RssSampler(() => childRss(child.pid!), () => fraction);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const ms = performance.now() - t0;
  const stats = rss.stop();
  if (code !== 0) throw new Error(`CLI exited ${code}:\n${stderr}\n${stdout}`);
  return { ms, summary: JSON.parse(stdout) as { accepted: number; rejectedCount: number }, rss: stats };
}

function rssLine(r: { at10: number; at50: number; at100: number; peak: number; n: number }): string {
  return `RSS at 10% ${mib(r.at10)}, 50% ${mib(r.at50)}, 100% ${mib(r.at100)}; peak ${mib(r.peak)} (${r.n} samples, 100 ms)`;
}

// ---------------------------------------------------------------------------------------------------

const path = join(tmpdir(), `registry-bench-${process.pid}.ndjson`);
console.log(`machine: ${cpus().length} CPUs (${cpus()[0]?.model}), node ${process.version}; rows ${ROWS.toLocaleString('en-US')}, batch ${BATCH_ROWS ?? 'default'}`);
const gen = generateFile(path);
console.log(`generate: ${mib(gen.bytes)} (${Math.round(gen.bytes / ROWS)} bytes/line), ${gen.flagged} flagged (${((100 * gen.flagged) / ROWS).toFixed(1)} %), ${secs(gen.ms)}`);

const parsed = await parseOnly(path);
console.log(`parse only (splitter + parseRegistryLine, no database): ${secs(parsed.ms)}, ${rate(ROWS, parsed.ms)}, ${parsed.valid} valid, ${parsed.rejected} rejected`);

const key = randomBytes(24).toString('hex');
const httpConfig = scratchConfig('http', key);
const cliConfig = scratchConfig('cli', key);
try {
  await migrateDatabase(httpConfig.DATABASE_URL);
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(httpConfig), createFastifyAdapter(httpConfig), { logger: ['error'] });
  await configureApiApp(app);
  await app.listen(0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  try {
    const selfSampler = (fraction: () => number) => new RssSampler(() => process.memoryUsage.rss(), fraction);
    console.log(`HTTP: API in this process, baseline RSS ${mib(process.memoryUsage.rss())}`);
    if (AUTO_ENTRY) await insertOptedInConsumers(httpConfig, app.get(DataSource));
    const first = await postFile(baseUrl, key, path, gen.bytes, selfSampler);
    const stored = await countRows(app);
    console.log(`HTTP import (all new): ${secs(first.ms)}, ${rate(ROWS, first.ms)}; accepted ${first.summary.accepted}, rejected ${first.summary.rejectedCount}, rows in table ${stored}`);
    console.log(`  ${rssLine(first.rss)}`);
    if (first.summary.accepted !== ROWS || stored !== ROWS) throw new Error('HTTP import did not store every row');
    if (AUTO_ENTRY) {
      const t0 = performance.now();
      const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(httpConfig), { logger: ['error'] });
      try {
        const queue = worker.get(QueueService).queue(QueueName.registry);
        for (;;) {
          await new Promise((r) => setTimeout(r, 200));
          const counts = await queue.getJobCounts('waiting', 'active', 'prioritized');
          if (counts.waiting + counts.active + counts.prioritized === 0) break;
        }
      } finally {
        await worker.close();
      }
      const ms = performance.now() - t0;
      const db = app.get(DataSource);
      const [{ candidates }] = await db.query(
        `SELECT COUNT(*) AS candidates FROM registry_invoices r JOIN consumers c ON c.id_number_hash = r.buyer_id_hash AND c.auto_entry = 1`,
      );
      const [{ entered }] = await db.query(`SELECT COUNT(*) AS entered FROM invoices WHERE source = 'auto'`);
      console.log(
        `automatic entry after the import (worker start-up included): ${secs(ms)}; ${entered} invoices entered of ${candidates} records issued to opted-in buyers (the others: outside the registration window, period closed, issued in the future, excluded)`,
      );
    }
    if (!values['skip-reimport']) {
      const again = await postFile(baseUrl, key, path, gen.bytes, selfSampler);
      console.log(`HTTP re-import (all unchanged): ${secs(again.ms)}, ${rate(ROWS, again.ms)}; unchanged ${again.summary.unchanged}, updated ${again.summary.updated}`);
      console.log(`  ${rssLine(again.rss)}`);
    }
  } finally {
    await app.close();
  }

  if (!values['skip-cli']) {
    await migrateDatabase(cliConfig.DATABASE_URL);
    const cli = await runCli(cliConfig, path);
    console.log(`CLI import (all new, process start-up included): ${secs(cli.ms)}, ${rate(ROWS, cli.ms)}; accepted ${cli.summary.accepted}, rejected ${cli.summary.rejectedCount}`);
    console.log(`  child ${rssLine(cli.rss)}`);
  }
} finally {
  await cleanUp(httpConfig).catch((e: Error) => console.error(`cleanup: ${e.message}`));
  await cleanUp(cliConfig).catch((e: Error) => console.error(`cleanup: ${e.message}`));
  if (!values['keep-file']) unlinkSync(path);
  else console.log(`file kept: ${path}`);
}

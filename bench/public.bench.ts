/**
 * Public API benchmark: the cached winner list and the invoice check under load.
 *
 *   npm run build && npm run bench:public
 *   node dist/bench/public.bench.js [--invoices 100000] [--consumers 20000] [--connections 64] [--duration 15]
 *
 * 1. Scratch database (il_bench_pub_*) and Redis prefix (ilbench:pub:*): N consumers and M verified
 *    invoices of period 2022-08 of the Henan 2022 campaign, written with multi-row INSERTs (deterministic
 *    PRNG; amounts log-normal, median ~60 yuan; 17 cities + fully digital numbers).
 * 2. The draw lifecycle in this process (freeze, draw, publish: 5 + 50 + 1,000 prizes and 100 alternates).
 * 3. The API as a child process (`node dist/src/main.api.js`, one Node process, exactly as deployed) with
 *    PUBLIC_RATE_LIMIT_PER_MINUTE raised so one client address is not refused; the rate limiter still runs
 *    (one Redis call per request).
 *    The project's verifier (`npm run verify`) is run once on the served audit bundle and entries file.
 * 4. autocannon from this process against 127.0.0.1, one run per scenario, reporting req/s and latency
 *    percentiles. Everything is removed at the end.
 */
import 'reflect-metadata';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import autocannon from 'autocannon';
import { DataSource } from 'typeorm';
import { ApiModule } from '../src/app/api.module.js';
import { CampaignCatalog } from '../src/campaigns/campaign-catalog.js';
import { loadConfig } from '../src/core/config/config.schema.js';
import { dataSourceOptions } from '../src/core/database/data-source-options.js';
import { dropDatabase } from '../src/core/database/ensure-database.js';
import { migrateDatabase } from '../src/core/database/migrate.js';
import { invoiceRef } from '../src/draws/algorithm/index.js';
import { DrawLifecycleService } from '../src/draws/draw-lifecycle.service.js';
import { prng } from './support/prng.js';
import { deleteKeysWithPrefix } from '../src/core/redis/redis.js';
import { scratchNames, startApiProcess } from './support/processes.js';

const { values } = parseArgs({
  options: {
    invoices: { type: 'string', default: '100000' },
    consumers: { type: 'string', default: '20000' },
    connections: { type: 'string', default: '64' },
    duration: { type: 'string', default: '15' },
    /** 2: also start a second API process and run each cached scenario through one and through both in turn. */
    apis: { type: 'string', default: '1' },
  },
});
const APIS = Number(values.apis);
const INVOICES = Number(values.invoices);
const CONSUMERS = Number(values.consumers);
const CONNECTIONS = Number(values.connections);
const DURATION = Number(values.duration);
if (![INVOICES, CONSUMERS, CONNECTIONS, DURATION].every((n) => Number.isSafeInteger(n) && n > 0) || ![1, 2].includes(APIS)) {
  console.error('usage: [--invoices N] [--consumers N] [--connections C] [--duration SECONDS] [--apis 1|2]');
  process.exit(2);
}

const DRAW = 'henan-2022-2022-08';
const { runId: id, env: scratch } = scratchNames('pub');
const env = {
  NODE_ENV: 'development',
  ...scratch,
  LOG_LEVEL: 'warn',
  PUBLIC_RATE_LIMIT_PER_MINUTE: '10000000',
};
const config = loadConfig(env);


const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '马', '朱', '胡', '郭', '何', '高', '林', '欧阳', '司马'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀英', '霞', '平', '刚', '桂英'];
const CITIES = ['4101', '4101', '4101', '4102', '4103', '4103', '4104', '4105', '4106', '4107', '4108', '4109', '4110', '4111', '4112', '4113', '4114', '4115', '4116', '4117'];

interface Seeded {
  code: string;
  number: string;
}

async function seed(db: DataSource): Promise<Seeded[]> {
  const rnd = prng(20220808);
  const now = new Date('2022-08-20T02:00:00Z');
  const insert = async (table: string, columns: string[], rows: unknown[][]) => {
    for (let i = 0; i < rows.length; i += 2000) {
      const batch = rows.slice(i, i + 2000);
      const tuple = `(${columns.map(() => '?').join(',')})`;
      await db.query(`INSERT INTO ${table} (${columns.join(',')}) VALUES ${batch.map(() => tuple).join(',')}`, batch.flat());
    }
  };
  const consumers: unknown[][] = [];
  for (let i = 1; i <= CONSUMERS; i++) {
    const name = SURNAMES[Math.floor(rnd() * SURNAMES.length)] + GIVEN[Math.floor(rnd() * GIVEN.length)] + (rnd() < 0.5 ? GIVEN[Math.floor(rnd() * GIVEN.length)] : '');
    const hash = createHash('sha256').update(`bench-phone-${id}-${i}`).digest('hex');
    consumers.push([i, hash, '139****0000', 'not-a-real-ciphertext', name, null, '4101**********0000', now, now]);
  }
  await insert('consumers', ['id', 'phone_hash', 'phone_masked', 'phone_encrypted', 'real_name', 'id_number_hash', 'id_number_masked', 'identity_verified_at', 'created_at'], consumers);

  const invoices: unknown[][] = [];
  const seeded: Seeded[] = [];
  for (let i = 0; i < INVOICES; i++) {
    const digital = rnd() < 0.15;
    const code = digital ? '' : `0${CITIES[Math.floor(rnd() * CITIES.length)]}2200111`;
    const number = digital ? `22412000${String(100_000_000_000 + i).slice(-12)}` : String(10_000_000 + i);
    // Log-normal amount, median ~60 yuan, clamped to 20 yuan .. 50,000 yuan.
    const u = Math.max(1e-12, rnd());
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
    const cents = Math.min(5_000_000, Math.max(2_000, Math.round(Math.exp(Math.log(6_000) + 1.1 * z))));
    const consumer = 1 + Math.floor(rnd() * CONSUMERS);
    invoices.push([consumer, 'henan-2022', '2022-08', digital ? '32' : '10', code, number, invoiceRef(code, number), '2022-08-10', cents, null, 'typed', 'verified', cents, 'total', now, '2022-08-20', '2022-08', now]);
    seeded.push({ code, number });
  }
  await insert(
    'invoices',
    ['consumer_id', 'campaign_id', 'period_key', 'invoice_type', 'invoice_code', 'invoice_number', 'ref', 'issue_date', 'amount_cents', 'check_code', 'source', 'status', 'paid_cents', 'matched_amount', 'registered_at', 'registered_on', 'registered_month', 'verified_at'],
    invoices,
  );
  return seeded;
}

interface Scenario {
  name: string;
  paths: string[];
}

/** utime + stime of a process in milliseconds (Linux /proc; clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function run(base: string, s: Scenario, apiPid: number) {
  let i = 0;
  const cpuBefore = cpuMs(apiPid);
  const result = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: DURATION,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: s.paths[i++ % s.paths.length] }) }],
  });
  const apiCpu = cpuMs(apiPid) - cpuBefore;
  return {
    scenario: s.name,
    'API CPU µs/req': Math.round((apiCpu * 1000) / Math.max(1, result.requests.total)),
    'req/s (avg)': Math.round(result.requests.average).toLocaleString('en-US'),
    'p50 ms': result.latency.p50,
    'p99 ms': result.latency.p99,
    requests: result.requests.total.toLocaleString('en-US'),
    'non-2xx': result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/**
 * Each scenario through one API process (all connections) and through two (half the connections each),
 * in turn, two rounds each, alternating which goes first; req/s summed over the processes.
 */
async function compareProcesses(bases: string[], pids: number[], scenarios: Scenario[]) {
  const load = async (targets: string[], s: Scenario) => {
    let i = 0;
    const cpuBefore = pids.map(cpuMs);
    const results = await Promise.all(
      targets.map((url) =>
        autocannon({ url, connections: CONNECTIONS / targets.length, duration: DURATION, requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: s.paths[i++ % s.paths.length] }) }] }),
      ),
    );
    const total = results.reduce((n, r) => n + r.requests.total, 0);
    const cpu = pids.map(cpuMs).reduce((n, c, k) => n + c - cpuBefore[k], 0);
    return { rps: total / DURATION, cpuUs: (cpu * 1000) / Math.max(1, total), bad: results.reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0) };
  };
  console.log('\n| scenario | one process: req/s (by round) | two processes: req/s (by round) | ratio two / one | API CPU per request one / two | non-2xx + errors |\n| --- | --- | --- | --- | --- | --- |');
  for (const s of scenarios) {
    const one: Array<Awaited<ReturnType<typeof load>>> = [];
    const two: Array<Awaited<ReturnType<typeof load>>> = [];
    for (let round = 0; round < 2; round++) {
      if (round % 2 === 0) {
        one.push(await load(bases.slice(0, 1), s));
        two.push(await load(bases, s));
      } else {
        two.push(await load(bases, s));
        one.push(await load(bases.slice(0, 1), s));
      }
    }
    const avg = (xs: Array<{ rps: number }>) => xs.reduce((n, x) => n + x.rps, 0) / xs.length;
    const cpu = (xs: Array<{ cpuUs: number }>) => Math.round(xs.reduce((n, x) => n + x.cpuUs, 0) / xs.length);
    const by = (xs: Array<{ rps: number }>) => xs.map((x) => Math.round(x.rps).toLocaleString('en-US')).join(' / ');
    console.log(
      `| ${s.name} | ${Math.round(avg(one)).toLocaleString('en-US')} (${by(one)}) | ${Math.round(avg(two)).toLocaleString('en-US')} (${by(two)}) | ${(avg(two) / avg(one)).toFixed(2)} | ${cpu(one)} / ${cpu(two)} µs | ${[...one, ...two].reduce((n, x) => n + x.bad, 0)} |`,
    );
  }
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

async function main() {
  console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`public API benchmark: ${INVOICES.toLocaleString('en-US')} invoices of ${CONSUMERS.toLocaleString('en-US')} consumers; autocannon ${CONNECTIONS} connections x ${DURATION} s; ${cpus().length} CPUs, Node ${process.version}`);
  await migrateDatabase(config.DATABASE_URL);
  let child: ChildProcess | undefined;
  try {
    const db = new DataSource(dataSourceOptions(config.DATABASE_URL));
    await db.initialize();
    let t = Date.now();
    const seeded = await seed(db);
    console.log(`seeded in ${((Date.now() - t) / 1000).toFixed(1)} s`);

    t = Date.now();
    const app = await NestFactory.createApplicationContext(ApiModule.forRoot(config), { logger: ['error', 'warn'] });
    const lifecycle = app.get(DrawLifecycleService);
    await lifecycle.ensureCampaign(app.get(CampaignCatalog).get('henan-2022')!);
    await lifecycle.freezeDraw(DRAW);
    await lifecycle.runDraw(DRAW);
    await lifecycle.publishDraw(DRAW);
    await app.close();
    console.log(`freeze + draw + publish in ${((Date.now() - t) / 1000).toFixed(1)} s`);

    const winners: Array<{ invoice_code: string; invoice_number: string }> = await db.query(
      `SELECT i.invoice_code, i.invoice_number FROM prizes p JOIN invoices i ON i.id = p.invoice_id WHERE p.draw_id = ? ORDER BY p.id LIMIT 1`,
      [DRAW],
    );
    await db.destroy();

    const started = await startApiProcess(env, { stdio: ['ignore', 'inherit', 'inherit'] });
    child = started.child;
    const base = started.base;

    const winnersPath = `/api/v1/public/draws/${DRAW}/winners`;
    const first = await fetch(base + winnersPath);
    const second = await fetch(base + winnersPath);
    const page = (await second.json()) as { total: number; items: unknown[] };
    console.log(`winners: ${page.total} in the list, ${page.items.length} a page; X-Cache ${first.headers.get('x-cache')} then ${second.headers.get('x-cache')}`);
    const w = winners[0];
    const check = (s: Seeded) => `/api/v1/public/check?invoiceCode=${s.code}&invoiceNumber=${s.number}`;
    const winnerCheck = check({ code: w.invoice_code, number: w.invoice_number });
    console.log(`check of a winning invoice: ${JSON.stringify(await (await fetch(base + winnerCheck)).json())}`);

    // The page's verification command, against the served files.
    const verifyStart = Date.now();
    const verify = spawnSync(
      process.execPath,
      ['dist/src/draws/verify.cli.js', '--bundle', `${base}/api/v1/public/draws/${DRAW}/audit`, '--entries', `${base}/api/v1/public/draws/${DRAW}/entries`],
      { encoding: 'utf8' },
    );
    console.log(`verify CLI on the served audit bundle and entries file: ${verify.stdout.trim()} (exit ${verify.status}, ${((Date.now() - verifyStart) / 1000).toFixed(1)} s)`);
    if (verify.status !== 0) throw new Error(`verify failed: ${verify.stdout}${verify.stderr}`);

    const tierPages = Array.from({ length: 50 }, (_, i) => `${winnersPath}?tier=3&page=${i + 1}`);
    const scenarios: Scenario[] = [
      { name: 'winners, page 1 (cached)', paths: [winnersPath] },
      { name: 'winners, 50 pages of tier 3 in turn (cached)', paths: tierPages },
      { name: 'check, one winning invoice (cached)', paths: [winnerCheck] },
      { name: `check, ${INVOICES.toLocaleString('en-US')} distinct invoices in turn (first look: cache misses)`, paths: seeded.map(check) },
      { name: 'draw detail (cached)', paths: [`/api/v1/public/draws/${DRAW}`] },
    ];
    if (APIS === 2) {
      const { child: child2, base: base2 } = await startApiProcess(env, { stdio: ['ignore', 'inherit', 'inherit'] });
      try {
        await compareProcesses([base, base2], [child.pid!, child2.pid!], scenarios.filter((x) => x.name.includes('(cached)')));
      } finally {
        child2.kill('SIGTERM');
        await new Promise((r) => child2.once('exit', r));
      }
      return;
    }
    const rows = [];
    for (const s of scenarios) {
      console.log(`running: ${s.name}`);
      rows.push(await run(base, s, child.pid!));
    }
    console.table(rows);
    console.log(`\nload average after the runs: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log('\n| scenario | req/s | p50 | p99 | API CPU per request | requests | non-2xx | errors |\n| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const r of rows)
      console.log(`| ${r.scenario} | ${r['req/s (avg)']} | ${r['p50 ms']} ms | ${r['p99 ms']} ms | ${r['API CPU µs/req']} µs | ${r.requests} | ${r['non-2xx']} | ${r.errors} |`);
  } finally {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
    }
    await dropDatabase(config.DATABASE_URL);
    await deleteKeysWithPrefix(env.REDIS_URL, env.REDIS_PREFIX);
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);

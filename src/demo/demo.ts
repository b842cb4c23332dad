/**
 * `npm run demo`: the whole 2022 campaign and the 2026 Zhuzhou campaign in a few minutes, through the real queue and worker.
 *
 *   npm run demo -- [--database-url mysql://user@host:3306/db] [--reset] [--consumers 10000] [--invoices 200000]
 *                   [--seed demo-2022] [--port 3100] [--exit]
 *
 * 1. Database: by default a scratch database `<DATABASE_URL's name>_demo` on the same server, dropped and
 *    created afresh; with --database-url a given one, which must hold no consumers or registrations unless
 *    --reset (then its data tables are emptied; staff accounts stay). Migrations are applied. Redis keys go
 *    under `<REDIS_PREFIX>-demo` (cleared first). Refused with NODE_ENV=production.
 * 2. Loads the demo data set (seeds/demo-data.ts, as `npm run seed:demo` does).
 * 3. Starts the API (HTTP on --port) and the worker in this process, both on one simulated clock that moves
 *    only when the demo says so (the service clock of each app is pointed at it), then runs the campaign's
 *    periods in order: clock to the period's freeze time -> tick -> the worker freezes; clock to its draw
 *    time -> tick -> the worker draws and publishes. The last period is drawn early through the two-person
 *    rule instead (an operator requests with a beacon, an auditor approves).
 * 4. Then the 2026 campaign next to it (config/campaigns/zhuzhou-2026.json, src/demo/zhuzhou-demo.ts): 数电
 *    invoices issued to its consumers by their exact names, amounts across the bands, registered through the
 *    API in each half month; those of ¥100–1,000 get their instant outcome in the answer (the instant-draw
 *    day committed before it opens, published after it closes); each half month's two periodic pool draws
 *    (¥1,000–5,000, ¥5,000+) freeze, draw and publish through the tick and the worker.
 * 5. Verifies every draw from the public API's audit bundle and entries file and every instant-draw day from
 *    its commitment, log and bundle, prints where to look and how
 *    to verify by hand, and keeps serving until Ctrl-C (or exits at once with --exit).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { seedDemoData } from '../../seeds/demo-data.js';
import { configureApiApp, createFastifyAdapter } from '../app/api-app.js';
import { ApiModule } from '../app/api.module.js';
import { createLogger } from '../app/logger.js';
import { WorkerModule } from '../app/worker.module.js';
import { CampaignCatalog } from '../campaigns/campaign-catalog.js';
import { periodsOf } from '../campaigns/periods.js';
import { Clock, ManualClock } from '../core/clock/clock.js';
import { databaseNameOf, loadConfigOrExit, type AppConfig } from '../core/config/config.schema.js';
import { PiiProtector } from '../core/crypto/pii.js';
import { dataSourceOptions } from '../core/database/data-source-options.js';
import { dropDatabase } from '../core/database/ensure-database.js';
import { migrateDatabase } from '../core/database/migrate.js';
import { verifyAuditBundle, verifyInstantDay } from '../draws/algorithm/index.js';
import { InstantDrawService } from '../instant/instant-draw.service.js';
import { DrawTickService } from '../draws/draw-tick.service.js';
import { StaffService } from '../staff/staff.service.js';
import { deleteKeysWithPrefix } from '../core/redis/redis.js';
import { runZhuzhouDemo } from './zhuzhou-demo.js';

const USAGE = `usage: npm run demo -- [--database-url mysql://user@host:port/db] [--reset] [--consumers N] [--invoices N]
                     [--seed TEXT] [--port N] [--exit]`;

const { values: args } = (() => {
  try {
    return parseArgs({
      options: {
        'database-url': { type: 'string' },
        reset: { type: 'boolean', default: false },
        consumers: { type: 'string', default: '10000' },
        invoices: { type: 'string', default: '200000' },
        seed: { type: 'string', default: 'demo-2022' },
        port: { type: 'string', default: process.env.DEMO_PORT ?? '3100' },
        exit: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
})();
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

const count = (name: string, text: string, min: number): number => {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min) {
    console.error(`--${name} must be an integer >= ${min}\n${USAGE}`);
    process.exit(2);
  }
  return n;
};
const consumers = count('consumers', args.consumers, 1);
const invoices = count('invoices', args.invoices, 0);
const port = count('port', args.port, 1);

const DEMO_STAFF = {
  operator: { username: 'demo.operator', password: 'demo-operator-password' },
  auditor: { username: 'demo.auditor', password: 'demo-auditor-password' },
};
const say = (line = '') => process.stdout.write(`${line}\n`);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

// ---------------------------------------------------------------------------------------------------
// Configuration: a scratch (or given) database, an own Redis prefix, a clock parked at the campaign start.

const base = loadConfigOrExit();
if (base.NODE_ENV === 'production') {
  console.error('Refusing to run the demo with NODE_ENV=production.');
  process.exit(2);
}
const scratch = args['database-url'] === undefined;
const demoUrl = (() => {
  if (!scratch) return args['database-url'] as string;
  const url = new URL(base.DATABASE_URL);
  url.pathname = `/${databaseNameOf(base.DATABASE_URL)}_demo`.slice(0, 65);
  return url.toString();
})();
// Until the demo points the apps' clocks at its own, they stand (nearly) still at the campaign start, so the
// worker's start-up tick finds nothing due.
const config: AppConfig = loadConfigOrExit({
  ...process.env,
  DATABASE_URL: demoUrl,
  REDIS_PREFIX: `${base.REDIS_PREFIX}-demo`.slice(0, 64),
  CLOCK_START: '2022-07-15T00:00:00+08:00',
  CLOCK_RATE: '0.000001',
  PORT: String(port),
});
const shownUrl = (() => {
  const u = new URL(demoUrl);
  if (u.password) u.password = '***';
  return u.toString();
})();

const clock = new ManualClock('2022-07-15T00:00:00+08:00');
/** Points an app's service clock at the demo clock (every service holds that one Clock instance). */
function useDemoClock(app: INestApplicationContext): void {
  const serviceClock = app.get(Clock, { strict: false });
  Object.defineProperty(serviceClock, 'now', { value: () => clock.now(), configurable: true });
}

async function clearRedis(): Promise<void> {
  await deleteKeysWithPrefix(config, config.REDIS_PREFIX);
}

async function prepareDatabase(): Promise<void> {
  if (scratch) await dropDatabase(demoUrl);
  await migrateDatabase(demoUrl);
  if (scratch) return;
  const ds = new DataSource(dataSourceOptions(demoUrl));
  await ds.initialize();
  try {
    const [{ n }] = await ds.query(`SELECT (SELECT COUNT(*) FROM consumers) + (SELECT COUNT(*) FROM invoices) AS n`);
    if (Number(n) === 0) return;
    if (!args.reset) {
      console.error(`${shownUrl} already holds consumers or registrations: run with --reset to empty its data tables first.`);
      process.exit(2);
    }
    const tables: Array<{ name: string }> = await ds.query(
      `SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'`,
    );
    const runner = ds.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SET FOREIGN_KEY_CHECKS = 0');
      for (const { name } of tables) if (!['schema_migrations', 'staff_accounts'].includes(name)) await runner.query(`TRUNCATE TABLE \`${name}\``);
    } finally {
      await runner.query('SET FOREIGN_KEY_CHECKS = 1').catch(() => undefined);
      await runner.release();
    }
  } finally {
    await ds.destroy();
  }
}

async function waitForStatus(ds: DataSource, drawId: string, statuses: string[], timeoutMs = 30 * 60_000): Promise<Record<string, any>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await ds.query(`SELECT status, failure_reason, entry_count, total_tickets FROM draws WHERE id = ?`, [drawId]);
    if (row?.status === 'failed') throw new Error(`draw ${drawId} failed: ${row.failure_reason}`);
    if (row && statuses.includes(row.status)) return row;
    if (Date.now() > until) throw new Error(`draw ${drawId} is still ${row?.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function http(baseUrl: string, method: string, path: string, body?: unknown, token?: string): Promise<any> {
  const response = await fetch(baseUrl + path, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function main(): Promise<void> {
  const logger = createLogger({ ...config, LOG_LEVEL: 'warn' }, 'demo');
  const started = performance.now();
  say(`Invoice lottery demo: the Henan 2022 and Zhuzhou 2026 campaigns on a simulated clock`);
  say(`  database ${shownUrl}${scratch ? ' (scratch, created afresh)' : ''}; Redis prefix ${config.REDIS_PREFIX}`);
  await clearRedis();
  await prepareDatabase();

  // The demo data set.
  say(`Loading the demo data set: ${consumers} consumers, ${invoices} invoices (seed ${JSON.stringify(args.seed)}) ...`);
  const seeding = new DataSource(dataSourceOptions(demoUrl));
  await seeding.initialize();
  const catalog = new CampaignCatalog(config);
  const campaign = catalog.get('henan-2022');
  if (!campaign) throw new Error(`No campaign henan-2022 in ${config.CAMPAIGNS_DIR}`);
  let t = performance.now();
  const summary = await seedDemoData(seeding, new PiiProtector(config.PII_KEY), { consumers, invoices, seed: args.seed, campaign });
  await seeding.destroy();
  say(`  ${summary.registrations} registrations (${summary.byStatus.verified} verified, ${summary.byStatus.pending} pending, ${summary.byStatus.revoked} revoked) in ${secs(performance.now() - t)}`);

  // The API and the worker, on the demo clock.
  const api = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config), createFastifyAdapter(config), { logger });
  useDemoClock(api);
  await configureApiApp(api);
  await api.listen(port, config.HOST);
  // Only the worker holds the instant-draw key (the API refuses one): a fresh key for this run.
  const workerConfig = { ...config, INSTANT_SECRET_KEY: config.INSTANT_SECRET_KEY ?? randomBytes(32).toString('hex') };
  const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(workerConfig), { logger });
  useDemoClock(worker);
  const local = `http://127.0.0.1:${port}`;
  const shown = `http://localhost:${port}`;
  const ds = worker.get<DataSource>(getDataSourceToken());
  const tick = worker.get(DrawTickService);

  const staff = api.get(StaffService);
  for (const s of [
    { ...DEMO_STAFF.operator, roles: ['operator' as const] },
    { ...DEMO_STAFF.auditor, roles: ['auditor' as const] },
  ]) {
    try {
      await staff.create({ id: 0, username: 'demo-setup' }, s.username, s.password, s.roles);
    } catch {
      // exists from an earlier run on a given database
    }
  }

  const periods = periodsOf(campaign);
  say('');
  say('period    entries     tickets          pending left out  winners  alternates  freeze   draw');
  for (const [index, period] of periods.entries()) {
    const drawId = `${campaign.id}-${period.key}`;
    clock.set(period.freezeAt);
    t = performance.now();
    await tick.tick();
    const frozen = await waitForStatus(ds, drawId, ['frozen', 'drawn', 'published']);
    const freezeMs = performance.now() - t;
    const last = index === periods.length - 1;
    t = performance.now();
    if (last) {
      // The two-person rule: an operator asks for the draw now with a public beacon; an auditor approves.
      clock.set(new Date(period.freezeAt.getTime() + 3 * 3600_000));
      const operator = await staff.login(DEMO_STAFF.operator.username, DEMO_STAFF.operator.password);
      const auditor = await staff.login(DEMO_STAFF.auditor.username, DEMO_STAFF.auditor.password);
      const request = await http(local, 'POST', `/api/v1/admin/draws/${drawId}/draw-requests`, { beacon: 'demo-beacon:ssq-2023003:05,11,17,22,28,30+07' }, operator);
      await http(local, 'POST', `/api/v1/admin/draws/${drawId}/draw-requests/${request.id}/approve`, undefined, auditor);
    } else {
      clock.set(period.drawAt);
      await tick.tick();
    }
    await waitForStatus(ds, drawId, ['published']);
    const drawMs = performance.now() - t;
    const [picks] = await ds.query(
      `SELECT SUM(kind = 'winner') AS winners, SUM(kind = 'alternate') AS alternates FROM draw_picks WHERE draw_id = ?`,
      [drawId],
    );
    const [frozenLog] = await ds.query(`SELECT details FROM draw_audit_log WHERE draw_id = ? AND action = 'frozen'`, [drawId]);
    const pending = frozenLog ? (JSON.parse(frozenLog.details).pendingExcluded ?? 0) : 0;
    say(
      `${period.key}   ${String(frozen.entry_count).padStart(8)}  ${String(frozen.total_tickets).padStart(14)}  ${String(pending).padStart(17)}  ` +
        `${String(Number(picks.winners ?? 0)).padStart(7)}  ${String(Number(picks.alternates ?? 0)).padStart(10)}  ${secs(freezeMs).padStart(6)}  ${secs(drawMs).padStart(6)}` +
        (last ? '  (two-person request with a beacon)' : ''),
    );
  }
  const [ended] = await ds.query(`SELECT ended_at FROM campaigns WHERE id = ?`, [campaign.id]);
  say(`Campaign ${campaign.id} ended at ${ended?.ended_at ? new Date(ended.ended_at).toISOString() : '(not ended?)'} (simulated time); demo took ${secs(performance.now() - started)}.`);

  // The 2026 campaign: half months, periodic pools by amount band.
  const zhuzhou = catalog.get('zhuzhou-2026');
  const zhuzhouDrawIds: string[] = [];
  const instantDayIds: string[] = [];
  if (zhuzhou) {
    say('');
    say(`${zhuzhou.name} (${zhuzhou.id}): 数电 invoices issued to the consumer by name, periodic draws by amount band`);
    t = performance.now();
    const instantDraws = worker.get(InstantDrawService);
    const run = await runZhuzhouDemo(
      zhuzhou,
      api,
      local,
      clock,
      async (at, draws, until) => {
        clock.set(at);
        await tick.tick();
        for (const d of draws) await waitForStatus(ds, d.id, until === 'frozen' ? ['frozen', 'drawn', 'published'] : ['published']);
      },
      async (at) => {
        clock.set(at);
        await instantDraws.runDue(at);
      },
    );
    const refused = Object.entries(run.registered.refused).map(([code, n]) => `${n} ${code}`).join(', ');
    say(`  ${run.registered.verified} registrations verified${refused ? `, refused: ${refused}` : ''} (invoices of ¥100–1,000 are in the instant pool only: no periodic draw)`);
    say('  draw                                  pool                     entries  tickets  winners');
    for (const d of run.draws) {
      zhuzhouDrawIds.push(d.draw.id);
      say(`  ${d.draw.id.padEnd(38)}${d.draw.poolName.padEnd(18)}${String(d.entries).padStart(9)}${String(d.tickets).padStart(9)}${String(d.winners).padStart(9)}`);
    }
    say('  instant-draw day                        entries  prizes (shown in the registration answers)');
    for (const d of run.instantDays) {
      instantDayIds.push(d.dayId);
      const prizes = Object.entries(d.prizesByTier).map(([tier, n]) => `${n} × ${tier}`).join(', ') || 'none';
      say(`  ${d.dayId.padEnd(38)}${String(d.entries).padStart(9)}  ${prizes}${d.notEntered ? ` (${d.notEntered} not entered)` : ''}`);
    }
    say(`  in ${secs(performance.now() - t)}`);
  }

  // Verify every draw from the public files.
  say('');
  say('Verifying every draw from the public audit bundle and entries file (ILD-1):');
  for (const drawId of [...periods.map((period) => `${campaign.id}-${period.key}`), ...zhuzhouDrawIds]) {
    const bundleRes = await fetch(`${local}/api/v1/public/draws/${drawId}/audit`);
    const entriesRes = await fetch(`${local}/api/v1/public/draws/${drawId}/entries`);
    if (!bundleRes.ok || !entriesRes.ok || !entriesRes.body) {
      say(`  ${drawId}: public API answered ${bundleRes.status}/${entriesRes.status}: not verified`);
      continue;
    }
    const result = await verifyAuditBundle(await bundleRes.json(), Readable.fromWeb(entriesRes.body as unknown as WebReadableStream<Uint8Array>));
    say(`  ${drawId}: ${result.ok ? 'MATCH' : `MISMATCH: ${result.difference}`}`);
  }

  if (instantDayIds.length) {
    say('Verifying every instant-draw day from its public commitment, log and bundle (ILI-1):');
    for (const dayId of instantDayIds) {
      const base = `${local}/api/v1/public/instant-days/${encodeURIComponent(dayId)}`;
      const [commitment, log, bundle] = await Promise.all([fetch(`${base}/commitment`), fetch(`${base}/log`), fetch(`${base}/bundle`)]);
      if (!commitment.ok || !log.ok || !bundle.ok) {
        say(`  ${dayId}: public API answered ${commitment.status}/${log.status}/${bundle.status}: not verified`);
        continue;
      }
      const result = verifyInstantDay(await commitment.json(), await bundle.json(), await log.text());
      say(`  ${dayId}: ${result.ok ? 'MATCH' : `MISMATCH: ${result.difference}`}`);
    }
  }

  const example = `${campaign.id}-${periods[0].key}`;
  say('');
  say('Where to look (the demo keeps serving; the clock stays at the end of the campaign):');
  say(`  public page            ${shown}/`);
  say(`  public API             ${shown}/api/v1/public/campaigns  ·  ${shown}/api/v1/public/campaigns/${campaign.id}/draws`);
  say(`                         ${shown}/api/v1/public/draws/${example}  ·  …/winners  ·  …/audit  ·  …/entries`);
  if (zhuzhouDrawIds.length) say(`  2026 campaign          ${shown}/?campaign=zhuzhou-2026  ·  ${shown}/api/v1/public/draws/${zhuzhouDrawIds[0]}`);
  const instantExample = instantDayIds[0];
  if (instantExample) say(`  instant-draw day       ${shown}/instant-days/${instantExample}  (在浏览器中验证)  ·  ${shown}/api/v1/public/instant-days/${instantExample}`);
  say(`  OpenAPI                ${shown}/api/docs`);
  say(`  staff API              POST ${shown}/api/v1/admin/auth/login {"username":"${DEMO_STAFF.operator.username}","password":"${DEMO_STAFF.operator.password}"}`);
  say(`                         then GET ${shown}/api/v1/admin/draws/${example} and …/audit-log with the token (auditor: ${DEMO_STAFF.auditor.username} / ${DEMO_STAFF.auditor.password})`);
  say(`  queues (Bull Board)    ${shown}/admin/queues (sign in as ${DEMO_STAFF.operator.username})`);
  say('');
  say('Verify a draw yourself:');
  say('  npm run build');
  say(`  npm run verify -- --bundle ${shown}/api/v1/public/draws/${example}/audit \\`);
  say(`                    --entries ${shown}/api/v1/public/draws/${example}/entries`);
  if (instantExample) {
    const day = `${shown}/api/v1/public/instant-days/${instantExample}`;
    say(`  npm run verify -- --instant-day ${day}/bundle --log ${day}/log --commitment ${day}/commitment`);
  }

  const close = async () => {
    await worker.close();
    await api.close();
  };
  if (args.exit) {
    await close();
    return;
  }
  say('');
  say('Serving until Ctrl-C.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await close();
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`demo failed: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);

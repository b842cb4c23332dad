/**
 * `npm run seed:demo -- [--consumers 10000] [--invoices 200000] [--seed demo-2022] [--database-url mysql://…]
 *   [--reset] [--registered-share 0.85] [--pending-share 0.02] [--revoked-share 0.005] [--batch-rows 2000]`
 *
 * Writes the demo data set (seeds/demo-data.ts) into DATABASE_URL (or --database-url): creates the database
 * and applies the migrations first, refuses to run when the data tables already hold rows unless --reset
 * (which empties them: every table but schema_migrations and staff_accounts, and campaigns and draws only when a
 * draw has frozen or run: scheduled draws are configuration, see CAMPAIGN_TABLES), refuses to run with
 * NODE_ENV=production. The campaign is henan-2022 from CAMPAIGNS_DIR. A progress bar goes to stderr, the
 * summary as JSON to stdout. Exit status: 0 done, 1 failed, 2 bad usage or refused.
 */
import 'reflect-metadata';
import { Presets, SingleBar } from 'cli-progress';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { loadCampaignDirectory } from '../src/campaigns/campaign-catalog.js';
import { ConfigError, loadConfig, type AppConfig } from '../src/core/config/config.schema.js';
import { PiiProtector } from '../src/core/crypto/pii.js';
import { dataSourceOptions } from '../src/core/database/data-source-options.js';
import { migrateDatabase } from '../src/core/database/migrate.js';
import { HENAN_2022_CAMPAIGN_ID } from './campaigns/henan-2022.js';
import { seedDemoData } from './demo-data.js';

const USAGE = `usage: npm run seed:demo -- [--consumers N] [--invoices N] [--seed TEXT] [--database-url mysql://user@host:port/db]
                         [--reset] [--registered-share F] [--pending-share F] [--revoked-share F] [--batch-rows N]`;

/** Never emptied: the schema history and the staff accounts. */
const KEPT_TABLES = new Set(['schema_migrations', 'staff_accounts']);
/**
 * Loaded from the campaign files (the worker records each campaign and schedules one draw per period at
 * start-up): not data as long as every draw is still `scheduled`, so they neither block the seeding nor are
 * emptied by --reset. Once a draw has frozen or run, they are data derived from the registrations and are
 * emptied with them (the worker reloads them when it next starts).
 */
const CAMPAIGN_TABLES = new Set(['campaigns', 'draws']);

function usage(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function parseCommandLine() {
  try {
    return parseArgs({
      options: {
        consumers: { type: 'string', default: '10000' },
        invoices: { type: 'string', default: '200000' },
        seed: { type: 'string', default: 'demo-2022' },
        'database-url': { type: 'string' },
        reset: { type: 'boolean', default: false },
        'registered-share': { type: 'string' },
        'pending-share': { type: 'string' },
        'revoked-share': { type: 'string' },
        'batch-rows': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    usage((error as Error).message);
  }
}

function integer(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) usage(`--${name} must be an integer from ${min} to ${max}.`);
  return n;
}

function share(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) usage(`--${name} must be a number from 0 to 1.`);
  return n;
}

const args = parseCommandLine();
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const consumers = integer('consumers', args.consumers, 1, 10_000_000);
const invoices = integer('invoices', args.invoices, 0, 50_000_000);
const batchRows = args['batch-rows'] === undefined ? undefined : integer('batch-rows', args['batch-rows'], 1, 5000);
const registeredShare = share('registered-share', args['registered-share']);
const pendingShare = share('pending-share', args['pending-share']);
const revokedShare = share('revoked-share', args['revoked-share']);

let config: AppConfig;
try {
  config = loadConfig(args['database-url'] === undefined ? process.env : { ...process.env, DATABASE_URL: args['database-url'] });
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
if (config.NODE_ENV === 'production') usage('Refusing to write demo data with NODE_ENV=production.');

const campaign = loadCampaignDirectory(config.CAMPAIGNS_DIR).find((c) => c.id === HENAN_2022_CAMPAIGN_ID);
if (!campaign) {
  console.error(`No campaign ${HENAN_2022_CAMPAIGN_ID} in ${config.CAMPAIGNS_DIR}`);
  process.exit(1);
}

const started = performance.now();
const database = new URL(config.DATABASE_URL);
database.password = database.password ? '***' : '';
console.error(`Database ${database.toString()}`);
await migrateDatabase(config.DATABASE_URL);
const dataSource = new DataSource(dataSourceOptions(config.DATABASE_URL));
await dataSource.initialize();

/**
 * Every base table but KEPT_TABLES with its row count, and whether it holds data: rows, except in
 * CAMPAIGN_TABLES while every draw is only scheduled.
 */
async function dataTables(): Promise<Array<{ table: string; rows: number; data: boolean }>> {
  const tables: Array<{ name: string }> = await dataSource.query(
    `SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`,
  );
  const result: Array<{ table: string; rows: number; data: boolean }> = [];
  for (const { name } of tables) {
    if (KEPT_TABLES.has(name)) continue;
    const [{ n }] = await dataSource.query(`SELECT COUNT(*) AS n FROM \`${name}\``);
    result.push({ table: name, rows: Number(n), data: Number(n) > 0 && !CAMPAIGN_TABLES.has(name) });
  }
  const draws = result.find((t) => t.table === 'draws');
  if (draws && draws.rows > 0) {
    const [{ n }] = await dataSource.query(`SELECT COUNT(*) AS n FROM draws WHERE status <> 'scheduled'`);
    if (Number(n) > 0) for (const t of result) if (CAMPAIGN_TABLES.has(t.table) && t.rows > 0) t.data = true;
  }
  return result;
}

/** Empties the tables on one connection with foreign key checks off (TRUNCATE also resets AUTO_INCREMENT). */
async function truncate(tables: string[]): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SET FOREIGN_KEY_CHECKS = 0');
    for (const table of tables) await runner.query(`TRUNCATE TABLE \`${table}\``);
  } finally {
    await runner.query('SET FOREIGN_KEY_CHECKS = 1').catch(() => undefined);
    await runner.release();
  }
}

const bar = new SingleBar(
  {
    stream: process.stderr,
    format: 'seed:demo |{bar}| {percentage}% | {value}/{total} rows | {duration_formatted} | ETA {eta_formatted}',
    hideCursor: true,
    noTTYOutput: true,
    notTTYSchedule: 2000,
    etaBuffer: 20,
  },
  Presets.shades_classic,
);
let barStarted = false;
try {
  const tables = await dataTables();
  const filled = tables.filter((t) => t.data);
  if (filled.length) {
    if (!args.reset) {
      console.error(
        `The database already holds data (${filled.map((t) => `${t.table}: ${t.rows}`).join(', ')}).\n` +
          'Run again with --reset to empty the data tables first (the schema and the staff accounts stay).',
      );
      process.exitCode = 2;
    } else {
      console.error(`--reset: emptying ${filled.map((t) => t.table).join(', ')}`);
      // Campaign records and scheduled draws stay unless a draw had already frozen or run.
      await truncate(tables.filter((t) => !CAMPAIGN_TABLES.has(t.table) || t.data).map((t) => t.table));
      if (filled.some((t) => CAMPAIGN_TABLES.has(t.table)))
        console.error('The campaigns and their draws were emptied too: the worker reloads them (one scheduled draw a period) when it next starts.');
    }
  }
  if (process.exitCode !== 2) {
    console.error(`Generating ${consumers} consumers and ${invoices} invoices (seed ${JSON.stringify(args.seed)})`);
    const summary = await seedDemoData(dataSource, new PiiProtector(config.PII_KEY), {
      consumers,
      invoices,
      seed: args.seed,
      registeredShare,
      pendingShare,
      revokedShare,
      campaign,
      batchRows,
      onProgress: (done, total) => {
        if (!barStarted) {
          bar.start(total, done);
          barStarted = true;
        } else bar.update(done);
      },
    });
    if (barStarted) bar.stop();
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    console.error(`Done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
} catch (error) {
  if (barStarted) bar.stop();
  console.error(`seed:demo failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await dataSource.destroy();
}

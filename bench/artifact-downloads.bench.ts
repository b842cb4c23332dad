/**
 * Entries-file downloads benchmark: C concurrent downloads of a 1 M-entry entries file served as an
 * immutable artifact.
 *
 *   npm run build && npm run bench:downloads [-- --entries 1000000 --concurrency 50]
 *
 * 1. A scratch database (il_bench_dl_*, migrated, otherwise empty: a download reads no database) and a
 *    scratch artifact directory; a synthetic entries file of N entries in canonical order (valid ILD-1
 *    lines) stored in it through DirectoryArtifactStore.putOnce with its gzip and brotli copies, under the
 *    key the API looks up for draw henan-2022-2022-08.
 * 2. The API as a child process (`node dist/src/main.api.js`, exactly as deployed).
 * 3. For each stored representation (identity, gzip; brotli only for small artifacts): C downloads at once over C connections from this
 *    process, each read to the end and hashed (identity) or counted; reports wall time, throughput and the
 *    API process's CPU time (utime + stime from /proc) per download.
 */
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest, Agent } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/core/config/config.schema.js';
import { DirectoryArtifactStore } from '../src/core/artifacts/directory-artifact-store.js';
import { dropDatabase } from '../src/core/database/ensure-database.js';
import { migrateDatabase } from '../src/core/database/migrate.js';
import { deleteKeysWithPrefix } from '../src/core/redis/redis.js';
import { scratchNames, startApiProcess } from './support/processes.js';
import { ENTRIES_HEADER } from '../src/draws/algorithm/index.js';

const { values } = parseArgs({ options: { entries: { type: 'string', default: '1000000' }, concurrency: { type: 'string', default: '50' } } });
const N = Number(values.entries);
const C = Number(values.concurrency);
const DRAW = 'henan-2022-2022-08';
const { runId: id, env: scratch } = scratchNames('dl');
const dir = mkdtempSync(join(tmpdir(), 'il-bench-dl-'));
const env = {
  NODE_ENV: 'development',
  ...scratch,
  LOG_LEVEL: 'warn',
  PUBLIC_RATE_LIMIT_PER_MINUTE: '10000000',
  ARTIFACTS_DIR: dir,
};
const config = loadConfig(env);
const TICK = 100; // USER_HZ

/** Synthetic entries in canonical order: random SHA-256-like refs, sorted (they compress like real ones), 16-hex holders, 1..10000 tickets. */
function* entriesFile(n: number): Generator<string> {
  yield ENTRIES_HEADER;
  const pool = randomBytes(32 * n);
  const refs = Array.from({ length: n }, (_, i) => pool.toString('hex', 32 * i, 32 * i + 32)).sort();
  const holders = randomBytes(8 * n).toString('hex');
  let chunk = '';
  for (let i = 0; i < n; i++) {
    chunk += `${refs[i]},${holders.slice(16 * i, 16 * i + 16)},${1 + Math.floor(Math.random() * 10000)}\n`;
    if (chunk.length > 1 << 16) {
      yield chunk;
      chunk = '';
    }
  }
  yield chunk;
}

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
}

function download(base: string, agent: Agent, encoding: string): Promise<{ bytes: number; sha256: string; status: number }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}/api/v1/public/draws/${DRAW}/entries`, { agent, headers: encoding === 'identity' ? {} : { 'accept-encoding': encoding } }, (res) => {
      const hash = createHash('sha256');
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        hash.update(c);
      });
      res.on('end', () => resolve({ bytes, sha256: hash.digest('hex'), status: res.statusCode! }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<void> {
  let child: ChildProcess | undefined;
  try {
    await migrateDatabase(config.DATABASE_URL);
    const store = new DirectoryArtifactStore(dir);
    const t0 = Date.now();
    const info = await store.putOnce(`il_bench_dl_${id}/draws/${DRAW}/entries.csv`, entriesFile(N), {
      contentType: 'text/csv; charset=utf-8',
      precompress: true,
      meta: { entryCount: String(N), totalTickets: '0' },
    });
    const mib = (b: number) => b / (1 << 20);
    console.log(
      `artifact: ${N.toLocaleString('en-US')} entries, ${mib(info.sizes.identity).toFixed(1)} MiB (gzip ${mib(info.sizes.gzip!).toFixed(1)} MiB${info.sizes.br ? `, br ${mib(info.sizes.br).toFixed(1)} MiB` : ''}), generated and stored in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    const started = await startApiProcess(env, { stdio: ['ignore', 'inherit', 'inherit'] });
    child = started.child;
    const base = started.base;
    const rows: string[] = [];
    for (const encoding of (['identity', 'br', 'gzip'] as const).filter((e) => info.sizes[e] !== undefined)) {
      const agent = new Agent({ keepAlive: true, maxSockets: C });
      await download(base, agent, encoding); // warm-up (JIT, page cache)
      const before = cpuTicks(child.pid!);
      const start = process.hrtime.bigint();
      const results = await Promise.all(Array.from({ length: C }, () => download(base, agent, encoding)));
      const wall = Number(process.hrtime.bigint() - start) / 1e9;
      const cpu = (cpuTicks(child.pid!) - before) / TICK;
      agent.destroy();
      if (results.some((r) => r.status !== 200)) throw new Error(`${encoding}: statuses ${[...new Set(results.map((r) => r.status))].join(',')}`);
      if (encoding === 'identity' && results.some((r) => r.sha256 !== info.sha256)) throw new Error('identity download does not hash to the artifact digest');
      const total = results.reduce((s, r) => s + r.bytes, 0);
      rows.push(
        `| ${encoding} | ${C} | ${mib(results[0].bytes).toFixed(1)} MiB | ${wall.toFixed(2)} s | ${(mib(total) / wall).toFixed(0)} MiB/s on the wire (${((C * mib(info.sizes.identity)) / wall).toFixed(0)} MiB/s of entries file) | ${((cpu * 1000) / C).toFixed(0)} ms |`,
      );
    }
    console.log(`\nmachine: ${cpus().length} × ${cpus()[0].model}, load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log('\n| representation | concurrent downloads | size each | wall time for all | throughput | API CPU per download |\n| --- | --- | --- | --- | --- | --- |');
    for (const r of rows) console.log(r);
  } finally {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
    }
    await dropDatabase(config.DATABASE_URL);
    await deleteKeysWithPrefix(env.REDIS_URL, env.REDIS_PREFIX);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);

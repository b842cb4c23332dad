/**
 * Browser vs CLI verification benchmark: the same 1 M-entry draw verified by `npm run verify` and by the
 * public page's 在浏览器中验证 (dist/web/verify/app.js + dist/web/verify-worker/app.js) in Debian's Chromium.
 *
 *   npm run build && npm run bench:verify-browser [-- --entries 1000000 --runs 3]
 *
 * 1. A synthetic draw: N entries in canonical order (ascending refs from a 256-bit counter, holders from a
 *    pool of N/3, 1..10000 tickets) written as an ILD-1 entries file, drawn with the Henan tiers (5 + 50 +
 *    1,000 prizes, 100 alternates, win limit 1) and a random secret; its audit bundle.
 * 2. A small HTTP server in this process serving the two files (identity, as the API's artifacts without
 *    compression) and a page holding the verifier's section with the bundled scripts.
 * 3. Timed, alternately, `runs` times each: the CLI on the files (`node dist/src/draws/verify.cli.js`), the
 *    CLI on the URLs, and the page (click → MATCH shown), wall clock. Reports the medians and the ratio.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { buildAuditBundle, deriveSeed, EntriesDigest, EntryTableBuilder, generateSecret, runDraw } from '../src/draws/algorithm/index.js';

const { values } = parseArgs({ options: { entries: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '3' } } });
const N = Number(values.entries);
const RUNS = Number(values.runs);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const DRAW = 'henan-2022-2022-08';
const dir = mkdtempSync(join(tmpdir(), 'il-bench-verify-'));
const entriesPath = join(dir, 'entries.csv');
const bundlePath = join(dir, 'audit.json');

async function makeDraw(): Promise<{ seed: string }> {
  const out = createWriteStream(entriesPath);
  const digest = new EntriesDigest();
  const builder = new EntryTableBuilder();
  const holders = Array.from({ length: Math.max(1, Math.floor(N / 3)) }, () => randomBytes(8).toString('hex'));
  let ref = BigInt(`0x${randomBytes(30).toString('hex')}`);
  let chunk = 'ref,holder,tickets\n';
  for (let i = 0; i < N; i++) {
    ref += BigInt(1 + Math.floor(Math.random() * 2 ** 32));
    const r = ref.toString(16).padStart(64, '0');
    const h = holders[Math.floor(Math.random() * holders.length)];
    const t = 1 + Math.floor(Math.random() * 10000);
    chunk += digest.addEntry(r, h, t);
    builder.add(r, h, t);
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((res) => out.once('drain', () => res()));
      chunk = '';
    }
  }
  out.end(chunk);
  await new Promise<void>((res) => out.once('finish', () => res()));
  const entriesDigest = digest.digest();
  const secret = generateSecret();
  const tiers = [
    { tier: 1, name: '一等奖', count: 5, prizeCents: 1_000_000 },
    { tier: 2, name: '二等奖', count: 50, prizeCents: 100_000 },
    { tier: 3, name: '三等奖', count: 1000, prizeCents: 10_000 },
  ];
  const seed = deriveSeed({ drawId: DRAW, entriesDigest, secret, beacon: '' });
  const result = runDraw({ drawId: DRAW, table: builder.build(), tiers, winLimitPerHolder: 1, alternateCount: 100, seed });
  const bundle = buildAuditBundle({
    campaignId: 'henan-2022',
    drawId: DRAW,
    entryCount: digest.entryCount,
    totalTickets: digest.totalTickets,
    entriesDigest,
    secret,
    beacon: '',
    tiers,
    winLimitPerHolder: 1,
    alternateCount: 100,
    result,
  });
  writeFileSync(bundlePath, JSON.stringify(bundle));
  return { seed };
}

const PAGE = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><script type="module" src="verify.js"></script></head><body>
<section id="verify" hidden data-bundle-url="audit.json" data-entries-url="entries.csv" data-worker-url="verify-worker.js">
<button type="button" id="verify-start">在浏览器中验证</button>
<input id="verify-bundle-file" type="file"><input id="verify-entries-file" type="file"><button type="button" id="verify-files">验证所选文件</button>
<progress id="verify-bar" max="1" hidden></progress><p id="verify-status"></p><div id="verify-result"></div></section></body></html>`;

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const t0 = Date.now();
  await makeDraw();
  const size = statSync(entriesPath).size;
  console.log(`draw: ${N.toLocaleString('en-US')} entries, entries file ${(size / (1 << 20)).toFixed(1)} MiB, made in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const bundles = join(process.cwd(), 'dist/web');
  const server = createServer((req, res) => {
    const files: Record<string, [string, string]> = {
      '/entries.csv': [entriesPath, 'text/csv; charset=utf-8'],
      '/audit.json': [bundlePath, 'application/json; charset=utf-8'],
      '/verify.js': [join(bundles, 'verify/app.js'), 'text/javascript; charset=utf-8'],
      '/verify-worker.js': [join(bundles, 'verify-worker/app.js'), 'text/javascript; charset=utf-8'],
    };
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(PAGE);
      return;
    }
    const file = files[req.url ?? ''];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file[1], 'content-length': String(statSync(file[0]).size), 'cache-control': 'no-store' });
    createReadStream(file[0], { highWaterMark: 1 << 16 }).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  const times = { cliFile: [] as number[], cliUrl: [] as number[], browser: [] as number[] };
  try {
    // Asynchronous: the CLI fetches from the server in this process, whose event loop must keep running.
    const cli = async (bundle: string, entries: string): Promise<number> => {
      const start = process.hrtime.bigint();
      const child = spawn(process.execPath, ['dist/src/draws/verify.cli.js', '--bundle', bundle, '--entries', entries], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      const status = await new Promise<number | null>((r) => child.once('exit', r));
      if (status !== 0 || out.trim() !== 'MATCH') throw new Error(`CLI: ${status} ${out}`);
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    for (let i = 0; i < RUNS; i++) {
      times.cliFile.push(await cli(bundlePath, entriesPath));
      times.cliUrl.push(await cli(`${base}/audit.json`, `${base}/entries.csv`));
      const page = await browser.newPage();
      await page.goto(`${base}/`);
      await page.waitForSelector('#verify:not([hidden])');
      const start = process.hrtime.bigint();
      await page.click('#verify-start');
      await page.waitForSelector('#verify-result [data-verdict]', { timeout: 600_000 });
      times.browser.push(Number(process.hrtime.bigint() - start) / 1e6);
      const verdict = await page.getAttribute('#verify-result [data-verdict]', 'data-verdict');
      if (verdict !== 'MATCH') throw new Error(`browser: ${verdict} ${await page.textContent('#verify-result')}`);
      await page.close();
      console.log(`run ${i + 1}: CLI (files) ${times.cliFile[i].toFixed(0)} ms, CLI (URLs) ${times.cliUrl[i].toFixed(0)} ms, browser ${times.browser[i].toFixed(0)} ms`);
    }
  } finally {
    await browser.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const chromiumVersion = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`\nmachine: ${cpus().length} × ${cpus()[0].model}; Node ${process.version}; ${chromiumVersion}`);
  console.log(`\n| verifier (${N.toLocaleString('en-US')} entries, ${(size / (1 << 20)).toFixed(0)} MiB, median of ${RUNS}) | time | vs CLI on files |\n| --- | --- | --- |`);
  const ref = median(times.cliFile);
  for (const [name, xs] of [
    ['`npm run verify` on the files', times.cliFile],
    ['`npm run verify` on the URLs (same local server)', times.cliUrl],
    ['在浏览器中验证 (Chromium, Web Worker, streamed from the same server)', times.browser],
  ] as const)
    console.log(`| ${name} | ${(median(xs) / 1000).toFixed(2)} s | ${(median(xs) / ref).toFixed(2)}× |`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);

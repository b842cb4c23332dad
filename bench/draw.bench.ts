/**
 * ILD-1 draw benchmark.
 *
 *   npm run build && npm run bench:draw -- --entries 10000000 --prizes 10000 [--holders N] [--no-file]
 *
 * 1. Builds an EntryTable of synthetic entries in canonical order through EntryTableBuilder.add()
 *    (hex strings, as the worker gets them): refs come from a 256-bit counter started at a random
 *    value and incremented by a random gap in [1, 2^32), so they are strictly ascending without
 *    hashing or sorting; holders are drawn from a pool of pseudo-random 64-bit ids; tickets are
 *    min(10000, floor(amount / 100)) for a log-uniform amount between 20 and 150,000 yuan.
 * 2. Runs the draw (Fenwick tree + holder index + all picks) with Henan-shaped tiers scaled to
 *    --prizes picks in total (5 / 50 / rest, 100 of them alternates), win limit 1.
 * 3. Unless --no-file: writes the same entries as an entries file in os.tmpdir() through
 *    EntriesDigest (the worker's one-pass write+digest), reads it back with readEntriesFile
 *    (parse + digest + table), and compares with a plain SHA-256 of the file and `sha256sum`.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, openSync, closeSync, writeSync, unlinkSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  DrawSampler,
  EntriesDigest,
  ENTRIES_HEADER,
  EntryTableBuilder,
  createDrawRng,
  readEntriesFile,
  runDraw,
  type DrawTier,
  type EntryTable,
} from '../src/draws/algorithm/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: '10000000' },
    prizes: { type: 'string', default: '10000' },
    holders: { type: 'string' },
    'no-file': { type: 'boolean', default: false },
  },
});
const N = Number(values.entries);
const K = Number(values.prizes);
const H = values.holders ? Number(values.holders) : Math.max(1, Math.ceil(N / 3));
if (!Number.isSafeInteger(N) || N < 1 || !Number.isSafeInteger(K) || K < 160 || !Number.isSafeInteger(H) || H < 1) {
  console.error('usage: --entries N (>=1) --prizes K (>=160) [--holders H] [--no-file]');
  process.exit(2);
}

const MiB = 1 << 20;
const mb = (b: number): string => `${(b / MiB).toFixed(0)} MiB`;
const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const now = (): number => performance.now();
function mem(label: string): Record<string, string> {
  const m = process.memoryUsage();
  const peak = process.resourceUsage().maxRSS * 1024;
  const row = { label, rss: mb(m.rss), heapUsed: mb(m.heapUsed), arrayBuffers: mb(m.arrayBuffers), external: mb(m.external), peakRss: mb(peak) };
  console.log(`  memory ${label}: rss ${row.rss}, heapUsed ${row.heapUsed}, arrayBuffers ${row.arrayBuffers}, peak rss so far ${row.peakRss}`);
  return row;
}

/** xorshift128+ style generator on 32-bit halves (fast, deterministic; only for synthetic data). */
function fastRng(seed: number): () => number {
  let a = seed | 0 || 1;
  let b = 0x9e3779b9;
  let c = 0x243f6a88;
  let d = 0xb7e15162;
  return () => {
    const t = a ^ (a << 11);
    a = b;
    b = c;
    c = d;
    d = (d ^ (d >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
    return d;
  };
}
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}
const hex8 = (v: number): string => v.toString(16).padStart(8, '0');

/** Generates the synthetic entries in canonical order and hands each one to `sink`. */
function generate(seed: number, sink: (ref: string, holder: string, tickets: number) => void): void {
  const rnd = fastRng(seed);
  const counter = Buffer.alloc(32);
  randomBytesInto(counter, seed);
  counter.fill(0, 0, 4); // headroom: 2^224 is far beyond N * 2^32
  for (let i = 0; i < N; i++) {
    // counter += gap, gap in [1, 2^32)
    let carry = (rnd() >>> 0) || 1;
    for (let off = 28; off >= 0 && carry > 0; off -= 4) {
      const v = counter.readUInt32BE(off) + carry;
      counter.writeUInt32BE(v >>> 0, off);
      carry = v > 0xffffffff ? 1 : 0;
    }
    const h = mix32(rnd()) % H;
    const holder = hex8(mix32(h ^ 0x5bd1e995)) + hex8(mix32(h + 0x27d4eb2f));
    const yuan = 20 * Math.exp((rnd() / 4294967296) * Math.log(7500)); // 20 .. 150,000 yuan, log-uniform
    const tickets = Math.max(1, Math.min(10000, Math.floor((yuan * 100) / 100)));
    sink(counter.toString('hex'), holder, tickets);
  }
}
function randomBytesInto(buf: Buffer, seed: number): void {
  const r = fastRng(seed ^ 0x1234567);
  for (let k = 0; k < buf.length; k += 4) buf.writeUInt32BE(r(), k);
}

function tiersFor(k: number): { tiers: DrawTier[]; alternateCount: number } {
  const alternateCount = 100;
  return {
    tiers: [
      { tier: 1, name: '一等奖', count: 5, prizeCents: 1_000_000 },
      { tier: 2, name: '二等奖', count: 50, prizeCents: 100_000 },
      { tier: 3, name: '三等奖', count: k - 55 - alternateCount, prizeCents: 10_000 },
    ],
    alternateCount,
  };
}

interface DrawFigures {
  drawMs: number;
  setupMs: number;
  picksMs: number;
  memDrawn: Record<string, string>;
  peakDraw: number;
}

function drawPhase(table: EntryTable): DrawFigures {
  const { tiers, alternateCount } = tiersFor(K);
  const seed = randomBytes(32).toString('hex');
  let t0 = now();
  const result = runDraw({ drawId: 'bench', table, tiers, winLimitPerHolder: 1, alternateCount, seed });
  const drawMs = now() - t0;
  const memDrawn = mem('right after runDraw (before gc)');
  console.log(`runDraw (Fenwick build + holder index + ${K} picks): ${secs(drawMs)}; ${result.winners.length} winners, ${result.alternates.length} alternates`);
  // Breakdown.
  gc();
  t0 = now();
  const sampler = new DrawSampler(table, createDrawRng(seed), 1);
  const setupMs = now() - t0;
  t0 = now();
  for (let k = 0; k < K; k++) sampler.pick();
  const picksMs = now() - t0;
  console.log(`  breakdown: setup (Fenwick + CSR holder index) ${secs(setupMs)}, ${K} picks ${secs(picksMs)}`);
  mem('with a DrawSampler alive after its picks');
  const peakDraw = process.resourceUsage().maxRSS * 1024;

  return { drawMs, setupMs, picksMs, memDrawn, peakDraw };
}

async function main(): Promise<void> {
  const cpuModel = cpus()[0]?.model ?? 'unknown';
  console.log(`ILD-1 draw benchmark: ${N} entries, ${K} picks, ~${H} holders`);
  console.log(`machine: ${cpus().length} CPUs, ${cpuModel}, node ${process.version}`);
  console.log('refs: 256-bit counter from a random start, + random gap in [1, 2^32) per entry (ascending, no sort)');
  gc();
  mem('baseline');

  // 1. Build the table (and, separately, time the synthetic generation alone).
  const genSeed = 20220815;
  let t0 = now();
  let sinkCount = 0;
  generate(genSeed, (ref, holder, tickets) => {
    sinkCount += ref.length + holder.length + tickets > 0 ? 1 : 0;
  });
  const genMs = now() - t0;
  console.log(`generate ${sinkCount} synthetic entries as strings only (no table): ${secs(genMs)}`);
  t0 = now();
  let builder: EntryTableBuilder | null = new EntryTableBuilder();
  const b = builder;
  generate(genSeed, (ref, holder, tickets) => b.add(ref, holder, tickets));
  let table: EntryTable | null = builder.build();
  builder = null;
  const buildMs = now() - t0;
  console.log(
    `build EntryTable (generate + add() from hex strings + build): ${secs(buildMs)}, i.e. ~${secs(buildMs - genMs)} in the builder; ${table.count} entries, ${table.holderCount} holders, ${table.totalTickets} tickets`,
  );
  gc();
  const memBuilt = mem('after build (gc)');

  // 2. The draw.
  const drawn = drawPhase(table);
  table = null;
  gc();

  const { drawMs, setupMs, picksMs, memDrawn, peakDraw } = drawn;
  const summary: Record<string, string> = {
    entries: String(N),
    picks: String(K),
    holders: String(H),
    generateOnly: secs(genMs),
    build: secs(buildMs),
    draw: secs(drawMs),
    drawSetup: secs(setupMs),
    drawPicks: secs(picksMs),
    rssAfterBuild: memBuilt.rss,
    rssAfterDraw: memDrawn.rss,
    peakRssThroughDraw: mb(peakDraw),
  };

  if (!values['no-file']) {
    // 3. Entries file: write + digest in one pass, then read back.
    const path = join(tmpdir(), `ild1-bench-${process.pid}.csv`);
    try {
      t0 = now();
      const fd = openSync(path, 'w');
      const digest = new EntriesDigest();
      let pending = ENTRIES_HEADER;
      generate(genSeed, (ref, holder, tickets) => {
        pending += digest.addEntry(ref, holder, tickets);
        if (pending.length >= 1 << 20) {
          writeSync(fd, pending, null, 'latin1');
          pending = '';
        }
      });
      writeSync(fd, pending, null, 'latin1');
      closeSync(fd);
      const writtenDigest = digest.digest();
      const writeMs = now() - t0;
      const size = statSync(path).size;
      console.log(`write entries file (generate + EntriesDigest.addEntry + write): ${secs(writeMs)}, ${mb(size)}`);

      gc();
      t0 = now();
      const read = await readEntriesFile(createReadStream(path, { highWaterMark: 1 << 20 }));
      const readMs = now() - t0;
      if (read.entriesDigest !== writtenDigest) throw new Error('digest mismatch between write and read');
      console.log(
        `readEntriesFile (parse + digest + EntryTable): ${secs(readMs)} = ${((size / MiB) / (readMs / 1000)).toFixed(0)} MiB/s, ${((N / 1e6) / (readMs / 1000)).toFixed(2)} M entries/s`,
      );
      mem('after readEntriesFile (table alive)');

      t0 = now();
      const h = createHash('sha256');
      for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
      const nodeHash = h.digest('hex');
      const hashMs = now() - t0;
      if (nodeHash !== writtenDigest) throw new Error('plain sha256 mismatch');
      console.log(`plain node:crypto SHA-256 stream of the file: ${secs(hashMs)} = ${((size / MiB) / (hashMs / 1000)).toFixed(0)} MiB/s`);
      let sumMs = Number.NaN;
      try {
        t0 = now();
        const out = execFileSync('sha256sum', [path], { encoding: 'utf8' });
        sumMs = now() - t0;
        if (!out.startsWith(writtenDigest)) throw new Error('sha256sum mismatch');
        console.log(`sha256sum: ${secs(sumMs)} = ${((size / MiB) / (sumMs / 1000)).toFixed(0)} MiB/s`);
      } catch (err) {
        console.log(`sha256sum unavailable: ${err.message}`);
      }
      Object.assign(summary, {
        fileSize: mb(size),
        writeFile: secs(writeMs),
        readEntriesFile: secs(readMs),
        readThroughput: `${((size / MiB) / (readMs / 1000)).toFixed(0)} MiB/s`,
        nodeSha256: `${((size / MiB) / (hashMs / 1000)).toFixed(0)} MiB/s`,
        sha256sum: `${((size / MiB) / (sumMs / 1000)).toFixed(0)} MiB/s`,
      });
    } finally {
      try {
        unlinkSync(path);
      } catch {
        /* already gone */
      }
    }
  }
  console.log('summary', JSON.stringify(summary));
  const ok = drawMs < 3000 && Number.parseInt(memDrawn.rss, 10) < 1024 && peakDraw < 1024 * MiB;
  console.log(`target (draw < 3 s, rss < 1 GiB with entries in memory): ${ok ? 'MET' : 'NOT MET'}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

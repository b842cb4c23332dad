/**
 * ILD-1 audit verifier, and ILI-1 instant-day verifier.
 *
 *   npm run verify -- --bundle <audit.json|URL> --entries <entries.csv|URL> [--progress]
 *   npm run verify -- --instant-day <day.json|URL> --log <log.csv|URL> --commitment <commitment.json|URL>
 *                     [--earlier-day <day.json|URL> --earlier-log <log.csv|URL>]...
 *
 * Recomputes the entries digest, the commitment, the seed and every winner/alternate from the
 * published entries file and compares them with the audit bundle. Prints `MATCH` (exit 0) or
 * `MISMATCH: <first difference>` (exit 1). Usage, network and file errors exit 2.
 * Uses only the pure algorithm module: anyone can run it against the public endpoints
 * /api/v1/public/draws/:id/audit and /api/v1/public/draws/:id/entries.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { verifyAuditBundle, verifyInstantDay, verifyReturnsFromPublishedDays, type BudgetReturn, type ReadProgress } from './algorithm/index.js';

const USAGE = `usage: npm run verify -- --bundle <audit.json|http(s)://…> --entries <entries.csv|http(s)://…> [--progress]
       npm run verify -- --instant-day <day.json|…> --log <log.csv|…> --commitment <commitment.json|…>
                         [--earlier-day <day.json|…> --earlier-log <log.csv|…>]...

  --bundle    the draw's audit bundle (file path or URL, e.g. …/api/v1/public/draws/<id>/audit)
  --entries   the draw's entries file (file path or URL, e.g. …/api/v1/public/draws/<id>/entries)
  --progress  show progress on stderr even when it is not a terminal
  --instant-day  an ILI-1 instant day's bundle (published when the day closes; reveals the secret)
  --log          that day's log (position,ref,band,outcome)
  --commitment   that day's commitment, as published before the day opened
  --earlier-day, --earlier-log   (in pairs, repeatable) the bundle and log of a day whose revoked prizes
                 this day's budget took back: each returned prize must be a win in that log
Prints MATCH and exits 0, or MISMATCH: <first difference> and exits 1; exit 2 on usage or IO errors.`;

class UsageError extends Error {}

const isUrl = (s: string): boolean => /^https?:\/\//i.test(s);

async function fetchOk(url: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    throw new Error(`cannot fetch ${url}: ${err.cause?.message ?? err.message}`);
  }
  if (!res.ok) throw new Error(`cannot fetch ${url}: HTTP ${res.status} ${res.statusText}`);
  return res;
}

async function loadText(src: string): Promise<string> {
  return isUrl(src) ? await (await fetchOk(src)).text() : await readFile(src, 'utf8');
}

async function loadBundle(src: string): Promise<unknown> {
  const text = await loadText(src);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${src} is not valid JSON: ${err.message}`);
  }
}

async function openEntries(src: string): Promise<{ stream: Readable; size: number | null }> {
  if (isUrl(src)) {
    const res = await fetchOk(src);
    if (!res.body) throw new Error(`${src}: empty response body`);
    const len = Number(res.headers.get('content-length'));
    const encoded = res.headers.get('content-encoding');
    return {
      stream: Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>),
      size: Number.isFinite(len) && len > 0 && !encoded ? len : null,
    };
  }
  const st = await stat(src);
  if (!st.isFile()) throw new Error(`${src} is not a file`);
  return { stream: createReadStream(src, { highWaterMark: 1 << 20 }), size: st.size };
}

function makeProgress(size: number | null): { update: (p: ReadProgress) => void; stop: () => void } {
  const MiB = 1 << 20;
  if (size !== null) {
    const bar = new cliProgress.SingleBar(
      {
        format: 'entries |{bar}| {percentage}% | {doneMiB}/{sizeMiB} MiB | {entries} entries | ETA {eta}s',
        hideCursor: true,
        noTTYOutput: !process.stderr.isTTY,
        notTTYSchedule: 2000,
        stream: process.stderr,
      },
      cliProgress.Presets.shades_classic,
    );
    const sizeMiB = (size / MiB).toFixed(0);
    bar.start(size, 0, { entries: 0, doneMiB: '0', sizeMiB });
    return {
      update: (p) => bar.update(Math.min(p.bytesRead, size), { entries: p.entryCount, doneMiB: (p.bytesRead / MiB).toFixed(0), sizeMiB }),
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  return {
    update: (p) => {
      const now = Date.now();
      if (now - last >= 1000) {
        last = now;
        process.stderr.write(`entries: ${Math.floor(p.bytesRead / MiB)} MiB, ${p.entryCount} entries\n`);
      }
    },
    stop: () => undefined,
  };
}

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        bundle: { type: 'string' },
        entries: { type: 'string' },
        progress: { type: 'boolean', default: false },
        'instant-day': { type: 'string' },
        log: { type: 'string' },
        commitment: { type: 'string' },
        'earlier-day': { type: 'string', multiple: true },
        'earlier-log': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(err.message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const instant = values['instant-day'] !== undefined || values.log !== undefined || values.commitment !== undefined;
  if (instant) {
    if (values.bundle || values.entries) throw new UsageError('--bundle/--entries (a periodic draw) and --instant-day/--log/--commitment (an instant day) do not mix');
    if (!values['instant-day'] || !values.log || !values.commitment) throw new UsageError('--instant-day, --log and --commitment are required together');
    const earlierDays = values['earlier-day'] ?? [];
    const earlierLogs = values['earlier-log'] ?? [];
    if (earlierDays.length !== earlierLogs.length) throw new UsageError('--earlier-day and --earlier-log come in pairs');
    const [day, log, commitment] = await Promise.all([loadBundle(values['instant-day']), loadText(values.log), loadBundle(values.commitment)]);
    const result = verifyInstantDay(commitment, day, log);
    if (!result.ok) return report(result);
    const returns = (day as { returns: BudgetReturn[] }).returns;
    if (earlierDays.length > 0) {
      const earlier = await Promise.all(earlierDays.map(async (d, i) => ({ bundle: await loadBundle(d), logText: await loadText(earlierLogs[i]) })));
      const problem = verifyReturnsFromPublishedDays(returns, earlier);
      if (problem !== null) return report({ ok: false, difference: problem });
    } else if (returns.length > 0) {
      process.stderr.write(`note: ${returns.length} returned prize(s) not checked against the days they came from (--earlier-day/--earlier-log)\n`);
    }
    return report(result);
  }
  if (!values.bundle || !values.entries) throw new UsageError('--bundle and --entries are required');

  const bundle = await loadBundle(values.bundle);
  const { stream, size } = await openEntries(values.entries);
  // Progress only for large (or unknown-size) files on a terminal, or when asked for.
  const showProgress = values.progress || (process.stderr.isTTY === true && (size === null || size >= 16 * 1024 * 1024));
  const progress = showProgress ? makeProgress(size) : null;
  let result;
  try {
    result = await verifyAuditBundle(bundle, stream, progress?.update);
  } finally {
    progress?.stop();
    stream.destroy();
  }
  return report(result);
}

function report(result: { ok: true } | { ok: false; difference: string }): number {
  if (result.ok) {
    process.stdout.write('MATCH\n');
    return 0;
  }
  process.stdout.write(`MISMATCH: ${result.difference}\n`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    if (err instanceof UsageError) process.stderr.write(`error: ${err.message}\n\n${USAGE}\n`);
    else process.stderr.write(`error: ${err.message}\n`);
    process.exitCode = 2;
  },
);

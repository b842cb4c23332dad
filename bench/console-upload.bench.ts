/**
 * The console's feed upload at size: a 300 MB NDJSON body (default) streamed to the real API
 * (`node dist/src/main.api.js`, NODE_ENV=production) as the browser sends it: with the staff session cookie,
 * Origin and CSRF token, to POST /api/v1/admin/registry/imports?progressId=…, while the upload's progress
 * is polled at GET …/progress every second, as the page does. Prints the progress seen, the time, and the
 * API process's peak RSS (from /proc): the body must stream, not sit in memory.
 *
 *   npm run build && node dist/bench/console-upload.bench.js [--mib 300]
 *
 * Lines are generated as they are sent (never a file): Henan records of ~330 bytes, every 10,000th malformed.
 */
import 'reflect-metadata';
import { request } from 'node:http';
import { parseArgs } from 'node:util';
import { dropDatabase } from '../src/core/database/ensure-database.js';
import { migrateDatabase } from '../src/core/database/migrate.js';
import { deleteKeysWithPrefix } from '../src/core/redis/redis.js';
import { productionSettings, rssMiB, scratchNames, startApiProcess } from './support/processes.js';

const { values } = parseArgs({ options: { mib: { type: 'string', default: '300' } } });
const TARGET_BYTES = Number(values.mib) * 1024 * 1024;
const { runId, env: scratch } = scratchNames('upload');
const env: Record<string, string> = {
  ...productionSettings(runId),
  ...scratch,
  ADMIN_PASSWORD: 'bench-admin-password-1',
};
const MiB = 1024 * 1024;

function line(n: number): string {
  if (n % 10_000 === 0) return '{"invoiceType":"10","broken';
  const amountCents = 2000 + ((n * 7919) % 500_000);
  const taxCents = Math.round(amountCents * 0.13);
  return JSON.stringify({
    invoiceType: '10',
    invoiceCode: `0${['4101', '4103', '4113', '4116'][n % 4]}22${String(n % 1000).padStart(3, '0')}11`,
    invoiceNumber: String(n).padStart(8, '0'),
    issueDate: `2022-08-${String(1 + (n % 28)).padStart(2, '0')}`,
    amountCents,
    taxCents,
    totalCents: amountCents + taxCents,
    checkCode: String(10_000_000_000_000_000_000n + BigInt(n) * 7919n).slice(0, 20),
    sellerTaxId: `91410100MA${String(n % 100_000_000).padStart(8, '0')}`,
    sellerName: '郑州市金水区好运来超市有限公司',
    buyerType: 'individual',
    buyerName: null,
    flags: [],
  });
}

async function main(): Promise<void> {
  await migrateDatabase(env.DATABASE_URL);
  const { child: api, base } = await startApiProcess(env);
  try {
    const json = { 'content-type': 'application/json', origin: base };
    const adminToken = (await (await fetch(`${base}/api/v1/admin/auth/login`, { method: 'POST', headers: json, body: JSON.stringify({ username: 'admin', password: env.ADMIN_PASSWORD }) })).json() as any).accessToken;
    await fetch(`${base}/api/v1/admin/staff`, { method: 'POST', headers: { ...json, authorization: `Bearer ${adminToken}` }, body: JSON.stringify({ username: 'bench.operator', password: 'bench-operator-password', roles: ['operator'] }) });
    const signIn = await fetch(`${base}/api/v1/admin/auth/session`, { method: 'POST', headers: json, body: JSON.stringify({ username: 'bench.operator', password: 'bench-operator-password' }) });
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0];
    const { csrfToken } = (await signIn.json()) as any;
    const progressId = `bench-${runId.replace('_', '-')}`;

    const baseline = rssMiB(api.pid!);
    let peak = baseline;
    const started = Date.now();
    const poller = setInterval(async () => {
      peak = Math.max(peak, rssMiB(api.pid!));
      try {
        const p: any = await (await fetch(`${base}/api/v1/admin/registry/imports/${progressId}/progress`, { headers: { cookie } })).json();
        console.log(`  ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s: ${(p.bytes / MiB).toFixed(0)} MiB, ${p.lines} lines, ${p.rejectedCount} rejected; API RSS ${rssMiB(api.pid!).toFixed(0)} MiB`);
      } catch {
        // not started yet
      }
    }, 1000);
    const summary = await new Promise<any>((ok, fail) => {
      const req = request(`${base}/api/v1/admin/registry/imports?progressId=${progressId}`, {
        method: 'POST',
        headers: { cookie, origin: base, 'x-csrf-token': csrfToken, 'content-type': 'application/x-ndjson' },
      });
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => (res.statusCode === 200 ? ok(JSON.parse(body)) : fail(new Error(`${res.statusCode} ${body}`))));
      });
      req.on('error', fail);
      let sent = 0;
      let n = 1;
      const pump = () => {
        while (sent < TARGET_BYTES) {
          let chunk = '';
          for (let k = 0; k < 1000; k++) chunk += `${line(n++)}\n`;
          sent += Buffer.byteLength(chunk);
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
    clearInterval(poller);
    peak = Math.max(peak, rssMiB(api.pid!));
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `uploaded ${summary.lines.toLocaleString('en-US')} lines in ${seconds.toFixed(1)} s (${Math.round(summary.lines / seconds).toLocaleString('en-US')} lines/s): accepted ${summary.accepted.toLocaleString('en-US')}, ` +
        `rejected ${summary.rejectedCount} (first at line ${summary.rejected[0]?.line}); API RSS ${baseline.toFixed(0)} MiB before, peak ${peak.toFixed(0)} MiB`,
    );
  } finally {
    const exited = new Promise((r) => api.once('exit', r));
    api.kill('SIGTERM');
    await exited;
    await dropDatabase(env.DATABASE_URL);
    await deleteKeysWithPrefix(env.REDIS_URL, env.REDIS_PREFIX);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

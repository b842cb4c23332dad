import { Queue } from 'bullmq';
import mysql from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { TokenService } from '../../src/auth/token.service.js';
import { ManualClock } from '../../src/core/clock/clock.js';
import { RegistryService } from '../../src/registry/registry.service.js';
import { destroyTestEnvironment, startTestApi, TEST_ADMIN, TEST_REGISTRY_KEY, type TestApi } from '../support/test-env.js';

const IMPORT = '/api/v1/registry/invoices';
const VOID = '/api/v1/registry/invoices/void';
const NDJSON = { 'content-type': 'application/x-ndjson' };

let api: TestApi;
let queue: Queue;
let db: DataSource;
const clock = new ManualClock('2022-08-10T10:00:00+08:00');

beforeAll(async () => {
  api = await startTestApi({ clock });
  queue = new Queue('registry', { connection: { url: api.config.REDIS_URL }, prefix: api.config.REDIS_PREFIX });
  db = api.app.get(DataSource);
});
afterAll(async () => {
  await queue?.close();
  await api?.close();
  if (api) await destroyTestEnvironment(api.config);
});

interface Rec {
  invoiceType: string;
  invoiceCode: string;
  invoiceNumber: string;
  issueDate: string;
  amountCents: number;
  taxCents: number;
  totalCents: number;
  checkCode: string | null;
  sellerTaxId: string;
  sellerName: string;
  buyerType: 'individual' | 'organization';
  buyerName: string | null;
  flags: string[];
}

/** A valid electronic ordinary invoice issued in Zhengzhou; `n` makes the identity unique. */
function rec(n: number, overrides: Partial<Rec> = {}): Rec {
  const amountCents = 1000 + (n % 50_000);
  const taxCents = Math.round(amountCents * 0.03);
  return {
    invoiceType: '10',
    invoiceCode: '041002200111',
    invoiceNumber: String(n).padStart(8, '0'),
    issueDate: '2022-08-01',
    amountCents,
    taxCents,
    totalCents: amountCents + taxCents,
    checkCode: '12345678901234567890',
    sellerTaxId: '91410100MA44XXXX0X',
    sellerName: '郑州市金水区好运来超市',
    buyerType: 'individual',
    buyerName: null,
    flags: [],
    ...overrides,
  };
}
const line = (r: object) => JSON.stringify(r);

/** Posts `body` to the import endpoint with the registry key, another token, or none (null). */
function importBody(body: string | Buffer, headers: Record<string, string> = NDJSON, token: string | null = TEST_REGISTRY_KEY) {
  return api.http.request('POST', IMPORT, { raw: body, headers, token: token ?? undefined });
}

/** Streams `body` to the import endpoint in chunks of `chunkBytes` (so lines and CRLFs straddle chunks). */
async function importStreamed(body: Buffer, chunkBytes: number) {
  let offset = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= body.length) {
        controller.close();
        return;
      }
      controller.enqueue(new Uint8Array(body.subarray(offset, offset + chunkBytes)));
      offset += chunkBytes;
    },
  });
  const response = await fetch(api.baseUrl + IMPORT, {
    method: 'POST',
    headers: { ...NDJSON, authorization: `Bearer ${TEST_REGISTRY_KEY}` },
    body: stream,
    duplex: 'half',
  } as RequestInit & { duplex: 'half' });
  return { status: response.status, body: (await response.json()) as any };
}

async function stored(code: string, number: string) {
  return api.app.get(RegistryService).findByIdentity(code, number);
}

async function count(): Promise<number> {
  const [{ n }] = await db.query('SELECT COUNT(*) AS n FROM registry_invoices');
  return Number(n);
}

describe('import', () => {
  test('imports valid lines and findByIdentity returns them', async () => {
    const records = [rec(1), rec(2, { buyerType: 'organization', buyerName: '河南某某科技有限公司', flags: ['proxy'] }), rec(3, { checkCode: '' })];
    const digital = rec(4, { invoiceType: '32', invoiceCode: '', invoiceNumber: '22412000000000000004', checkCode: null, flags: ['voided', 'red'] });
    const res = await importBody([...records, digital].map(line).join('\n') + '\n');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ importId: expect.any(String), lines: 4, accepted: 4, updated: 0, unchanged: 0, rejectedCount: 0, rejected: [] });

    const one = await stored(records[1].invoiceCode, records[1].invoiceNumber);
    expect(one).toMatchObject({ ...records[1], importedAt: new Date('2022-08-10T02:00:00Z'), updatedAt: new Date('2022-08-10T02:00:00Z') });
    expect((await stored(records[2].invoiceCode, records[2].invoiceNumber))?.checkCode).toBeNull();
    const d = await stored('', '22412000000000000004');
    expect(d?.flags.sort()).toEqual(['red', 'voided']);
    expect(await stored(records[0].invoiceCode, '99999999')).toBeNull();
  });

  test('re-import: new records are accepted, changed ones updated, identical ones unchanged', async () => {
    const base = [rec(101), rec(102), rec(103, { flags: ['voided', 'proxy'] })];
    expect((await importBody(base.map(line).join('\n'))).body).toMatchObject({ accepted: 3, updated: 0, unchanged: 0 });

    clock.advance(60_000);
    const again = [
      rec(101), // identical
      rec(102, { amountCents: 7777, taxCents: 0, totalCents: 7777 }), // changed
      rec(103, { flags: ['proxy', 'voided'] }), // same flags in another order: identical
      rec(104), // new
    ];
    const res = await importBody(again.map(line).join('\n'));
    expect(res.body).toMatchObject({ lines: 4, accepted: 1, updated: 1, unchanged: 2, rejectedCount: 0 });
    const changed = await stored(again[1].invoiceCode, again[1].invoiceNumber);
    expect(changed).toMatchObject({ amountCents: 7777, totalCents: 7777, importedAt: new Date('2022-08-10T02:00:00Z'), updatedAt: new Date('2022-08-10T02:01:00Z') });
    expect((await stored(again[0].invoiceCode, again[0].invoiceNumber))?.updatedAt).toEqual(new Date('2022-08-10T02:00:00Z'));

    // One line alone (a single-row statement reports no "Records/Duplicates" info).
    expect((await importBody(line(rec(101)))).body).toMatchObject({ accepted: 0, updated: 0, unchanged: 1 });
    expect((await importBody(line(rec(101, { sellerName: '郑州市金水区好运来超市（二店）' })))).body).toMatchObject({ accepted: 0, updated: 1, unchanged: 0 });
    expect((await importBody(line(rec(105)))).body).toMatchObject({ accepted: 1, updated: 0, unchanged: 0 });
  });

  test('a case-only change of a name is a change (the collation would call them equal)', async () => {
    await importBody(line(rec(120, { sellerName: 'Lucky Mart' })));
    const res = await importBody(line(rec(120, { sellerName: 'LUCKY MART' })));
    expect(res.body).toMatchObject({ updated: 1, unchanged: 0 });
    expect((await stored(rec(120).invoiceCode, rec(120).invoiceNumber))?.sellerName).toBe('LUCKY MART');
  });

  test('the feed is the source of truth for flags: a record can lose its voided flag', async () => {
    await importBody(line(rec(130, { flags: ['voided'] })));
    const res = await importBody(line(rec(130, { flags: [] })));
    expect(res.body).toMatchObject({ updated: 1 });
    expect((await stored(rec(130).invoiceCode, rec(130).invoiceNumber))?.flags).toEqual([]);
  });

  test('bad lines are reported with line numbers and codes while good ones import', async () => {
    const lines = [
      line(rec(201)), // 1
      '{"invoiceType":', // 2 malformed
      line({ ...rec(202), sellerTaxId: undefined }), // 3 missing (undefined is dropped by JSON.stringify)
      line(rec(203, { totalCents: 1 })), // 4 invalid total
      '', // 5 blank
      '[1,2]', // 6 not an object
      line(rec(204, { flags: ['stolen'] })), // 7 unknown flag
      line(rec(205)), // 8
      'x'.repeat(70 * 1024), // 9 too long
      line(rec(206)), // 10
    ];
    const res = await importBody(lines.join('\n'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ lines: 10, accepted: 3, updated: 0, unchanged: 0, rejectedCount: 6 });
    expect(res.body.rejected.map((r: any) => ({ line: r.line, code: r.code, field: r.field }))).toEqual([
      { line: 2, code: 'MALFORMED_JSON', field: undefined },
      { line: 3, code: 'MISSING_FIELD', field: 'sellerTaxId' },
      { line: 4, code: 'INVALID_FIELD', field: 'totalCents' },
      { line: 6, code: 'MALFORMED_JSON', field: undefined },
      { line: 7, code: 'INVALID_FIELD', field: 'flags' },
      { line: 9, code: 'LINE_TOO_LONG', field: undefined },
    ]);
    for (const r of res.body.rejected) expect(r.message).toEqual(expect.any(String));
    expect(await stored(rec(206).invoiceCode, rec(206).invoiceNumber)).not.toBeNull();
  });

  test('blank and whitespace-only lines are skipped; CRLF line endings and a BOM are accepted', async () => {
    const body = '\uFEFF' + [line(rec(301)), '', '   ', line(rec(302)), '\t', line(rec(303)), '', ''].join('\r\n');
    const res = await importBody(body);
    expect(res.body).toMatchObject({ lines: 7, accepted: 3, rejectedCount: 0 });
    expect(await stored(rec(303).invoiceCode, rec(303).invoiceNumber)).toMatchObject({ sellerTaxId: '91410100MA44XXXX0X' });
  });

  test('an empty body imports nothing', async () => {
    const res = await importBody('');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ lines: 0, accepted: 0, updated: 0, unchanged: 0, rejectedCount: 0 });
  });

  test('the same identity twice in one body: the last line wins', async () => {
    const res = await importBody([line(rec(401, { amountCents: 100, taxCents: 0, totalCents: 100 })), line(rec(401, { amountCents: 200, taxCents: 0, totalCents: 200 }))].join('\n'));
    expect(res.body).toMatchObject({ accepted: 1, updated: 1 });
    expect((await stored(rec(401).invoiceCode, rec(401).invoiceNumber))?.amountCents).toBe(200);
  });

  test('a streamed body in small chunks, with an over-long line among CRLF lines', async () => {
    const text = [line(rec(501)), 'y'.repeat(66_000), line(rec(502)), '{"broken"', line(rec(503))].join('\r\n') + '\r\n';
    const res = await importStreamed(Buffer.from(text), 1000);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ lines: 5, accepted: 3, rejectedCount: 2 });
    expect(res.body.rejected.map((r: any) => [r.line, r.code])).toEqual([
      [2, 'LINE_TOO_LONG'],
      [4, 'MALFORMED_JSON'],
    ]);
    expect((await stored(rec(503).invoiceCode, rec(503).invoiceNumber))?.sellerName).toBe('郑州市金水区好运来超市');
  });

  test('the rejected list is capped at 1000; rejectedCount counts them all', async () => {
    const res = await importBody(Array.from({ length: 1500 }, () => 'nope').join('\n'));
    expect(res.body.rejectedCount).toBe(1500);
    expect(res.body.rejected).toHaveLength(1000);
    expect(res.body.rejected[999].line).toBe(1000);
  });

  test('a body of 50,000 lines imports fully', async () => {
    const before = await count();
    const n = 50_000;
    const parts: string[] = [];
    for (let i = 0; i < n; i++) parts.push(line(rec(1_000_000 + i, { buyerName: i % 3 === 0 ? '张三' : null, flags: i % 40 === 0 ? ['voided'] : [] })));
    const body = Buffer.from(parts.join('\n') + '\n');
    const res = await importStreamed(body, 64 * 1024);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ lines: n, accepted: n, updated: 0, unchanged: 0, rejectedCount: 0 });
    expect(await count()).toBe(before + n);
    const [{ voided }] = await db.query("SELECT COUNT(*) AS voided FROM registry_invoices WHERE FIND_IN_SET('voided', flags) AND invoice_code = '041002200111' AND invoice_number >= '01000000'");
    expect(Number(voided)).toBe(n / 40);
  });

  test('each import enqueues a recheck job on the registry queue', async () => {
    const res = await importBody(line(rec(601)));
    const job = await queue.getJob(`recheck-after-import-${res.body.importId}`);
    expect(job?.name).toBe('recheck-pending');
    expect(job?.data).toMatchObject({ importId: res.body.importId, accepted: 1, updated: 0, complete: true });
    const jobs = await queue.getJobs(['waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed']);
    expect(jobs.filter((j) => j.name === 'recheck-pending').length).toBeGreaterThan(5);
  });
});

describe('access', () => {
  const body = () => line(rec(701));

  test('no key, a wrong key, a staff token and a consumer token are 401', async () => {
    const none = await importBody(body(), NDJSON, null);
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ statusCode: 401, code: 'AUTH_REQUIRED' });
    const wrong = await importBody(body(), NDJSON, 'not-the-registry-key-0123456789');
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('REGISTRY_KEY_INVALID');
    const staff = await api.http.staffToken(TEST_ADMIN.username, TEST_ADMIN.password);
    expect((await importBody(body(), NDJSON, staff)).status).toBe(401);
    const consumer = api.app.get(TokenService).issueConsumerToken(1);
    expect((await importBody(body(), NDJSON, consumer)).status).toBe(401);
    const voidByStaff = await api.http.post(VOID, { invoices: [{ invoiceCode: rec(701).invoiceCode, invoiceNumber: rec(701).invoiceNumber, kind: 'voided' }] }, staff);
    expect(voidByStaff.status).toBe(401);
    expect((await api.http.post(VOID, { invoices: [] })).status).toBe(401);
    expect(await stored(rec(701).invoiceCode, rec(701).invoiceNumber)).toBeNull();
  });

  test('a large body with a wrong key is refused without being imported', async () => {
    const big = Buffer.from(Array.from({ length: 20_000 }, (_, i) => line(rec(900_000 + i))).join('\n'));
    const res = await importBody(big, NDJSON, 'not-the-registry-key-0123456789');
    expect(res.status).toBe(401);
    expect(await stored(rec(900_000).invoiceCode, rec(900_000).invoiceNumber)).toBeNull();
    expect((await api.http.get('/health/live')).status).toBe(200);
  });

  test('another content type is 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const json = await importBody(body(), { 'content-type': 'application/json' });
    expect(json.status).toBe(415);
    expect(json.body).toEqual({ statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.any(String) });
    const csv = await importBody('a,b\n', { 'content-type': 'text/csv' });
    expect(csv.status).toBe(415);
    expect(csv.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const text = await importBody(body(), { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    // NDJSON is accepted by the import route only.
    const elsewhere = await api.http.request('POST', '/api/v1/admin/auth/login', { raw: '{}', headers: NDJSON });
    expect(elsewhere.status).toBe(415);
    expect(elsewhere.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect((await api.http.request('POST', '/api/v1/nothing-here', { raw: '{}', headers: NDJSON })).status).toBe(404);
    // With parameters the type is still NDJSON.
    expect((await importBody(body(), { 'content-type': 'application/x-ndjson; charset=utf-8' })).status).toBe(200);
  });
});

test('the OpenAPI document lists the registry routes', async () => {
  const res = await api.http.get('/api/docs-json');
  expect(res.body.paths['/api/v1/registry/invoices'].post.requestBody.content).toHaveProperty(['application/x-ndjson']);
  expect(res.body.paths).toHaveProperty(['/api/v1/registry/invoices/void']);
});

describe('void', () => {
  test('adds the flag, reports unknown identities, enqueues the revocation, and is idempotent', async () => {
    await importBody([rec(801), rec(802, { flags: ['proxy'] }), rec(803, { flags: ['voided'] })].map(line).join('\n'));
    clock.advance(60_000);
    const request = {
      invoices: [
        { invoiceCode: rec(801).invoiceCode, invoiceNumber: rec(801).invoiceNumber, kind: 'voided' },
        { invoiceCode: rec(802).invoiceCode, invoiceNumber: rec(802).invoiceNumber, kind: 'red' },
        { invoiceCode: rec(803).invoiceCode, invoiceNumber: rec(803).invoiceNumber, kind: 'voided' },
        { invoiceCode: '041002200111', invoiceNumber: '99999998', kind: 'voided' },
        { invoiceCode: '', invoiceNumber: '22412000000009999999', kind: 'red' },
        { invoiceCode: '041002200111', invoiceNumber: '99999998', kind: 'red' },
      ],
    };
    const first = await api.http.post(VOID, request, TEST_REGISTRY_KEY);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      updated: 2,
      unchanged: 1,
      notFound: [
        { invoiceCode: '041002200111', invoiceNumber: '99999998' },
        { invoiceCode: '', invoiceNumber: '22412000000009999999' },
      ],
    });
    expect((await stored(rec(801).invoiceCode, rec(801).invoiceNumber))?.flags).toEqual(['voided']);
    const r802 = await stored(rec(802).invoiceCode, rec(802).invoiceNumber);
    expect(r802?.flags.sort()).toEqual(['proxy', 'red']);
    expect(r802?.updatedAt.getTime()).toBeGreaterThan(r802!.importedAt.getTime());
    expect((await stored(rec(803).invoiceCode, rec(803).invoiceNumber))?.flags).toEqual(['voided']);

    const again = await api.http.post(VOID, request, TEST_REGISTRY_KEY);
    expect(again.body).toEqual({ ...first.body, updated: 0, unchanged: 3 });
    expect((await stored(rec(801).invoiceCode, rec(801).invoiceNumber))?.flags).toEqual(['voided']);

    const jobs = (await queue.getJobs(['waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed'])).filter((j) => j.name === 'revoke-invoices');
    expect(jobs).toHaveLength(2);
    for (const job of jobs) {
      expect(job.data.invoices).toEqual(
        expect.arrayContaining([
          { invoiceCode: rec(801).invoiceCode, invoiceNumber: rec(801).invoiceNumber, kind: 'voided' },
          { invoiceCode: rec(802).invoiceCode, invoiceNumber: rec(802).invoiceNumber, kind: 'red' },
          { invoiceCode: rec(803).invoiceCode, invoiceNumber: rec(803).invoiceNumber, kind: 'voided' },
        ]),
      );
      expect(job.data.invoices).toHaveLength(3);
    }
  });

  test('invalid requests are 400 VALIDATION_FAILED', async () => {
    const item = { invoiceCode: rec(801).invoiceCode, invoiceNumber: rec(801).invoiceNumber, kind: 'voided' };
    for (const body of [
      {},
      { invoices: [] },
      { invoices: [{ ...item, kind: 'lost' }] },
      { invoices: [{ ...item, invoiceNumber: '123' }] },
      { invoices: [{ ...item, invoiceCode: 41002200111 }] },
      { invoices: Array.from({ length: 10_001 }, () => item) },
    ]) {
      const res = await api.http.post(VOID, body, TEST_REGISTRY_KEY);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
  });

  test('10,000 identities in one call', async () => {
    const invoices = Array.from({ length: 10_000 }, (_, i) => ({ invoiceCode: rec(1_000_000 + i).invoiceCode, invoiceNumber: rec(1_000_000 + i).invoiceNumber, kind: 'red' }));
    const res = await api.http.post(VOID, { invoices }, TEST_REGISTRY_KEY);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ updated: 10_000, unchanged: 0, notFound: [] });
  });
});

test('a database failure half-way answers 503; the batches before it stay and the recheck is still enqueued', async () => {
  const first = Buffer.from(Array.from({ length: 4500 }, (_, i) => line(rec(2_000_000 + i))).join('\n') + '\n');
  const rest = Buffer.from(Array.from({ length: 4500 }, (_, i) => line(rec(2_100_000 + i))).join('\n') + '\n');
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let step = 0;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (step === 0) controller.enqueue(new Uint8Array(first));
      else if (step === 1) {
        await gate;
        controller.enqueue(new Uint8Array(rest));
      } else controller.close();
      step++;
    },
  });
  const response = fetch(api.baseUrl + IMPORT, {
    method: 'POST',
    headers: { ...NDJSON, authorization: `Bearer ${TEST_REGISTRY_KEY}` },
    body: stream,
    duplex: 'half',
  } as RequestInit & { duplex: 'half' });

  // Wait for the first two batches (2 x 2000 rows) to be written, then kill the server connections of the app.
  const database = new URL(api.config.DATABASE_URL).pathname.slice(1);
  const admin = await mysql.createConnection({ uri: api.config.DATABASE_URL });
  try {
    for (let i = 0; i < 200; i++) {
      const [[{ n }]] = (await admin.query("SELECT COUNT(*) AS n FROM registry_invoices WHERE invoice_number >= '02000000' AND invoice_number < '02100000'")) as any;
      if (Number(n) === 4000) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const [ids] = (await admin.query('SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()', [database])) as any;
    for (const { id } of ids) await admin.query(`KILL ${Number(id)}`);
  } finally {
    await admin.end();
  }
  release();

  const res = await response;
  expect(res.status).toBe(503);
  expect(await res.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  const jobs = (await queue.getJobs(['waiting'])).filter((j) => j.name === 'recheck-pending' && j.data.complete === false);
  expect(jobs).toHaveLength(1);
  // The pool recovers; what was written before the failure is kept.
  const [{ n }] = await db.query("SELECT COUNT(*) AS n FROM registry_invoices WHERE invoice_number >= '02000000' AND invoice_number < '02100000'");
  expect(Number(n)).toBe(4000);
  expect((await importBody(line(rec(2_200_000)))).body).toMatchObject({ accepted: 1 });
});

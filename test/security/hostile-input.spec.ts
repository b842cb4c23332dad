/**
 * Hostile input against every endpoint that takes a body, on the real app (its own database and Redis
 * prefix): oversized and deeply nested bodies, wrong content types, non-object bodies, prototype-pollution
 * keys, and injection / confusable strings in every text field. Whatever is sent, the answer is below 500
 * with the one error shape, and what is stored reads back byte for byte.
 */
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { makeResidentId } from '../../src/consumers/domain/resident-id.js';
import { ManualClock } from '../../src/core/clock/clock.js';
import { formatInvoiceQr } from '../../src/invoices/domain/qr.js';
import { MAX_LINE_BYTES } from '../../src/registry/registry-importer.js';
import { createConsumer, henanInvoice } from '../support/fixtures.js';
import { destroyTestEnvironment, startTestApi, TEST_ADMIN, TEST_OTP, TEST_REGISTRY_KEY, type TestApi } from '../support/test-env.js';
import { expectRefused, HOSTILE_STRINGS, nextClientIp, rawRequest, registryRecord, uniqueBase, withPrefix, type RawOptions } from './support.js';

const clock = new ManualClock('2022-08-10T10:00:00+08:00');
let api: TestApi;
let db: DataSource;
/**
 * Verified consumers used in turn: registration is rate-limited per consumer (attempts per hour, see
 * src/invoices/registration-limits.ts) and this file sends several hundred hostile registrations.
 */
const consumerTokens: string[] = [];
let nextConsumer = 0;
let unverifiedToken: string;
let adminToken: string;

beforeAll(async () => {
  // X-Forwarded-For from loopback is believed, so each request can come from its own client address and
  // the per-address sign-in limits never decide an outcome here. The staff sign-in limits on failed attempts
  // (tested in staff-login-limits.spec.ts) are lifted: hundreds of hostile logins fail here on purpose.
  api = await startTestApi({
    clock,
    env: { TRUST_PROXY: 'loopback', STAFF_LOGIN_MAX_FAILURES_PER_USERNAME: '1000000', STAFF_LOGIN_MAX_FAILURES_PER_IP: '1000000', STAFF_LOGIN_MAX_FAILURES_PER_PAIR: '1000000' },
  });
  db = api.app.get<DataSource>(getDataSourceToken());
  for (let i = 0; i < 12; i++) consumerTokens.push((await createConsumer(api.app)).token);
  unverifiedToken = (await createConsumer(api.app, { verified: false })).token;
  adminToken = await api.http.staffToken(TEST_ADMIN.username, TEST_ADMIN.password);
});
afterAll(async () => {
  await api?.close();
  if (api) await destroyTestEnvironment(api.config);
});
beforeEach(() => clock.set('2022-08-10T10:00:00+08:00'));
// Whatever a test sent, the process still serves HTTP afterwards.
afterEach(async () => {
  expect((await api.http.get('/health/live')).status).toBe(200);
});

type Auth = 'none' | 'consumer' | 'unverified' | 'admin' | 'registry';

interface Endpoint {
  method: 'POST' | 'PUT';
  path: string;
  auth: Auth;
  /** A body the endpoint accepts (fresh values on each call where it matters). */
  valid: () => Record<string, unknown>;
  /** Every text field, with the codes a hostile value may get. */
  fields: Record<string, readonly string[]>;
  /** Values of a field that are legitimately valid, so not expected to be refused. */
  legit?: (field: string, value: string) => boolean;
}

let seq = uniqueBase();
const newPhone = () => `139${String(++seq % 100_000_000).padStart(8, '0')}`;
const ADULT_ID = makeResidentId('410105', '19900307', '123');

function typedInvoice(): Record<string, unknown> {
  return { invoiceType: '10', ...henanInvoice(), issueDate: '2022-08-08', amount: '113.00', checkCode: '567890' };
}
function qrInvoice(): Record<string, unknown> {
  const ids = henanInvoice();
  return { qr: formatInvoiceQr({ invoiceType: '10', ...ids, issueDate: '2022-08-08', amountCents: 11_300, checkCode: '12345678901234567890' }) };
}

const JSON_ENDPOINTS: Endpoint[] = [
  { method: 'POST', path: '/api/v1/auth/otp', auth: 'none', valid: () => ({ phone: newPhone() }), fields: { phone: ['VALIDATION_FAILED'] } },
  {
    method: 'POST',
    path: '/api/v1/auth/login',
    auth: 'none',
    valid: () => ({ phone: newPhone(), code: TEST_OTP }),
    fields: { phone: ['VALIDATION_FAILED'], code: ['VALIDATION_FAILED'] },
  },
  {
    method: 'PUT',
    path: '/api/v1/me/identity',
    auth: 'unverified',
    valid: () => ({ realName: '张三', idNumber: ADULT_ID }),
    fields: { realName: ['VALIDATION_FAILED'], idNumber: ['VALIDATION_FAILED', 'ID_NUMBER_INVALID'] },
    // Names in rare CJK characters (Extension B, 4 bytes in UTF-8) are real names: see "stored inertly" below.
    legit: (field, value) => field === 'realName' && /^\p{Script=Han}{2,30}$/u.test(value),
  },
  {
    method: 'POST',
    path: '/api/v1/invoices',
    auth: 'consumer',
    valid: typedInvoice,
    fields: Object.fromEntries(['invoiceType', 'invoiceCode', 'invoiceNumber', 'issueDate', 'amount', 'checkCode'].map((f) => [f, ['VALIDATION_FAILED']])),
  },
  {
    method: 'POST',
    path: '/api/v1/admin/auth/login',
    auth: 'none',
    valid: () => ({ ...TEST_ADMIN }),
    fields: { username: ['VALIDATION_FAILED', 'INVALID_CREDENTIALS'], password: ['VALIDATION_FAILED', 'INVALID_CREDENTIALS'] },
    // Variants of the real username are a separate (known) case, see "looks like an account name" below;
    // a trailing NUL never counts in a password (see the staff password test).
    legit: (field, value) =>
      (field === 'username' && value !== TEST_ADMIN.username && value.includes(TEST_ADMIN.username)) ||
      (field === 'password' && value.replace(/\u0000+$/, '') === TEST_ADMIN.password),
  },
  {
    method: 'POST',
    path: '/api/v1/admin/staff',
    auth: 'admin',
    valid: () => ({ username: `user.${++seq}`, password: 'long-enough-password', roles: ['auditor'] }),
    // The password is stored (hashed): see "stored inertly" below.
    fields: { username: ['VALIDATION_FAILED'] },
  },
  {
    method: 'POST',
    path: '/api/v1/registry/invoices/void',
    auth: 'registry',
    valid: () => ({ invoices: [{ invoiceCode: '041012200111', invoiceNumber: '12345678', kind: 'voided' }] }),
    fields: {},
  },
];
const IMPORT = '/api/v1/registry/invoices';
const VOID_FIELDS = ['invoiceCode', 'invoiceNumber', 'kind'] as const;

function tokenFor(auth: Auth): string | undefined {
  if (auth === 'consumer') return consumerTokens[nextConsumer++ % consumerTokens.length];
  return { none: undefined, unverified: unverifiedToken, admin: adminToken, registry: TEST_REGISTRY_KEY }[auth];
}
function headersFor(auth: Auth, contentType: string | null, extra: Record<string, string> = {}): Record<string, string> {
  const headers: Record<string, string> = { 'x-forwarded-for': nextClientIp(), ...extra };
  if (contentType !== null) headers['content-type'] = contentType;
  const token = tokenFor(auth);
  if (token) headers.authorization = `Bearer ${token}`;
  return headers;
}
function send(ep: Pick<Endpoint, 'method' | 'path' | 'auth'>, body: string | Buffer | undefined, contentType: string | null = 'application/json', options: RawOptions = {}) {
  return rawRequest(api.baseUrl, ep.method, ep.path, { ...options, body, headers: headersFor(ep.auth, contentType, options.headers) });
}
const json = (v: unknown) => JSON.stringify(v);
const label = (ep: Endpoint) => `${ep.method} ${ep.path}`;
const ndjsonEndpoint = { method: 'POST' as const, path: IMPORT, auth: 'registry' as const };

describe('the valid bodies used below are accepted (so the refusals below are about the hostile part)', () => {
  test.each(JSON_ENDPOINTS.filter((e) => e.auth !== 'unverified').map((e) => [label(e), e] as const))('%s', async (_, ep) => {
    const res = await send(ep, json(ep.valid()));
    // A consumer login needs a code requested first: 401 OTP_EXPIRED means the body itself passed.
    if (ep.path === '/api/v1/auth/login') expect([res.status, res.json?.code]).toEqual([401, 'OTP_EXPIRED']);
    else expect(res.status).toBeLessThan(300);
  });
});

describe('oversized bodies: 413 PAYLOAD_TOO_LARGE', () => {
  const limit = () => api.config.BODY_LIMIT_BYTES;

  test.each(JSON_ENDPOINTS.map((e) => [label(e), e] as const))('%s, with Content-Length and chunked', async (_, ep) => {
    const body = json({ ...ep.valid(), padding: 'x'.repeat(limit()) });
    const declared = await send(ep, body);
    expectRefused(declared, ['PAYLOAD_TOO_LARGE']);
    expect(declared.status).toBe(413);
    const chunked = await send(ep, body, 'application/json', { chunkBytes: 64 * 1024 });
    expectRefused(chunked, ['PAYLOAD_TOO_LARGE']);
    expect(chunked.status).toBe(413);
  });

  test('a body just under the limit is read (and refused for its content, not its size)', async () => {
    const ep = JSON_ENDPOINTS.find((e) => e.path === '/api/v1/auth/otp')!;
    const body = json({ phone: 'x'.repeat(limit() - 20) });
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(limit());
    expectRefused(await send(ep, body), ['VALIDATION_FAILED']);
  });

  test('NDJSON import: a declared length above the import cap is refused before the body is read, and the connection closed', async () => {
    const res = await send(ndjsonEndpoint, json(registryRecord(1)) + '\n', 'application/x-ndjson', {
      headers: { 'content-length': String(2 * 1024 ** 3 + 1) },
      holdOpen: true,
    });
    expectRefused(res, ['PAYLOAD_TOO_LARGE']);
    expect(res.status).toBe(413);
    expect(res.headers.connection).toBe('close');
  });

  test('NDJSON import: a line above the line limit is LINE_TOO_LONG, the rest of the body is imported', async () => {
    const n = uniqueBase();
    const huge = json(registryRecord(n, { sellerName: 'x'.repeat(MAX_LINE_BYTES) }));
    const body = [huge, json(registryRecord(n + 1)), 'y'.repeat(5 * MAX_LINE_BYTES)].join('\n');
    const res = await send(ndjsonEndpoint, body, 'application/x-ndjson', { chunkBytes: 16 * 1024 });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ lines: 3, accepted: 1, rejectedCount: 2 });
    expect(res.json.rejected).toEqual([
      expect.objectContaining({ line: 1, code: 'LINE_TOO_LONG' }),
      expect.objectContaining({ line: 3, code: 'LINE_TOO_LONG' }),
    ]);
  });
});

describe('deeply nested JSON: 4xx, never a crash', () => {
  const deepArray = (n: number) => '['.repeat(n) + ']'.repeat(n);
  const deepObject = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

  test.each(JSON_ENDPOINTS.map((e) => [label(e), e] as const))('%s: 10,000 and 100,000 levels, as the body and inside a field', async (_, ep) => {
    for (const levels of [10_000, 100_000]) {
      const valid = ep.valid();
      const firstField = Object.keys(valid)[0];
      const bodies = [
        deepArray(levels),
        deepObject(levels),
        json({ ...valid, [firstField]: '§' }).replace('"§"', deepObject(levels)),
        json({ ...valid, extra: '§' }).replace('"§"', deepArray(levels)),
      ];
      for (const body of bodies) expectRefused(await send(ep, body), ['VALIDATION_FAILED']);
    }
  });

  test('NDJSON import: deeply nested lines are rejected line by line', async () => {
    const body = [deepArray(10_000), deepObject(10_000), deepArray(MAX_LINE_BYTES)].join('\n');
    const res = await send(ndjsonEndpoint, body, 'application/x-ndjson');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ lines: 3, accepted: 0, rejectedCount: 3 });
    expect(res.json.rejected.map((r: { line: number; code: string }) => [r.line, r.code])).toEqual([
      [1, 'MALFORMED_JSON'],
      [2, 'MISSING_FIELD'],
      [3, 'LINE_TOO_LONG'],
    ]);
  });
});

describe('wrong content types: 4xx with the error shape', () => {
  const multipart = (fields: Record<string, unknown>) =>
    Object.entries(fields)
      .map(([k, v]) => `--XyZ\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${String(v)}\r\n`)
      .join('') + '--XyZ--\r\n';

  test.each(JSON_ENDPOINTS.map((e) => [label(e), e] as const))('%s', async (_, ep) => {
    const valid = ep.valid();
    const cases: Array<[string | null, string | Buffer]> = [
      ['text/plain', json(valid)],
      ['text/plain; charset=utf-8', json(valid)],
      ['application/x-www-form-urlencoded', 'junk=1&more=%00%27'],
      ['multipart/form-data; boundary=XyZ', multipart(valid)],
      [null, json(valid)],
      [null, Buffer.alloc(0)],
      ['application/xml', `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>`],
      ['application/x-ndjson', json(valid) + '\n'],
      ['application/json', ''],
      ['application/json', Buffer.from([0xff, 0xfe, 0x7b, 0x00])],
    ];
    for (const [type, body] of cases) {
      const res = await send(ep, body, type);
      expectRefused(res);
      expect([400, 401, 413, 415, 422]).toContain(res.status);
    }
  });

  test('NDJSON import: anything but application/x-ndjson is 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const line = json(registryRecord(uniqueBase())) + '\n';
    for (const type of ['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=XyZ', null]) {
      const res = await send(ndjsonEndpoint, type === 'application/json' ? json(registryRecord(1)) : line, type);
      expectRefused(res, ['UNSUPPORTED_MEDIA_TYPE']);
      expect(res.status).toBe(415);
    }
  });

  // Nest's Fastify adapter registers an application/x-www-form-urlencoded parser next to JSON, and Fastify
  // parses text/plain: a plain HTML form on any site can post either (a "simple" cross-origin request, no
  // CORS preflight), e.g. to make visitors' browsers request SMS codes for chosen numbers or log in. The API
  // parses JSON only: every other body type is 415 UNSUPPORTED_MEDIA_TYPE, before any handler runs.
  test('a form-encoded body with valid fields is refused like any other non-JSON body', async () => {
    const phone = newPhone();
    const otp = await send(JSON_ENDPOINTS[0], `phone=${phone}`, 'application/x-www-form-urlencoded');
    expectRefused(otp, ['UNSUPPORTED_MEDIA_TYPE']);
    expect(otp.status).toBe(415);
    const login = await send(JSON_ENDPOINTS[4], `username=${TEST_ADMIN.username}&password=${encodeURIComponent(TEST_ADMIN.password)}`, 'application/x-www-form-urlencoded');
    expectRefused(login, ['UNSUPPORTED_MEDIA_TYPE']);
    expect(login.status).toBe(415);
    // The same phone in JSON is accepted: no code was sent for it above (one code per phone per minute).
    expect((await send(JSON_ENDPOINTS[0], json({ phone }))).status).toBe(202);
  });

  test.each(JSON_ENDPOINTS.map((e) => [label(e), e] as const))('%s: form, multipart and text bodies with valid content are 415 UNSUPPORTED_MEDIA_TYPE', async (_, ep) => {
    const valid = ep.valid();
    const form = new URLSearchParams(Object.entries(valid).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : json(v)])).toString();
    const cases: Array<[string | null, string]> = [
      ['application/x-www-form-urlencoded', form],
      ['application/x-www-form-urlencoded; charset=utf-8', form],
      ['multipart/form-data; boundary=XyZ', multipart(valid)],
      ['text/plain', json(valid)],
      ['text/plain;charset=UTF-8', json(valid)],
      [null, json(valid)],
    ];
    for (const [type, body] of cases) {
      const res = await send(ep, body, type);
      try {
        expectRefused(res, ['UNSUPPORTED_MEDIA_TYPE']);
        expect(res.status).toBe(415);
      } catch (error) {
        throw new Error(`${type}: ${(error as Error).message}`);
      }
    }
  });

  test.each(JSON_ENDPOINTS.map((e) => [label(e), e] as const))('%s: an empty JSON body is 400 MALFORMED_JSON, as malformed JSON is', async (_, ep) => {
    for (const options of [{}, { chunkBytes: 16 }] as RawOptions[]) {
      const empty = await send(ep, '', 'application/json', options);
      expectRefused(empty, ['MALFORMED_JSON']);
      expect(empty.status).toBe(400);
    }
    const declaredEmpty = await send(ep, undefined, 'application/json', { headers: { 'content-length': '0' } });
    expectRefused(declaredEmpty, ['MALFORMED_JSON']);
    const malformed = await send(ep, '{"a":', 'application/json');
    expectRefused(malformed, ['MALFORMED_JSON']);
    expect(malformed.status).toBe(400);
  });
});

describe('arrays, null, numbers and strings instead of objects or strings', () => {
  const notObjects = ['null', '0', '42', '-1e308', '"a string"', 'true', '[]', '[{}]', '[1,2,3]', '{}'];
  const notStrings: unknown[] = [null, 0, 13812345678, 1e309 /* Infinity: JSON null */, true, [], ['13812345678'], {}, { toString: 'x' }, { length: 1, 0: 'a' }];

  test.each(JSON_ENDPOINTS.map((e) => [label(e), e] as const))('%s', async (_, ep) => {
    for (const body of notObjects) expectRefused(await send(ep, body));
    const valid = ep.valid();
    for (const field of Object.keys(valid)) {
      for (const value of notStrings) expectRefused(await send(ep, json({ ...valid, [field]: value })));
    }
    if (ep.path.endsWith('/void')) {
      for (const field of VOID_FIELDS) {
        for (const value of notStrings) {
          const item = { ...(valid.invoices as Array<Record<string, unknown>>)[0], [field]: value };
          expectRefused(await send(ep, json({ invoices: [item] })), ['VALIDATION_FAILED']);
        }
      }
      for (const invoices of [null, {}, 'x', [null], ['a'], [1], [{}], []]) expectRefused(await send(ep, json({ invoices })), ['VALIDATION_FAILED']);
    }
  });

  // @ValidateNested({ each: true }) alone descends into an array item that is itself an array instead of
  // refusing it (`{"invoices":[[]]}` was 200 with notFound [{}]); @IsObject({ each: true }) refuses it.
  test('POST /api/v1/registry/invoices/void: an item that is an array is refused', async () => {
    const ep = JSON_ENDPOINTS[6];
    const item = (ep.valid().invoices as unknown[])[0];
    for (const invoices of [[[]], [[item]], [item, []], [item, [item]]]) {
      const res = await send(ep, json({ invoices }));
      expectRefused(res, ['VALIDATION_FAILED']);
      expect(res.json.fields).toEqual(['invoices']);
    }
    expect((await send(ep, json({ invoices: [item, item] }))).status).toBe(200);
  });

  test('POST /api/v1/invoices: a qr that is not a string is QR_MALFORMED', async () => {
    for (const qr of notStrings) {
      const res = await send(JSON_ENDPOINTS[3], json({ qr }));
      expectRefused(res, ['QR_MALFORMED']);
    }
  });
});

describe('prototype pollution keys have no effect', () => {
  const polluted = () => (({}) as Record<string, unknown>).polluted ?? (Object.prototype as Record<string, unknown>).isAdmin;

  test.each(JSON_ENDPOINTS.map((e) => [label(e), e] as const))('%s', async (_, ep) => {
    const valid = json(ep.valid()).slice(1, -1);
    const bodies = [
      `{"__proto__":{"polluted":"yes","isAdmin":true},${valid}}`,
      `{${valid},"__proto__":{"polluted":"yes"}}`,
      `{"constructor":{"prototype":{"polluted":"yes"}},${valid}}`,
      `{${valid},"nested":{"__proto__":{"polluted":"yes"}}}`,
      `{${valid},"nested":[{"constructor":{"prototype":{"polluted":"yes"}}}]}`,
    ];
    for (const body of bodies) {
      const res = await send(ep, body);
      expectRefused(res);
      expect(polluted()).toBeUndefined();
    }
    // A bare "constructor" or "prototype" key that is not a pollution attempt is just an unknown key: it
    // neither breaks a valid body nor gets an invalid one past validation (class-validator finds a DTO's
    // rules through its constructor).
    const harmless = await send(ep, `{${valid},"constructor":"x","prototype":{"polluted":"yes"}}`);
    expect(harmless.status).toBeLessThan(500);
    expectRefused(await send(ep, '{"constructor":"x","prototype":{}}'));
    expectRefused(await send(ep, '{"constructor":{"name":"Object"}}'));
    for (const form of ['__proto__[polluted]=yes', 'constructor[prototype][polluted]=yes', '__proto__.polluted=yes']) {
      expect((await send(ep, form, 'application/x-www-form-urlencoded')).status).toBeLessThan(500);
    }
    expect(polluted()).toBeUndefined();
  });

  test('a staff login with __proto__ credentials is not a login', async () => {
    const res = await send(JSON_ENDPOINTS[4], `{"__proto__":{"username":"admin","password":"${TEST_ADMIN.password}"}}`);
    expectRefused(res, ['MALFORMED_JSON']);
  });

  test('NDJSON import: __proto__ / constructor keys in a line neither pollute nor supply fields', async () => {
    const n = uniqueBase();
    const { flags: _flags, ...withoutFlags } = registryRecord(n);
    const lines = [
      `{"__proto__":{"flags":[]},${json(withoutFlags).slice(1)}`,
      `{"constructor":{"prototype":{"polluted":"yes"}},${json(registryRecord(n + 1)).slice(1)}`,
      `{"__proto__":{"polluted":"yes"},${json(registryRecord(n + 2, { flags: ['voided'] })).slice(1)}`,
    ];
    const res = await send(ndjsonEndpoint, lines.join('\n'), 'application/x-ndjson');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ accepted: 2, rejectedCount: 1 });
    expect(res.json.rejected).toEqual([expect.objectContaining({ line: 1, code: 'MISSING_FIELD', field: 'flags' })]);
    expect(polluted()).toBeUndefined();
    const [row] = await db.query('SELECT flags FROM registry_invoices WHERE invoice_code = ? AND invoice_number = ?', ['041012200111', String(n + 2).padStart(8, '0')]);
    expect(row.flags).toBe('voided');
  });
});

describe('injection and confusable strings in every text field are refused with a reason code', () => {
  test.each(JSON_ENDPOINTS.map((e) => [label(e), e] as const))('%s', async (_, ep) => {
    for (const [field, codes] of Object.entries(ep.fields)) {
      for (const hostile of HOSTILE_STRINGS) {
        const valid = ep.valid();
        for (const value of [hostile, withPrefix(String(valid[field]), hostile), `${hostile}${String(valid[field])}`]) {
          if (ep.legit?.(field, value)) continue;
          const res = await send(ep, json({ ...valid, [field]: value }));
          try {
            expectRefused(res, codes);
          } catch (error) {
            throw new Error(`${field} = ${JSON.stringify(value)}: ${(error as Error).message}`);
          }
        }
      }
    }
  });

  test('POST /api/v1/invoices: qr payloads with hostile fields are QR_MALFORMED', async () => {
    const ep = JSON_ENDPOINTS[3];
    for (const hostile of HOSTILE_STRINGS) {
      const good = qrInvoice().qr as string;
      const parts = good.split(',');
      const variants = [hostile, good + hostile, hostile + good, ...parts.map((_, i) => parts.map((p, j) => (i === j ? hostile : p)).join(','))];
      for (const qr of variants) {
        const res = await send(ep, json({ qr }));
        try {
          expectRefused(res, ['QR_MALFORMED']);
        } catch (error) {
          throw new Error(`qr = ${JSON.stringify(qr)}: ${(error as Error).message}`);
        }
      }
    }
  });

  test('POST /api/v1/registry/invoices/void: every field of an item', async () => {
    const ep = JSON_ENDPOINTS[6];
    const item = (ep.valid().invoices as Array<Record<string, unknown>>)[0];
    for (const field of VOID_FIELDS) {
      for (const hostile of HOSTILE_STRINGS) {
        for (const value of [hostile, withPrefix(String(item[field]), hostile)]) {
          expectRefused(await send(ep, json({ invoices: [{ ...item, [field]: value }] })), ['VALIDATION_FAILED']);
        }
      }
    }
  });

  test('admin login: hostile strings around an unknown username are refused', async () => {
    const ep = JSON_ENDPOINTS[4];
    for (const hostile of HOSTILE_STRINGS) {
      for (const username of [`nobody${hostile}`, `${hostile}nobody`]) {
        expectRefused(await send(ep, json({ username, password: TEST_ADMIN.password })), ['VALIDATION_FAILED', 'INVALID_CREDENTIALS']);
      }
    }
  });

  // Staff usernames are looked up with the column's utf8mb4_unicode_ci collation, under which NUL, zero-width
  // and other ignorable characters do not count and full-width letters equal ASCII ones (case and trailing
  // spaces are ignored too): the login only accepts the row it finds when its username is the same string.
  test('admin login: a username that only looks like an account name (NUL, zero-width, full-width, case, spaces) does not log in', async () => {
    for (const username of ['admin\u0000', '\u0000admin', 'ad\u200Bmin', 'admin\u2060', 'ａｄｍｉｎ', 'Admin', 'ADMIN', 'admin ', 'admin\t', 'ａdmin']) {
      const res = await send(JSON_ENDPOINTS[4], json({ username, password: TEST_ADMIN.password }));
      try {
        expectRefused(res, ['INVALID_CREDENTIALS']);
      } catch (error) {
        throw new Error(`${JSON.stringify(username)}: ${(error as Error).message}`);
      }
    }
    expect((await send(JSON_ENDPOINTS[4], json(TEST_ADMIN))).status).toBe(200);
  });

  test('staff login: an account whose name differs from another only in case or width is its own account', async () => {
    const lower = { username: `case.${++seq}`, password: 'lower-case-password-1' };
    expect((await api.http.post('/api/v1/admin/staff', { ...lower, roles: ['auditor'] }, adminToken)).status).toBe(201);
    // The unique index has the same collation: a second account differing only in case is a duplicate.
    const upper = await api.http.post('/api/v1/admin/staff', { ...lower, username: lower.username.toUpperCase(), roles: ['auditor'] }, adminToken);
    expect([upper.status, upper.body.code]).toEqual([409, 'STAFF_USERNAME_TAKEN']);
    expect((await send(JSON_ENDPOINTS[4], json(lower))).status).toBe(200);
    expectRefused(await send(JSON_ENDPOINTS[4], json({ ...lower, username: lower.username.toUpperCase() })), ['INVALID_CREDENTIALS']);
  });

  test('nothing of it reached the database as SQL: the tables are all there and the admin still logs in', async () => {
    const tables = (await db.query('SHOW TABLES')) as Array<Record<string, string>>;
    expect(tables.map((t) => Object.values(t)[0])).toEqual(expect.arrayContaining(['invoices', 'consumers', 'registry_invoices', 'staff_accounts']));
    expect((await api.http.post('/api/v1/admin/auth/login', TEST_ADMIN)).status).toBe(200);
  });
});

describe('what is stored is stored inertly and reads back byte for byte', () => {
  test('registry seller and buyer names: any of the strings is kept exactly', async () => {
    const base = uniqueBase();
    const names = HOSTILE_STRINGS.filter((s) => s.trim() !== '');
    const lines = names.map((name, i) => json(registryRecord(base + i, { sellerName: name, buyerName: `${name}张三` })));
    const res = await send(ndjsonEndpoint, lines.join('\r\n') + '\r\n', 'application/x-ndjson');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ accepted: names.length, rejectedCount: 0 });
    const rows = (await db.query(
      `SELECT invoice_number AS n, seller_name AS s, buyer_name AS b, HEX(seller_name) AS h FROM registry_invoices WHERE invoice_code = ? AND invoice_number IN (${names.map(() => '?').join(',')})`,
      ['041012200111', ...names.map((_, i) => String(base + i).padStart(8, '0'))],
    )) as Array<{ n: string; s: string; b: string; h: string }>;
    expect(rows).toHaveLength(names.length);
    for (const row of rows) {
      const name = names[Number(row.n) - base];
      expect(row.s).toBe(name);
      expect(row.b).toBe(`${name}张三`);
      expect(row.h).toBe(Buffer.from(name, 'utf8').toString('hex').toUpperCase());
    }
  });

  test('registry: hostile strings in validated fields reject their line with the field named', async () => {
    const base = uniqueBase();
    const fields = ['invoiceType', 'invoiceCode', 'invoiceNumber', 'issueDate', 'checkCode', 'sellerTaxId', 'buyerType'];
    const lines: string[] = [];
    const expected: Array<[number, string]> = [];
    for (const field of fields) {
      for (const hostile of HOSTILE_STRINGS) {
        lines.push(json(registryRecord(base + lines.length, { [field]: hostile })));
        expected.push([lines.length, field]);
      }
    }
    lines.push(json(registryRecord(base + lines.length, { flags: ["voided'; DROP TABLE registry_invoices; --"] })));
    expected.push([lines.length, 'flags']);
    const res = await send(ndjsonEndpoint, lines.join('\n'), 'application/x-ndjson');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ accepted: 0, updated: 0, unchanged: 0, rejectedCount: lines.length });
    expect(res.json.rejected.map((r: { line: number; field?: string; code: string }) => [r.line, r.field, r.code])).toEqual(
      expected.map(([line, field]) => [line, field, 'INVALID_FIELD']),
    );
  });

  test('a real name in a 4-byte CJK character is stored exactly; one with an emoji, zero-width or bidi character is refused by the name rule', async () => {
    const consumer = await createConsumer(api.app, { verified: false });
    const ep = { method: 'PUT' as const, path: '/api/v1/me/identity', auth: 'none' as const };
    const put = (realName: string, idNumber = makeResidentId('410105', '19900307', '321')) =>
      rawRequest(api.baseUrl, ep.method, ep.path, {
        body: json({ realName, idNumber }),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${consumer.token}` },
      });
    for (const name of ['张三😀', '张\u200B三', '\u202E张三', '张三\u0000', '<b>张三</b>', "张三' OR 1=1 --"]) {
      expectRefused(await put(name), ['VALIDATION_FAILED']);
    }
    const ok = await put('𠀀𪚥');
    expect(ok.status).toBe(200);
    expect(ok.json.realName).toBe('𠀀*');
    const [row] = await db.query('SELECT real_name AS n, HEX(real_name) AS h FROM consumers WHERE id = ?', [consumer.id]);
    expect(row.n).toBe('𠀀𪚥');
    expect(row.h).toBe(Buffer.from('𠀀𪚥', 'utf8').toString('hex').toUpperCase());
  });

  test('a staff password with any of the strings in it works exactly as given, and only so', async () => {
    for (const hostile of HOSTILE_STRINGS) {
      const username = `hostile.${++seq}`;
      const password = `long-enough-password${hostile}`;
      const created = await api.http.post('/api/v1/admin/staff', { username, password, roles: ['auditor'] }, adminToken);
      expect(created.status).toBe(201);
      expect(created.text).not.toContain('long-enough-password');
      expect((await api.http.post('/api/v1/admin/auth/login', { username, password })).status).toBe(200);
      // (Not "the password without the hostile part": a trailing NUL never counts in scrypt, whose PBKDF2-HMAC
      // step zero-pads the password as an HMAC key, so 'x\u0000' and 'x' are the same password.)
      for (const wrongPassword of [`long-enough-passworD${hostile}`, `${password}x`, `x${password}`]) {
        const wrong = await api.http.post('/api/v1/admin/auth/login', { username, password: wrongPassword });
        expect([wrong.status, wrong.body.code]).toEqual([401, 'INVALID_CREDENTIALS']);
      }
    }
  });
});
